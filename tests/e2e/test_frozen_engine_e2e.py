"""A search engine that freezes mid-crawl (SIGSTOP of its JVM, in the middle of a bulk write): the crawl spools
within the stated bound and finishes, and a later replay writes every document once."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo.server import demo_sources
from monitor.index.clients import REQUEST_TIMEOUT_SECONDS
from monitor.index.engine import FROZEN_WRITE_SECONDS, open_engine_index
from monitor.index.writer import RETRY_SECONDS
from monitor.runs.crawl import poll, start_crawl
from tests.conftest import TestSite, monitor_json, write_config
from tests.engines import LocalEngine
from tests.forwarder import FreezingProxy

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

SOURCE = "harbor-times"
# The crawl at its polite pace below takes about 15 s here; this leaves room for a loaded machine.
CRAWL_SECONDS = 45
# From the freeze to the end of the crawl: the rest of the crawl, plus the write frozen midway, one more
# attempt after each cool-down and one at close (each at most FROZEN_WRITE_SECONDS: a request that times
# out is not retried), plus the spider's one lookup of a known article that times out before it stops asking.
FROZEN_DEADLINE_SECONDS = (CRAWL_SECONDS + FROZEN_WRITE_SECONDS * (2 + CRAWL_SECONDS / RETRY_SECONDS)
                           + REQUEST_TIMEOUT_SECONDS)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout:.0f}s for {what}")
        time.sleep(0.2)


def article_count(url: str) -> int:
    """Articles the engine holds now (0 while the alias does not exist yet, or the engine does not answer)."""
    try:
        with urllib.request.urlopen(f"{url}/monitor-articles/_count", timeout=5) as response:
            return int(json.load(response)["count"])
    except (urllib.error.URLError, OSError):
        return 0


@pytest.fixture
def proxy(own_opensearch: LocalEngine) -> Iterator[FreezingProxy]:
    """The test's own OpenSearch behind a FreezingProxy; its JVM thawed again at the end whatever happens."""
    pid = int((own_opensearch.home / "opensearch.pid").read_text().strip())
    assert b"LocalOpenSearch" in Path(f"/proc/{pid}/cmdline").read_bytes()  # the JVM itself, not a wrapper
    frozen = FreezingProxy(own_opensearch.port, pid)
    try:
        yield frozen
    finally:
        frozen.thaw()
        frozen.close()


@pytest.mark.timeout(CRAWL_SECONDS + FROZEN_DEADLINE_SECONDS + 240)
def test_an_engine_frozen_mid_write_makes_the_crawl_spool_within_the_bound_and_a_replay_writes_each_document_once(
        test_site: TestSite, own_opensearch: LocalEngine, proxy: FreezingProxy, tmp_path: Path) -> None:
    source = next(s for s in demo_sources(test_site.base_url) if s["name"] == SOURCE)
    config_path = write_config(tmp_path, [source], index={"url": proxy.url},
                               crawl={"download_delay": 0.3, "autothrottle": False, "concurrency_per_domain": 1,
                                      "download_timeout": 5, "max_page_bytes": 1_000_000})
    # Small batches, so that the first reach the engine early and most of the crawl is still ahead.
    run = start_crawl(load_config(config_path), SOURCE,
                      extra_settings={"MONITOR_INDEX_BATCH_SIZE": "2", "MONITOR_INDEX_BATCH_SECONDS": "1"})
    try:
        wait_until(lambda: article_count(own_opensearch.url) >= 2 or poll(run), timeout=CRAWL_SECONDS,
                   what="the first articles to reach the engine")
        proxy.armed.set()
        wait_until(lambda: proxy.frozen.is_set() or poll(run), timeout=CRAWL_SECONDS, what="the next bulk write")
        assert proxy.frozen.is_set(), "the crawl ended before the engine could be frozen"
        wait_until(lambda: poll(run), timeout=FROZEN_DEADLINE_SECONDS, what="the crawl to finish, engine frozen")
    finally:
        if run.process is not None and run.process.poll() is None:
            run.process.kill()

    assert run.status == "spooled", run.log_path.read_text()[-3000:]  # ended; what the engine missed waits
    stats: dict[str, Any] = run.stats
    spooled = int(stats.get("monitor/index/spooled", 0))
    assert spooled > 0
    with urllib.request.urlopen(f"{test_site.base_url}/_admin/truth", timeout=10) as response:
        truth = [a for a in json.load(response) if a["source"] == SOURCE and a["expect"] == "indexed"]
    written = int(stats.get("monitor/index/articles/new", 0))
    assert written + spooled == len(truth)  # none lost: each article was written or spooled, once

    # Thawed, the engine also runs the bulk it took as it froze: the replay writes those documents again.
    proxy.thaw()
    wait_until(lambda: article_count(own_opensearch.url) > 0, timeout=60, what="the engine to answer again")
    replay = monitor_json("index", "spool", "--replay", config=config_path)
    assert replay["spool"]["batches"] == [] and replay["spool"]["rejected"] == []
    assert replay["replayed"]["articles"] == spooled

    index = open_engine_index(own_opensearch.url)
    try:
        index.refresh_now()
        # Each document once: ids are stable, so a document written twice is still one document.
        assert index.count() == {"article": len(truth), "comment": sum(len(a["comments"]) for a in truth)}
        for article in truth:
            assert index.get_article(article["url"]) is not None, article["url"]
    finally:
        index.close()
