"""A worker's jobs (without a broker): run once whichever copy comes, wait for leases, redo a dead worker's job, go
back to the queue on SIGTERM."""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, config_from_dict
from monitor.index import open_index
from monitor.items import ArticleItem
from monitor.runs import supervisor as supervisor_module
from monitor.runs.jobs import DONE, QUEUED, Job, JobLedger
from monitor.runs.leased import lease_names
from monitor.runs.records import RunStore
from monitor.runs.worker import WORKER_STOPPED, WorkerRuntime
from monitor.state.leases import Leases
from tests.alerts.receivers import WebhookReceiver

FAKE_CRAWL = Path(__file__).with_name("fake_crawl.py")


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor_module, "POLL_SECONDS", 0.05)


def _config(tmp_path: Path, *names: str, **serve: Any) -> Config:
    sources = [{"name": name, "feeds": [f"http://{name}.example/feed.xml"]} for name in names]
    return config_from_dict({"sources": sources, "serve": serve, "data_dir": str(tmp_path / "data"),
                             "cluster": {"broker": "redis://127.0.0.1:9/0", "lease": "30s"}})


def _runtime(config: Config, tmp_path: Path) -> WorkerRuntime:
    journal = tmp_path / "journal"
    return WorkerRuntime(config, concurrency=2,
                         command=lambda source: [sys.executable, str(FAKE_CRAWL), str(journal), source])


def test_a_job_runs_once_whichever_copy_of_it_comes(tmp_path: Path) -> None:
    config = _config(tmp_path, "good-a")
    runtime = _runtime(config, tmp_path)
    job = Job("good-a", "2026-12-01T22:00:00+00:00")
    assert runtime.run_job(job).what == "finished"
    again = runtime.run_job(job)  # redelivered after its run
    assert (again.what, again.retry_in) == ("done already", None)
    assert [run["status"] for run in RunStore(config.state_db).runs()] == ["finished"]
    assert runtime.ledger.state(job) == DONE


def test_a_job_whose_site_another_worker_crawls_goes_back_to_the_queue_with_a_countdown(tmp_path: Path) -> None:
    config = _config(tmp_path, "good-a")
    runtime = _runtime(config, tmp_path)
    Leases(config.state_url).acquire(["domain:good-a.example"], holder="elsewhere:1", ttl=30)
    outcome = runtime.run_job(Job("good-a", "2026-12-01T22:00:00+00:00"))
    assert outcome.retry_in is not None and outcome.retry_in > 0
    assert RunStore(config.state_db).runs() == []


def test_a_dead_workers_job_is_redone_and_its_run_marked_interrupted(tmp_path: Path) -> None:
    config = _config(tmp_path, "good-a")
    runtime = _runtime(config, tmp_path)
    job = Job("good-a", "2026-12-01T22:00:00+00:00")
    ledger = JobLedger(config.state_url)
    dead = ledger.begin(job, worker="gone:1", ttl=0)  # its lease lapsed with it
    run_id = RunStore(config.state_db).start("good-a", pid=None, log_path="x.log")
    ledger.attach(dead, run_id)
    assert runtime.run_job(job).what == "finished"
    runs = {run["id"]: run for run in RunStore(config.state_db).runs()}
    assert runs[run_id]["status"] == "interrupted"
    assert "gone:1" in runs[run_id]["reason"]
    assert [r["status"] for i, r in runs.items() if i != run_id] == ["finished"]


def test_sigterm_puts_a_running_job_back_on_the_queue(tmp_path: Path) -> None:
    config = _config(tmp_path, "drain-a", grace_period="0s")
    runtime = _runtime(config, tmp_path)
    job = Job("drain-a", "2026-12-01T22:00:00+00:00")
    outcomes: list[Any] = []
    thread = threading.Thread(target=lambda: outcomes.append(runtime.run_job(job)))
    thread.start()
    deadline = time.monotonic() + 30
    while not RunStore(config.state_db).running() and time.monotonic() < deadline:
        time.sleep(0.05)
    runtime.stop()
    thread.join(60)
    assert [(o.what, o.retry_in) for o in outcomes] == [(WORKER_STOPPED, 0)]
    assert runtime.ledger.state(job) == QUEUED
    assert Leases(config.state_url).holders(lease_names(config.source("drain-a"))) == []
    assert [run["status"] for run in RunStore(config.state_db).runs()] == ["interrupted"]


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


def _alerting_config(tmp_path: Path, source: str, hook: WebhookReceiver) -> Config:
    return config_from_dict({
        "sources": [{"name": source, "feeds": [f"http://{source}.example/feed.xml"]}],
        "data_dir": str(tmp_path / "data"), "cluster": {"broker": "redis://127.0.0.1:9/0", "lease": "30s"},
        "alerts": [{"name": "ferry", "query": "ferry", "types": ["article"], "notify": [f"json://{hook.base}/ferry"]}],
    }, path=tmp_path / "monitor.yaml")


def _indexed_article(config: Config, source: str) -> ArticleItem:
    """An article matching the alert, written to the index as the crawl would have, and never matched."""
    url = f"http://{source}.example/1"
    article = ArticleItem(id="a1", url=url, canonical_url=url, source=source, title="Ferry",
                          text="the ferry sails at noon")
    with open_index(config.index.url) as index:
        index.upsert([article], seen_at=datetime.now(UTC).isoformat(timespec="seconds"))
    return article


def _alerted_urls(hook: WebhookReceiver, url: str) -> list[bool]:
    deadline = time.monotonic() + 10
    while not hook.at("/ferry") and time.monotonic() < deadline:
        time.sleep(0.05)
    return [url in str(m["message"]) for m in hook.at("/ferry")]


def test_an_article_a_stopped_attempt_indexed_unmatched_gets_its_alert_when_the_job_is_redone(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    config = _alerting_config(tmp_path, "good-a", hook)
    runtime = _runtime(config, tmp_path)
    job = Job("good-a", "2026-12-01T22:00:00+00:00")
    ledger = JobLedger(config.state_url)
    # The first attempt's crawl indexed an article, then lost its lease and was stopped before it matched it.
    stopped = ledger.begin(job, worker="w1:1", ttl=30)
    ledger.attach(stopped, RunStore(config.state_db).start("good-a", pid=None, log_path="x.log"))
    article = _indexed_article(config, "good-a")
    ledger.end(job, stopped, outcome="the lease was lost", done=False)

    assert runtime.run_job(job).what == "finished"
    assert _alerted_urls(hook, article.url) == [True]


def test_an_article_whose_alert_matching_the_engine_failed_gets_its_alert_when_the_crawl_ends(
        tmp_path: Path, hook: WebhookReceiver) -> None:
    config = _alerting_config(tmp_path, "alerterr-a", hook)
    runtime = _runtime(config, tmp_path)
    # What the crawl wrote; its alert matching failed (the fake crawl counts monitor/errors/alerts).
    article = _indexed_article(config, "alerterr-a")

    assert runtime.run_job(Job("alerterr-a", "2026-12-01T22:00:00+00:00")).what == "finished"
    assert _alerted_urls(hook, article.url) == [True]
