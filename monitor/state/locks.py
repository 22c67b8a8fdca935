"""Crawl locks in the state store: one row per source being crawled, so no two processes crawl one source at once."""
from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.errors import CrawlRefused
from monitor.state.db import StateUrl, state_db
from monitor.state.schema import ensure_schema

MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS crawl_locks (
    source TEXT PRIMARY KEY,
    holder_pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started TEXT NOT NULL,
    origin TEXT NOT NULL,
    crawl_pid INTEGER,
    run_id INTEGER
);
""",)

# A pid is reused; a process that started after the lock was taken is not its holder. The slack covers
# the rounding of both clocks (clock ticks since boot, seconds in the row).
START_SLACK_SECONDS = 2.0


@dataclass(frozen=True)
class Lock:
    """Who crawls a source: the supervising process (pid, host, since when, which command) and its crawl."""

    source: str
    holder_pid: int
    host: str
    started: str
    origin: str
    crawl_pid: int | None
    run_id: int | None

    def describe(self) -> str:
        crawl = f", crawl pid {self.crawl_pid}" if self.crawl_pid else ""
        return f"`monitor {self.origin}` pid {self.holder_pid} on {self.host} since {self.started}{crawl}"


class CrawlLocks:
    """The crawl locks of one state store; every method opens its own connection (any thread or process)."""

    def __init__(self, path: StateUrl, *, origin: str) -> None:
        self.path = path
        self.db = state_db(path)
        self.origin = origin  # the command holding the locks it takes: crawl, serve or web
        self.pid = os.getpid()
        self.host = socket.gethostname()
        with self.db.write() as db:
            ensure_schema(db, part="locks", migrations=MIGRATIONS, path=path)

    def acquire(self, sources: Sequence[str]) -> list[Lock]:
        """Take the locks of all ``sources`` or of none; the locks of dead holders it took over.

        Raises CrawlRefused naming the holder when a live process (or the crawl it left) holds one.
        """
        stale: list[Lock] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        # Read, decide, write: serialised with every other acquire (SQLite: the immediate transaction;
        # PostgreSQL: an advisory lock), so two processes never both find a source free.
        with self.db.write(lock="monitor:crawl_locks") as db:
            for source in sources:
                row = db.execute("SELECT * FROM crawl_locks WHERE source = :source", {"source": source}).fetchone()
                if row is not None:
                    lock = _lock(row)
                    if self.is_held(lock):
                        raise CrawlRefused(_refusal(lock, self))
                    stale.append(lock)
                db.execute("DELETE FROM crawl_locks WHERE source = :source", {"source": source})
                db.execute("INSERT INTO crawl_locks (source, holder_pid, host, started, origin) "
                           "VALUES (:source, :pid, :host, :started, :origin)",
                           {"source": source, "pid": self.pid, "host": self.host, "started": now, "origin": self.origin})
        return stale

    def attach(self, source: str, *, crawl_pid: int, run_id: int) -> None:
        """Record the crawl subprocess and run record of a lock this process holds."""
        with self.db.write() as db:
            db.execute("UPDATE crawl_locks SET crawl_pid = :crawl_pid, run_id = :run_id WHERE source = :source "
                       "AND holder_pid = :pid AND host = :host",
                       {"crawl_pid": crawl_pid, "run_id": run_id, "source": source, "pid": self.pid, "host": self.host})

    def release(self, source: str) -> None:
        """Give back a lock this process holds (another's stays)."""
        with self.db.write() as db:
            db.execute("DELETE FROM crawl_locks WHERE source = :source AND holder_pid = :pid AND host = :host",
                       {"source": source, "pid": self.pid, "host": self.host})

    def held(self) -> list[Lock]:
        with self.db.read() as db:
            return [_lock(row) for row in db.execute("SELECT * FROM crawl_locks ORDER BY source")]

    def remove(self, lock: Lock) -> None:
        """Drop a dead holder's lock (the same row only: a new holder's stays)."""
        with self.db.write() as db:
            db.execute("DELETE FROM crawl_locks WHERE source = :source AND holder_pid = :pid AND host = :host "
                       "AND started = :started",
                       {"source": lock.source, "pid": lock.holder_pid, "host": lock.host, "started": lock.started})

    def is_held(self, lock: Lock) -> bool:
        """True while the lock's holder lives, or the crawl it started does (a crawl draining after its parent died).

        A lock of another host counts as held: this machine cannot see its processes.
        """
        if lock.host != self.host:
            return True
        return holder_alive(lock) or crawl_alive(lock)


def holder_alive(lock: Lock) -> bool:
    started = _process_start(lock.holder_pid)
    if started is None:
        return False
    return started <= datetime.fromisoformat(lock.started).timestamp() + START_SLACK_SECONDS


def crawl_alive(lock: Lock) -> bool:
    return lock.crawl_pid is not None and is_crawl_of(lock.crawl_pid, lock.source)


def is_crawl_of(pid: int, source: str) -> bool:
    """True when ``pid`` is still that source's crawl (not a reused pid, not a zombie)."""
    if _process_start(pid) is None:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"source={source}".encode() in cmdline


def _process_start(pid: int) -> float | None:
    """When a live process started (seconds since the epoch); None when there is none (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = next(line for line in Path("/proc/stat").read_text(encoding="ascii").splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration):
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _refusal(lock: Lock, locks: CrawlLocks) -> str:
    if lock.host == locks.host and not holder_alive(lock):
        return (f"a crawl of {lock.source!r} is still stopping: crawl pid {lock.crawl_pid}, left by "
                f"{lock.describe()}, which has died; it ends by itself in a few seconds, then try again")
    return f"a crawl of {lock.source!r} is already running: {lock.describe()}"


def _lock(row: Any) -> Lock:
    return Lock(source=row["source"], holder_pid=int(row["holder_pid"]), host=row["host"], started=row["started"],
                origin=row["origin"], crawl_pid=row["crawl_pid"], run_id=row["run_id"])
