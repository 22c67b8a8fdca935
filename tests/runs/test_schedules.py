"""Schedules in the config, job sync with the state store, run health and HTTP validators, without a server."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from monitor.config import config_from_dict
from monitor.errors import ConfigError
from monitor.runs.crawl import nothing_fetched
from monitor.runs.records import RunStore
from monitor.runs.schedules import ALERTS_JOB, build_scheduler, job_id, next_runs, sync_jobs
from monitor.runs.supervisor import CrawlSupervisor
from monitor.state.validators import Validators, ValidatorStore


def _config(tmp_path: Path, schedules: dict[str, Any], **serve: Any) -> Any:
    sources = [{"name": name, "feeds": [f"http://127.0.0.1:9/{name}.xml"], **({"schedule": s} if s else {})}
               for name, s in schedules.items()]
    return config_from_dict({"sources": sources, "serve": serve, "data_dir": str(tmp_path / "data")})


def test_schedule_is_a_cron_an_interval_or_a_mapping_with_jitter(tmp_path: Path) -> None:
    config = _config(tmp_path, {"a": "*/30 * * * *", "b": "15m", "c": {"every": "90s", "jitter": "10s"}, "d": None})
    shown = {s.name: (config.schedule_of(s).describe() if config.schedule_of(s) else None) for s in config.sources}
    assert shown == {"a": "cron */30 * * * *", "b": "every 15 min", "c": "every 1 min 30 s (jitter 10 s)",
                     "d": None}
    fallback = _config(tmp_path, {"d": None}, default_schedule="1h")
    assert fallback.schedule_of(fallback.sources[0]).every == timedelta(hours=1)


@pytest.mark.parametrize("schedule, message", [
    ("*/70 * * * *", "sources.0.schedule.cron: '*/70 * * * *' is not a cron schedule"),
    ("15 minutes", "sources.0.schedule.every: '15 minutes' is not a duration"),
    ({"cron": "0 3 * * *", "every": "1h"}, "give exactly one of cron"),
])
def test_bad_schedule_names_the_key(tmp_path: Path, schedule: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("*", r"\*")):
        _config(tmp_path, {"a": schedule})


def test_sync_keeps_unchanged_jobs_next_run_and_follows_config_changes(tmp_path: Path) -> None:
    config = _config(tmp_path, {"a": "1h", "b": "0 3 * * *", "c": "5m"}, run_new_sources_now=False)
    scheduler = build_scheduler(config, CrawlSupervisor(RunStore(config.state_db), config))
    scheduler.start(paused=True)
    try:
        first = sync_jobs(scheduler, config)
        assert sorted(first.added) == ["a", "b", "c"]
        missed = datetime.now(UTC) - timedelta(hours=5)
        scheduler.modify_job(job_id("a"), next_run_time=missed)  # as if the server had been down
        changed = _config(tmp_path, {"a": "1h", "b": "*/10 * * * *", "d": "2h"}, run_new_sources_now=False)
        second = sync_jobs(scheduler, changed)
        assert (second.kept, second.changed, second.removed, second.added) == (["a"], ["b"], ["c"], ["d"])
        stored = next_runs(changed)
        assert set(stored) == {"a", "b", "d"}
        assert stored["a"] is not None and abs(stored["a"] - missed) < timedelta(seconds=1)  # still due: caught up
        assert stored["b"] is not None and stored["b"] - datetime.now(UTC) <= timedelta(minutes=10)
        assert scheduler.get_job(job_id("a")).coalesce and scheduler.get_job(job_id("a")).max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


def test_source_is_failing_after_repeated_failures_with_the_last_reason(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "state.db")
    summary = {"pages_fetched": 1, "errors": {"http_404": 1}}
    assert store.health("a", unhealthy_after=3).state == "never run"
    ok = store.start("a", pid=None, log_path="a.log")
    store.finish(ok, status="finished", reason=None, summary=summary)
    for reason in ("first", "second"):
        run = store.start("a", pid=None, log_path="a.log")
        store.finish(run, status="failed", reason=reason, summary=summary)
    assert store.health("a", unhealthy_after=3).state == "degraded"
    stopped = store.start("a", pid=None, log_path="a.log")
    store.mark_interrupted(stopped, "server stopped")  # neither a failure nor a success
    run = store.start("a", pid=None, log_path="a.log")
    store.finish(run, status="timeout", reason="still running after 60s: killed", summary=summary)
    health = store.health("a", unhealthy_after=3)
    assert (health.state, health.failures_in_a_row, health.reason) == ("failing", 3, "still running after 60s: killed")
    assert store.runs(source="a")[0]["errors"] == {"http_404": 1}


def test_a_crawl_whose_every_request_failed_counts_as_failed() -> None:
    robots_only = {"monitor/errors/http_404": 2, "downloader/response_status_count/200": 1,
                   "robotstxt/response_status_count/200": 1, "downloader/response_status_count/404": 2}
    assert nothing_fetched(robots_only)
    assert not nothing_fetched({**robots_only, "downloader/response_status_count/304": 1})
    assert not nothing_fetched({"downloader/response_status_count/200": 3})


def test_validators_round_trip_and_become_conditional_headers(tmp_path: Path) -> None:
    store = ValidatorStore(tmp_path / "state.db")
    store.put_many([Validators("http://a/feed", '"abc"', "Tue, 24 Nov 2026 10:00:00 GMT"),
                    Validators("http://a/x", None, None)], source="a")
    assert store.get("http://a/x") is None
    found = store.for_source("a")["http://a/feed"]
    assert found.headers() == {"If-None-Match": '"abc"', "If-Modified-Since": "Tue, 24 Nov 2026 10:00:00 GMT"}
    store.put_many([Validators("http://a/feed", None, None)], source="a")  # the site stopped sending them
    assert store.count() == 0


def test_the_alerts_job_runs_in_the_serve_scheduler_with_its_current_config(tmp_path: Path) -> None:
    config = _config(tmp_path, {"a": "1h"}, run_new_sources_now=False)
    scheduler = build_scheduler(config, CrawlSupervisor(RunStore(config.state_db), config))
    outcomes: list[Any] = []
    done = threading.Event()

    def ran(event: Any) -> None:
        if event.job_id == ALERTS_JOB:
            outcomes.append(event)
            done.set()

    scheduler.add_listener(ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, config)
        scheduler.modify_job(ALERTS_JOB, next_run_time=datetime.now(UTC))
        scheduler.resume()
        assert done.wait(30), "the alerts job did not run"
    finally:
        scheduler.shutdown(wait=True)
    assert [(event.code, event.exception) for event in outcomes] == [(EVENT_JOB_EXECUTED, None)]
