"""Opens the monitor's SQLite state store (shared by schedules, run records, HTTP validators and alerts)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Crawl subprocesses, the server and CLI readers write the same file; waiting beats failing.
BUSY_TIMEOUT_MS = 30_000


def open_connection(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode that waits for other writers; ``shared``: usable from any thread (behind a lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=not shared)
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        connection.close()
        raise
    return connection


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One short-lived connection in one immediate transaction: commits on success, rolls back on error, closes."""
    connection = open_connection(path)
    try:
        with immediate_transaction(connection):
            yield connection
    finally:
        connection.close()


@contextmanager
def immediate_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction with its lock taken at once: a deferred one that upgrades later can fail with
    SQLITE_BUSY, which busy_timeout does not retry. Commits on success, rolls back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def sql_statements(script: str) -> list[str]:
    """A schema script's statements one by one (executescript would commit the open transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]


def sqlalchemy_url(path: Path) -> str:
    """The same file as an SQLAlchemy URL (APScheduler's job store)."""
    return f"sqlite:///{path}"
