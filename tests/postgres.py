"""Debian's PostgreSQL for the tests: one server per session on 127.0.0.1, as the unprivileged `postgres` user.

Fixtures (registered by tests/conftest.py): ``postgres_server`` (the session's server), ``postgres_url`` (a fresh
database per test module) and ``new_postgres_database`` (a function that makes one more, for a test of its own).
"""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def _bin() -> Path:
    """Debian's PostgreSQL programs (the newest installed), or MONITOR_TEST_PG_BIN."""
    if os.environ.get("MONITOR_TEST_PG_BIN"):
        return Path(os.environ["MONITOR_TEST_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _bin()
USER = "postgres"
START_SECONDS = 30


class PostgresServer:
    """A throwaway cluster in a temporary folder: trust authentication on 127.0.0.1 only, no fsync."""

    def __init__(self) -> None:
        if not (BIN / "postgres").exists():
            raise RuntimeError(f"PostgreSQL is not installed at {BIN}: scripts/test installs Debian's `postgresql`")
        self.folder = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)

    def start(self) -> PostgresServer:
        self._own(self.folder)
        subprocess.run([str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True, cwd=self.folder, **self._as_postgres())
        # The server itself is the child (no runuser in between), so its signals reach it and it cannot outlive us.
        self.process = subprocess.Popen(
            [str(BIN / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.folder),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300",
             "-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "wb"),  # noqa: SIM115
            cwd=self.folder, **self._as_postgres())
        deadline = time.monotonic() + START_SECONDS
        while subprocess.run([str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]).returncode:
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "server.log").read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{log}")
            time.sleep(0.1)
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; its URL."""
        name = f"{prefix}_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')  # copying the files beats logging them, for tests
        return self.url(name)

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """One statement outside a transaction (CREATE DATABASE needs that); the rows it returned."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement.encode())
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # a fast shutdown (SIGTERM's smart one waits for every client)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _own(self, folder: Path) -> None:
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            entry = pwd.getpwnam(USER)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        folder.chmod(0o700)

    def _as_postgres(self) -> dict[str, Any]:
        """Popen's arguments that run a command as the postgres user (PostgreSQL refuses root), when we are root."""
        if os.geteuid() != 0:
            return {}
        entry = pwd.getpwnam(USER)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": entry.pw_dir, "USER": USER}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    from monitor.state.engine import dispose

    dispose()  # the pooled connections first: a server stops faster with none left
    server.stop()


@pytest.fixture(scope="module")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database of the session's server for this test module: postgresql://postgres@127.0.0.1:PORT/test_N."""
    return postgres_server.create_database()


@pytest.fixture
def new_postgres_database(postgres_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """Makes fresh databases for one test (their engines are closed after it)."""
    made: list[str] = []

    def make() -> str:
        made.append(postgres_server.create_database())
        return made[-1]

    yield make
    from monitor.state.engine import dispose

    for url in made:
        dispose(url)
