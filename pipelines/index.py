"""Writes extracted articles and their comments to the search index in batches, through the spool."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Callable

from scrapy.crawler import Crawler

from monitor.index import open_index
from monitor.index.spool import Spool
from monitor.index.writer import (
    BATCH_BYTES,
    BATCH_SECONDS,
    BATCH_SIZE,
    RETRY_SECONDS,
    BatchWriter,
    FlushReport,
)
from monitor.items import ArticleItem
from monitor.signals import batch_indexed

logger = logging.getLogger(__name__)

STATS_FIELDS = ("articles_new", "articles_updated", "articles_unchanged", "comments_new", "comments_updated")


class IndexPipeline:
    """Feeds monitor.index.writer.BatchWriter; all index calls run on one worker thread, off the event loop."""

    def __init__(self, *, writer: BatchWriter, stats: Any, signals: Any = None) -> None:
        self.writer = writer
        self.stats = stats
        self.signals = signals  # batch_indexed goes out here after each write (alerts listen)
        # One thread: backends (SQLite) may tie a connection to the thread that opened it.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index")
        self._ticker: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IndexPipeline":
        # While the engine is away the clients log a traceback per retry; the spool already says it once.
        for client_logger in ("opensearch", "elastic_transport"):
            logging.getLogger(client_logger).setLevel(logging.ERROR)
        settings = crawler.settings
        spool_dir = settings.get("MONITOR_SPOOL_DIR")
        writer = BatchWriter(
            partial(open_index, settings.get("MONITOR_INDEX_URL")),
            spool=Spool(Path(spool_dir)) if spool_dir else None,
            batch_size=settings.getint("MONITOR_INDEX_BATCH_SIZE", BATCH_SIZE),
            batch_bytes=settings.getint("MONITOR_INDEX_BATCH_BYTES", BATCH_BYTES),
            batch_seconds=settings.getfloat("MONITOR_INDEX_BATCH_SECONDS", BATCH_SECONDS),
            retry_seconds=settings.getfloat("MONITOR_INDEX_RETRY_SECONDS", RETRY_SECONDS),
        )
        return cls(writer=writer, stats=crawler.stats, signals=crawler.signals)

    async def open_spider(self) -> None:
        await self._write(self.writer.start)  # replays what an earlier crawl left in the spool
        self._ticker = asyncio.ensure_future(self._tick())

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem) and self.writer.add(item):
            await self.flush()
        return item

    async def flush(self) -> None:
        await self._write(partial(self.writer.write, self.writer.take()))

    async def _write(self, call: Callable[[], FlushReport]) -> None:
        report = await self._run(call)
        # report.articles: what this flush wrote, spooled batches replayed first, so alerts see those too.
        if self.signals is not None and report.articles and report.stats.new_ids:
            self.signals.send_catch_log(batch_indexed, articles=report.articles, stats=report.stats)

    async def _tick(self) -> None:
        """Writes a batch that waited long enough with no new item, and replays the spool once the index is back."""
        while True:
            await asyncio.sleep(min(1.0, self.writer.batch_seconds / 2))
            if self.writer.due() or self.writer.spool_waiting():
                try:
                    await self.flush()
                except Exception:  # noqa: BLE001 - the timer must outlive one failed write; the writer logged it
                    logger.exception("timed index flush failed")

    async def _run(self, call: Callable[[], FlushReport]) -> FlushReport:
        report = await asyncio.get_running_loop().run_in_executor(self.thread, call)
        self._count(report)
        return report

    def _count(self, report: FlushReport) -> None:
        for key in STATS_FIELDS:
            value = getattr(report.stats, key)
            if value:
                self.stats.inc_value("monitor/index/" + key.replace("_", "/", 1), value)
        if report.spooled:
            self.stats.inc_value("monitor/index/spooled", report.spooled)
        if report.replayed:
            self.stats.inc_value("monitor/index/replayed", report.replayed)
        if report.rejected:
            self.stats.inc_value("monitor/errors/index_rejected", len(report.rejected))
            for doc_id, reason in report.rejected.items():
                logger.error("index refused document id=%s reason=%s", doc_id, reason)

    async def close_spider(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        try:
            await self.flush()  # the last batch, through flush so that batch_indexed goes out for it
            await self._run(self.writer.close)
        finally:
            self.thread.shutdown(wait=True)
