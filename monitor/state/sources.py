"""Sources added in the web UI or API, and paused sources, in the state store; a revision tells readers they changed."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy

from monitor.errors import MonitorError
from monitor.state.db import Db, StateUrl, state_db
from monitor.state.engine import described
from monitor.state.schema import VERSIONS_TABLE, ensure_schema

if TYPE_CHECKING:  # the state store sits below the config: it keeps definitions, monitor.state.merge checks them
    from monitor.config import SourceConfig

logger = logging.getLogger(__name__)

_WARNED: set[str] = set()  # stores whose sources could not be read, already logged

PART = "sources"
MIGRATIONS = ("""
CREATE TABLE IF NOT EXISTS ui_sources (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,        -- JSON: the source as SourceConfig validates it (durations as "90s")
    origin TEXT NOT NULL,            -- web | api
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS source_pauses (
    name TEXT PRIMARY KEY,           -- any source, from monitor.yaml or from here
    paused TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS source_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL       -- bumped by every write: `monitor serve` and the web app reload on a change
);
INSERT INTO source_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
""",)


@dataclass(frozen=True)
class StoredSource:
    """A source kept in the state store, its definition as stored (checked against the config's model by
    monitor.state.merge: an upgrade may have changed what validates)."""

    name: str
    definition: dict[str, Any]
    origin: str
    created: str
    updated: str


def definition_of(source: SourceConfig) -> dict[str, Any]:
    """The source as plain JSON data that validates back to the same source (defaults left out)."""
    return _plain(source.model_dump(mode="python", exclude_defaults=True))


_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def duration_text(value: timedelta) -> str:
    """A duration as monitor.yaml writes it: 15m, 3d, 90s."""
    seconds = value.total_seconds()
    for unit, size in _UNITS:
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class SourceStore:
    """The sources of the web UI and API and the paused sources; every method opens its own connection."""

    def __init__(self, path: StateUrl) -> None:
        self.path = path
        self.db = state_db(path)
        with self.db.write() as db:
            ensure_schema(db, part=PART, migrations=MIGRATIONS, path=path)

    def list(self) -> list[StoredSource]:
        with self.db.read() as db:
            rows = db.execute("SELECT * FROM ui_sources ORDER BY name").fetchall()
        return [_stored(row) for row in rows]

    def get(self, name: str) -> StoredSource | None:
        with self.db.read() as db:
            row = db.execute("SELECT * FROM ui_sources WHERE name = :name", {"name": name}).fetchone()
        return _stored(row) if row else None

    def add(self, source: SourceConfig, *, origin: str) -> StoredSource:
        now = _now()
        with self.db.write() as db:
            added = db.execute("INSERT INTO ui_sources (name, definition, origin, created, updated) "
                               "VALUES (:name, :definition, :origin, :now, :now) ON CONFLICT (name) DO NOTHING",
                               {"name": source.name, "definition": _json(source), "origin": origin, "now": now})
            if not added.rowcount:
                raise MonitorError(f"a source named {source.name!r} exists already")
            _bump(db)
        return StoredSource(source.name, definition_of(source), origin, now, now)

    def replace(self, source: SourceConfig) -> StoredSource:
        """A new definition of a stored source (it keeps its origin and creation time)."""
        with self.db.write() as db:
            changed = db.execute("UPDATE ui_sources SET definition = :definition, updated = :now WHERE name = :name",
                                 {"definition": _json(source), "now": _now(), "name": source.name}).rowcount
            if not changed:
                raise MonitorError(f"no source named {source.name!r} was added in the UI or API")
            _bump(db)
        stored = self.get(source.name)
        assert stored is not None
        return stored

    def remove(self, name: str) -> bool:
        """Forget a stored source (and its pause); run records stay."""
        with self.db.write() as db:
            gone = db.execute("DELETE FROM ui_sources WHERE name = :name", {"name": name}).rowcount > 0
            if gone:
                db.execute("DELETE FROM source_pauses WHERE name = :name", {"name": name})
                _bump(db)
        return gone

    def pause(self, name: str, *, origin: str) -> str:
        """No scheduled crawls of ``name`` until resumed; when it was paused (the first time, if already)."""
        with self.db.write() as db:
            db.execute("INSERT INTO source_pauses (name, paused, origin) VALUES (:name, :paused, :origin) "
                       "ON CONFLICT (name) DO NOTHING", {"name": name, "paused": _now(), "origin": origin})
            _bump(db)
            return str(db.execute("SELECT paused FROM source_pauses WHERE name = :name", {"name": name}).scalar())

    def resume(self, name: str) -> bool:
        with self.db.write() as db:
            gone = db.execute("DELETE FROM source_pauses WHERE name = :name", {"name": name}).rowcount > 0
            if gone:
                _bump(db)
        return gone

    def paused(self) -> dict[str, str]:
        """Paused source names, with when each was paused."""
        with self.db.read() as db:
            return {row["name"]: row["paused"] for row in db.execute("SELECT name, paused FROM source_pauses")}


def read_revision(path: StateUrl) -> int | None:
    """The sources' revision without writing anything (a read-only data folder stays untouched); None when the
    store has no sources part yet. Cheap enough for a server to ask every second."""
    store = state_db(path)
    if not store.exists():
        return None
    try:
        with store.read() as db:
            if not db.has_table("source_revision"):  # a store from before sources were kept in it
                return None
            row = db.execute("SELECT revision FROM source_revision WHERE id = 1").fetchone()
    except (MonitorError, sqlalchemy.exc.DBAPIError) as exc:
        # Logged once per store: a server asks every second.
        if store.shown not in _WARNED:
            _WARNED.add(store.shown)
            logger.warning("the sources of the state store cannot be read, only monitor.yaml's are used: %s "
                           "store=%s", exc, store.shown)
        return None
    return int(row[0]) if row else None


def read_sources(path: StateUrl) -> tuple[list[StoredSource], dict[str, str]]:
    """The stored sources and pauses, read-only; nothing when the store has none (or does not exist yet).

    A store whose sources part is newer than this monitor is refused, as every part of the store is.
    """
    if read_revision(path) is None:
        return [], {}
    with state_db(path).read() as db:
        row = db.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE part = :part", {"part": PART}).fetchone()
        if row is not None and int(row[0]) > len(MIGRATIONS):
            raise MonitorError(f"the state store {described(path)} holds {PART} tables of version {row[0]}, newer "
                               f"than this monitor knows ({len(MIGRATIONS)}): upgrade the monitor")
        stored = [_stored(r) for r in db.execute("SELECT * FROM ui_sources ORDER BY name")]
        pauses = {r["name"]: r["paused"] for r in db.execute("SELECT name, paused FROM source_pauses")}
    return stored, pauses


def _stored(row: Any) -> StoredSource:
    return StoredSource(row["name"], json.loads(row["definition"]), row["origin"], row["created"], row["updated"])


def _json(source: SourceConfig) -> str:
    return json.dumps(definition_of(source), sort_keys=True)


def _bump(db: Db) -> None:
    db.execute("UPDATE source_revision SET revision = revision + 1 WHERE id = 1")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
