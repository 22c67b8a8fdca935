"""What only the SQLite backend promises: its file, its schema version, and readers beside a writer."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.errors import SearchIndexError
from monitor.index import open_index
from monitor.index.base import SearchRequest
from monitor.index.sqlite import SCHEMA_VERSION, SQLiteIndex
from monitor.items import ArticleItem


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
