"""Pausing an alert: its rule leaves the alert store (nothing matches or is sent) and waits here until resumed."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from monitor.alerts import service as alerts
from monitor.alerts.rules import Alert
from monitor.config import Config
from monitor.errors import MonitorError
from monitor.state.db import Row, StateDB, state_db

SCHEMA = """CREATE TABLE IF NOT EXISTS web_paused_alerts (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    rule TEXT NOT NULL,              -- JSON: Alert.fields(), as the alert store keeps it
    paused TEXT NOT NULL
)"""


HISTORY_SCAN = 5000  # a paused alert's messages are found among this many of the newest
_READY: set[str] = set()  # state stores whose table this process has made sure of (one write, not one per read)


def _db(config: Config) -> StateDB:
    store = state_db(config.state_url)
    if config.state_url not in _READY:
        with store.write(lock="monitor:schema") as db:
            db.execute_ddl(SCHEMA)
        _READY.add(config.state_url)
    return store


def pause(config: Config, name: str) -> dict[str, Any]:
    """Take the alert out of matching. Documents written while it is paused are never sent for it, and
    messages still waiting in the outbox are cancelled (the alert store does that on removal)."""
    with alerts.open_store(config) as store:
        alert = store.get(name)
    if alert.origin == "config":
        raise MonitorError(f"alert {name!r} comes from the config file: pause it there (remove it from alerts:)")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with _db(config).write() as db:
        db.execute("INSERT INTO web_paused_alerts (name, origin, rule, paused) VALUES (:name, :origin, :rule, :paused) "
                   "ON CONFLICT (name) DO UPDATE SET origin = excluded.origin, rule = excluded.rule, "
                   "paused = excluded.paused",
                   {"name": name, "origin": alert.origin, "rule": json.dumps(alert.fields(), sort_keys=True),
                    "paused": stamp})
    alerts.remove_alert(config, name)
    return {**alerts.describe(alert), "paused": stamp}


def resume(config: Config, name: str) -> dict[str, Any]:
    """Put a paused alert back; what it had already sent stays recorded, so nothing is sent twice."""
    alert = _paused(config).get(name)
    if alert is None:
        raise MonitorError(f"alert {name!r} is not paused")
    if name in {a["name"] for a in alerts.list_alerts(config)}:
        raise MonitorError(f"an alert named {name!r} was made while this one was paused: delete one of them first")
    with alerts.open_store(config) as store:
        store.add(alert)
    with _db(config).write() as db:
        db.execute("DELETE FROM web_paused_alerts WHERE name = :name", {"name": name})
    return alerts.describe(alert)


def discard(config: Config, name: str) -> bool:
    """Delete a paused alert for good."""
    with _db(config).write() as db:
        return db.execute("DELETE FROM web_paused_alerts WHERE name = :name", {"name": name}).rowcount > 0


def paused_alerts(config: Config) -> list[dict[str, Any]]:
    """Paused alerts as people see them (notify URLs masked), with when they were paused."""
    stamps = _stamps(config)
    return [{**alerts.describe(alert), "paused": stamps[name]} for name, alert in sorted(_paused(config).items())]


def with_paused(config: Config) -> list[dict[str, Any]]:
    """Every alert, active (``paused`` None) and paused, by name."""
    active = [{**a, "paused": None} for a in alerts.list_alerts(config)]
    return sorted([*active, *paused_alerts(config)], key=lambda a: a["name"])


def history(config: Config, name: str, *, limit: int) -> list[dict[str, Any]]:
    """An alert's notifications, newest first, whether it is active or paused (the alert service's history
    asks the alert store for the rule, which a paused alert is not in)."""
    if name not in _stamps(config):
        return alerts.history(config, name=name, limit=limit)
    return [m for m in alerts.history(config, limit=HISTORY_SCAN) if m["alert"] == name][:limit]


def _paused(config: Config) -> dict[str, Alert]:
    return {row["name"]: Alert.from_fields(json.loads(row["rule"]), origin=row["origin"]) for row in _rows(config)}


def _stamps(config: Config) -> dict[str, str]:
    return {row["name"]: row["paused"] for row in _rows(config)}


def _rows(config: Config) -> list[Row]:
    with _db(config).read() as db:
        return db.execute("SELECT * FROM web_paused_alerts ORDER BY name").fetchall()
