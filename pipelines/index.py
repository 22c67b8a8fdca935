"""Writes extracted articles and their comments to the search index in batches."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

from scrapy.crawler import Crawler

from monitor.index import SearchIndex, UpsertStats, open_index
from monitor.items import ArticleItem

logger = logging.getLogger(__name__)


class IndexPipeline:
    """Batches upserts; all index calls run on one worker thread, off the event loop."""

    def __init__(self, *, index_url: str, batch_size: int, stats: Any) -> None:
        self.index_url = index_url
        self.batch_size = batch_size
        self.stats = stats
        self.batch: list[ArticleItem] = []
        # One thread: backends (SQLite) may tie a connection to the thread that opened it.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index")
        self.index: SearchIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IndexPipeline":
        return cls(
            index_url=crawler.settings.get("MONITOR_INDEX_URL"),
            batch_size=crawler.settings.getint("MONITOR_INDEX_BATCH_SIZE", 50),
            stats=crawler.stats,
        )

    def open_spider(self) -> None:
        self.index = self.thread.submit(open_index, self.index_url).result()

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.batch.append(item)
            if len(self.batch) >= self.batch_size:
                await self.flush()
        return item

    async def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.thread, self._upsert, batch)
        self._count(result)

    def _upsert(self, batch: list[ArticleItem]) -> UpsertStats:
        assert self.index is not None
        return self.index.upsert(batch, seen_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def _count(self, result: UpsertStats) -> None:
        for key in ("articles_new", "articles_updated", "articles_unchanged", "comments_new", "comments_updated"):
            value = getattr(result, key)
            if value:
                self.stats.inc_value("monitor/index/" + key.replace("_", "/", 1), value)

    async def close_spider(self) -> None:
        await self.flush()
        if self.index is not None:
            self.thread.submit(self.index.close).result()
        self.thread.shutdown(wait=True)
