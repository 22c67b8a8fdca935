"""Saved searches and the read-only feed tokens of searches and alerts, in the state store."""
from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from monitor.errors import ConfigError, MonitorError
from monitor.state.db import StateUrl, state_db
from monitor.state.schema import ensure_schema

FeedKind = Literal["search", "alert"]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
PARAMS = ("q", "type", "source", "topic", "language", "since", "until", "sort")
_MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS web_saved_searches (
    name TEXT PRIMARY KEY,
    params TEXT NOT NULL,            -- JSON: q, type, source, topic, language, since, until, sort
    origin TEXT NOT NULL,            -- web | api
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_feed_tokens (
    kind TEXT NOT NULL,              -- search | alert
    name TEXT NOT NULL,
    token TEXT NOT NULL,             -- random, read-only: it opens this one feed and nothing else
    PRIMARY KEY (kind, name)
);
""",)


@dataclass(frozen=True)
class SavedSearch:
    name: str
    params: dict[str, Any]
    origin: str
    created: str


class SavedSearches:
    """Saved searches by name, and one random token per feed (made when its feed URL is first shown)."""

    def __init__(self, path: StateUrl) -> None:
        self.path = path
        self.db = state_db(path)
        with self.db.write() as db:
            ensure_schema(db, part="web", migrations=_MIGRATIONS, path=path)

    def add(self, name: str, params: dict[str, Any], *, origin: str) -> SavedSearch:
        name = name.strip()
        if not NAME.match(name):
            raise ConfigError(f"a saved search's name is letters, digits, - _ . (up to 80), not {name!r}")
        kept = {key: params[key] for key in PARAMS if params.get(key) not in (None, "", [])}
        search = SavedSearch(name, kept, origin, datetime.now(UTC).isoformat(timespec="seconds"))
        with self.db.write() as db:
            added = db.execute("INSERT INTO web_saved_searches (name, params, origin, created) "
                               "VALUES (:name, :params, :origin, :created) ON CONFLICT (name) DO NOTHING",
                               {"name": name, "params": json.dumps(kept), "origin": origin, "created": search.created})
            if not added.rowcount:
                raise MonitorError(f"a saved search named {name!r} exists: pick another name or delete it")
        return search

    def list(self) -> list[SavedSearch]:
        with self.db.read() as db:
            rows = db.execute("SELECT * FROM web_saved_searches ORDER BY name").fetchall()
        return [SavedSearch(r["name"], json.loads(r["params"]), r["origin"], r["created"]) for r in rows]

    def get(self, name: str) -> SavedSearch | None:
        return next((s for s in self.list() if s.name == name), None)

    def remove(self, name: str) -> bool:
        with self.db.write() as db:
            gone = db.execute("DELETE FROM web_saved_searches WHERE name = :name", {"name": name}).rowcount > 0
            db.execute("DELETE FROM web_feed_tokens WHERE kind = 'search' AND name = :name", {"name": name})
        return gone

    def feed_token(self, kind: FeedKind, name: str) -> str:
        """The feed's token, made now if it has none (two processes asking at once get the same one)."""
        with self.db.write() as db:
            db.execute("INSERT INTO web_feed_tokens (kind, name, token) VALUES (:kind, :name, :token) "
                       "ON CONFLICT (kind, name) DO NOTHING",
                       {"kind": kind, "name": name, "token": secrets.token_urlsafe(24)})
            token = db.execute("SELECT token FROM web_feed_tokens WHERE kind = :kind AND name = :name",
                               {"kind": kind, "name": name}).scalar()
        return str(token)

    def forget_feed(self, kind: FeedKind, name: str) -> None:
        """A deleted alert's feed: a new alert of the same name gets a new token."""
        with self.db.write() as db:
            db.execute("DELETE FROM web_feed_tokens WHERE kind = :kind AND name = :name", {"kind": kind, "name": name})

    def token_ok(self, kind: FeedKind, name: str, presented: str | None) -> bool:
        if not presented:
            return False
        with self.db.read() as db:
            row = db.execute("SELECT token FROM web_feed_tokens WHERE kind = :kind AND name = :name",
                             {"kind": kind, "name": name}).fetchone()
        return row is not None and hmac.compare_digest(str(row["token"]).encode(), presented.encode())
