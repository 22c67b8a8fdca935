"""The alert state DB (SQLite under data_dir): rules, what each alert was sent, the outbox, digest queues."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.alerts.rules import Alert
from monitor.errors import MonitorError
from monitor.state.db import immediate_transaction, open_connection
from monitor.state.schema import ensure_schema

logger = logging.getLogger(__name__)

# A claimed message not settled within this time (its sender died) is due again.
CLAIM_SECONDS = 300

_MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS alert_rules (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,            -- config | cli
    rule TEXT NOT NULL,              -- JSON: Alert.fields()
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    last_digest TEXT                 -- when its digest last went out (or was first due from)
);
CREATE TABLE IF NOT EXISTS alert_triggered (
    alert TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,      -- the version that triggered it
    at TEXT NOT NULL,
    PRIMARY KEY (alert, doc_id)
);
CREATE TABLE IF NOT EXISTS alert_digest_items (
    id INTEGER PRIMARY KEY,
    alert TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    item TEXT NOT NULL,              -- JSON: message.summarize()
    added TEXT NOT NULL,
    message_id INTEGER               -- the outbox message that carried it; NULL while waiting
);
CREATE INDEX IF NOT EXISTS alert_digest_waiting ON alert_digest_items (alert, message_id);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY,
    alert TEXT NOT NULL,
    kind TEXT NOT NULL,              -- match | batch | digest
    url TEXT NOT NULL,               -- one Apprise URL as configured ({env:NAME} not filled in)
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    doc_ids TEXT NOT NULL,           -- JSON list
    status TEXT NOT NULL,            -- pending | sending | retrying | sent | failed | cancelled
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    last_error TEXT,
    created TEXT NOT NULL,
    indexed_at TEXT,                 -- when the documents were indexed (delay figures)
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (status, next_attempt);
""", """
-- once_per: cluster. A match's near-duplicate cluster; notified = 0: a copy of a story the alert already
-- notified, kept in that match's history and not sent.
ALTER TABLE alert_triggered ADD COLUMN cluster_id TEXT;
ALTER TABLE alert_triggered ADD COLUMN notified INTEGER NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS alert_triggered_cluster ON alert_triggered (alert, cluster_id);
""")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass
class OutboxMessage:
    id: int
    alert: str
    kind: str
    url: str
    title: str
    body: str
    doc_ids: list[str]
    status: str
    attempts: int
    next_attempt: str
    last_error: str | None
    created: str
    indexed_at: str | None
    sent_at: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OutboxMessage:
        data = dict(row)
        data["doc_ids"] = json.loads(data["doc_ids"])
        return cls(**data)


Composer = Callable[[Alert, list[dict[str, Any]]], list[tuple[str, str, list[str]]]]


class AlertStore:
    """One SQLite file shared by crawls, the CLI and the server: WAL, immediate write transactions."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._conn = open_connection(self.path, shared=True)
            with self._write() as conn:
                ensure_schema(conn, part="alerts", migrations=_MIGRATIONS, path=self.path)
        except sqlite3.Error as exc:
            raise MonitorError(f"cannot open the alert state {self.path}: {exc} (check that data_dir is writable)") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, immediate_transaction(self._conn):
            yield self._conn

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AlertStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ rules

    def sync_config(self, alerts: Sequence[Alert], *, now: datetime | None = None) -> None:
        """Make the config's alerts the stored ones of origin ``config`` (by name); CLI alerts stay."""
        stamp = iso(now or utcnow())
        names = {a.name for a in alerts}
        with self._write() as conn:
            for alert in alerts:
                rule = json.dumps(alert.fields(), sort_keys=True)
                row = conn.execute("SELECT rule, origin FROM alert_rules WHERE name = ?", (alert.name,)).fetchone()
                if row is None:
                    conn.execute("INSERT INTO alert_rules (name, origin, rule, created, updated, last_digest) "
                                 "VALUES (?, 'config', ?, ?, ?, ?)", (alert.name, rule, stamp, stamp, stamp))
                elif row["rule"] != rule or row["origin"] != "config":
                    conn.execute("UPDATE alert_rules SET origin = 'config', rule = ?, updated = ? WHERE name = ?",
                                 (rule, stamp, alert.name))
            for row in conn.execute("SELECT name FROM alert_rules WHERE origin = 'config'").fetchall():
                if row["name"] not in names:
                    conn.execute("DELETE FROM alert_rules WHERE name = ?", (row["name"],))

    def add(self, alert: Alert, *, now: datetime | None = None) -> None:
        stamp = iso(now or utcnow())
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM alert_rules WHERE name = ?", (alert.name,)).fetchone():
                raise MonitorError(f"an alert named {alert.name!r} exists; remove it first or pick another name")
            conn.execute("INSERT INTO alert_rules (name, origin, rule, created, updated, last_digest) VALUES (?, ?, ?, ?, ?, ?)",
                         (alert.name, alert.origin, json.dumps(alert.fields(), sort_keys=True), stamp, stamp, stamp))

    def remove(self, name: str) -> None:
        with self._write() as conn:
            row = conn.execute("SELECT origin FROM alert_rules WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise MonitorError(f"no alert named {name!r} (see `monitor alerts list`)")
            if row["origin"] == "config":
                raise MonitorError(f"alert {name!r} comes from the config file: delete it there "
                                   f"(it would come back on the next start)")
            conn.execute("DELETE FROM alert_rules WHERE name = ?", (name,))
            conn.execute("UPDATE alert_outbox SET status = 'cancelled', last_error = 'alert removed' "
                         "WHERE alert = ? AND status IN ('pending', 'retrying')", (name,))

    def alerts(self) -> list[Alert]:
        rows = self._read("SELECT name, origin, rule FROM alert_rules ORDER BY name")
        return [_alert(row) for row in rows]

    def get(self, name: str) -> Alert:
        rows = self._read("SELECT name, origin, rule FROM alert_rules WHERE name = ?", (name,))
        if not rows:
            known = ", ".join(a.name for a in self.alerts()) or "none"
            raise MonitorError(f"no alert named {name!r} (known: {known})")
        return _alert(rows[0])

    # ------------------------------------------------------------ matches

    def record(self, matches: Sequence[tuple[Alert, dict[str, Any], str]], *, summarize: Callable[[Alert, dict[str, Any]], dict[str, Any]],
               compose: Composer, indexed_at: datetime, now: datetime | None = None) -> dict[str, int]:
        """Remember (alert, document, content hash) and queue what is new, in one transaction.

        A document already sent for an alert is left out, whatever its hash now; so is, for an alert that
        counts once per cluster, a copy of a story it matched before (recorded as one of that match's copies).
        Immediate alerts get outbox messages (one per URL); digest alerts get digest items. Returns counts.
        """
        stamp = iso(now or utcnow())
        fresh: dict[str, tuple[Alert, list[dict[str, Any]]]] = {}
        copies = 0
        with self._write() as conn:
            for alert, doc, digest in matches:
                cluster = alert.cluster_of(doc)
                told = cluster is not None and conn.execute(
                    "SELECT 1 FROM alert_triggered WHERE alert = ? AND cluster_id = ? AND notified = 1 AND doc_id != ?",
                    (alert.name, cluster, doc["id"])).fetchone() is not None
                cursor = conn.execute("INSERT OR IGNORE INTO alert_triggered (alert, doc_id, content_hash, at, "
                                      "cluster_id, notified) VALUES (?, ?, ?, ?, ?, ?)",
                                      (alert.name, doc["id"], digest, stamp, cluster, 0 if told else 1))
                if cursor.rowcount and told:
                    copies += 1
                elif cursor.rowcount:
                    fresh.setdefault(alert.name, (alert, []))[1].append(summarize(alert, doc))
            messages = 0
            for alert, items in fresh.values():
                if alert.mode == "digest":
                    conn.executemany("INSERT INTO alert_digest_items (alert, doc_id, item, added) VALUES (?, ?, ?, ?)",
                                     [(alert.name, i["id"], json.dumps(i, ensure_ascii=False), stamp) for i in items])
                    continue
                for title, body, doc_ids in compose(alert, items):
                    messages += len(self._queue(conn, alert, "match" if len(doc_ids) == 1 else "batch", title,
                                                body, doc_ids, created=stamp, indexed_at=iso(indexed_at)))
        counts = {"matches": sum(len(items) for _, items in fresh.values()), "messages": messages}
        return counts | ({"copies": copies} if copies else {})  # copies: a crawl stat, monitor/alerts/copies

    def copies(self, alert: str, doc_ids: Sequence[str]) -> list[str]:
        """The later copies (same cluster, not sent) of what the alert notified for ``doc_ids``."""
        if not doc_ids:
            return []
        marks = ", ".join("?" * len(doc_ids))
        rows = self._read(
            f"SELECT doc_id FROM alert_triggered WHERE alert = ? AND notified = 0 AND cluster_id IN "
            f"(SELECT cluster_id FROM alert_triggered WHERE alert = ? AND doc_id IN ({marks}) AND cluster_id IS NOT NULL) "
            f"ORDER BY at, doc_id", (alert, alert, *doc_ids))
        return [row["doc_id"] for row in rows]

    def _queue(self, conn: sqlite3.Connection, alert: Alert, kind: str, title: str, body: str,
               doc_ids: list[str], *, created: str, indexed_at: str | None) -> list[int]:
        ids: list[int] = []
        for url in alert.notify:
            cursor = conn.execute(
                "INSERT INTO alert_outbox (alert, kind, url, title, body, doc_ids, status, next_attempt, created, indexed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (alert.name, kind, url, title, body, json.dumps(doc_ids), created, created, indexed_at))
            ids.append(int(cursor.lastrowid or 0))
        return ids

    # ------------------------------------------------------------ digests

    def digest_waiting(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        rows = self._read("SELECT id, item FROM alert_digest_items WHERE alert = ? AND message_id IS NULL ORDER BY id",
                          (name,))
        return [(row["id"], json.loads(row["item"])) for row in rows]

    def last_digest(self, name: str) -> datetime | None:
        rows = self._read("SELECT last_digest FROM alert_rules WHERE name = ?", (name,))
        return datetime.fromisoformat(rows[0]["last_digest"]) if rows and rows[0]["last_digest"] else None

    def queue_digest(self, alert: Alert, item_ids: Sequence[int], title: str, body: str, doc_ids: list[str],
                     *, at: datetime) -> None:
        """One digest message for the waiting items; the digest's time moves to ``at`` (even with no items)."""
        stamp = iso(at)
        with self._write() as conn:
            if item_ids:
                first = self._queue(conn, alert, "digest", title, body, doc_ids, created=stamp, indexed_at=None)[0]
                conn.executemany("UPDATE alert_digest_items SET message_id = ? WHERE id = ? AND message_id IS NULL",
                                 [(first, i) for i in item_ids])
            conn.execute("UPDATE alert_rules SET last_digest = ? WHERE name = ?", (stamp, alert.name))

    # ------------------------------------------------------------ outbox

    def claim_due(self, *, now: datetime | None = None, limit: int = 100) -> list[OutboxMessage]:
        """Messages due for a (re)try, marked as being sent so that no other process sends them too."""
        moment = now or utcnow()
        stamp = iso(moment)
        with self._write() as conn:
            rows = conn.execute(
                "SELECT * FROM alert_outbox WHERE status IN ('pending', 'retrying', 'sending') AND next_attempt <= ? "
                "ORDER BY id LIMIT ?", (stamp, limit)).fetchall()
            conn.executemany("UPDATE alert_outbox SET status = 'sending', next_attempt = ? WHERE id = ?",
                             [(iso(moment + timedelta(seconds=CLAIM_SECONDS)), row["id"]) for row in rows])
        return [OutboxMessage.from_row(row) for row in rows]

    def mark_sent(self, message_id: int, *, now: datetime | None = None) -> None:
        with self._write() as conn:
            conn.execute("UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                         "WHERE id = ?", (iso(now or utcnow()), message_id))

    def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """A failed attempt: retried at ``retry_at``, or given up for good when it is None."""
        with self._write() as conn:
            if retry_at is None:
                conn.execute("UPDATE alert_outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
                             "WHERE id = ?", (error, message_id))
            else:
                conn.execute("UPDATE alert_outbox SET status = 'retrying', attempts = attempts + 1, last_error = ?, "
                             "next_attempt = ? WHERE id = ?", (error, iso(retry_at), message_id))

    def history(self, *, alert: str | None = None, limit: int = 50) -> list[OutboxMessage]:
        where, params = ("WHERE alert = ?", [alert]) if alert else ("", [])
        rows = self._read(f"SELECT * FROM alert_outbox {where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [OutboxMessage.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        return {row["status"]: row["n"] for row in self._read("SELECT status, count(*) AS n FROM alert_outbox GROUP BY status")}


def _alert(row: sqlite3.Row) -> Alert:
    data = json.loads(row["rule"])
    for key in ("notify", "types", "sources", "topics", "languages"):
        data[key] = tuple(data.get(key) or ())
    return Alert(**data, origin=row["origin"])
