"""Runs monitor.extract on fetched pages in a process pool, so the crawl never waits on parsing."""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from monitor.errors import ExtractionError, SearchIndexError
from monitor.extract import extract_page
from monitor.extract.options import ExtractionOptions
from monitor.index import SearchIndex, open_index
from monitor.items import ArticleItem, PageItem
from monitor.urls import canonicalize_url

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
    """``open_index``: the crawl's index, asked whether a page's canonical URL names another source's article."""

    def __init__(self, *, workers: int, stats: Any, open_index: Callable[[], SearchIndex] | None = None) -> None:
        self.workers = workers
        self.stats = stats
        self.pool: ProcessPoolExecutor | None = None
        self._open_index = open_index
        self._index: SearchIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        workers = crawler.settings.getint("MONITOR_EXTRACT_WORKERS") or os.cpu_count() or 1
        url = crawler.settings.get("MONITOR_INDEX_URL")
        return cls(workers=workers, stats=crawler.stats, open_index=partial(open_index, url) if url else None)

    def open_spider(self) -> None:
        # forkserver: workers must not inherit the running reactor and its sockets.
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))

    def close_spider(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=False)
        if self._index is not None:
            self._index.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        result = await self._extract(item)
        if isinstance(result, ArticleItem) and await asyncio.to_thread(self._claims_another_source, result):
            # The page's canonical URL names an article another source holds: the fetched URL gives the id.
            self.stats.inc_value("monitor/skipped/canonical_of_other_source")
            logger.warning("canonical URL names an article of another source, not trusted as the id (%s) "
                           "source=%s url=%s", result.canonical_url, item.source, item.url)
            options = replace(item.options or ExtractionOptions(), trust_canonical=False)
            result = await self._extract(replace(item, options=options))
        if isinstance(result, str):
            self.stats.inc_value("monitor/errors/extraction")
            logger.warning("extraction failed: %s source=%s url=%s", result, item.source, item.url)
            raise DropItem(f"extraction failed: {result}")
        self.stats.inc_value("monitor/articles/extracted")
        self.stats.inc_value("monitor/comments/extracted", len(result.comments))
        return result

    async def _extract(self, item: PageItem) -> ArticleItem | str:
        assert self.pool is not None
        return await asyncio.wrap_future(self.pool.submit(_extract_or_error, item))

    def _claims_another_source(self, article: ArticleItem) -> bool:
        if article.canonical_url == canonicalize_url(article.url) or self._open_index is None:
            return False
        try:
            if self._index is None:
                self._index = self._open_index()
            stored = self._index.get_article(article.id)
        except SearchIndexError as exc:
            # The index's own guard still keeps another source's document from being replaced.
            logger.warning("index unavailable, canonical URL not checked against other sources reason=%s", exc)
            return False
        return stored is not None and stored.get("source") not in (None, article.source)
