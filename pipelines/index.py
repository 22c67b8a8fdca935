"""Writes extracted articles and their comments to the search index in batches, through the spool."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from monitor.errors import WriteLost
from monitor.index import open_index
from monitor.index.identity import index_identity
from monitor.index.spool import Spool
from monitor.index.writer import (
    BATCH_BYTES,
    BATCH_SECONDS,
    BATCH_SIZE,
    RETRY_SECONDS,
    WRITE_LOST_STAT,
    BatchWriter,
    FlushReport,
)
from monitor.items import ArticleItem
from monitor.signals import written_subscribers

logger = logging.getLogger(__name__)

STATS_FIELDS = ("articles_new", "articles_updated", "articles_unchanged", "comments_new", "comments_updated")


class IndexPipeline:
    """Feeds monitor.index.writer.BatchWriter; all index calls run on one worker thread, off the event loop.

    What the writer wrote reaches the crawl's on_written subscribers (monitor.signals) from the writer itself.
    """

    def __init__(self, *, writer: BatchWriter, stats: Any, stop_crawl: Callable[[str], None]) -> None:
        self.writer = writer
        self.stats = stats
        self.stop_crawl = stop_crawl  # called once, with the close reason, when a write is lost
        self.lost = False
        # One thread: backends (SQLite) may tie a connection to the thread that opened it.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index")
        self._ticker: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        # While the engine is away the clients log a traceback per failed request; the spool already says it once.
        for client_logger in ("opensearch", "elastic_transport"):
            logging.getLogger(client_logger).setLevel(logging.ERROR)
        settings = crawler.settings
        url = settings.get("MONITOR_INDEX_URL")
        spool_dir = settings.get("MONITOR_SPOOL_DIR")
        identity = index_identity(url)
        writer = BatchWriter(
            partial(open_index, url),
            spool=Spool(Path(spool_dir), index=identity) if spool_dir else None,
            index_name=f"the index {identity}",
            batch_size=settings.getint("MONITOR_INDEX_BATCH_SIZE", BATCH_SIZE),
            batch_bytes=settings.getint("MONITOR_INDEX_BATCH_BYTES", BATCH_BYTES),
            batch_seconds=settings.getfloat("MONITOR_INDEX_BATCH_SECONDS", BATCH_SECONDS),
            retry_seconds=settings.getfloat("MONITOR_INDEX_RETRY_SECONDS", RETRY_SECONDS),
            on_written=written_subscribers(crawler),
        )
        closing: list[asyncio.Future[None]] = []

        def stop_crawl(reason: str) -> None:
            # Not awaited here: closing the spider waits for the items in flight, this one among them.
            if crawler.engine is not None:
                closing.append(asyncio.ensure_future(crawler.engine.close_spider_async(reason=reason)))
        return cls(writer=writer, stats=crawler.stats, stop_crawl=stop_crawl)

    async def open_spider(self) -> None:
        self._closing = asyncio.Event()
        await self._run(self.writer.start)  # replays what an earlier crawl left in the spool
        self._ticker = asyncio.ensure_future(self._tick(self._closing))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem) and self.writer.add(item):
            await self.flush()
        return item

    async def flush(self) -> None:
        await self._run(partial(self.writer.write, self.writer.take()))

    async def _tick(self, closing: asyncio.Event) -> None:
        """Writes a batch that waited long enough with no new item, and replays the spool once the index is back."""
        interval = min(1.0, self.writer.batch_seconds / 2)
        while not closing.is_set():
            try:
                await asyncio.wait_for(closing.wait(), timeout=interval)
            except TimeoutError:
                pass
            if not closing.is_set() and (self.writer.due() or self.writer.spool_waiting()):
                try:
                    await self.flush()
                except Exception:  # noqa: BLE001 - the timer must outlive one failed write; the writer logged it
                    logger.exception("timed index flush failed")

    async def _run(self, call: Callable[[], FlushReport]) -> FlushReport | None:
        try:
            report = await asyncio.get_running_loop().run_in_executor(self.thread, call)
        except WriteLost as exc:
            self._lose(exc)
            return None
        self._count(report)
        return report

    def _lose(self, exc: WriteLost) -> None:
        """Nothing of the batch was kept: count it as an error and stop the crawl, once, saying what to fix."""
        self.stats.inc_value(WRITE_LOST_STAT, exc.articles)
        logger.error("index write lost, stopping the crawl articles=%d path=%s reason=%s", exc.articles, exc.path, exc)
        if not self.lost:
            self.lost = True
            self.stop_crawl(f"{WRITE_LOST_STAT.rsplit('/', 1)[-1]}: {exc}")

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
        try:
            if self._closing is not None and self._ticker is not None:
                # Not cancelled: a timed flush in flight is awaited, so that it is counted like any other.
                self._closing.set()
                await self._ticker
            await self.flush()  # the last batch
            await self._run(self.writer.close)
        finally:
            self.thread.shutdown(wait=True)
