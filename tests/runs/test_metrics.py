"""Prometheus metrics: what crawls, the spool, alert sends and the broker's queue put on /metrics, and who may read it."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.alerts.matching import PythonMatcher
from monitor.alerts.service import AlertEngine, new_documents, open_store
from monitor.config import config_from_dict, load_config
from monitor.errors import BrokerUnavailable
from monitor.index.spool import Spool
from monitor.items import ArticleItem
from monitor.runs import supervisor as supervisor_module
from monitor.runs.crawl import CrawlRun, Outcome
from monitor.runs.metrics import METRICS, Metrics, queue_depth_of, serve_metrics, spool_size
from monitor.runs.records import FINISHED, RunStore
from monitor.runs.schedules import JobContext, alerts_tick
from monitor.runs.supervisor import CrawlSupervisor
from tests.alerts.receivers import WebhookReceiver
from tests.runs.metrics_scrape import Samples, parse, scrape, value
from tests.web.webtools import TOKEN, free_port, start_server, stop_server

FAKE_CRAWL = Path(__file__).with_name("fake_crawl.py")


def write_config(tmp_path: Path, names: list[str], **sections: Any) -> Path:
    path = tmp_path / "monitor.yaml"
    config = {"data_dir": str(tmp_path / "data"), **sections,
              "sources": [{"name": name, "feeds": [f"http://127.0.0.1:9/{name}.xml"]} for name in names]}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def fake_run(source: str = "ok", **stats: int) -> CrawlRun:
    return CrawlRun(source=source, log_path=Path("/nonexistent.log"), progress_path=Path("/nonexistent.jsonl"),
                    started="2026-12-01T00:00:00+00:00", stats=dict(stats))


def spool_a_batch(config_path: Path, count: int) -> None:
    config = load_config(config_path)
    articles = [ArticleItem(id=f"a{n}", url=f"https://news.example/{n}", canonical_url=f"https://news.example/{n}",
                            source="ok", title=f"Story {n}", text="Text.") for n in range(count)]
    Spool(config.spool_dir, index="sqlite:test-index").append(articles, seen_at="2026-12-01T00:00:00+00:00")


def test_progress_updates_and_the_end_of_a_run_count_each_page_and_article_once() -> None:
    clock = [100.0]
    metrics = Metrics(clock=lambda: clock[0])
    config = config_from_dict({"sources": [{"name": "ok", "feeds": ["http://127.0.0.1:9/f.xml"]}]})
    run = fake_run(**{"downloader/response_count": 10, "monitor/index/articles/new": 3})
    metrics.observe(run, config)
    clock[0] += 10
    run.stats.update({"downloader/response_count": 40, "monitor/index/articles/new": 7,
                      "monitor/index/comments/updated": 4, "monitor/errors/extraction": 1})
    metrics.observe(run, config)
    assert metrics.running() == (1, 3.0)  # 30 pages in 10 s
    run.stats["monitor/alerts/sent"] = 2
    run.returncode, run.outcome = 0, Outcome(FINISHED, None)
    metrics.observe(run, config, ended=True)
    samples = parse(metrics.exposition().decode())
    assert value(samples, "monitor_pages_fetched_total") == 40
    assert value(samples, "monitor_articles_indexed_total", change="new") == 7
    assert value(samples, "monitor_comments_indexed_total", change="updated") == 4
    assert value(samples, "monitor_errors_total", kind="extraction") == 1
    assert value(samples, "monitor_alert_sends_total", outcome="sent") == 2
    assert value(samples, "monitor_crawl_runs_total", source="ok", status="finished") == 1
    assert samples[("monitor_crawls_running", frozenset())] == 0


def test_the_spool_gauges_count_the_batches_waiting_and_their_bytes(tmp_path: Path) -> None:
    path = write_config(tmp_path, ["ok"])
    spool_a_batch(path, 3)
    spool_a_batch(path, 1)
    metrics = Metrics()
    metrics.watch(lambda: load_config(path))
    samples = parse(metrics.exposition().decode())
    waiting = sorted(load_config(path).spool_dir.glob("*/*.json"))
    waiting = [batch for batch in waiting if batch.name != "index.json"]
    assert len(waiting) == 2
    assert samples[("monitor_spool_batches", frozenset())] == 2
    assert samples[("monitor_spool_bytes", frozenset())] == sum(batch.stat().st_size for batch in waiting)
    assert spool_size(tmp_path / "nowhere") == (0, 0)


def test_a_crawl_through_the_supervisor_shows_on_metrics_as_its_summary_reports_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor_module, "POLL_SECONDS", 0.05)
    path = write_config(tmp_path, ["ok", "spooled", "unreachable"])
    config = load_config(path)
    supervisor = CrawlSupervisor(RunStore(config.state_db), config, parallel=3, timed=False, command=lambda source: [
        sys.executable, str(FAKE_CRAWL), str(tmp_path / "journal"), source])
    server = start_server(path)
    try:
        before = scrape(f"{server.url}/metrics")
        runs = supervisor.crawl(["ok", "spooled", "unreachable"])
        spool_a_batch(path, 2)  # what a crawl leaves when the index is away (the stand-in crawl writes no files)
        after = scrape(f"{server.url}/metrics")
    finally:
        stop_server(server)
    summaries = [run.summary() for run in runs]
    assert [(s["source"], s["status"]) for s in summaries] == [
        ("ok", "finished"), ("spooled", "spooled"), ("unreachable", "failed")]

    def added(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    for summary in summaries:
        assert added("monitor_crawl_runs_total", source=summary["source"], status=summary["status"]) == 1
    assert added("monitor_pages_fetched_total") == sum(s["pages_fetched"] for s in summaries) == 7
    assert added("monitor_articles_indexed_total", change="new") == sum(s["articles_new"] for s in summaries) == 2
    assert added("monitor_comments_indexed_total", change="new") == sum(s["comments_new"] for s in summaries) == 5
    assert added("monitor_articles_spooled_total") == sum(s["spooled"] for s in summaries) == 2
    assert added("monitor_errors_total", kind="connection_refused") == 2
    assert after[("monitor_crawls_running", frozenset())] == 0
    [batch] = [b for b in config.spool_dir.glob("*/*.json") if b.name != "index.json"]
    assert after[("monitor_spool_batches", frozenset())] == 1
    assert after[("monitor_spool_bytes", frozenset())] == batch.stat().st_size


def test_alert_sends_of_the_servers_delivery_rounds_are_counted_by_outcome(tmp_path: Path) -> None:
    hook = WebhookReceiver().up()
    config = config_from_dict({"data_dir": str(tmp_path / "data"), "notifications": {"retry_after": 0},
                               "alerts": [{"name": "ferry", "query": "ferry", "notify": [f"json://{hook.base}/ferry"]}],
                               }, path=tmp_path / "monitor.yaml")
    hook.down()
    with open_store(config) as store:  # a crawl matched an article; its send failed: the outbox holds it
        engine = AlertEngine(config, store=store, matcher=PythonMatcher(store.alerts()))
        article = ArticleItem(id="a1", url="https://news.example/1", canonical_url="https://news.example/1",
                              source="harbor", title="Ferry", text="The ferry stops.")
        assert engine.process(new_documents([article], [article.id]))["retrying"] == 1
    context = JobContext(CrawlSupervisor(RunStore(config.state_db), config))

    def tick() -> list[float]:
        before = parse(METRICS.exposition().decode())
        alerts_tick(context)
        after = parse(METRICS.exposition().decode())
        return [value(after, "monitor_alert_sends_total", outcome=o) - value(before, "monitor_alert_sends_total",
                                                                              outcome=o)
                for o in ("sent", "retrying", "failed")]

    assert tick() == [0, 2, 0]  # both delivery rounds of a tick (digests, then the outbox) find it due, and fail
    hook.up()
    assert tick() == [1, 0, 0]
    assert len(hook.at("/ferry")) == 1
    hook.down()


BEARER = {"Authorization": f"Bearer {TOKEN}"}
PROXIED = {"X-Forwarded-For": "203.0.113.9"}  # through a proxy on this machine: from elsewhere, whatever the address


@pytest.mark.parametrize(("access", "answers"), [
    ("local", [({}, 200), (PROXIED, 401), ({**PROXIED, **BEARER}, 200)]),
    ("token", [({}, 401), ({"Authorization": "Bearer wrong-token"}, 401), (BEARER, 200)]),
    ("public", [(PROXIED, 200)]),
    ("off", [(BEARER, 404)]),
])
def test_web_metrics_decides_who_may_read_metrics(tmp_path: Path, access: str,
                                                  answers: list[tuple[dict[str, str], int]]) -> None:
    server = start_server(write_config(tmp_path, ["ok"], web={"metrics": access}))
    got = []
    try:
        for headers, _ in answers:
            request = urllib.request.Request(f"{server.url}/metrics", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    got.append((response.status, "monitor_crawl_runs_total" in response.read().decode()))
            except urllib.error.HTTPError as exc:
                got.append((exc.code, "Bearer" in exc.read().decode()))  # the answer says what to send
    finally:
        stop_server(server)
    assert got == [(code, code != 404) for _, code in answers]


def test_a_broker_that_does_not_answer_leaves_the_queue_depth_out_and_the_scrape_whole(tmp_path: Path) -> None:
    closed = free_port()
    server = start_server(write_config(tmp_path, ["ok"], cluster={"broker": f"redis://127.0.0.1:{closed}/0"}))
    try:
        samples = scrape(f"{server.url}/metrics")
    finally:
        stop_server(server)
    assert not [key for key in samples if key[0] == "monitor_crawl_queue_depth"]
    assert samples[("monitor_spool_batches", frozenset())] == 0
    with pytest.raises(BrokerUnavailable, match=f"the broker redis://127.0.0.1:{closed}/0 did not answer"):
        queue_depth_of(f"redis://127.0.0.1:{closed}/0", timeout=1)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """Debian's redis-server on 127.0.0.1 (scripts/test installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (scripts/test does)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_queue_depth_is_the_number_of_crawl_jobs_waiting_in_the_broker(tmp_path: Path, redis_url: str) -> None:
    from kombu import Connection

    assert queue_depth_of(redis_url) == 0  # nothing was ever queued
    with Connection(redis_url) as connection:
        queue = connection.SimpleQueue("crawls")
        for n in range(3):
            queue.put({"source": f"s{n}"})
        server = start_server(write_config(tmp_path, ["ok"], cluster={"broker": redis_url}))
        try:
            assert scrape(f"{server.url}/metrics")[("monitor_crawl_queue_depth", frozenset())] == 3
            queue.get(timeout=5).ack()
            assert scrape(f"{server.url}/metrics")[("monitor_crawl_queue_depth", frozenset())] == 2
        finally:
            stop_server(server)
            queue.close()


def test_serve_metrics_serves_the_registry_over_http(tmp_path: Path) -> None:
    metrics = Metrics()
    path = write_config(tmp_path, ["ok"])
    spool_a_batch(path, 1)
    port = free_port()
    serve_metrics(port, "127.0.0.1", config=lambda: load_config(path), metrics=metrics)
    metrics.alert_sends({"sent": 2, "failed": 1})
    samples: Samples = scrape(f"http://127.0.0.1:{port}/metrics")
    assert value(samples, "monitor_alert_sends_total", outcome="sent") == 2
    assert value(samples, "monitor_alert_sends_total", outcome="failed") == 1
    assert samples[("monitor_spool_batches", frozenset())] == 1
