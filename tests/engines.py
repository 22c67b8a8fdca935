"""Pytest plugin: the real search engines for a test session (a local OpenSearch; Elasticsearch when given)."""
from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.index.engine import EngineIndex, open_engine_index

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = PROJECT_ROOT / "deploy" / "opensearch-local"
# A cold first start builds the launcher and fills ~/.m2 (~70 MB); later starts take about 10 s.
START_TIMEOUT_SECONDS = 600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class LocalEngine:
    """A local OpenSearch run by deploy/opensearch-local on its own port and home; ``stop`` and ``start`` at will.

    The data directory outlives a stop, so a restarted engine comes back with what it had.
    """

    def __init__(self, home: Path, port: int | None = None, *, watch_pid: int | None = None) -> None:
        self.home = home
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.watch_pid = watch_pid or os.getpid()

    def __repr__(self) -> str:
        return f"LocalEngine({self.url}, home={str(self.home)!r})"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "OPENSEARCH_PORT": str(self.port),
            "OPENSEARCH_HOME": str(self.home),
            # If this test process dies without running the finalizer, the engine stops by itself.
            "OPENSEARCH_WATCH_PID": str(self.watch_pid),
        }

    def start(self) -> str:
        """Start it and wait until it answers; fails the test with the launcher's output if it does not."""
        started = subprocess.run([str(LAUNCHER / "start")], env=self._env(), capture_output=True, text=True,
                                 timeout=START_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        if started.returncode != 0:
            pytest.fail(f"deploy/opensearch-local/start failed ({started.returncode}):\n{started.stderr[-4000:]}",
                        pytrace=False)
        self.url = started.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self) -> None:
        """Stop the engine process (SIGTERM, then SIGKILL after 30 s) and wait until it is gone."""
        subprocess.run([str(LAUNCHER / "stop")], env=self._env(), capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)


def _engines_switched_off() -> bool:
    return os.environ.get("MONITOR_TEST_OPENSEARCH") == "0" and not _in_ci()


# Under pytest-xdist the test processes share one session engine: the first to need it starts it, under a lock, in
# a folder of the controlling process, which stops it when the whole run ends (and which it watches, so it also
# stops if that process dies). Every test works under an index prefix of its own, so sharing is safe.
SHARED_ENGINE_DIR = "MONITOR_TEST_SHARED_ENGINE_DIR"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and SHARED_ENGINE_DIR not in os.environ:
        os.environ[SHARED_ENGINE_DIR] = tempfile.mkdtemp(prefix="monitor-test-engine-")  # inherited by the workers


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = os.environ.get(SHARED_ENGINE_DIR)
    if hasattr(config, "workerinput") or not folder:
        return
    home = Path(folder) / "home"
    if home.exists():
        LocalEngine(home).stop()
    shutil.rmtree(folder, ignore_errors=True)
    del os.environ[SHARED_ENGINE_DIR]


def _shared_engine(folder: Path) -> str:
    """The run's shared engine: started by the first test process that asks, then found by the others."""
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        url_file = folder / "url"
        if url_file.exists():
            return url_file.read_text()
        engine = LocalEngine(folder / "home", watch_pid=os.getppid())  # the controlling pytest process
        url = engine.start()
        url_file.write_text(url)
        return url


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MONITOR_TEST_OPENSEARCH_URL if set, else a local OpenSearch started once for the run and stopped at its end.

    MONITOR_TEST_OPENSEARCH=0 skips the OpenSearch tests on a machine without Java, except under CI.
    """
    given = os.environ.get("MONITOR_TEST_OPENSEARCH_URL")
    if given:
        yield given.rstrip("/")
        return
    if _engines_switched_off():
        pytest.skip("MONITOR_TEST_OPENSEARCH=0: OpenSearch tests switched off")
    shared = os.environ.get(SHARED_ENGINE_DIR)
    if shared and os.environ.get("PYTEST_XDIST_WORKER"):
        yield _shared_engine(Path(shared))
        return
    engine = LocalEngine(tmp_path_factory.mktemp("opensearch-local"))
    try:
        yield engine.start()
    finally:
        engine.stop()


@pytest.fixture
def own_opensearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    """A local OpenSearch for one test alone, already started, which the test may stop and start again
    (the session's engine is left alone); stopped at the test's end."""
    if _engines_switched_off():
        pytest.skip("MONITOR_TEST_OPENSEARCH=0: OpenSearch tests switched off")
    engine = LocalEngine(tmp_path_factory.mktemp("opensearch-own"))
    try:
        engine.start()
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    """MONITOR_TEST_ES_URL (a real Elasticsearch, e.g. from deploy/docker-compose.yml); skipped when unset."""
    url = os.environ.get("MONITOR_TEST_ES_URL")
    if not url:
        pytest.skip("MONITOR_TEST_ES_URL is not set: no Elasticsearch to test against")
    return url.rstrip("/")


@contextmanager
def engine_index(url: str) -> Iterator[EngineIndex]:
    """A fresh EngineIndex under its own index prefix, refreshing on every write; its indices deleted afterwards."""
    index = open_engine_index(url, prefix=f"monitor-test-{uuid.uuid4().hex[:12]}", refresh=True,
                              retry_waits=(0.1, 0.2))
    try:
        yield index
    finally:
        try:
            index.drop()
        finally:
            index.close()


@pytest.fixture
def engine_index_factory() -> Iterator[Callable[[str], EngineIndex]]:
    """Open any number of fresh engine indices in a test; all are dropped at its end."""
    opened: list[EngineIndex] = []

    def make(url: str) -> EngineIndex:
        index = open_engine_index(url, prefix=f"monitor-test-{uuid.uuid4().hex[:12]}", refresh=True,
                                  retry_waits=(0.1, 0.2))
        opened.append(index)
        return index

    yield make
    for index in opened:
        try:
            index.drop()
        finally:
            index.close()
