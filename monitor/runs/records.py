"""Crawl run records in the state store: one row per run, its counters, status and log; source health from them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.state.db import StateUrl, state_db
from monitor.state.schema import ensure_schema

MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS crawl_runs (
    id {serial},
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    pid INTEGER,
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    articles_updated INTEGER NOT NULL DEFAULT 0,
    comments_new INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}',
    log_path TEXT
);
CREATE INDEX IF NOT EXISTS crawl_runs_by_source ON crawl_runs (source, id);
""",)

RUNNING = "running"
FINISHED = "finished"
FAILED = "failed"
TIMEOUT = "timeout"
INTERRUPTED = "interrupted"  # stopped (Ctrl-C, the server's stop) or its supervising process died while it ran
SPOOLED = "spooled"  # ended, but articles wait in the spool: the index could not take them
FAILING_STATUSES = (FAILED, TIMEOUT)
COUNTERS = ("pages_fetched", "not_modified", "articles_new", "articles_updated", "comments_new")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Health:
    """A source's health: ``ok``, ``failing`` (unhealthy_after failures in a row), ``degraded`` or ``never run``."""

    state: str
    failures_in_a_row: int
    reason: str | None


class RunStore:
    """Run records; every method opens its own connection, so any thread (or process) may call it."""

    def __init__(self, path: StateUrl) -> None:
        self.path = path
        self.db = state_db(path)
        with self.db.write() as db:
            ensure_schema(db, part="runs", migrations=MIGRATIONS, path=path)

    def start(self, source: str, *, pid: int | None, log_path: str, started: str | None = None) -> int:
        with self.db.write() as db:
            return int(db.execute(
                "INSERT INTO crawl_runs (source, started, status, pid, log_path) "
                "VALUES (:source, :started, :status, :pid, :log_path) RETURNING id",
                {"source": source, "started": started or now_iso(), "status": RUNNING, "pid": pid,
                 "log_path": log_path},
            ).scalar())

    def update(self, run_id: int, summary: dict[str, Any]) -> None:
        """Refresh a running run's counters from a crawl summary (crawl.summarize_stats)."""
        with self.db.write() as db:
            db.execute(
                f"UPDATE crawl_runs SET {', '.join(f'{c} = :{c}' for c in COUNTERS)}, errors = :errors, "
                "summary = :summary WHERE id = :id",
                {**{c: int(summary.get(c, 0) or 0) for c in COUNTERS}, "errors": json.dumps(summary.get("errors", {})),
                 "summary": json.dumps(summary), "id": run_id},
            )

    def finish(self, run_id: int, *, status: str, reason: str | None, summary: dict[str, Any],
               ended: str | None = None, log_path: Path | None = None) -> None:
        """The run's end; ``log_path``: its log, kept in the store for other machines to read."""
        self.update(run_id, summary)
        with self.db.write() as db:
            db.execute("UPDATE crawl_runs SET status = :status, reason = :reason, ended = :ended WHERE id = :id",
                       {"status": status, "reason": reason, "ended": ended or now_iso(), "id": run_id})
        if log_path is not None:
            from monitor.runs.logs import RunLogs

            RunLogs(self.path).keep(run_id, log_path)

    def running(self) -> list[dict[str, Any]]:
        with self.db.read() as db:
            return [_row(r) for r in db.execute("SELECT * FROM crawl_runs WHERE status = :status ORDER BY id",
                                                {"status": RUNNING})]

    def mark_interrupted(self, run_id: int, reason: str) -> bool:
        """A run still marked running is interrupted; False when it had ended already (the one UPDATE decides,
        whichever process asks first)."""
        with self.db.write() as db:
            cursor = db.execute("UPDATE crawl_runs SET status = :status, reason = :reason, ended = coalesce(ended, :now) "
                                "WHERE id = :id AND status = :running",
                                {"status": INTERRUPTED, "reason": reason, "now": now_iso(), "id": run_id,
                                 "running": RUNNING})
            return cursor.rowcount > 0

    def get(self, run_id: int) -> dict[str, Any] | None:
        with self.db.read() as db:
            row = db.execute("SELECT * FROM crawl_runs WHERE id = :id", {"id": run_id}).fetchone()
            return _row(row) if row else None

    def runs(self, *, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first."""
        query, args = "SELECT * FROM crawl_runs", dict[str, Any](limit=limit)
        if source:
            query, args = query + " WHERE source = :source", {**args, "source": source}
        with self.db.read() as db:
            return [_row(r) for r in db.execute(query + " ORDER BY id DESC LIMIT :limit", args)]

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """The newest run of every source that has one."""
        with self.db.read() as db:
            rows = db.execute("SELECT * FROM crawl_runs WHERE id IN (SELECT max(id) FROM crawl_runs GROUP BY source)")
            return {row["source"]: _row(row) for row in rows}

    def health(self, source: str, *, unhealthy_after: int) -> Health:
        """Failures in a row since the last good run; runs the server interrupted count neither way."""
        with self.db.read() as db:
            rows = db.execute(
                "SELECT status, reason FROM crawl_runs WHERE source = :source AND status NOT IN (:running, :interrupted) "
                "ORDER BY id DESC LIMIT :limit",
                {"source": source, "running": RUNNING, "interrupted": INTERRUPTED, "limit": max(unhealthy_after, 100)},
            ).fetchall()
        if not rows:
            return Health("never run", 0, None)
        failures = 0
        for row in rows:
            if row["status"] not in FAILING_STATUSES:
                break
            failures += 1
        if failures == 0:
            return Health("ok", 0, None)
        reason = rows[0]["reason"]
        return Health("failing" if failures >= unhealthy_after else "degraded", failures, reason)


def _row(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["errors"] = json.loads(data.get("errors") or "{}")
    data["summary"] = json.loads(data.get("summary") or "{}")
    return data
