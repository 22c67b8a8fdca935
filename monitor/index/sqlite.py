"""The embedded search index: one SQLite file (WAL) with a documents table and an FTS5 table kept in sync."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from monitor.documents import (
    ARTICLE_FIELDS,
    COMMENT_FIELDS,
    article_document,
    bound,
    comment_document,
    content_hash,
    document_date,
)
from monitor.errors import QueryError, SearchIndexError
from monitor.index.base import SearchIndex, SearchRequest, SearchResult, UpsertStats
from monitor.items import ArticleItem
from monitor.query import (
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    field_text,
    fts5_expressible,
    highlight_terms,
    is_keyword,
    parse,
    to_fts5,
)
from monitor.query.snippets import search_hit
from monitor.query.words import FTS5_TOKENIZE
from monitor.state.db import immediate_transaction, sql_statements
from monitor.urls import article_id, canonicalize_url

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000  # a reader waits this long for the crawl's write transaction to commit
# bm25 column weights (title, text, author): a word in the title says more than one in the body.
BM25_WEIGHTS = (5.0, 1.0, 1.0)

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('article', 'comment')),
    article_id TEXT,              -- comments: the article they belong to
    parent_id TEXT,
    depth INTEGER,
    position INTEGER,
    url TEXT,
    canonical_url TEXT,
    source TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL DEFAULT '',
    author TEXT,                  -- searched: a comment's author, an article's authors joined by '; '
    authors TEXT,                 -- JSON list (articles)
    published TEXT,
    modified TEXT,
    language TEXT,
    site_name TEXT,
    tags TEXT,                    -- JSON list
    image TEXT,
    topics TEXT NOT NULL DEFAULT '[]',  -- JSON list
    likes INTEGER,
    native_id TEXT,
    article_title TEXT,
    cluster_id TEXT,
    comment_count INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    doc_date TEXT NOT NULL,       -- published in UTC, else first_seen: since/until, date sort, day facets
    content_hash TEXT NOT NULL
);
CREATE INDEX docs_thread ON docs (article_id, position);
CREATE INDEX docs_url ON docs (url);
CREATE INDEX docs_canonical_url ON docs (canonical_url);
CREATE INDEX docs_date ON docs (doc_date DESC, id);
CREATE VIRTUAL TABLE docs_fts USING fts5 (
    title, text, author, content='docs', content_rowid='rowid', tokenize='{FTS5_TOKENIZE}'
);
CREATE TRIGGER docs_fts_insert AFTER INSERT ON docs BEGIN
    INSERT INTO docs_fts (rowid, title, text, author) VALUES (new.rowid, new.title, new.text, new.author);
END;
CREATE TRIGGER docs_fts_delete AFTER DELETE ON docs BEGIN
    INSERT INTO docs_fts (docs_fts, rowid, title, text, author)
    VALUES ('delete', old.rowid, old.title, old.text, old.author);
END;
CREATE TRIGGER docs_fts_update AFTER UPDATE OF title, text, author ON docs BEGIN
    INSERT INTO docs_fts (docs_fts, rowid, title, text, author)
    VALUES ('delete', old.rowid, old.title, old.text, old.author);
    INSERT INTO docs_fts (rowid, title, text, author) VALUES (new.rowid, new.title, new.text, new.author);
END;
"""

_JSON_COLUMNS = frozenset({"authors", "tags", "topics"})
_CONTENT_COLUMNS = (
    "type", "article_id", "parent_id", "depth", "position", "url", "canonical_url", "source", "title", "text",
    "author", "authors", "published", "modified", "language", "site_name", "tags", "image", "topics", "likes",
    "native_id", "article_title", "cluster_id", "doc_date", "content_hash",
)
_KEYWORD_COLUMNS = {"source": "d.source", "language": "d.language", "type": "d.type", "id": "d.id",
                    "article_id": "d.article_id"}
_FACET_COLUMNS = {"source": "d.source", "type": "d.type", "language": "d.language", "day": "substr(d.doc_date, 1, 10)"}


def _kw(value: str | None) -> str | None:
    """Keyword values compare lower-cased, by Python's rules as in the matcher (SQLite's lower() is ASCII-only)."""
    return value.lower() if isinstance(value, str) else value


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class SQLiteIndex(SearchIndex):
    """The SQLite backend. Safe for one writing process and many readers at once (WAL + busy timeout).

    Comments that vanish from a page are kept: the index records what was published, and a
    site that hides or deletes a comment later does not unpublish what we saw.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.create_function("kw", 1, _kw, deterministic=True)
            self._migrate()
        except sqlite3.Error as exc:
            raise SearchIndexError(f"cannot open the SQLite index {self.path}: {exc}") from exc

    # ------------------------------------------------------------ schema

    def _schema_version(self, conn: sqlite3.Connection) -> int | None:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
            return None
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row["value"]) if row else 0

    def _migrate(self) -> None:
        # Read first: a reader opening beside the crawl must not wait for the crawl's write lock.
        version = self._schema_version(self._conn)
        if version is not None and version > SCHEMA_VERSION:
            raise SearchIndexError(
                f"the index {self.path} has schema version {version}; this monitor knows up to "
                f"{SCHEMA_VERSION}: upgrade the monitor"
            )
        if version == SCHEMA_VERSION:
            return
        with self._write() as conn:
            version = self._schema_version(conn)  # another process may have created it meanwhile
            if version is None:
                for statement in sql_statements(_SCHEMA):
                    conn.execute(statement)
                conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                logger.info("search index created path=%s", self.path)
            # Migrations from older versions go here, one step per version.

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, immediate_transaction(self._conn):
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------ writing

    def upsert(self, articles: Sequence[ArticleItem], *, seen_at: str) -> UpsertStats:
        """Store articles and their comments in one transaction.

        A document whose content is unchanged only gets ``last_seen = seen_at``. Comments missing
        from a re-crawled page are kept (see the class docstring); ``comment_count`` counts the stored ones.
        """
        stats = UpsertStats()
        try:
            with self._write() as conn:
                for article in articles:
                    outcome = self._put(conn, article_document(article), seen_at)
                    if outcome == "new":
                        stats.articles_new += 1
                    elif outcome == "updated":
                        stats.articles_updated += 1
                    else:
                        stats.articles_unchanged += 1
                    if outcome != "unchanged":
                        stats.new_ids.append(article.id)
                    for comment in article.comments:
                        doc = comment_document(article, comment)
                        outcome = self._put(conn, doc, seen_at)
                        if outcome == "new":
                            stats.comments_new += 1
                        elif outcome == "updated":
                            stats.comments_updated += 1
                        if outcome != "unchanged":
                            stats.new_ids.append(doc["id"])
                    conn.execute(
                        "UPDATE docs SET comment_count = "
                        "(SELECT count(*) FROM docs WHERE type = 'comment' AND article_id = ?) WHERE id = ?",
                        (article.id, article.id),
                    )
        except sqlite3.Error as exc:
            raise SearchIndexError(f"upsert failed on {self.path}: {exc}") from exc
        return stats

    def _put(self, conn: sqlite3.Connection, doc: dict[str, Any], seen_at: str) -> str:
        digest = content_hash(doc)
        row = conn.execute("SELECT first_seen, content_hash FROM docs WHERE id = ?", (doc["id"],)).fetchone()
        if row is not None and row["content_hash"] == digest:
            conn.execute("UPDATE docs SET last_seen = ? WHERE id = ?", (seen_at, doc["id"]))
            return "unchanged"
        first_seen = row["first_seen"] if row is not None else seen_at
        values = self._columns(doc, first_seen=first_seen, digest=digest)
        if row is None:
            columns = ("id", *_CONTENT_COLUMNS, "first_seen", "last_seen", "comment_count")
            conn.execute(
                f"INSERT INTO docs ({', '.join(columns)}) VALUES ({_marks(len(columns))})",
                (doc["id"], *values, first_seen, seen_at, 0 if doc["type"] == "article" else None),
            )
            return "new"
        assignments = ", ".join(f"{c} = ?" for c in _CONTENT_COLUMNS)
        conn.execute(f"UPDATE docs SET {assignments}, last_seen = ? WHERE id = ?", (*values, seen_at, doc["id"]))
        return "updated"

    @staticmethod
    def _columns(doc: dict[str, Any], *, first_seen: str, digest: str) -> list[Any]:
        derived = {
            "author": field_text(doc, "author") or None,
            "doc_date": document_date({**doc, "first_seen": first_seen}) or first_seen,
            "content_hash": digest,
        }
        values: list[Any] = []
        for column in _CONTENT_COLUMNS:
            if column in derived:
                values.append(derived[column])
            elif column in _JSON_COLUMNS:
                values.append(json.dumps(doc[column] or [], ensure_ascii=False) if column in doc else None)
            elif column == "text":
                values.append(doc.get("text") or "")
            else:
                values.append(doc.get(column))
        return values

    # ------------------------------------------------------------ reading

    @staticmethod
    def _document(row: sqlite3.Row) -> dict[str, Any]:
        fields = ARTICLE_FIELDS if row["type"] == "article" else COMMENT_FIELDS
        doc: dict[str, Any] = {}
        for field in fields:
            value = row[field]
            if field in _JSON_COLUMNS:
                value = json.loads(value) if value is not None else []
            doc[field] = value
        return doc

    def get_article(self, id_or_url: str) -> dict[str, Any] | None:
        keys = [id_or_url]
        if "://" in id_or_url:
            keys += [canonicalize_url(id_or_url), article_id(id_or_url)]
        with self._lock:
            row = self._conn.execute(
                f"SELECT * FROM docs WHERE type = 'article' AND (id IN ({_marks(len(keys))}) "
                f"OR url = ? OR canonical_url IN ({_marks(len(keys))})) LIMIT 1",
                (*keys, id_or_url, *keys),
            ).fetchone()
        return self._document(row) if row else None

    def get_comments(self, article_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM docs WHERE type = 'comment' AND article_id = ? ORDER BY position, id", (article_id,)
            ).fetchall()
        return [self._document(r) for r in rows]

    def count(self) -> dict[str, int]:
        counts = {"article": 0, "comment": 0}
        with self._lock:
            for row in self._conn.execute("SELECT type, count(*) AS n FROM docs GROUP BY type"):
                counts[row["type"]] = row["n"]
        return counts

    # ------------------------------------------------------------ search

    def search(self, request: SearchRequest) -> SearchResult:
        node = parse(request.query)
        where, params = self._filters(request)
        query_sql, query_params = _compile(node)
        where.append(query_sql)
        params += query_params
        where_sql = " AND ".join(f"({w})" for w in where)

        rank_terms = highlight_terms(node) if request.sort == "relevance" else []
        if rank_terms:
            rank_node: Node = rank_terms[0] if len(rank_terms) == 1 else Or(tuple(dict.fromkeys(rank_terms)))
            weights = ", ".join(str(w) for w in BM25_WEIGHTS)
            rank_join = (
                f"LEFT JOIN (SELECT rowid, bm25(docs_fts, {weights}) AS bm25 FROM docs_fts "
                "WHERE docs_fts MATCH ?) r ON r.rowid = d.rowid"
            )
            rank_params: list[Any] = [to_fts5(rank_node)]
            keys = [("COALESCE(r.bm25, 0)", ">"), ("d.doc_date", "<"), ("d.id", ">")]
        else:
            rank_join, rank_params = "", []
            keys = [("d.doc_date", "<"), ("d.id", ">")]

        page_where, page_params = where_sql, list(params)
        if request.search_after is not None:
            if len(request.search_after) != len(keys):
                raise QueryError(f"search_after needs {len(keys)} values for sort={request.sort!r}")
            cursor_sql, cursor_params = _after(keys, list(request.search_after))
            page_where = f"{where_sql} AND ({cursor_sql})"
            page_params += cursor_params
        order = ", ".join(f"{expr} {'ASC' if op == '>' else 'DESC'}" for expr, op in keys)
        select_keys = ", ".join(f"{expr} AS k{i}" for i, (expr, _) in enumerate(keys))
        limit = max(0, request.limit)
        sql = (
            f"SELECT d.*, {select_keys}{', r.bm25 AS bm25' if rank_join else ''} FROM docs d {rank_join} "
            f"WHERE {page_where} ORDER BY {order} LIMIT ? OFFSET ?"
        )
        try:
            with self._lock:
                rows = self._conn.execute(
                    sql, (*rank_params, *page_params, limit + 1, max(0, request.offset))
                ).fetchall()
                total = self._conn.execute(f"SELECT count(*) FROM docs d WHERE {where_sql}", params).fetchone()[0]
                facets = self._facets(where_sql, params) if request.facets else None
        except sqlite3.OperationalError as exc:
            raise SearchIndexError(f"search failed on {self.path}: {exc}") from exc

        hits = []
        for row in rows[:limit]:
            score = -row["bm25"] if rank_join and row["bm25"] is not None else None
            hits.append(search_hit(self._document(row), node, score=score))
        next_cursor = None
        if len(rows) > limit and limit > 0:
            last = rows[limit - 1]
            next_cursor = [last[f"k{i}"] for i in range(len(keys))]
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)

    def _filters(self, request: SearchRequest) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if request.types:
            where.append(f"d.type IN ({_marks(len(request.types))})")
            params += list(request.types)
        for column, values in (("d.source", request.sources), ("d.language", request.languages)):
            if values:
                where.append(f"kw({column}) IN ({_marks(len(values))})")
                params += [v.lower() for v in values]
        if request.topics:
            where.append(
                f"EXISTS (SELECT 1 FROM json_each(d.topics) WHERE kw(value) IN ({_marks(len(request.topics))}))"
            )
            params += [t.lower() for t in request.topics]
        since = bound(request.since, end=False)
        if since:
            where.append("d.doc_date >= ?")
            params.append(since)
        until = bound(request.until, end=True)
        if until:
            where.append("d.doc_date <= ?")
            params.append(until)
        return where, params

    def _facets(self, where_sql: str, params: list[Any]) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        for name, expr in _FACET_COLUMNS.items():
            rows = self._conn.execute(
                f"SELECT {expr} AS key, count(*) AS n FROM docs d WHERE {where_sql} AND {expr} IS NOT NULL "
                f"GROUP BY key ORDER BY n DESC, key",
                params,
            )
            facets[name] = {row["key"]: row["n"] for row in rows}
        return facets


def _after(keys: list[tuple[str, str]], values: list[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after the cursor in the order of ``keys`` (each key ascending '>' or descending '<')."""
    ors: list[str] = []
    params: list[Any] = []
    for i, (expr, op) in enumerate(keys):
        parts = [f"{keys[j][0]} = ?" for j in range(i)] + [f"{expr} {op} ?"]
        ors.append(" AND ".join(parts))
        params += values[: i + 1]
    return " OR ".join(f"({o})" for o in ors), params


def _compile(node: Node) -> tuple[str, list[Any]]:
    """The query as a SQL condition on ``docs d``: FTS5 where it can say it, plain SQL around it."""
    if isinstance(node, MatchAll):
        return "1", []
    if fts5_expressible(node):
        return "d.rowid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)", [to_fts5(node)]
    if isinstance(node, Term) and is_keyword(node):
        return _keyword(node)
    if isinstance(node, Not):
        sql, params = _compile(node.child)
        return f"NOT ({sql})", params
    if isinstance(node, (And, Or)):
        children = list(node.children)
        if isinstance(node, And):
            # Text parts (and the NOTs FTS5 can subtract from them) go to FTS5 as one expression.
            text = [c for c in children if fts5_expressible(c.child if isinstance(c, Not) else c)]
            if len(text) > 1 and fts5_expressible(And(tuple(text))):
                children = [And(tuple(text))] + [c for c in children if c not in text]
        parts = [_compile(c) for c in children]
        joiner = " AND " if isinstance(node, And) else " OR "
        return joiner.join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]
    if isinstance(node, Phrase):  # pragma: no cover - phrases are always expressible
        raise AssertionError(node)
    raise TypeError(f"not a query node: {node!r}")


def _keyword(node: Term) -> tuple[str, list[Any]]:
    if node.field == "topics":
        target = "kw(value)"
        wrap = "EXISTS (SELECT 1 FROM json_each(d.topics) WHERE {})"
    else:
        target = f"kw({_KEYWORD_COLUMNS[node.field or '']})"
        wrap = "COALESCE({}, 0)"  # a missing value must read as false, also under NOT
    if node.prefix:
        return wrap.format(f"substr({target}, 1, ?) = ?"), [len(node.word), node.word]
    return wrap.format(f"{target} = ?"), [node.word]
