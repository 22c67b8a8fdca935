"""Schema versions of the state store: each part migrates its own tables; a newer store is refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import MonitorError
from monitor.runs.records import RunStore
from monitor.state.db import connect
from monitor.state.schema import ensure_schema
from monitor.state.validators import ValidatorStore

V1 = "CREATE TABLE IF NOT EXISTS notes (id {rowid}, text TEXT NOT NULL);"  # {rowid}: each dialect's own key
V2 = "ALTER TABLE notes ADD COLUMN author TEXT;"


def test_each_part_of_one_store_keeps_its_own_version(state_url: Path | str) -> None:
    path = state_url
    RunStore(path)
    ValidatorStore(path)
    with connect(path) as db:
        assert ensure_schema(db, part="notes", migrations=[V1], path=path) == 1
        versions = {row["part"]: row["version"] for row in db.execute("SELECT * FROM schema_versions")}
    assert versions == {"runs": 1, "validators": 1, "notes": 1}


def test_a_store_of_an_older_version_is_migrated_once_and_keeps_its_rows(state_url: Path | str) -> None:
    path = state_url
    with connect(path) as db:
        ensure_schema(db, part="notes", migrations=[V1], path=path)
        db.execute("INSERT INTO notes (text) VALUES ('kept')")
    for _ in range(2):  # a second start finds nothing to do (ALTER TABLE would fail if run twice)
        with connect(path) as db:
            assert ensure_schema(db, part="notes", migrations=[V1, V2], path=path) == 2
    with connect(path) as db:
        assert [tuple(row) for row in db.execute("SELECT text, author FROM notes")] == [("kept", None)]


def test_a_store_written_by_a_newer_monitor_is_refused_with_what_to_do(state_url: Path | str) -> None:
    path = state_url
    with connect(path) as db:
        ensure_schema(db, part="notes", migrations=[V1, V2], path=path)
    with connect(path) as db, pytest.raises(MonitorError, match="version 2, newer than this monitor knows "
                                                                r"\(1\): upgrade the monitor"):
        ensure_schema(db, part="notes", migrations=[V1], path=path)
