"""Run logs in the state store: kept when a run ends, so `monitor runs --log` and the UI show it on any machine."""
from __future__ import annotations

import logging
import socket
import zlib
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import MonitorError
from monitor.state.db import StateUrl, state_db
from monitor.state.schema import ensure_schema

logger = logging.getLogger(__name__)

PART = "run_logs"
MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS run_logs (
    run_id BIGINT PRIMARY KEY,       -- crawl_runs.id
    host TEXT NOT NULL,              -- the machine whose file crawl_runs.log_path is
    size BIGINT NOT NULL,            -- the whole file's bytes (more than kept when the log was longer)
    log {bytes} NOT NULL             -- zlib: the last KEPT_BYTES of the file
);
""",)
KEPT_BYTES = 1_000_000  # a failed crawl's story is at its end; a long run's whole log would bloat the store


@dataclass(frozen=True)
class RunLog:
    """A run's log as shown: where it was read from, the file's size, and its last bytes (all when small)."""

    run_id: int
    origin: str  # the file path on this machine, or "state store (written on HOST)"
    size: int  # the whole file's bytes
    kept: int  # the bytes of it in ``text`` (the last ones)
    text: str


class RunLogs:
    """The kept logs of one state store (their table is made with the first log kept)."""

    def __init__(self, url: StateUrl) -> None:
        self.db = state_db(url)
        self.url = url

    def keep(self, run_id: int, log_path: Path) -> None:
        """Store the last KEPT_BYTES of a run's log file; a file that cannot be read is only logged."""
        try:
            size, tail = _tail(log_path)
        except OSError as exc:
            logger.warning("run log not kept in the state store: %s run=%s", exc, run_id)
            return
        with self.db.write() as db:
            ensure_schema(db, part=PART, migrations=MIGRATIONS, path=self.url)
            db.execute("INSERT INTO run_logs (run_id, host, size, log) VALUES (:run_id, :host, :size, :log) "
                       "ON CONFLICT (run_id) DO UPDATE SET host = excluded.host, size = excluded.size, "
                       "log = excluded.log",
                       {"run_id": run_id, "host": socket.gethostname(), "size": size, "log": zlib.compress(tail)})

    def kept(self, run_id: int) -> tuple[str, int, bytes] | None:
        """The host that ran it, the file's whole size and its last bytes; None when nothing was kept."""
        if not self.db.exists():
            return None
        with self.db.read() as db:
            if not db.has_table("run_logs"):
                return None
            row = db.execute("SELECT host, size, log FROM run_logs WHERE run_id = :id", {"id": run_id}).fetchone()
        return (row["host"], int(row["size"]), zlib.decompress(bytes(row["log"]))) if row else None


def read_log(url: StateUrl, record: dict[str, object]) -> RunLog:
    """A run's log: its file when the run was on this machine and the file is still there, else the kept copy."""
    run_id = int(str(record["id"]))
    kept = RunLogs(url).kept(run_id)
    path = Path(str(record["log_path"])) if record.get("log_path") else None
    here = kept is None or kept[0] == socket.gethostname()
    if path is not None and here and path.is_file():
        size, tail = _tail(path)
        return RunLog(run_id, str(path), size, len(tail), tail.decode("utf-8", "replace"))
    if kept is not None:
        host, size, tail = kept
        return RunLog(run_id, f"state store (written on {host})", size, len(tail), tail.decode("utf-8", "replace"))
    if record.get("status") == "running":
        raise MonitorError(f"run {run_id} is still running: its log is {path} on the machine that runs it, and "
                           "reaches the state store when the run ends")
    raise MonitorError(f"the log of run {run_id} ({path}) is not on this machine and was not kept in the state "
                       "store (the run ended before logs were kept, or its log could not be read)")


def _tail(path: Path) -> tuple[int, bytes]:
    with path.open("rb") as log:
        size = log.seek(0, 2)
        log.seek(max(0, size - KEPT_BYTES))
        return size, log.read()
