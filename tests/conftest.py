"""Session fixtures: the local test news site (a subprocess on 127.0.0.1) and helpers to run the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# MONITOR_SHARED: the shared data for a checkout (a git worktree) that is not beside ../shared
SHARED_DATA = Path(os.environ.get("MONITOR_SHARED") or PROJECT_ROOT.parent / "shared") / "data"
# A client timeout shorter than the test site's slow page, so the slow page times out.
TEST_DOWNLOAD_TIMEOUT = 3
SLOW_PAGE_SECONDS = 8

pytest_plugins = [*(["tests.engines"] if (PROJECT_ROOT / "tests" / "engines.py").exists() else []),
                  "tests.postgres"]  # postgres_server, postgres_url, new_postgres_database


# The modules that take minutes, first: pytest-xdist hands modules to its processes in collection order, so
# these then run side by side at the start and the short ones fill in at the end, rather than one long module
# running alone while the other process waits.
SLOW_MODULES = ("tests/runs/test_cluster_e2e.py", "tests/runs/test_faults.py", "tests/e2e/test_index_faults_e2e.py",
                "tests/extract/test_corpus_floors.py",
                "tests/e2e/test_engine_e2e.py", "tests/e2e/test_crawl_e2e.py", "tests/e2e/test_real_pages_crawl.py",
                "tests/runs/test_serve.py", "tests/e2e/test_platforms_crawl_e2e.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return SLOW_MODULES.index(module) if module in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=rank)  # stable: each module's tests keep their order

class TestSite:
    """The local test news site running in a subprocess."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, process: subprocess.Popen[str], base_url: str) -> None:
        self.process = process
        self.base_url = base_url

    def requests(self) -> dict[str, int]:
        """How often each path was requested (the site's own log)."""
        with urllib.request.urlopen(f"{self.base_url}/_admin/requests", timeout=10) as response:
            return json.load(response)

    def clear_requests(self) -> None:
        """Forget the requests logged so far (the shared site has served other modules' crawls before)."""
        request = urllib.request.Request(f"{self.base_url}/_admin/requests", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()

    def post(self, path: str, payload: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}", data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def start_test_site(*extra: str) -> TestSite:
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.demo.server", "--port", "0", "--test-pages",
         "--slow-seconds", str(SLOW_PAGE_SECONDS), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:"), f"test site did not start: {base_url!r}"
    return TestSite(process, base_url)


def stop_test_site(site: TestSite) -> None:
    site.process.terminate()
    try:
        site.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        site.process.kill()


@pytest.fixture(scope="session")
def test_site() -> Iterator[TestSite]:
    """The shared test site: tests that only read it."""
    site = start_test_site()
    yield site
    stop_test_site(site)


@pytest.fixture(scope="module")
def own_site() -> Iterator[TestSite]:
    """A test site of the module's own, for tests that publish articles and comments on it."""
    site = start_test_site()
    yield site
    stop_test_site(site)


def write_config(directory: Path, sources: list[dict[str, Any]], **sections: Any) -> Path:
    config = {
        "index": {"url": "sqlite:///data/monitor.db"},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8,
                  "download_timeout": TEST_DOWNLOAD_TIMEOUT, "max_page_bytes": 1_000_000},
        "sources": sources,
        **sections,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_monitor(*args: str, config: Path | None = None, check: bool = True, timeout: float = 240,
                cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `monitor` command line, the way a user would."""
    command = [sys.executable, "-m", "monitor.cli"]
    if config is not None:
        command += ["--config", str(config)]
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout,
                            cwd=cwd or PROJECT_ROOT, env=full_env, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"monitor {' '.join(args)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def monitor_json(*args: str, config: Path) -> Any:
    return json.loads(run_monitor(*args, "--json", config=config).stdout)


def threads_json(urls: list[str], *, config: Path, env: dict[str, str] | None = None) -> list[Any]:
    """`monitor thread URL --json` for many articles at once: the command's own call and JSON, in this process
    (with ``env`` set as the command would have it), so a test reading dozens of threads does not start the command
    line dozens of times."""
    from monitor import service
    from monitor.config import load_config
    from monitor.index import open_index

    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        loaded = load_config(config)
        with open_index(loaded.index.url) as index:
            return [json.loads(json.dumps(service.thread(loaded, url, index=index), default=str)) for url in urls]


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The state store a store test runs on: an SQLite file (a Path, as callers pass it), then a fresh
    PostgreSQL database (a URL)."""
    if request.param == "sqlite":
        return tmp_path / "state.db"
    return str(request.getfixturevalue("new_postgres_database")())


@pytest.fixture
def state_section(state_url: Path | str) -> dict[str, Any]:
    """monitor.yaml's sections that put the state store where ``state_url`` says (none for SQLite)."""
    return {} if isinstance(state_url, Path) else {"cluster": {"state": state_url}}
