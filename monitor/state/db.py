"""Opens the monitor's SQLite state store (shared by schedules, run records, HTTP validators and alerts)."""
from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor.errors import StorageError

# Crawl subprocesses, the server and CLI readers write the same file; waiting beats failing.
BUSY_TIMEOUT_MS = 30_000
# What SQLite says when the disk or the folder, not the query, is at fault.
_STORAGE_MESSAGES = ("disk is full", "readonly database", "unable to open database file", "disk i/o error")


def storage_error(path: Path, exc: BaseException) -> StorageError | None:
    """A full disk or a read-only folder as an error naming the file and what to do; None for any other error."""
    if isinstance(exc, OSError) and exc.errno is not None:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    elif isinstance(exc, sqlite3.Error) and any(m in str(exc).lower() for m in _STORAGE_MESSAGES):
        full = "full" in str(exc).lower()
    else:
        return None
    fix = (f"free space on the disk that holds {path.parent} (see `df {path.parent}`)" if full else
           f"make {path.parent} writable by this user, or point data_dir in monitor.yaml at a writable folder")
    return StorageError(f"cannot write the monitor's state {path}: {exc}; {fix}", path=str(path))


def open_connection(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode that waits for other writers; ``shared``: usable from any thread (behind a lock)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=not shared)
    except (OSError, sqlite3.Error) as exc:
        raise (storage_error(path, exc) or exc) from exc
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException as exc:
        connection.close()
        raise (storage_error(path, exc) or exc) from exc
    return connection


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One short-lived connection in one immediate transaction: commits on success, rolls back on error, closes."""
    connection = open_connection(path)
    try:
        with immediate_transaction(connection):
            yield connection
    except sqlite3.Error as exc:
        raise (storage_error(path, exc) or exc) from exc
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
