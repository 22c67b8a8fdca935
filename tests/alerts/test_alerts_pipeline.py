"""The crawl's index and alerts pipelines: every document written, however late in the crawl, is counted and matched."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy.utils.test import get_crawler

import pipelines.alerts
import pipelines.index
from monitor.config import load_config
from monitor.index.base import SearchIndex, UpsertStats
from monitor.index.sqlite import SQLiteIndex
from monitor.items import ArticleItem
from pipelines.alerts import AlertsPipeline
from pipelines.index import IndexPipeline
from tests.alerts.receivers import WebhookReceiver

HELD_SECONDS = 30  # a safety net only: the test releases the write itself


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


class HeldIndex(SQLiteIndex):
    """A real SQLite index whose writes wait until ``release`` is set: a timed flush still in flight."""

    def __init__(self, path: Path, *, entered: threading.Event, release: threading.Event) -> None:
        super().__init__(path)
        self.entered = entered
        self.release = release

    def upsert(self, articles: Sequence[ArticleItem], *, seen_at: str) -> UpsertStats:
        if articles:
            self.entered.set()
            self.release.wait(HELD_SECONDS)
        return super().upsert(articles, seen_at=seen_at)


def _article(n: int) -> ArticleItem:
    return ArticleItem(id=f"p{n}", url=f"https://harbor.example/{n}", canonical_url=f"https://harbor.example/{n}",
                       source="harbor", title=f"Ferry news {n}", text="The ferry is late again.",
                       published="2026-11-20T10:00:00+01:00")


def test_a_timed_flush_in_flight_at_close_is_counted_and_its_documents_matched(
        tmp_path: Path, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), "alerts": [
        {"name": "ferry", "query": "ferry", "notify": [f"json://{hook.base}/ferry"]}]}), encoding="utf-8")
    entered, release = threading.Event(), threading.Event()

    def held_index(url: str) -> SearchIndex:
        return HeldIndex(tmp_path / "index.db", entered=entered, release=release)

    monkeypatch.setattr(pipelines.index, "open_index", held_index)
    crawler = get_crawler(settings_dict={
        "MONITOR_CONFIG_OBJECT": load_config(config), "MONITOR_INDEX_URL": f"sqlite:///{tmp_path / 'index.db'}",
        "MONITOR_SPOOL_DIR": str(tmp_path / "spool"),
        # No batch fills up: only the timer writes it.
        "MONITOR_INDEX_BATCH_SIZE": 1000, "MONITOR_INDEX_BATCH_SECONDS": 0.2,
    })
    index = IndexPipeline.from_crawler(crawler)
    alerts = AlertsPipeline.from_crawler(crawler)

    async def crawl() -> None:
        await index.open_spider()
        alerts.open_spider()
        for n in range(3):
            await index.process_item(_article(n))
        # The timer took the batch and its write is in the index, held there.
        assert await asyncio.get_running_loop().run_in_executor(None, entered.wait, HELD_SECONDS)
        closing = asyncio.ensure_future(index.close_spider())
        await asyncio.sleep(0.1)  # close_spider has begun while the timed write is still held
        release.set()
        await closing
        alerts.on_closed()  # spider_closed: after every pipeline has closed

    asyncio.run(crawl())

    stats: dict[str, Any] = crawler.stats.get_stats()
    assert stats.get("monitor/index/articles/new") == 3
    assert stats.get("monitor/alerts/matches") == 3
    assert sorted(m["title"] for m in hook.at("/ferry")) == [f"[ferry] Ferry news {n}" for n in range(3)]


def _written_batch(pipeline: AlertsPipeline, articles: list[ArticleItem]) -> None:
    """What the index's writer reports after one write of ``articles`` (all new)."""
    from monitor.index.written import Written

    pipeline.written(Written(articles=articles, stats=UpsertStats(articles_new=len(articles),
                                                                  new_ids=[a.id for a in articles])))


def _pipeline(tmp_path: Path, alerts: list[dict[str, Any]]) -> tuple[AlertsPipeline, Any]:
    config = tmp_path / "monitor.yaml"
    config.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), "alerts": alerts}), encoding="utf-8")
    crawler = get_crawler(settings_dict={"MONITOR_CONFIG_OBJECT": load_config(config)})
    pipeline = AlertsPipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline._open().result(timeout=30)  # opened on its thread, as by the time a crawl's first batch is written
    return pipeline, crawler


def test_with_no_alert_written_documents_are_neither_built_nor_matched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    real = pipelines.alerts.new_documents

    def recording(articles: Sequence[ArticleItem], new_ids: Sequence[str]) -> list[dict[str, Any]]:
        built.append(len(articles))
        return real(articles, new_ids)

    monkeypatch.setattr(pipelines.alerts, "new_documents", recording)
    pipeline, crawler = _pipeline(tmp_path, [])
    _written_batch(pipeline, [_article(n) for n in range(3)])
    pipeline.on_closed()
    assert built == []
    assert crawler.stats.get_value("monitor/alerts/matches") is None


def test_with_an_alert_a_written_document_that_matches_is_sent(tmp_path: Path, hook: WebhookReceiver) -> None:
    pipeline, crawler = _pipeline(tmp_path, [{"name": "ferry", "query": "ferry",
                                              "notify": [f"json://{hook.base}/ferry"]}])
    _written_batch(pipeline, [_article(7)])
    pipeline.on_closed()
    assert crawler.stats.get_value("monitor/alerts/matches") == 1
    assert [m["title"] for m in hook.at("/ferry")] == ["[ferry] Ferry news 7"]
