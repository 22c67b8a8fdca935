"""What only the SQLite backend promises: its file, its schema version, and readers beside a writer."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from monitor.errors import SearchIndexError
from monitor.index import open_index
from monitor.index.base import SearchRequest
from monitor.index.sqlite import SCHEMA_VERSION, SQLiteIndex
from monitor.items import ArticleItem, Comment


def article(n: int, text: str) -> ArticleItem:
    return ArticleItem(id=f"a{n}", url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
                       source="x", title=f"Article {n}", text=text)


def test_the_index_url_opens_a_wal_file_in_a_new_directory_with_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "monitor.db"
    with open_index(f"sqlite:///{path}") as index:
        assert isinstance(index, SQLiteIndex)
        index.upsert([article(1, "kyiv")], seen_at="2026-03-01T00:00:00Z")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()
    with SQLiteIndex(path) as reopened:
        assert reopened.count() == {"article": 1, "comment": 0}
        assert reopened.search(SearchRequest(query="kyiv")).total == 1


def test_an_index_from_a_newer_monitor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    SQLiteIndex(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(SearchIndexError, match="upgrade the monitor"):
        SQLiteIndex(path)


def test_a_reader_searches_while_the_writer_holds_its_transaction(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    with SQLiteIndex(path) as writer:
        writer.upsert([article(1, "kyiv")], seen_at="2026-03-01T00:00:00Z")
    crawl = sqlite3.connect(path, isolation_level=None)
    crawl.execute("BEGIN IMMEDIATE")
    crawl.execute("UPDATE docs SET text = 'lviv' WHERE id = 'a1'")
    with SQLiteIndex(path) as reader:
        # The reader sees the last committed state, without waiting for the writer.
        assert [h["id"] for h in reader.search(SearchRequest(query="kyiv")).hits] == ["a1"]
        assert reader.search(SearchRequest(query="lviv")).total == 0
        crawl.execute("COMMIT")
        assert reader.search(SearchRequest(query="lviv")).total == 1
    crawl.close()


def test_a_failed_upsert_leaves_nothing_half_written(tmp_path: Path) -> None:
    with SQLiteIndex(tmp_path / "monitor.db") as index:
        broken = article(2, "second")
        broken.source = None  # type: ignore[assignment]  # NOT NULL: the whole batch must roll back
        with pytest.raises(SearchIndexError):
            index.upsert([article(1, "first"), broken], seen_at="2026-03-01T00:00:00Z")
        assert index.count() == {"article": 0, "comment": 0}
        assert index.search(SearchRequest(query="first")).total == 0


# ---------------------------------------------------------------- the schema and its migrations

FIXTURES = Path(__file__).parent / "fixtures"
# The docs table of each schema version (its columns: name, type, not null, default). A change of the
# document shape changes the table: bump SCHEMA_VERSION, add the migration step, record the new one here.
SCHEMA_FINGERPRINTS = {
    1: "ff65293de75f41f6af1958c19c33a8ca49e6f392",  # tests/index/fixtures/sqlite_schema_v1.sql
    2: "5459c4c5cd6de098bb04d1010ae2e489cb6d7228",  # + platform
    3: "c1585ab115647761561f4614c468ca408f45aa60",  # + the article's comment platform fields
    4: "23dce10274e3218e6afaa792091e50f961d55065",  # + cluster_size, cluster_sources, cluster_signature
}


def docs_columns(path: Path) -> set[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return {tuple(row[1:5]) for row in conn.execute("PRAGMA table_info(docs)")}
    finally:
        conn.close()


def fingerprint(columns: set[tuple[object, ...]]) -> str:
    return hashlib.sha1(repr(sorted(columns, key=repr)).encode()).hexdigest()


def v1_index(path: Path) -> Path:
    """A file as the monitor of schema version 1 wrote it (tests/index/fixtures/sqlite_schema_v1.sql)."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "sqlite_schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def v1_corpus() -> list[ArticleItem]:
    """The articles the v1 fixture was made from, as a crawl would hand them over again."""
    return [ArticleItem(
        id="v1a", url="https://old.example/news/v1a?utm_source=rss", canonical_url="https://old.example/news/v1a",
        source="old", title="Kyiv lights return", text="Power came back to Kyiv overnight.",
        authors=["Olena Petrenko", "Dan Cohen"], published="2026-03-01T08:00:00+02:00",
        modified="2026-03-01T09:00:00+02:00", language="en", site_name="Old Times", tags=["energy"],
        image="https://old.example/v1a.jpg", topics=["ukraine-war"],
        comments=[
            Comment(id="v1a-c1", article_id="v1a", text="Finally light", position=1, author="reader1",
                    native_id="11", likes=4, published="2026-03-01T10:00:00+02:00"),
            Comment(id="v1a-c2", article_id="v1a", text="Stay strong", position=2, depth=2, parent_id="v1a-c1",
                    author="Maria"),
        ])]


def test_the_docs_table_matches_the_fingerprint_recorded_for_its_schema_version(tmp_path: Path) -> None:
    SQLiteIndex(tmp_path / "fresh.db").close()
    assert fingerprint(docs_columns(tmp_path / "fresh.db")) == SCHEMA_FINGERPRINTS[SCHEMA_VERSION], (
        "the SQLite docs table changed: bump SCHEMA_VERSION, add a migration step and record the fingerprint")


def test_the_version_1_fixture_is_the_table_recorded_for_version_1(tmp_path: Path) -> None:
    assert fingerprint(docs_columns(v1_index(tmp_path / "v1.db"))) == SCHEMA_FINGERPRINTS[1]


def test_an_index_of_schema_version_1_is_migrated_and_its_documents_stay_unchanged(tmp_path: Path) -> None:
    path = v1_index(tmp_path / "monitor.db")
    SQLiteIndex(tmp_path / "fresh.db").close()
    with SQLiteIndex(path) as index:
        assert index.count() == {"article": 1, "comment": 2}
        assert [c["platform"] for c in index.get_comments("v1a")] == [None, None]
        assert {h["id"] for h in index.search(SearchRequest(query="kyiv OR finally")).hits} == {"v1a", "v1a-c1"}
        # The same pages crawled again are no change: the migration hashed them as this monitor does.
        stats = index.upsert(v1_corpus(), seen_at="2026-03-09T10:00:00Z")
        assert (stats.articles_unchanged, stats.articles_updated, stats.comments_updated, stats.new_ids) == (
            1, 0, 0, [])
        article = index.get_article("v1a")
        assert article is not None
        assert (article["first_seen"], article["last_seen"], article["comment_count"]) == (
            "2026-03-05T10:00:00Z", "2026-03-09T10:00:00Z", 2)
        changed = v1_corpus()
        changed[0].comments[1].platform = "isso"
        assert index.upsert(changed, seen_at="2026-03-10T10:00:00Z").new_ids == ["v1a-c2"]
        assert [c["platform"] for c in index.get_comments("v1a")] == [None, "isso"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()
    assert docs_columns(path) == docs_columns(tmp_path / "fresh.db")
