"""Runs and sources as people see them (for `monitor runs`, `monitor sources` and the web API)."""
from __future__ import annotations

from typing import Any

from monitor.config import Config
from monitor.errors import MonitorError
from monitor.runs.logs import RunLog, read_log
from monitor.runs.records import RunStore
from monitor.runs.schedules import next_runs
from monitor.runs.serve import server_pid
from monitor.state.sources import read_sources

RUN_FIELDS = ("id", "source", "status", "started", "ended", "reason", "pages_fetched", "not_modified",
              "articles_new", "articles_updated", "comments_new", "errors", "log_path")


def runs(config: Config, *, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Run records, newest first."""
    if source:
        config.source(source)
    return [_shown(r) for r in RunStore(config.state_url).runs(source=source, limit=limit)]


def run_log(config: Config, run_id: int) -> RunLog:
    """A run's log: its file on this machine, or the copy kept in the state store when the run ended."""
    record = RunStore(config.state_url).get(run_id)
    if record is None:
        raise MonitorError(f"no run {run_id} in the state store (see `monitor runs` for the ids)")
    return read_log(config.state_url, record)


def sources(config: Config) -> dict[str, Any]:
    """Every source (monitor.yaml's and the UI's): its origin, schedule, pause, last run, next run and health;
    and whether a server runs."""
    store = RunStore(config.state_url)
    last = store.last_runs()
    upcoming = next_runs(config)
    pid = server_pid(config.state_db)
    paused = read_sources(config.state_url)[1]
    shown = []
    for source in config.sources:
        schedule = config.schedule_of(source)
        health = store.health(source.name, unhealthy_after=config.serve.unhealthy_after)
        next_run = upcoming.get(source.name)
        shown.append({
            "name": source.name,
            "schedule": schedule.describe() if schedule else None,
            "last_run": _shown(last[source.name]) if source.name in last else None,
            "next_run": next_run.isoformat(timespec="seconds") if next_run else None,
            "health": health.state,
            "failures_in_a_row": health.failures_in_a_row,
            "reason": health.reason,
            "origin": "ui" if source.name in config.store_sources else "monitor.yaml",
            "paused": paused.get(source.name),  # when; a paused source is not crawled on its schedule
            # Articles of the last run whose comment platform it could not read, or not wholly (no client, a key
            # missing or refused, rate limited): spiders/comment_fetch.py counts them.
            "platform_unread": int((last[source.name].get("errors") or {}).get("comments_platform_unread", 0))
            if source.name in last else 0,
        })
    return {"server": {"running": pid is not None, "pid": pid if pid and pid > 0 else None},
            "sources": shown}


def _shown(record: dict[str, Any]) -> dict[str, Any]:
    shown = {key: record.get(key) for key in RUN_FIELDS}
    shown["log"] = shown.pop("log_path")
    return shown
