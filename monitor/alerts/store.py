"""The alert state in the state store (SQLite or PostgreSQL): rules, what each alert was sent, the outbox, digests."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts.rules import Alert
from monitor.errors import MonitorError
from monitor.state.db import Db, Row, StateUrl, state_db
from monitor.state.schema import ensure_schema

logger = logging.getLogger(__name__)

# A claimed message not settled within this time (its sender died) is due again: well above one send's timeouts
# (Apprise's are seconds), so a slow send is not sent twice.
CLAIM_SECONDS = 120

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
    id {rowid},
    alert TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    item TEXT NOT NULL,              -- JSON: message.summarize()
    added TEXT NOT NULL,
    message_id INTEGER               -- the outbox message that carried it; NULL while waiting
);
CREATE INDEX IF NOT EXISTS alert_digest_waiting ON alert_digest_items (alert, message_id);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id {rowid},
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
    def from_row(cls, row: Row) -> OutboxMessage:
        data = dict(row)
        data["doc_ids"] = json.loads(data["doc_ids"])
        return cls(**data)


Composer = Callable[[Alert, list[dict[str, Any]]], list[tuple[str, str, list[str]]]]


class AlertStore:
    """The alert part of the state store, shared by crawls, the CLI and servers (on one machine or many)."""

    def __init__(self, path: StateUrl) -> None:
        self.path = path
        self.db = state_db(path)
        with self._write() as conn:
            ensure_schema(conn, part="alerts", migrations=_MIGRATIONS, path=path)

    @contextmanager
    def _write(self, *, lock: str | None = None) -> Iterator[Db]:
        with self.db.write(lock=lock) as conn:
            yield conn

    def _read(self, sql: str, params: Mapping[str, Any] | None = None, *, expanding: Sequence[str] = ()) -> list[Row]:
        with self.db.read() as conn:
            return conn.execute(sql, params, expanding=expanding).fetchall()

    def close(self) -> None:
        """Nothing to close: each call takes a connection of the process's engine and gives it back."""

    def __enter__(self) -> AlertStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ rules

    def sync_config(self, alerts: Sequence[Alert], *, now: datetime | None = None) -> None:
        """Make the config's alerts the stored ones of origin ``config`` (by name); CLI alerts stay."""
        stamp = iso(now or utcnow())
        names = {a.name for a in alerts}
        # Every process syncs at its start; read-then-write of the rules is serialised across them.
        with self._write(lock=RULES_LOCK) as conn:
            for alert in alerts:
                rule = json.dumps(alert.fields(), sort_keys=True)
                row = conn.execute("SELECT rule, origin FROM alert_rules WHERE name = :name",
                                   {"name": alert.name}).fetchone()
                if row is None:
                    conn.execute("INSERT INTO alert_rules (name, origin, rule, created, updated, last_digest) "
                                 "VALUES (:name, 'config', :rule, :now, :now, :now)",
                                 {"name": alert.name, "rule": rule, "now": stamp})
                elif row["rule"] != rule or row["origin"] != "config":
                    conn.execute("UPDATE alert_rules SET origin = 'config', rule = :rule, updated = :now "
                                 "WHERE name = :name", {"rule": rule, "now": stamp, "name": alert.name})
            for row in conn.execute("SELECT name FROM alert_rules WHERE origin = 'config'").fetchall():
                if row["name"] not in names:
                    conn.execute("DELETE FROM alert_rules WHERE name = :name", {"name": row["name"]})

    def add(self, alert: Alert, *, now: datetime | None = None) -> None:
        stamp = iso(now or utcnow())
        with self._write(lock=RULES_LOCK) as conn:
            if conn.execute("SELECT 1 FROM alert_rules WHERE name = :name", {"name": alert.name}).fetchone():
                raise MonitorError(f"an alert named {alert.name!r} exists; remove it first or pick another name")
            conn.execute("INSERT INTO alert_rules (name, origin, rule, created, updated, last_digest) "
                         "VALUES (:name, :origin, :rule, :now, :now, :now)",
                         {"name": alert.name, "origin": alert.origin,
                          "rule": json.dumps(alert.fields(), sort_keys=True), "now": stamp})

    def remove(self, name: str) -> None:
        with self._write(lock=RULES_LOCK) as conn:
            row = conn.execute("SELECT origin FROM alert_rules WHERE name = :name", {"name": name}).fetchone()
            if row is None:
                raise MonitorError(f"no alert named {name!r} (see `monitor alerts list`)")
            if row["origin"] == "config":
                raise MonitorError(f"alert {name!r} comes from the config file: delete it there "
                                   f"(it would come back on the next start)")
            conn.execute("DELETE FROM alert_rules WHERE name = :name", {"name": name})
            conn.execute("UPDATE alert_outbox SET status = 'cancelled', last_error = 'alert removed' "
                         "WHERE alert = :name AND status IN ('pending', 'retrying')", {"name": name})

    def alerts(self) -> list[Alert]:
        rows = self._read("SELECT name, origin, rule FROM alert_rules ORDER BY name")
        return [_alert(row) for row in rows]

    def get(self, name: str) -> Alert:
        rows = self._read("SELECT name, origin, rule FROM alert_rules WHERE name = :name", {"name": name})
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
        # Serialised with every other crawl's record (SQLite: the immediate transaction; PostgreSQL: an advisory
        # lock): two crawls finding two copies of one story must not both see "not told yet".
        with self._write(lock=MATCHES_LOCK) as conn:
            for alert, doc, digest in matches:
                cluster = alert.cluster_of(doc)
                told = cluster is not None and conn.execute(
                    "SELECT 1 FROM alert_triggered WHERE alert = :alert AND cluster_id = :cluster AND notified = 1 "
                    "AND doc_id != :doc", {"alert": alert.name, "cluster": cluster, "doc": doc["id"]},
                ).fetchone() is not None
                cursor = conn.execute(
                    "INSERT INTO alert_triggered (alert, doc_id, content_hash, at, cluster_id, notified) "
                    "VALUES (:alert, :doc, :hash, :at, :cluster, :notified) ON CONFLICT (alert, doc_id) DO NOTHING",
                    {"alert": alert.name, "doc": doc["id"], "hash": digest, "at": stamp, "cluster": cluster,
                     "notified": 0 if told else 1})
                if cursor.rowcount and told:
                    copies += 1
                elif cursor.rowcount:
                    fresh.setdefault(alert.name, (alert, []))[1].append(summarize(alert, doc))
            messages = 0
            for alert, items in fresh.values():
                if alert.mode == "digest":
                    conn.execute("INSERT INTO alert_digest_items (alert, doc_id, item, added) "
                                 "VALUES (:alert, :doc, :item, :added)",
                                 [{"alert": alert.name, "doc": i["id"], "item": json.dumps(i, ensure_ascii=False),
                                   "added": stamp} for i in items])
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
        rows = self._read(
            "SELECT doc_id FROM alert_triggered WHERE alert = :alert AND notified = 0 AND cluster_id IN "
            "(SELECT cluster_id FROM alert_triggered WHERE alert = :alert AND doc_id IN :docs AND cluster_id IS NOT NULL) "
            "ORDER BY at, doc_id", {"alert": alert, "docs": list(doc_ids)}, expanding=["docs"])
        return [row["doc_id"] for row in rows]

    def _queue(self, conn: Db, alert: Alert, kind: str, title: str, body: str,
               doc_ids: list[str], *, created: str, indexed_at: str | None) -> list[int]:
        ids: list[int] = []
        for url in alert.notify:
            ids.append(int(conn.execute(
                "INSERT INTO alert_outbox (alert, kind, url, title, body, doc_ids, status, next_attempt, created, "
                "indexed_at) VALUES (:alert, :kind, :url, :title, :body, :doc_ids, 'pending', :created, :created, "
                ":indexed_at) RETURNING id",
                {"alert": alert.name, "kind": kind, "url": url, "title": title, "body": body,
                 "doc_ids": json.dumps(doc_ids), "created": created, "indexed_at": indexed_at}).scalar()))
        return ids

    # ------------------------------------------------------------ digests

    def digest_waiting(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        rows = self._read("SELECT id, item FROM alert_digest_items WHERE alert = :name AND message_id IS NULL "
                          "ORDER BY id", {"name": name})
        return [(row["id"], json.loads(row["item"])) for row in rows]

    def last_digest(self, name: str) -> datetime | None:
        rows = self._read("SELECT last_digest FROM alert_rules WHERE name = :name", {"name": name})
        return datetime.fromisoformat(rows[0]["last_digest"]) if rows and rows[0]["last_digest"] else None

    def queue_digest(self, alert: Alert, item_ids: Sequence[int], title: str, body: str, doc_ids: list[str],
                     *, at: datetime) -> bool:
        """One digest message for the waiting items; the digest's time moves to ``at`` (even with no items).

        False, and nothing written, when another process put one of these items in a digest first: each item
        goes out in one digest, whichever process sends (the UPDATE's ``message_id IS NULL`` decides; on
        PostgreSQL it waits for the other's row locks and sees its commit).
        """
        stamp = iso(at)
        try:
            with self._write() as conn:
                if item_ids:
                    first = self._queue(conn, alert, "digest", title, body, doc_ids, created=stamp, indexed_at=None)[0]
                    taken = conn.execute("UPDATE alert_digest_items SET message_id = :message WHERE id IN :ids "
                                         "AND message_id IS NULL", {"message": first, "ids": list(item_ids)},
                                         expanding=["ids"]).rowcount
                    if taken != len(set(item_ids)):
                        raise _Taken
                conn.execute("UPDATE alert_rules SET last_digest = :at WHERE name = :name AND "
                             "(last_digest IS NULL OR last_digest < :at)", {"at": stamp, "name": alert.name})
        except _Taken:
            logger.info("digest not queued: another process sent these matches first alert=%s", alert.name)
            return False
        return True

    # ------------------------------------------------------------ outbox

    def claim_due(self, *, now: datetime | None = None, limit: int = 100, after: int = 0) -> list[OutboxMessage]:
        """Messages due for a (re)try (with ids above ``after``), marked as being sent so that no other process
        sends them too.

        One UPDATE claims them. On PostgreSQL its inner SELECT skips rows another sender has locked, and the
        outer WHERE is checked again on a row that sender changed meanwhile: a row is claimed by one sender.
        """
        moment = now or utcnow()
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        due = "status IN ('pending', 'retrying', 'sending') AND next_attempt <= :now AND id > :after"
        with self._write() as conn:
            rows = conn.execute(
                f"UPDATE alert_outbox SET status = 'sending', next_attempt = :until WHERE {due} AND id IN "
                f"(SELECT id FROM alert_outbox WHERE {due} ORDER BY id LIMIT :limit{skip_locked}) RETURNING *",
                {"now": iso(moment), "until": iso(moment + timedelta(seconds=CLAIM_SECONDS)), "limit": limit,
                 "after": after},
            ).fetchall()
        return sorted((OutboxMessage.from_row(row) for row in rows), key=lambda m: m.id)

    def mark_sent(self, message_id: int, *, now: datetime | None = None) -> None:
        with self._write() as conn:
            conn.execute("UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = :now, "
                         "last_error = NULL WHERE id = :id", {"now": iso(now or utcnow()), "id": message_id})

    def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """A failed attempt: retried at ``retry_at``, or given up for good when it is None."""
        with self._write() as conn:
            if retry_at is None:
                conn.execute("UPDATE alert_outbox SET status = 'failed', attempts = attempts + 1, last_error = :error "
                             "WHERE id = :id", {"error": error, "id": message_id})
            else:
                conn.execute("UPDATE alert_outbox SET status = 'retrying', attempts = attempts + 1, last_error = :error, "
                             "next_attempt = :at WHERE id = :id", {"error": error, "at": iso(retry_at), "id": message_id})

    def history(self, *, alert: str | None = None, limit: int = 50) -> list[OutboxMessage]:
        where, params = ("WHERE alert = :alert", {"alert": alert}) if alert else ("", {})
        rows = self._read(f"SELECT * FROM alert_outbox {where} ORDER BY id DESC LIMIT :limit", {**params, "limit": limit})
        return [OutboxMessage.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        return {row["status"]: row["n"] for row in self._read("SELECT status, count(*) AS n FROM alert_outbox GROUP BY status")}


class _Taken(Exception):
    """A digest's items were taken by another process's digest (rolls this one back)."""


RULES_LOCK = "monitor:alert_rules"
MATCHES_LOCK = "monitor:alert_triggered"


def _alert(row: Row) -> Alert:
    data = json.loads(row["rule"])
    for key in ("notify", "types", "sources", "topics", "languages"):
        data[key] = tuple(data.get(key) or ())
    return Alert(**data, origin=row["origin"])
