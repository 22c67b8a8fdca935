"""A spool belongs to the index it was written for: never replayed into another, and a replay into another is refused."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import SpoolMismatch
from monitor.index.identity import index_identity
from monitor.index.spool import Spool
from monitor.index.sqlite import SQLiteIndex
from monitor.index.writer import BatchWriter
from monitor.items import ArticleItem, Comment
from tests.conftest import run_monitor, write_config

ENGINE_URL = "http://127.0.0.1:9"  # never contacted: only the spool's identity names it


def article(n: int) -> ArticleItem:
    return ArticleItem(id=f"b{n}", url=f"https://b.example/{n}", canonical_url=f"https://b.example/{n}", source="b",
                       title=f"bound story {n}", text=f"bound story {n}", published="2026-03-01T10:00:00Z",
                       comments=[Comment(id=f"b{n}-c1", article_id=f"b{n}", text="a comment", position=1)])


def test_the_identity_is_the_configured_index_without_credentials_and_with_its_prefix(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_INDEX_PREFIX", raising=False)
    same = index_identity("http://alice:s3cret@Search.Example:9200/")
    assert same == index_identity("http://search.example:9200") == "http://search.example:9200 prefix=monitor"
    assert "s3cret" not in same
    assert index_identity("http://search.example:9200", prefix="other") != same
    assert index_identity("http://search.example:9201") != same
    monkeypatch.setenv("MONITOR_INDEX_PREFIX", "team-b")
    assert index_identity("http://search.example:9200") == "http://search.example:9200 prefix=team-b"


def test_a_crawl_under_another_config_leaves_a_spool_written_for_another_index_alone(tmp_path: Path) -> None:
    root = tmp_path / "data" / "spool"
    engine_spool = Spool(root, index=index_identity(ENGINE_URL))
    engine_spool.append([article(1), article(2)], seen_at="2026-03-05T10:00:00Z")
    db = tmp_path / "data" / "monitor.db"
    writer = BatchWriter(lambda: SQLiteIndex(db), spool=Spool(root, index=index_identity(f"sqlite:///{db}")))

    writer.start()
    writer.write([article(3)])
    writer.close()

    with SQLiteIndex(db) as index:
        assert index.count() == {"article": 1, "comment": 1}
        assert index.get_article("b1") is None
    assert len(engine_spool) == 1


def test_a_replay_into_another_index_is_refused_naming_both_and_keeps_the_batches(tmp_path: Path) -> None:
    root = tmp_path / "spool"
    engine = index_identity(ENGINE_URL)
    spool = Spool(root, index=engine)
    spool.append([article(1)], seen_at="2026-03-05T10:00:00Z")
    db = tmp_path / "monitor.db"
    with SQLiteIndex(db) as index, pytest.raises(SpoolMismatch) as refused:
        spool.replay(index)
    message = str(refused.value)
    assert engine in message and index_identity(f"sqlite:///{db}") in message
    assert "index spool --replay" in message
    assert len(spool) == 1
    with SQLiteIndex(db) as index:
        assert index.count() == {"article": 0, "comment": 0}


def test_a_batch_moved_into_another_index_spool_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "spool"
    batch = Spool(root, index=index_identity(ENGINE_URL)).append([article(1)], seen_at="2026-03-05T10:00:00Z")
    db = tmp_path / "monitor.db"
    sqlite_spool = Spool(root, index=index_identity(f"sqlite:///{db}"))
    sqlite_spool.append([article(2)], seen_at="2026-03-05T11:00:00Z")
    shutil.copy(batch, sqlite_spool.directory / ("0" + batch.name))  # sorts first: a person tidying folders
    with SQLiteIndex(db) as index, pytest.raises(SpoolMismatch, match="not replayed into another index"):
        sqlite_spool.replay(index)
    with SQLiteIndex(db) as index:
        assert index.get_article("b1") is None


def test_the_cli_replays_its_own_index_batches_and_refuses_another_index_batches_naming_both(tmp_path: Path) -> None:
    config_path = write_config(tmp_path, [])
    config = load_config(config_path)
    engine = index_identity(ENGINE_URL)
    Spool(config.spool_dir, index=engine).append([article(1)], seen_at="2026-03-05T10:00:00Z")
    Spool(config.spool_dir, index=index_identity(config.index.url)).append([article(2)],
                                                                          seen_at="2026-03-05T10:00:00Z")

    status = json.loads(run_monitor("index", "spool", "--json", config=config_path).stdout)["spool"]
    assert [(o["index"], o["batches"]) for o in status["other_indexes"]] == [(engine, 1)]

    replay = run_monitor("index", "spool", "--replay", "--json", config=config_path, check=False)
    assert replay.returncode == 2
    assert json.loads(replay.stdout)["replayed"]["articles"] == 1  # its own batch
    said = " ".join(replay.stderr.split())  # the terminal wraps long lines
    assert engine in said and index_identity(config.index.url) in said
    assert "index spool --replay" in said and "Traceback" not in said
    with SQLiteIndex(Path(config.index.url.removeprefix("sqlite:///"))) as index:
        assert index.get_article("b2") is not None and index.get_article("b1") is None
    assert len(Spool(config.spool_dir, index=engine)) == 1


def test_a_read_only_data_folder_gives_a_clear_error_from_spool_replay_and_crawl(
        tmp_path: Path, read_only_dir: Callable[[Path], None]) -> None:
    config_path = write_config(tmp_path, [{"name": "nowhere", "feeds": ["http://127.0.0.1:9/feed.xml"]}])
    config = load_config(config_path)
    Spool(config.spool_dir, index=index_identity(config.index.url)).append([article(1)],
                                                                          seen_at="2026-03-05T10:00:00Z")
    data = Path(config.data_dir)
    read_only_dir(data)

    # Looking needs no writing: the waiting batch is listed.
    waiting = json.loads(run_monitor("index", "spool", "--json", config=config_path).stdout)["spool"]
    assert len(waiting["batches"]) == 1

    for args in (("index", "spool", "--replay"), ("crawl",)):
        result = run_monitor(*args, config=config_path, check=False)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        said = " ".join(result.stderr.split())  # the terminal wraps long lines
        assert "Traceback" not in said, (args, said)
        assert str(data) in said and "writable" in said, (args, said)


def test_batches_spooled_before_spools_were_bound_are_not_replayed_until_moved_into_their_index_spool(
        tmp_path: Path) -> None:
    config_path = write_config(tmp_path, [])
    config = load_config(config_path)
    loose = Spool(config.spool_dir).append([article(1)], seen_at="2026-03-05T10:00:00Z")  # the old layout

    refused = run_monitor("index", "spool", "--replay", "--json", config=config_path, check=False)
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "unknown index: move them" in said and str(config.spool_dir) in said, said
    assert loose.exists()

    own = Spool(config.spool_dir, index=index_identity(config.index.url))
    own.ensure_writable()
    loose.rename(own.directory / loose.name)
    replay = json.loads(run_monitor("index", "spool", "--replay", "--json", config=config_path).stdout)
    assert replay["replayed"]["articles"] == 1 and replay["spool"]["other_indexes"] == []
