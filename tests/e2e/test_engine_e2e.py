"""Crawls into a real OpenSearch: the same documents as on SQLite, and nothing lost when the engine stops mid-crawl."""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo.server import demo_sources
from monitor.index import SearchIndex, SearchRequest, open_index
from monitor.index.engine import EngineIndex, open_engine_index
from monitor.runs.crawl import CrawlRun, poll, start_crawl
from tests.conftest import TestSite, monitor_json, run_monitor, write_config
from tests.engines import LocalEngine
from tests.forwarder import Forwarder

pytestmark = pytest.mark.e2e  # Crawls into a real OpenSearch, with the engine stopped and restarted.

OUTLETS = ("harbor-times", "northern-ledger", "valley-post")
CRAWL_TIMEOUT_SECONDS = 240
ARTICLE_FIELDS = ("type", "url", "canonical_url", "source", "title", "text", "authors", "published", "language",
                  "comment_count")
COMMENT_FIELDS = ("type", "article_id", "parent_id", "depth", "position", "author", "published", "text", "likes",
                  "url", "article_title")


def outlet_sources(site: TestSite) -> list[dict[str, Any]]:
    return [s for s in demo_sources(site.base_url) if s["name"] in OUTLETS]


def snapshot(index: SearchIndex) -> dict[str, dict[str, Any]]:
    """Every article and comment a user can read, by id, without the fields that only say when it was seen."""
    docs: dict[str, dict[str, Any]] = {}
    for article in index.search(SearchRequest(types=("article",), sort="date", limit=1000)).hits:
        docs[article["id"]] = {k: article.get(k) for k in ARTICLE_FIELDS}
        for comment in index.get_comments(article["id"]):
            docs[comment["id"]] = {k: comment.get(k) for k in COMMENT_FIELDS}
    return docs


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout}s for {what}")
        time.sleep(0.2)


def engine_article_count(url: str) -> int:
    """Articles the engine holds now (0 while the alias does not exist yet)."""
    try:
        with urllib.request.urlopen(f"{url}/monitor-articles/_count", timeout=5) as response:
            return int(json.load(response)["count"])
    except (urllib.error.URLError, OSError):
        return 0


@pytest.fixture(scope="module")
def reference(test_site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The three outlets of the test site crawled into SQLite through the real CLI: what every engine must hold."""
    directory = tmp_path_factory.mktemp("engine-e2e-sqlite")
    config = write_config(directory, outlet_sources(test_site))
    summary = monitor_json("crawl", config=config)
    assert [run["status"] for run in summary["runs"]] == ["finished"] * len(OUTLETS)
    with open_index(load_config(config).index.url) as index:
        docs = snapshot(index)
        counts = index.count()
    with urllib.request.urlopen(f"{test_site.base_url}/_admin/truth", timeout=10) as response:
        truth = [a for a in json.load(response) if a["source"] in OUTLETS and a["expect"] == "indexed"]
    assert counts == {"article": len(truth), "comment": sum(len(a["comments"]) for a in truth)}
    return {"docs": docs, "counts": counts}


def open_prefix(url: str, prefix: str) -> EngineIndex:
    index = open_engine_index(url, prefix=prefix)
    index.refresh_now()  # crawls write without refresh; make every write visible to the reads below
    return index


def test_a_crawl_into_opensearch_gives_the_same_documents_as_into_sqlite(
        test_site: TestSite, opensearch_url: str, reference: dict[str, Any], tmp_path: Path) -> None:
    prefix = f"monitor-test-{uuid.uuid4().hex[:12]}"
    env = {"MONITOR_INDEX_PREFIX": prefix}
    config = write_config(tmp_path, outlet_sources(test_site), index={"url": opensearch_url})
    summary = json.loads(run_monitor("crawl", "--json", config=config, env=env).stdout)
    assert [run["status"] for run in summary["runs"]] == ["finished"] * len(OUTLETS)
    assert sum(run["articles_new"] for run in summary["runs"]) == reference["counts"]["article"]
    index = open_prefix(opensearch_url, prefix)
    try:
        assert index.count() == reference["counts"]
        assert snapshot(index) == reference["docs"]
        # The user's view through the CLI reads the same index.
        found = json.loads(run_monitor("search", "bagpipes", "--json", config=config, env=env).stdout)
        assert found["total"] >= 1 and found["hits"][0]["id"] in reference["docs"]
    finally:
        index.drop()
        index.close()


def test_engine_stopped_mid_crawl_loses_nothing_and_replay_writes_each_document_once(
        test_site: TestSite, own_opensearch: LocalEngine, reference: dict[str, Any], tmp_path: Path) -> None:
    engine = own_opensearch
    # Slow, polite crawls (one request per second and source) so that most of each is still ahead
    # when the engine goes; small batches so that the first ones reach the engine early.
    config_path = write_config(tmp_path, outlet_sources(test_site), index={"url": engine.url},
                               crawl={"download_delay": 1.0, "autothrottle": False, "concurrency_per_domain": 1,
                                      "download_timeout": 5, "max_page_bytes": 1_000_000})
    config = load_config(config_path)
    settings = {"MONITOR_INDEX_BATCH_SIZE": "2", "MONITOR_INDEX_BATCH_SECONDS": "1"}
    runs: list[CrawlRun] = [start_crawl(config, name, extra_settings=settings) for name in OUTLETS]
    try:
        wait_until(lambda: engine_article_count(engine.url) >= 2 or all(poll(r) for r in runs),
                   timeout=CRAWL_TIMEOUT_SECONDS, what="the first articles to reach the engine")
        assert not all(poll(r) for r in runs), "the crawls ended before the engine could be stopped"
        engine.stop()
        wait_until(lambda: all(poll(r) for r in runs), timeout=CRAWL_TIMEOUT_SECONDS, what="the crawls to finish")
    finally:
        for run in runs:
            if run.process is not None and run.process.poll() is None:
                run.process.kill()

    # The engine stayed down: a run that spooled articles ends "spooled" (they wait), the others "finished".
    expected = ["spooled" if int(run.stats.get("monitor/index/spooled", 0)) else "finished" for run in runs]
    assert [run.status for run in runs] == expected, [r.log_path.read_text()[-3000:] for r in runs]
    spooled = sum(int(run.stats.get("monitor/index/spooled", 0)) for run in runs)
    assert spooled > 0
    waiting = monitor_json("index", "spool", config=config_path)["spool"]
    assert waiting["batches"] and not waiting["rejected"]
    # While the engine is down, search says so instead of answering from nothing.
    down = run_monitor("search", "harbor", config=config_path, check=False)
    assert down.returncode == 2 and "cannot reach the search engine" in down.stderr

    engine.start()
    replay = monitor_json("index", "spool", "--replay", config=config_path)
    assert replay["spool"]["batches"] == [] and replay["spool"]["rejected"] == []
    assert replay["replayed"]["articles"] == spooled

    index = open_prefix(engine.url, "monitor")
    try:
        assert index.count() == reference["counts"]
        assert snapshot(index) == reference["docs"]
    finally:
        index.close()


def test_a_crawl_while_the_engine_is_down_spools_everything_and_a_later_replay_writes_it(
        test_site: TestSite, opensearch_url: str, reference: dict[str, Any], tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port where nothing listens: the engine is down from the start
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        dead_url = f"http://127.0.0.1:{port}"
    sources = outlet_sources(test_site)
    prefix = f"monitor-test-{uuid.uuid4().hex[:12]}"
    env = {"MONITOR_INDEX_PREFIX": prefix}
    down = write_config(tmp_path, sources, index={"url": dead_url})
    crawl = run_monitor("crawl", "--json", config=down, env=env, check=False)
    assert crawl.returncode == 3, crawl.stderr  # every source only reached the spool (see `monitor crawl --help`)
    summary = json.loads(crawl.stdout)
    assert [run["status"] for run in summary["runs"]] == ["spooled"] * len(OUTLETS)
    assert sum(run["articles_new"] for run in summary["runs"]) == 0
    waiting = json.loads(run_monitor("index", "spool", "--json", config=down, env=env).stdout)["spool"]
    assert waiting["batches"] and not waiting["rejected"]

    # The same data directory (so the same spool folder) with a config naming another address: another index,
    # so its replay refuses these batches and says which config replays them.
    back = tmp_path / "back.yaml"
    back.write_text(down.read_text(encoding="utf-8").replace(dead_url, opensearch_url), encoding="utf-8")
    elsewhere = run_monitor("index", "spool", "--replay", "--json", config=back, env=env, check=False)
    assert elsewhere.returncode == 2 and dead_url in " ".join(elsewhere.stderr.split())

    # The engine back at the address the config names (the running engine, reached through that port).
    upstream = int(opensearch_url.rsplit(":", 1)[1])
    with Forwarder(port, upstream):
        replay = json.loads(run_monitor("index", "spool", "--replay", "--json", config=down, env=env).stdout)
    assert replay["spool"]["batches"] == []
    assert replay["replayed"]["articles"] == reference["counts"]["article"]
    index = open_prefix(opensearch_url, prefix)
    try:
        assert snapshot(index) == reference["docs"]
    finally:
        index.drop()
        index.close()
