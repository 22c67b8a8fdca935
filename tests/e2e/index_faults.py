"""Fault scenarios on the write path, run by the fault tests and by bench/faults_index.py: fault, recovery, outcome.

Each crawls one outlet of the test site, injects its fault mid-crawl, recovers the way a person would (the
engine restarted or thawed, space freed) and runs the next crawl; it answers what it saw, the test decides.
"""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.config import load_config
from monitor.demo.server import demo_sources
from monitor.index import SearchIndex, open_index
from monitor.index.engine import open_engine_index
from monitor.runs.crawl import CrawlRun, poll, start_crawl
from monitor.state.validators import ValidatorStore
from tests.conftest import run_monitor, write_config
from tests.e2e.site_vs_index import Comparison, compare
from tests.engines import LocalEngine
from tests.filesystems import FullDisk
from tests.forwarder import FreezingProxy

SOURCE = "harbor-times"
CRAWL_SECONDS = 240  # a generous bound for one crawl of the outlet on a loaded machine
# Slow and polite, so that most of the crawl is still ahead when the fault comes; small batches reach the
# index early.
POLITE = {"download_delay": 0.5, "autothrottle": False, "concurrency_per_domain": 1, "download_timeout": 5,
          "max_page_bytes": 1_000_000}
SMALL_BATCHES = {"MONITOR_INDEX_BATCH_SIZE": "2", "MONITOR_INDEX_BATCH_SECONDS": "1"}


@dataclass
class FaultOutcome:
    """What one scenario saw: the faulty crawl, the crawl after recovery, and the index against the site."""

    fault: str
    faulty: dict[str, Any] = field(default_factory=dict)  # the summary of the crawl the fault hit
    recovered: dict[str, Any] = field(default_factory=dict)  # the summary of the next crawl
    comparison: Comparison = field(default_factory=Comparison)
    recover_seconds: float = 0.0  # from the end of the fault (restart, thaw, space freed) to an index equal to the site
    extra: dict[str, Any] = field(default_factory=dict)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout:.0f}s for {what}")
        time.sleep(0.2)


def _config(directory: Path, base_url: str, index_url: str, **sections: Any) -> Path:
    source = next(s for s in demo_sources(base_url) if s["name"] == SOURCE)
    return write_config(directory, [source], index={"url": index_url}, crawl=POLITE, **sections)


def _crawl(config_path: Path) -> dict[str, Any]:
    """`monitor crawl --json`, the way a user runs it; the summary of its one run, with the exit code."""
    result = run_monitor("crawl", "--json", config=config_path, check=False)
    summary = json.loads(result.stdout)["runs"][0] if result.stdout.strip() else {"stderr": result.stderr[-3000:]}
    summary["exit_code"] = result.returncode
    return dict(summary)


def _engine_articles(engine_url: str) -> int:
    """Articles the engine holds now (0 while it does not answer or the alias does not exist yet)."""
    try:
        with urllib.request.urlopen(f"{engine_url}/monitor-articles/_count", timeout=5) as response:
            return int(json.load(response)["count"])
    except (urllib.error.URLError, OSError, ValueError):
        return 0


def _compare_engine(base_url: str, engine_url: str) -> Comparison:
    index = open_engine_index(engine_url)
    try:
        index.refresh_now()
        return compare(base_url, (SOURCE,), index)
    finally:
        index.close()


def _faulty_crawl(config_path: Path, inject: Callable[[CrawlRun], None]) -> CrawlRun:
    run = start_crawl(load_config(config_path), SOURCE, extra_settings=SMALL_BATCHES)
    try:
        inject(run)
        wait_until(lambda: poll(run), timeout=CRAWL_SECONDS, what="the faulty crawl to end")
    finally:
        if run.process is not None and run.process.poll() is None:
            run.process.kill()
    return run


def engine_killed(base_url: str, engine: LocalEngine, directory: Path) -> FaultOutcome:
    """SIGKILL of the engine's JVM once the first articles are in; restarted on its port; then the next crawl."""
    config_path = _config(directory, base_url, engine.url)
    pid = int((engine.home / "opensearch.pid").read_text().strip())

    def kill(run: CrawlRun) -> None:
        wait_until(lambda: _engine_articles(engine.url) >= 2 or poll(run), timeout=CRAWL_SECONDS,
                   what="the first articles to reach the engine")
        os.kill(pid, signal.SIGKILL)

    run = _faulty_crawl(config_path, kill)
    outcome = FaultOutcome("engine SIGKILLed mid-crawl, restarted", faulty=run.summary())
    started = time.monotonic()
    engine.start()  # the same port and data folder, as a service manager restarts it
    outcome.recovered = _crawl(config_path)
    outcome.comparison = _compare_engine(base_url, engine.url)
    outcome.recover_seconds = time.monotonic() - started
    return outcome


def engine_frozen(base_url: str, engine: LocalEngine, directory: Path) -> FaultOutcome:
    """SIGSTOP of the engine's JVM in the middle of a bulk write; thawed after the crawl; then the next crawl."""
    pid = int((engine.home / "opensearch.pid").read_text().strip())
    proxy = FreezingProxy(engine.port, pid)
    try:
        config_path = _config(directory, base_url, proxy.url)

        def freeze(run: CrawlRun) -> None:
            wait_until(lambda: _engine_articles(engine.url) >= 2 or poll(run), timeout=CRAWL_SECONDS,
                       what="the first articles to reach the engine")
            proxy.armed.set()
            wait_until(lambda: proxy.frozen.is_set() or poll(run), timeout=CRAWL_SECONDS, what="the next bulk write")

        run = _faulty_crawl(config_path, freeze)
        outcome = FaultOutcome("engine SIGSTOPped mid-write, thawed", faulty=run.summary(),
                               extra={"frozen": proxy.frozen.is_set()})
        started = time.monotonic()
        proxy.thaw()
        wait_until(lambda: _engine_articles(engine.url) > 0, timeout=60, what="the engine to answer again")
        outcome.recovered = _crawl(config_path)
        outcome.comparison = _compare_engine(base_url, engine.url)
        outcome.recover_seconds = time.monotonic() - started
        return outcome
    finally:
        proxy.thaw()
        proxy.close()


def disk_full(base_url: str, disk: FullDisk, directory: Path) -> FaultOutcome:
    """The index and the spool on a filesystem with no space left; space freed; then the next crawl.

    Needs a real filesystem to fill (``disk.kind == "tmpfs"``): the crawl runs in processes of its own.
    """
    config_path = _config(directory, base_url, f"sqlite:///{disk.path / 'monitor.db'}")
    config = load_config(config_path)
    (disk.path / "spool").mkdir(exist_ok=True)
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    config.spool_dir.symlink_to(disk.path / "spool", target_is_directory=True)  # the spool on the full disk too
    run_monitor("index", "init", config=config_path)  # the index exists, as after earlier crawls
    disk.fill()
    outcome = FaultOutcome("index and spool on a full filesystem, space freed")
    outcome.faulty = _crawl(config_path)
    outcome.extra = {
        "validators": len(ValidatorStore(config.state_db).for_source(SOURCE)),
        "tmp_files": sorted(str(p) for p in disk.path.rglob("*.tmp")),
        "spooled_batches": sorted(str(p) for p in (disk.path / "spool").rglob("*.json") if p.name != "index.json"),
    }
    started = time.monotonic()
    disk.free()
    outcome.recovered = _crawl(config_path)
    index: SearchIndex = open_index(config.index.url)
    with index:
        outcome.comparison = compare(base_url, (SOURCE,), index)
    outcome.recover_seconds = time.monotonic() - started
    return outcome
