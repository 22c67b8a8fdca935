"""Runs monitor.extract on fetched pages in a process pool, so the crawl never waits on parsing."""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from monitor.errors import ExtractionError
from monitor.extract import extract_page
from monitor.items import ArticleItem, PageItem

logger = logging.getLogger(__name__)


def _extract_or_error(page: PageItem) -> ArticleItem | str:
    """Runs in a worker: errors come back as text, so one bad page never breaks the pool."""
    try:
        return extract_page(page)
    except ExtractionError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - the edge of a worker: record and go on
        logger.exception("extraction crashed url=%s", page.url)
        return f"{type(exc).__name__}: {exc}"


class ExtractPipeline:
    def __init__(self, *, workers: int, stats: Any) -> None:
        self.workers = workers
        self.stats = stats
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        workers = crawler.settings.getint("MONITOR_EXTRACT_WORKERS") or os.cpu_count() or 1
        return cls(workers=workers, stats=crawler.stats)

    def open_spider(self) -> None:
        # forkserver: workers must not inherit the running reactor and its sockets.
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))

    def close_spider(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=False)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        assert self.pool is not None
        result = await asyncio.wrap_future(self.pool.submit(_extract_or_error, item))
        if isinstance(result, str):
            self.stats.inc_value("monitor/errors/extraction")
            logger.warning("extraction failed: %s source=%s url=%s", result, item.source, item.url)
            raise DropItem(f"extraction failed: {result}")
        self.stats.inc_value("monitor/articles/extracted")
        self.stats.inc_value("monitor/comments/extracted", len(result.comments))
        return result
