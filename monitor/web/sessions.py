"""Sessions ended by logging out: kept in the state store until they would have expired, so a copied cookie dies."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from monitor.state.db import BUSY_TIMEOUT_MS, connect

SCHEMA = """CREATE TABLE IF NOT EXISTS web_revoked_sessions (
    session TEXT PRIMARY KEY,  -- the session's signed payload (expiry and nonce), never the token
    expires INTEGER NOT NULL
)"""


class RevokedSessions:
    """Checked on every request that carries a valid session cookie (one indexed lookup), so a logout in one
    server process holds in every process sharing the state store, and across restarts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with connect(path) as db:
            db.execute(SCHEMA)

    def revoke(self, session: str, *, expires: int) -> None:
        now = int(time.time())
        with connect(self.path) as db:
            db.execute("INSERT OR IGNORE INTO web_revoked_sessions (session, expires) VALUES (?, ?)",
                       (session, expires))
            db.execute("DELETE FROM web_revoked_sessions WHERE expires < ?", (now,))

    def revoked(self, session: str) -> bool:
        # A plain read (no write lock): WAL lets it run beside crawls writing their runs.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return db.execute("SELECT 1 FROM web_revoked_sessions WHERE session = ?", (session,)).fetchone() is not None
        finally:
            db.close()
