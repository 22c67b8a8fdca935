"""Transactions on the state store (SQLite or PostgreSQL) with rows as sqlite3.Row gave them, and SQL both dialects run."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, CursorResult

from monitor.state.engine import (
    BUSY_TIMEOUT_MS,
    StateUrl,
    engine_for,
    shown,
    sqlalchemy_url,
    sqlite_path,
    storage_error,
    unreachable,
)

__all__ = ["BUSY_TIMEOUT_MS", "Db", "Row", "StateDB", "StateUrl", "connect", "immediate_transaction", "sql_statements",
           "state_db"]

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | tuple[Any, ...] | None
_QMARK = re.compile(r"\?(?=(?:[^']*'[^']*')*[^']*$)")  # a ? outside quotes


class Row(tuple[Any, ...]):
    """A row by position, by column name and as a dict (``dict(row)``), like sqlite3.Row."""

    _names: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names.index(key))
        return super().__getitem__(key)

    def keys(self) -> tuple[str, ...]:
        return self._names


class Result:
    """What a statement returned: rows (fetched at once), and how many rows it changed."""

    def __init__(self, result: CursorResult[Any]) -> None:
        self.rowcount = result.rowcount
        if result.returns_rows:
            names = tuple(result.keys())
            self.rows = [Row(tuple(r), names) for r in result]
        else:
            self.rows = []

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


class Db:
    """One transaction on the state store: SQL with named parameters (``:name``), the same on both dialects."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name  # sqlite | postgresql

    def execute(self, sql: str, params: Params = None, *, expanding: Sequence[str] = ()) -> Result:
        """Run one statement; a list of parameter sets runs it once per set (none: not at all). ``expanding``:
        parameters that are lists, written ``IN :name``."""
        if isinstance(params, tuple):  # ? placeholders, as sqlite3 took them (tests and scripts written for it)
            parts = _QMARK.split(sql)
            sql = "".join(part + (f":p{i}" if i < len(parts) - 1 else "") for i, part in enumerate(parts))
            params = {f"p{i}": value for i, value in enumerate(params)}
        statement = text(sql)
        if expanding:
            statement = statement.bindparams(*(bindparam(name, expanding=True) for name in expanding))
        if isinstance(params, Sequence):
            if not params:
                return _NOTHING
            return Result(self.connection.execute(statement, list(params)))
        return Result(self.connection.execute(statement, dict(params or {})))

    def execute_ddl(self, sql: str) -> None:
        """A schema statement as written (no parameters: a colon in its comments is not one)."""
        self.connection.exec_driver_sql(sql)

    def lock(self, name: str) -> None:
        """Serialise this transaction with every other that takes ``name``, on any machine, until it ends.

        SQLite: nothing to do, a write transaction holds the file's lock (BEGIN IMMEDIATE). PostgreSQL: a
        transaction-scoped advisory lock on a number made from the name.
        """
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def has_table(self, name: str) -> bool:
        return sqlalchemy.inspect(self.connection).has_table(name)


class _Nothing(Result):
    def __init__(self) -> None:
        self.rowcount, self.rows = 0, []


_NOTHING = _Nothing()


class StateDB:
    """The state store at one URL: write and read transactions, errors that name the URL and what to fix."""

    def __init__(self, url: StateUrl) -> None:
        self.url = sqlalchemy_url(url)
        self.path = sqlite_path(self.url)
        self.shown = shown(self.url)
        self.dialect = self.url.get_backend_name()

    def exists(self) -> bool:
        """False only for an SQLite file not made yet (a server's database is there, or its errors say why)."""
        return self.path is None or self.path.exists()

    @contextmanager
    def write(self, *, lock: str | None = None) -> Iterator[Db]:
        """One write transaction: commits on success, rolls back on error. ``lock``: see Db.lock."""
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise (storage_error(self.path, exc) or exc) from exc
        with self._transaction(read_only=False) as db:
            if lock:
                db.lock(lock)
            yield db

    @contextmanager
    def read(self) -> Iterator[Db]:
        """One read transaction (on SQLite, a connection that cannot write)."""
        with self._transaction(read_only=True) as db:
            yield db

    @contextmanager
    def _transaction(self, *, read_only: bool) -> Iterator[Db]:
        engine = engine_for(self.url, read_only=read_only)
        try:
            connection = engine.connect()
        except sqlalchemy.exc.DBAPIError as exc:
            error = self._error(exc, connecting=True)
            if error is None:
                raise
            raise error from None
        try:
            with connection.begin():
                yield Db(connection)
        except sqlalchemy.exc.DBAPIError as exc:
            error = self._error(exc, connecting=False)
            if error is None:
                raise
            raise error from exc
        finally:
            connection.close()

    def _error(self, exc: sqlalchemy.exc.DBAPIError, *, connecting: bool) -> BaseException | None:
        """What to raise instead of the driver's error: the disk, the folder or the server at fault; else None."""
        if self.path is not None:
            return storage_error(self.path, exc)
        if connecting or exc.connection_invalidated:
            return unreachable(self.url, exc)
        return None


def state_db(url: StateUrl) -> StateDB:
    """The state store at ``url`` (a path: that SQLite file)."""
    return StateDB(url)


@contextmanager
def connect(url: StateUrl) -> Iterator[Db]:
    """One write transaction on the state store at ``url``."""
    with state_db(url).write() as db:
        yield db


@contextmanager
def immediate_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on a plain sqlite3 connection (the embedded index's) with its lock taken at once: a
    deferred one that upgrades later can fail with SQLITE_BUSY, which busy_timeout does not retry."""
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

