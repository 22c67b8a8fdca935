"""Matches what the crawl wrote against the alerts (an on_written subscriber), on a worker thread off the event loop."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from monitor.alerts.service import AlertEngine, new_documents
from monitor.alerts.store import utcnow
from monitor.config import Config, crawl_config
from monitor.index.written import Written
from monitor.signals import written_subscribers

logger = logging.getLogger(__name__)


class AlertsPipeline:
    """Subscribes to the crawl's on_written hook; items themselves pass through untouched."""

    def __init__(self, *, config: Config, stats: Any) -> None:
        self.config = config
        self.stats = stats
        # One thread: matching and sends keep batch order, and the state DB connection stays on it.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerts")
        self._engine: Future[AlertEngine] | None = None
        self._lock = threading.Lock()  # written() comes from the index thread, open_spider from the event loop

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AlertsPipeline:
        pipeline = cls(config=crawl_config(crawler.settings), stats=crawler.stats)
        written_subscribers(crawler).subscribe(pipeline.written)
        # After every pipeline has closed (they close in parallel), so the index's last batch is in.
        crawler.signals.connect(pipeline.on_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self._open()

    def _open(self) -> Future[AlertEngine]:
        # Opened on the alerts thread before any batch it will match, whichever comes first: this or a
        # batch the index replayed from the spool as the crawl opened.
        with self._lock:
            if self._engine is None:
                self._engine = self.thread.submit(AlertEngine.open, self.config)
            return self._engine

    def process_item(self, item: Any) -> Any:
        return item

    def written(self, written: Written) -> None:
        if not written.stats.new_ids:
            return
        engine = self._open()
        if engine.done() and engine.exception() is None and not engine.result().watching:
            # No alert in this crawl: no document is built or matched; the outbox is still sent at the close.
            return
        docs = new_documents(written.articles, written.stats.new_ids)
        if docs:
            self.thread.submit(self._process, engine, docs, utcnow())

    def _process(self, engine: Future[AlertEngine], docs: list[dict[str, Any]], indexed_at: datetime) -> None:
        try:
            counts = engine.result().process(docs, indexed_at=indexed_at)
        except Exception:  # noqa: BLE001 - the edge: one failed batch must not stop the crawl; say what is lost
            self.stats.inc_value("monitor/errors/alerts", 1)
            logger.exception("alert matching failed; these documents were not checked against alerts docs=%d "
                             "ids=%s", len(docs), ",".join(d["id"] for d in docs[:20]))
            return
        for key, value in counts.items():
            if value:
                self.stats.inc_value(f"monitor/alerts/{key}", value)

    def on_closed(self) -> None:
        with self._lock:
            engine = self._engine
        if engine is not None:
            self.thread.submit(self._close, engine)
        self.thread.shutdown(wait=True)

    def _close(self, engine: Future[AlertEngine]) -> None:
        try:
            opened = engine.result()
            if not opened.watching:  # batches skipped the sends: what waits in the outbox goes now
                counts = opened.deliver()
                for key, value in counts.items():
                    if value:
                        self.stats.inc_value(f"monitor/alerts/{key}", value)
            opened.close()
        except Exception:  # noqa: BLE001 - opening failed; _process logged each batch it cost
            logger.exception("alert engine failed to open or close")
