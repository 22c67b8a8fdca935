"""Schema versions of the state store: each part (runs, validators, alerts) migrates its own tables, in order."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from monitor.errors import MonitorError
from monitor.state.db import sql_statements

VERSIONS_TABLE = "schema_versions"


def ensure_schema(connection: sqlite3.Connection, *, part: str, migrations: Sequence[str], path: Path) -> int:
    """Bring ``part``'s tables to the newest version inside the caller's (immediate) transaction; that version.

    ``migrations[0]`` creates the tables, ``migrations[n]`` moves version n to n + 1. A store written by a
    newer monitor is refused rather than written in a shape it does not expect.
    """
    connection.execute(f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (part TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    row = connection.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE part = ?", (part,)).fetchone()
    current, newest = (int(row[0]) if row else 0), len(migrations)
    if current > newest:
        raise MonitorError(f"the state store {path} holds {part} tables of version {current}, newer than this "
                           f"monitor knows ({newest}): upgrade the monitor, or set serve.state_store to another file")
    for script in migrations[current:]:
        for statement in sql_statements(script):
            connection.execute(statement)
    if current < newest:
        connection.execute(f"INSERT OR REPLACE INTO {VERSIONS_TABLE} (part, version) VALUES (?, ?)", (part, newest))
    return newest
