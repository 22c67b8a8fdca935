"""Sessions ended by logging out: kept in the state store until they would have expired, so a copied cookie dies."""
from __future__ import annotations

import time

from monitor.state.db import StateUrl, state_db

SCHEMA = """CREATE TABLE IF NOT EXISTS web_revoked_sessions (
    session TEXT PRIMARY KEY,  -- the session's signed payload (expiry and nonce), never the token
    expires BIGINT NOT NULL
)"""


class RevokedSessions:
    """Checked on every request that carries a valid session cookie (one indexed lookup), so a logout in one
    server process holds in every process sharing the state store, and across restarts."""

    def __init__(self, path: StateUrl) -> None:
        self.path = path
        self.db = state_db(path)
        with self.db.write(lock="monitor:schema") as db:
            db.execute_ddl(SCHEMA)

    def revoke(self, session: str, *, expires: int) -> None:
        now = int(time.time())
        with self.db.write() as db:
            db.execute("INSERT INTO web_revoked_sessions (session, expires) VALUES (:session, :expires) "
                       "ON CONFLICT (session) DO NOTHING", {"session": session, "expires": expires})
            db.execute("DELETE FROM web_revoked_sessions WHERE expires < :now", {"now": now})

    def revoked(self, session: str) -> bool:
        # A plain read (no write lock): WAL lets it run beside crawls writing their runs.
        with self.db.read() as db:
            return db.execute("SELECT 1 FROM web_revoked_sessions WHERE session = :session",
                              {"session": session}).fetchone() is not None
