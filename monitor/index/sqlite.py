"""The embedded search index: one SQLite file (WAL) with a documents table and an FTS5 table kept in sync."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.documents import CLUSTER_FIELDS, DOC_TYPES, FIELDS, content_hash, document_date, stored_document
from monitor.errors import SearchIndexError
from monitor.index.base import (
    CLUSTER_LOOKUP_LIMIT,
    ClusterEntry,
    ClusterFields,
    ClusterKeys,
    ClusterLookup,
    SearchIndex,
    SearchRequest,
    SearchResult,
    UpsertStats,
)
from monitor.index.changes import DocumentChange, IncomingBatch, StoredState
from monitor.index.searching import FACETS, PreparedSearch, facet_counts, prepare
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
    is_keyword,
    to_fts5,
)
from monitor.query.words import FTS5_TOKENIZE
from monitor.state.db import immediate_transaction, sql_statements
from monitor.urls import article_id, canonicalize_url

logger = logging.getLogger(__name__)

# 2: the comment platform field; every column of the document shape, content hashes of the shape.
# 3: the article's comment platform, its site and thread, the comments it promises, how reading them went.
# 4: near-duplicate clusters: cluster_size/cluster_sources, signatures, the band keys table.
SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 30_000  # a reader waits this long for the crawl's write transaction to commit
# bm25 column weights (title, text, author): a word in the title says more than one in the body.
BM25_WEIGHTS = (5.0, 1.0, 1.0)
LOOKUP_CHUNK = 500  # ids per IN (...) lookup (well under SQLite's bound-parameter limit), rows per migration step

# One column per field of the document shape (documents.FIELDS); lists are JSON text. For an article,
# ``author`` holds its authors joined by '; ', the text its author search looks in.
_CONSTRAINTS = {
    "id": "NOT NULL UNIQUE",
    "type": f"NOT NULL CHECK (type IN ({', '.join(repr(t) for t in DOC_TYPES)}))",
    "source": "NOT NULL",
    "text": "NOT NULL DEFAULT ''",
    "topics": "NOT NULL DEFAULT '[]'",
    "first_seen": "NOT NULL",
    "last_seen": "NOT NULL",
}
# Columns of this backend alone: the date since/until, date sort and day facets use (documents.document_date),
# and the digest of the content (documents.content_hash) that tells an unchanged document.
_OWN_COLUMNS = {"doc_date": "TEXT NOT NULL", "content_hash": "TEXT NOT NULL"}
# And an article's near-duplicate signature (ClusterKeys.signature): clustering's to write, as its keys are,
# so no upsert writes it.
_CLUSTER_COLUMNS = {"cluster_signature": "TEXT"}


def _column_ddl(name: str) -> str:
    sql_type = "INTEGER" if FIELDS[name].kind == "integer" else "TEXT"
    return f"{name} {sql_type} {_CONSTRAINTS.get(name, '')}".strip()


_FIELD_COLUMNS = tuple(FIELDS)
_COLUMNS = (*_FIELD_COLUMNS, *_OWN_COLUMNS)
_JSON_COLUMNS = frozenset(name for name, f in FIELDS.items() if f.is_list)
_COLUMN_DDL = ",\n    ".join([
    "rowid INTEGER PRIMARY KEY",
    *(_column_ddl(n) for n in _FIELD_COLUMNS),
    *(f"{n} {t}" for n, t in _OWN_COLUMNS.items()),
    *(f"{n} {t}" for n, t in _CLUSTER_COLUMNS.items()),
])

# An article's LSH band keys, one row each: the articles sharing a key are its near-duplicate candidates.
_CLUSTER_SCHEMA = """
CREATE TABLE IF NOT EXISTS cluster_keys (key TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (key, doc_id))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cluster_keys_doc ON cluster_keys (doc_id);
"""

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    {_COLUMN_DDL}
);
CREATE INDEX docs_thread ON docs (article_id, position);
CREATE INDEX docs_url ON docs (url);
CREATE INDEX docs_canonical_url ON docs (canonical_url);
CREATE INDEX docs_date ON docs (doc_date DESC, id);
CREATE INDEX docs_cluster ON docs (cluster_id);
{_CLUSTER_SCHEMA}CREATE VIRTUAL TABLE docs_fts USING fts5 (
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

_KEYWORD_COLUMNS = {"source": "d.source", "language": "d.language", "type": "d.type", "id": "d.id",
                    "article_id": "d.article_id", "cluster_id": "d.cluster_id"}
_FACET_EXPRESSIONS = {"day": "substr(d.doc_date, 1, 10)"}
# What a collapsed search groups by: the near-duplicate cluster, or the document itself (comments, unclustered).
_CLUSTER = "COALESCE(d.cluster_id, d.id)"


def _kw(value: str | None) -> str | None:
    """Keyword values compare lower-cased, by Python's rules as in the matcher (SQLite's lower() is ASCII-only)."""
    return value.lower() if isinstance(value, str) else value


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), LOOKUP_CHUNK):
        yield ids[i:i + LOOKUP_CHUNK]


def _document(row: sqlite3.Row) -> dict[str, Any]:
    """A row as the stored document (documents.stored_document): JSON lists decoded."""
    doc = {k: row[k] for k in row.keys() if k in FIELDS}
    for name in _JSON_COLUMNS:
        if doc.get(name) is not None:
            doc[name] = json.loads(doc[name])
    return stored_document(doc)


def _row_values(doc: dict[str, Any], digest: str) -> list[Any]:
    """The values of _COLUMNS for a document the change logic completed (first_seen and last_seen set)."""
    values: list[Any] = []
    for column in _FIELD_COLUMNS:
        if column == "author":
            values.append(field_text(doc, "author") or None)
        elif column in _JSON_COLUMNS:
            values.append(json.dumps(doc[column] or [], ensure_ascii=False) if column in doc else None)
        elif column == "text":
            values.append(doc.get("text") or "")
        else:
            values.append(doc.get(column))
    return [*values, document_date(doc) or doc["first_seen"], digest]


def _add_columns(conn: sqlite3.Connection) -> None:
    """Add the columns of fields new to the shape and hash every document as this shape reads it,
    so that a re-crawl of unchanged pages finds them unchanged."""
    have = {row["name"] for row in conn.execute("PRAGMA table_info(docs)")}
    for column in _FIELD_COLUMNS:
        if column not in have:
            conn.execute(f"ALTER TABLE docs ADD COLUMN {_column_ddl(column)}")
    _rehash(conn)


def _to_v4(conn: sqlite3.Connection) -> None:
    """Near-duplicate clusters: the new columns and the keys table; hashes without cluster_id (no content).
    Keys of articles stored before come from `monitor clusters rebuild`."""
    have = {row["name"] for row in conn.execute("PRAGMA table_info(docs)")}
    for column in _FIELD_COLUMNS:
        if column not in have:
            conn.execute(f"ALTER TABLE docs ADD COLUMN {_column_ddl(column)}")
    if "cluster_signature" not in have:
        conn.execute(f"ALTER TABLE docs ADD COLUMN cluster_signature {_CLUSTER_COLUMNS['cluster_signature']}")
    for statement in sql_statements(_CLUSTER_SCHEMA + "CREATE INDEX IF NOT EXISTS docs_cluster ON docs (cluster_id);"):
        conn.execute(statement)
    _rehash(conn)


def _rehash(conn: sqlite3.Connection) -> None:
    last = 0
    while rows := conn.execute("SELECT * FROM docs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                               (last, LOOKUP_CHUNK)).fetchall():
        conn.executemany("UPDATE docs SET content_hash = ? WHERE rowid = ?",
                         [(content_hash(_document(row)), row["rowid"]) for row in rows])
        last = rows[-1]["rowid"]


# From version N to N + 1, in one transaction with the version bump.
# 1 → 2 added Comment.platform, 2 → 3 the article's comment platform fields: both only add columns.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_columns, 2: _add_columns, 3: _to_v4}


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
            version = self._schema_version(conn)  # another process may have created or migrated it meanwhile
            if version is None:
                for statement in sql_statements(_SCHEMA):
                    conn.execute(statement)
                conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                logger.info("search index created path=%s", self.path)
                return
            start = version
            while version < SCHEMA_VERSION:
                step = _MIGRATIONS.get(version)
                if step is None:
                    raise SearchIndexError(f"the index {self.path} has schema version {version}, which this "
                                           f"monitor cannot migrate: rebuild it by crawling again into a new file")
                step(conn)
                version += 1
            if version != start:
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
                logger.info("search index migrated path=%s from=%s to=%s", self.path, start, version)

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

        A document whose content is unchanged only gets ``last_seen = seen_at`` (and an article its
        ``comment_count``). Comments missing from a re-crawled page are kept (see the class docstring).
        """
        batch = IncomingBatch(articles)
        try:
            with self._write() as conn:
                stored = self._stored_states(conn, [*batch.article_ids, *batch.comment_ids])
                counts = self._comment_counts(conn, batch.article_ids)
                changes, stats = batch.decide(stored, counts, seen_at=seen_at)
                for change in changes:
                    self._put(conn, change.article)
                    for comment in change.comments:
                        self._put(conn, comment)
        except sqlite3.Error as exc:
            raise SearchIndexError(f"upsert failed on {self.path}: {exc}") from exc
        return stats



    @staticmethod
    def _stored_states(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, StoredState]:
        states: dict[str, StoredState] = {}
        for chunk in _chunks(ids):
            for row in conn.execute(f"SELECT id, content_hash, first_seen, source, {', '.join(CLUSTER_FIELDS)} FROM docs "
                                    f"WHERE id IN ({_marks(len(chunk))})", tuple(chunk)):
                cluster = {"cluster_id": row["cluster_id"], "cluster_size": row["cluster_size"],
                           "cluster_sources": json.loads(row["cluster_sources"] or "[]")}
                states[row["id"]] = StoredState(row["content_hash"], row["first_seen"], row["source"], cluster)
        return states

    @staticmethod
    def _comment_counts(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(article_ids):
            for row in conn.execute(f"SELECT article_id, count(*) AS n FROM docs WHERE type = 'comment' "
                                    f"AND article_id IN ({_marks(len(chunk))}) GROUP BY article_id", tuple(chunk)):
                counts[row["article_id"]] = row["n"]
        return counts

    @staticmethod
    def _put(conn: sqlite3.Connection, change: DocumentChange) -> None:
        doc = change.doc
        if change.outcome == "new":
            conn.execute(f"INSERT INTO docs ({', '.join(_COLUMNS)}) VALUES ({_marks(len(_COLUMNS))})",
                         _row_values(doc, change.content_hash))
            return
        if change.outcome == "updated":
            columns, values = _COLUMNS, _row_values(doc, change.content_hash)
        else:
            touched = change.touched()
            columns, values = tuple(touched), list(touched.values())
        assignments = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(f"UPDATE docs SET {assignments} WHERE id = ?", (*values, doc["id"]))

    # ------------------------------------------------------------ reading

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
        return _document(row) if row else None

    def get_comments(self, article_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM docs WHERE type = 'comment' AND article_id = ? ORDER BY position, id", (article_id,)
            ).fetchall()
        return [_document(r) for r in rows]

    def count(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(DOC_TYPES, 0)
        with self._lock:
            for row in self._conn.execute("SELECT type, count(*) AS n FROM docs GROUP BY type"):
                counts[row["type"]] = row["n"]
        return counts

    # ------------------------------------------------------------ near-duplicate clusters

    _ENTRY = ("SELECT d.id, d.source, d.first_seen, d.cluster_id, d.cluster_size, d.cluster_sources, "
              "d.cluster_signature FROM docs d")

    def cluster_entries(self, by: ClusterLookup, values: Sequence[str], *,
                        limit: int = CLUSTER_LOOKUP_LIMIT) -> list[ClusterEntry]:
        where = {"id": "d.id IN ({})", "cluster": "d.cluster_id IN ({})",
                 "key": "d.id IN (SELECT doc_id FROM cluster_keys WHERE key IN ({}))"}[by]
        found: dict[str, ClusterEntry] = {}
        unique = list(dict.fromkeys(values))
        with self._lock:
            for chunk in _chunks(unique):
                rows = self._conn.execute(
                    f"{self._ENTRY} WHERE d.type = 'article' AND {where.format(_marks(len(chunk)))} "
                    f"ORDER BY d.first_seen, d.id LIMIT ?", (*chunk, limit)).fetchall()
                for row in rows:
                    found[row["id"]] = ClusterEntry(
                        row["id"], row["source"], row["first_seen"], row["cluster_id"], row["cluster_size"],
                        tuple(json.loads(row["cluster_sources"] or "[]")), row["cluster_signature"])
        return sorted(found.values(), key=lambda e: (e.first_seen, e.id))[:limit]

    def set_clusters(self, fields: dict[str, ClusterFields]) -> None:
        try:
            with self._write() as conn:
                conn.executemany(
                    "UPDATE docs SET cluster_id = ?, cluster_size = ?, cluster_sources = ? WHERE id = ? AND type = 'article'",
                    [(f.cluster_id, f.cluster_size, json.dumps(list(f.cluster_sources), ensure_ascii=False), doc_id)
                     for doc_id, f in fields.items()])
        except sqlite3.Error as exc:
            raise SearchIndexError(f"writing clusters failed on {self.path}: {exc}") from exc

    def put_keys(self, keys: dict[str, ClusterKeys | None]) -> None:
        ids = list(keys)
        try:
            with self._write() as conn:
                conn.executemany("UPDATE docs SET cluster_signature = ? WHERE id = ? AND type = 'article'",
                                 [(k.signature if k else None, doc_id) for doc_id, k in keys.items()])
                for chunk in _chunks(ids):
                    conn.execute(f"DELETE FROM cluster_keys WHERE doc_id IN ({_marks(len(chunk))})", tuple(chunk))
                conn.executemany("INSERT OR IGNORE INTO cluster_keys (key, doc_id) VALUES (?, ?)",
                                 [(key, doc_id) for doc_id, k in keys.items() for key in (k.band_keys if k else ())])
        except sqlite3.Error as exc:
            raise SearchIndexError(f"writing cluster keys failed on {self.path}: {exc}") from exc

    def scan_articles(self, *, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        first_seen, last_id = after or ("", "")
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, source, first_seen, text FROM docs WHERE type = 'article' AND "
                "(first_seen > ? OR (first_seen = ? AND id > ?)) ORDER BY first_seen, id LIMIT ?",
                (first_seen, first_seen, last_id, limit)).fetchall()
        return [dict(row) for row in rows]

    # ------------------------------------------------------------ search

    def search(self, request: SearchRequest) -> SearchResult:
        plan = prepare(request)
        where, params = self._filters(plan)
        query_sql, query_params = _compile(plan.node)
        where.append(query_sql)
        params += query_params
        where_sql = " AND ".join(f"({w})" for w in where)

        if plan.ranked:
            terms = plan.rank_terms
            rank_node: Node = terms[0] if len(terms) == 1 else Or(terms)
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
        order = _order(keys)
        select_keys = ", ".join(f"{expr} AS k{i}" for i, (expr, _) in enumerate(keys))
        if plan.collapse:
            # One row per cluster, the first in the page order; it pages by offset (searching.prepare).
            outer = [(f"k{i}", op) for i, (_, op) in enumerate(keys)]
            sql = (
                f"SELECT * FROM (SELECT d.*, {select_keys}{', r.bm25 AS bm25' if rank_join else ''}, "
                f"ROW_NUMBER() OVER (PARTITION BY {_CLUSTER} ORDER BY {order}) AS cluster_rank "
                f"FROM docs d {rank_join} WHERE {where_sql}) WHERE cluster_rank = 1 ORDER BY {_order(outer)} "
                f"LIMIT ? OFFSET ?"
            )
            count_sql = f"SELECT count(DISTINCT {_CLUSTER}) FROM docs d WHERE {where_sql}"
        else:
            if plan.search_after is not None:
                cursor_sql, cursor_params = _after(keys, plan.search_after)
                page_where = f"{where_sql} AND ({cursor_sql})"
                page_params += cursor_params
            sql = (
                f"SELECT d.*, {select_keys}{', r.bm25 AS bm25' if rank_join else ''} FROM docs d {rank_join} "
                f"WHERE {page_where} ORDER BY {order} LIMIT ? OFFSET ?"
            )
            count_sql = f"SELECT count(*) FROM docs d WHERE {where_sql}"
        try:
            with self._lock:
                rows = self._conn.execute(sql, (*rank_params, *page_params, plan.limit + 1, plan.offset)).fetchall()
                total = self._conn.execute(count_sql, params).fetchone()[0]
                facets = self._facets(where_sql, params, collapse=plan.collapse) if plan.facets else None
        except sqlite3.OperationalError as exc:
            raise SearchIndexError(f"search failed on {self.path}: {exc}") from exc

        hits = [plan.hit(_document(row), -row["bm25"] if rank_join and row["bm25"] is not None else None)
                for row in rows[:plan.limit]]
        next_cursor = plan.next_cursor(rows, lambda row: [row[f"k{i}"] for i in range(len(keys))])
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)

    @staticmethod
    def _filters(plan: PreparedSearch) -> tuple[list[str], list[Any]]:
        where: list[str] = [f"d.type IN ({_marks(len(plan.types))})"]
        params: list[Any] = list(plan.types)
        for field, values in plan.keyword_filters().items():
            if FIELDS[field].is_list:
                where.append(f"EXISTS (SELECT 1 FROM json_each(d.{field}) WHERE kw(value) IN ({_marks(len(values))}))")
            else:
                where.append(f"kw(d.{field}) IN ({_marks(len(values))})")
            params += list(values)
        if plan.since:
            where.append("d.doc_date >= ?")
            params.append(plan.since)
        if plan.until:
            where.append("d.doc_date <= ?")
            params.append(plan.until)
        return where, params

    def _facets(self, where_sql: str, params: list[Any], *, collapse: bool = False) -> dict[str, dict[str, int]]:
        counts: dict[str, list[tuple[Any, int]]] = {}
        counted = f"count(DISTINCT {_CLUSTER})" if collapse else "count(*)"
        for name in FACETS:
            expr = _FACET_EXPRESSIONS.get(name, f"d.{name}")
            rows = self._conn.execute(
                f"SELECT {expr} AS key, {counted} AS n FROM docs d WHERE {where_sql} AND {expr} IS NOT NULL "
                f"GROUP BY key",
                params,
            )
            counts[name] = [(row["key"], row["n"]) for row in rows]
        return facet_counts(counts)


def _order(keys: list[tuple[str, str]]) -> str:
    return ", ".join(f"{expr} {'ASC' if op == '>' else 'DESC'}" for expr, op in keys)


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
