"""A real crawl of the test site through the supervisor, then /metrics scraped over HTTP: the numbers of its summary."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.demo.catalog import demo_sources
from monitor.runs.records import RunStore
from monitor.runs.supervisor import CrawlSupervisor
from tests.conftest import TestSite, write_config
from tests.runs.metrics_scrape import scrape, value
from tests.web.webtools import start_server, stop_server

pytestmark = pytest.mark.e2e
SOURCE = "valley-post"  # a dozen articles with comment threads


def test_a_real_crawl_shows_on_metrics_as_its_summary_reports_it(test_site: TestSite, tmp_path: Path) -> None:
    source = next(s for s in demo_sources(test_site.base_url) if s["name"] == SOURCE)
    path = write_config(tmp_path, [source])
    config = load_config(path)
    supervisor = CrawlSupervisor(RunStore(config.state_db), config, timed=False, origin="crawl")
    server = start_server(path)
    try:
        before = scrape(f"{server.url}/metrics")
        [run] = supervisor.crawl([SOURCE])
        after = scrape(f"{server.url}/metrics")
    finally:
        stop_server(server)
    summary = run.summary()
    assert summary["status"] == "finished"

    def added(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert added("monitor_crawl_runs_total", source=SOURCE, status="finished") == 1
    assert added("monitor_pages_fetched_total") == summary["pages_fetched"]
    assert added("monitor_articles_indexed_total", change="new") == summary["articles_new"] == 12
    assert added("monitor_comments_indexed_total", change="new") == summary["comments_new"]
    assert summary["comments_new"] > 0
    assert after[("monitor_crawls_running", frozenset())] == 0
    # Nothing waits in the spool, as the summary says (the spool gauges of spooled batches: tests/runs/test_metrics.py).
    assert summary["spooled"] == after[("monitor_spool_batches", frozenset())] == 0
    assert after[("monitor_spool_bytes", frozenset())] == 0
