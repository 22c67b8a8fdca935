"""Sources kept in the state store: the migration, the round trip, the merge with monitor.yaml and what the scheduler does."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import Config, SourceConfig, load_config
from monitor.errors import MonitorError
from monitor.runs.records import RunStore
from monitor.runs.schedules import build_scheduler, job_id, sync_jobs
from monitor.runs.status import sources as source_status
from monitor.runs.supervisor import CrawlSupervisor
from monitor.state.db import connect
from monitor.state.merge import file_sources, merge_sources, source_views, validated
from monitor.state.sources import PART, SourceStore, definition_of, read_sources
from monitor.web.sources import validate_source

FILE_SOURCE = {"name": "harbor", "feeds": ["http://127.0.0.1:9/harbor/feed/"], "schedule": "1h"}


def write(tmp_path: Path, sources: list[dict[str, Any]], **sections: Any) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump({"index": {"url": "sqlite:///data/monitor.db"}, "sources": sources, **sections}),
                    encoding="utf-8")
    return path


def ui_source(name: str = "ledger", **fields: Any) -> SourceConfig:
    return validate_source({"name": name, "feeds": [f"http://127.0.0.1:9/{name}/atom.xml"], **fields})


@pytest.fixture
def config(tmp_path: Path, state_section: dict[str, Any]) -> Config:
    return load_config(write(tmp_path, [FILE_SOURCE], **state_section))


def test_a_store_from_before_sources_is_migrated_and_keeps_its_other_parts(state_url: Path | str) -> None:
    path = state_url
    runs = RunStore(path)
    runs.start("harbor", pid=None, log_path="harbor.log")
    assert read_sources(path) == ([], {})  # an older store reads as "no stored sources" and is not written
    with connect(path) as db:
        assert db.execute("SELECT 1 FROM schema_versions WHERE part = ?", (PART,)).fetchone() is None
    store = SourceStore(path)
    store.add(ui_source(), origin="api")
    SourceStore(path)  # a second start finds nothing to migrate
    with connect(path) as db:
        versions = {row["part"]: row["version"] for row in db.execute("SELECT * FROM schema_versions")}
    assert versions == {"runs": 1, PART: 1}
    assert [r["source"] for r in runs.runs()] == ["harbor"]
    assert [s.name for s in read_sources(path)[0]] == ["ledger"]


def test_a_sources_part_written_by_a_newer_monitor_is_refused(state_url: Path | str) -> None:
    path = state_url
    SourceStore(path)
    with connect(path) as db:
        db.execute("UPDATE schema_versions SET version = 9 WHERE part = ?", (PART,))
    with pytest.raises(MonitorError, match="version 9, newer than this monitor knows"):
        read_sources(path)


def test_a_stored_definition_validates_back_to_the_same_source() -> None:
    source = ui_source(schedule={"every": "90m", "jitter": "30s"}, refresh_comments_for="2d", follow_depth=0,
                       selectors={"article": {"title": "h1.headline"}}, keep="all")
    data = definition_of(source)
    assert data["schedule"] == {"every": "90m", "jitter": "30s"} and data["refresh_comments_for"] == "2d"
    assert "keep" not in data  # defaults are left out, as a person would write the file
    assert validate_source(data) == source


def test_invalid_input_names_each_field_to_fix() -> None:
    with pytest.raises(MonitorError) as caught:
        validate_source({"name": "bad name", "feeds": ["ftp://example.org/feed"], "follow_depth": 9, "colour": 1})
    message = str(caught.value)
    assert "name: must be a short name" in message
    assert "feeds: 'ftp://example.org/feed' is not an http(s) URL" in message
    assert "follow_depth: Input should be less than or equal to 5" in message
    assert "colour: unknown key" in message


def test_every_command_sees_the_stored_sources_after_the_files(tmp_path: Path, config: Config) -> None:
    SourceStore(config.state_url).add(ui_source(), origin="web")
    loaded = load_config(config.path)
    assert [s.name for s in loaded.sources] == ["harbor", "ledger"]
    assert loaded.source("ledger").feeds == ["http://127.0.0.1:9/ledger/atom.xml"]
    assert [s.name for s in file_sources(loaded)] == ["harbor"]
    shown = {s["name"]: s["origin"] for s in source_status(loaded)["sources"]}
    assert shown == {"harbor": "monitor.yaml", "ledger": "ui"}


def test_monitor_yaml_wins_a_name_both_sides_hold_and_the_stored_one_shows_as_shadowed(tmp_path: Path) -> None:
    path = write(tmp_path, [])
    store = SourceStore(load_config(path).state_db)
    store.add(ui_source("harbor", feeds=["http://127.0.0.1:9/stored/feed/"]), origin="web")
    write(tmp_path, [FILE_SOURCE])  # the file gains the same name later
    loaded = load_config(path)
    assert [s.feeds for s in loaded.sources] == [FILE_SOURCE["feeds"]]
    stored, paused = read_sources(loaded.state_db)
    views = {(v.name, v.origin): v for v in source_views(loaded, stored, paused, SourceConfig.model_validate)}
    assert views[("harbor", "monitor.yaml")].editable is False
    assert views[("harbor", "ui")].shadowed and not views[("harbor", "ui")].editable


def test_merging_a_merged_config_again_gives_the_same_sources(config: Config) -> None:
    store = SourceStore(config.state_url)
    store.add(ui_source(), origin="web")
    once = merge_sources(config, store.list(), SourceConfig.model_validate)
    store.replace(ui_source(feeds=["http://127.0.0.1:9/moved/atom.xml"]))
    twice = merge_sources(once, store.list(), SourceConfig.model_validate)
    assert [s.name for s in twice.sources] == ["harbor", "ledger"]
    assert twice.source("ledger").feeds == ["http://127.0.0.1:9/moved/atom.xml"]


def test_a_stored_source_that_no_longer_validates_is_left_out_with_a_warning(
        config: Config, caplog: pytest.LogCaptureFixture) -> None:
    SourceStore(config.state_url).add(ui_source(), origin="web")
    with connect(config.state_url) as db:
        db.execute("""UPDATE ui_sources SET definition = '{"name": "ledger", "feeds": ["gopher://x"]}'""")
    with caplog.at_level(logging.WARNING, logger="monitor.state.merge"):
        loaded = load_config(config.path)
    assert [s.name for s in loaded.sources] == ["harbor"]
    assert "stored source left out" in caplog.text and "gopher://x" in caplog.text
    stored, _ = read_sources(config.state_url)
    source, error = validated(stored[0].definition, SourceConfig.model_validate)
    assert source is None and error is not None and "feeds: 'gopher://x' is not an http(s) URL" in error


def test_reading_the_config_writes_nothing_to_a_data_folder_without_a_store(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, [FILE_SOURCE]))
    assert [s.name for s in loaded.sources] == ["harbor"]
    assert not loaded.state_db.exists()


def test_the_scheduler_pauses_and_resumes_the_job_of_a_paused_source(config: Config) -> None:
    store = SourceStore(config.state_url)
    store.add(ui_source(schedule="30m"), origin="web")
    store.pause("harbor", origin="web")  # a file source can be paused too: pausing changes when, not what
    merged = load_config(config.path)
    scheduler = build_scheduler(merged, CrawlSupervisor(RunStore(merged.state_url), merged))
    scheduler.start(paused=True)
    try:
        first = sync_jobs(scheduler, merged)
        assert sorted(first.added) == ["harbor", "ledger"]
        assert scheduler.get_job(job_id("harbor")).next_run_time is None
        assert scheduler.get_job(job_id("ledger")).next_run_time is not None
        store.resume("harbor")
        store.pause("ledger", origin="api")
        second = sync_jobs(scheduler, load_config(config.path))
        assert second.resumed == ["harbor"] and second.paused == ["ledger"]
        assert scheduler.get_job(job_id("harbor")).next_run_time is not None
        assert scheduler.get_job(job_id("ledger")).next_run_time is None
        store.remove("ledger")
        third = sync_jobs(scheduler, load_config(config.path))
        assert third.removed == ["ledger"] and scheduler.get_job(job_id("ledger")) is None
    finally:
        scheduler.shutdown(wait=False)
