"""SQLAlchemy engines of the state store, one per URL per process, and its errors as ones that say what to fix."""
from __future__ import annotations

import errno
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from monitor.errors import StorageError

StateUrl = str | os.PathLike[str] | URL  # a URL (sqlite:///…, postgresql://…), or a path: that SQLite file

# Crawl subprocesses, the server and CLI readers write the same file; waiting beats failing.
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 10
# What SQLite says when the disk or the folder, not the query, is at fault.
_STORAGE_MESSAGES = ("disk is full", "readonly database", "unable to open database file", "disk i/o error")

_ENGINES: dict[tuple[str, bool], Engine] = {}
_LOCK = threading.Lock()


def sqlalchemy_url(url: StateUrl) -> URL:
    """The state store's URL for SQLAlchemy: a path is that SQLite file; postgresql:// means psycopg 3."""
    if isinstance(url, URL):
        return url
    if isinstance(url, os.PathLike) or "://" not in url:  # a file's path, not a URL
        return URL.create("sqlite", database=os.fspath(url))
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise StorageError(f"{url!r} is not a state store URL: use postgresql://user@host:5432/monitor "
                           "(cluster.state in monitor.yaml) or sqlite:///path/state.db", path=url) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def shown(url: StateUrl) -> str:
    """The URL as logs and errors may show it: the password masked."""
    return sqlalchemy_url(url).render_as_string(hide_password=True)


def described(url: StateUrl) -> str:
    """The store as messages name it: the SQLite file, or the server's URL with the password masked."""
    path = sqlite_path(url)
    return str(path) if path is not None else shown(url)


def sqlite_path(url: StateUrl) -> Path | None:
    """The SQLite file of a state store URL; None for a database server."""
    parsed = sqlalchemy_url(url)
    return Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None


def engine_for(url: StateUrl, *, read_only: bool = False) -> Engine:
    """The process's engine for ``url`` (made at the first use). ``read_only``: on SQLite, connections that
    cannot write (a read-only data folder stays untouched); on a server, the same engine."""
    parsed = sqlalchemy_url(url)
    path = sqlite_path(parsed)
    key = (parsed.render_as_string(hide_password=False), read_only and path is not None)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _sqlite_engine(path, read_only=key[1]) if path is not None else _server_engine(parsed)
            _ENGINES[key] = engine
        return engine


def dispose(url: StateUrl | None = None) -> None:
    """Close the pooled connections of ``url``'s engines (all engines when None) and forget them."""
    target = None if url is None else sqlalchemy_url(url).render_as_string(hide_password=False)
    with _LOCK:
        for key in [k for k in _ENGINES if target is None or k[0] == target]:
            _ENGINES.pop(key).dispose()


def _forget_after_fork() -> None:
    # A forked child must not use the parent's pooled connections (they share one socket); it opens its own.
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _sqlite_engine(path: Path, *, read_only: bool) -> Engine:
    def connect() -> sqlite3.Connection:
        if read_only:
            return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)

    # A connection per use, as before the engine: opening a file costs microseconds, and a pool would keep the
    # files of short-lived stores (every test's) open.
    engine = sqlalchemy.create_engine("sqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A write transaction takes its lock at once: a deferred one that upgrades later can fail with
        # SQLITE_BUSY, which busy_timeout does not retry. This is what serialises writers on SQLite.
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _server_engine(url: URL) -> Engine:
    # pre_ping: a pooled connection that a database restart broke is replaced, not handed out.
    return sqlalchemy.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                                    connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def storage_error(path: Path, exc: BaseException) -> StorageError | None:
    """A full disk or a read-only folder as an error naming the file and what to do; None for any other error."""
    exc = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    if isinstance(exc, OSError) and exc.errno is not None:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    elif isinstance(exc, sqlite3.Error) and any(m in str(exc).lower() for m in _STORAGE_MESSAGES):
        full = "full" in str(exc).lower()
    else:
        return None
    fix = (f"free space on the disk that holds {path.parent} (see `df {path.parent}`)" if full else
           f"make {path.parent} writable by this user, or point data_dir in monitor.yaml at a writable folder")
    return StorageError(f"cannot write the monitor's state {path}: {exc}; {fix}", path=str(path))


def unreachable(url: StateUrl, exc: BaseException) -> StorageError:
    """A database server that cannot be reached or refuses us, as an error naming the URL and what to fix."""
    parsed = sqlalchemy_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    said = re.sub(r"\s+", " ", str(getattr(exc, "orig", None) or exc)).strip()
    missing = re.search(r'database "([^"]+)" does not exist', said)
    if missing:
        fix = (f"create it (`createdb -h {parsed.host or 'localhost'} -p {parsed.port or 5432} "
               f"{'-U ' + parsed.username + ' ' if parsed.username else ''}{missing.group(1)}`), "
               "or correct the database name in cluster.state in monitor.yaml")
    elif "authentication failed" in said or re.search(r'role "[^"]+" does not exist', said):
        fix = ("check the user in cluster.state in monitor.yaml and its password (give it in PGPASSWORD or "
               "~/.pgpass, not in monitor.yaml)")
    else:
        fix = f"start PostgreSQL on {where}, or correct the host and port of cluster.state in monitor.yaml"
    return StorageError(f"cannot open the state store {shown(parsed)}: {said}; {fix}", path=shown(parsed))
