"""Hands each indexed batch's new and changed documents to monitor.alerts, on a worker thread off the event loop."""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Sequence

from scrapy import signals
from scrapy.crawler import Crawler

from monitor.alerts.service import AlertEngine, new_documents
from monitor.alerts.store import utcnow
from monitor.config import Config, load_config
from monitor.index.base import UpsertStats
from monitor.items import ArticleItem
from monitor.signals import batch_indexed

logger = logging.getLogger(__name__)


class AlertsPipeline:
    """Listens for batch_indexed from the index pipeline; items themselves pass through untouched."""

    def __init__(self, *, config: Config, stats: Any) -> None:
        self.config = config
        self.stats = stats
        # One thread: matching and sends keep batch order, and the state DB connection stays on it.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerts")
        self.engine: Future[AlertEngine] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AlertsPipeline":
        pipeline = cls(config=load_config(crawler.settings.get("MONITOR_CONFIG") or None), stats=crawler.stats)
        crawler.signals.connect(pipeline.on_batch, signal=batch_indexed)
        # After every pipeline has closed (they close in parallel), so the index's last batch is in.
        crawler.signals.connect(pipeline.on_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.engine = self.thread.submit(AlertEngine.open, self.config)

    def process_item(self, item: Any) -> Any:
        return item

    def on_batch(self, articles: Sequence[ArticleItem], stats: UpsertStats) -> None:
        docs = new_documents(articles, stats.new_ids)
        if docs:
            self.thread.submit(self._process, docs, utcnow())

    def _process(self, docs: list[dict[str, Any]], indexed_at: datetime) -> None:
        assert self.engine is not None
        try:
            counts = self.engine.result().process(docs, indexed_at=indexed_at)
        except Exception:  # noqa: BLE001 - the edge: one failed batch must not stop the crawl; say what is lost
            self.stats.inc_value("monitor/errors/alerts", 1)
            logger.exception("alert matching failed; these documents were not checked against alerts docs=%d "
                             "ids=%s", len(docs), ",".join(d["id"] for d in docs[:20]))
            return
        for key, value in counts.items():
            if value:
                self.stats.inc_value(f"monitor/alerts/{key}", value)

    def on_closed(self) -> None:
        if self.engine is not None:
            self.thread.submit(self._close)
        self.thread.shutdown(wait=True)

    def _close(self) -> None:
        assert self.engine is not None
        try:
            self.engine.result().close()
        except Exception:  # noqa: BLE001 - opening failed; _process logged each batch it cost
            logger.exception("alert engine failed to open or close")
