"""Runs monitor.extract on fetched pages in a process pool, so the crawl never waits on parsing; has an
article's further comment pages, API answers and platform thread fetched where its extraction found them."""
from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from monitor.clusters.keys import fingerprint
from monitor.errors import ExtractionError, SearchIndexError
from monitor.extract import CommentLeads, extract_fetched, extract_more_comments
from monitor.extract.options import ExtractionOptions
from monitor.index import SearchIndex, open_index
from monitor.items import ArticleItem, PageItem
from monitor.urls import canonicalize_url

logger = logging.getLogger(__name__)


Extracted = tuple[ArticleItem, CommentLeads | None]
T = TypeVar("T")
# An extraction makes some hundred thousand short-lived containers and almost no cycles: with Python's default
# (a young sweep every 700, all of the imports swept again in every full one) collection took about 2.5 % of a
# worker, a tenth of that with these.
WORKER_GC_THRESHOLDS = (10_000, 10, 10)


def start_worker() -> None:
    """An extraction process's start (the pool's initializer): the imported code kept out of the cyclic
    collector's sweeps, the young generation swept less often."""
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _extract_with_signature(page: PageItem) -> Extracted:
    article, leads = extract_fetched(page)
    # Here, not in the crawl's one main process: the text's near-duplicate signature (monitor.clusters).
    signature = fingerprint(article.text or "")
    article.cluster_signature = signature.encoded() if signature else None
    return article, leads


def _or_error(work: Callable[..., T], page: PageItem, *more: Any) -> T | str:
    """Runs ``work(page, *more)`` in a worker: errors come back as text, so one bad page never breaks the pool."""
    try:
        return work(page, *more)
    except ExtractionError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - the edge of a worker: record and go on
        logger.exception("extraction crashed url=%s", page.url)
        return f"{type(exc).__name__}: {exc}"


class ExtractPipeline:
    """``open_index``: the crawl's index, asked whether a page's canonical URL names another source's article."""

    def __init__(self, *, workers: int, stats: Any, open_index: Callable[[], SearchIndex] | None = None,
                 crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.workers = workers
        self.stats = stats
        self.pool: ProcessPoolExecutor | None = None
        self._open_index = open_index
        self._index: SearchIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        workers = crawler.settings.getint("MONITOR_EXTRACT_WORKERS") or os.cpu_count() or 1
        url = crawler.settings.get("MONITOR_INDEX_URL")
        return cls(workers=workers, stats=crawler.stats, open_index=partial(open_index, url) if url else None,
                   crawler=crawler)

    def open_spider(self) -> None:
        # forkserver: workers must not inherit the running reactor and its sockets. The server imports the
        # extraction code once and each worker forks with it (instead of every worker importing it again).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=start_worker)

    def close_spider(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=False)
        if self._index is not None:
            self._index.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        result = await self._extract(item)
        if (not isinstance(result, str) and self._id_from_canonical(result[0])
                and await asyncio.to_thread(self._claims_another_source, result[0])):
            # The page's canonical URL names an article another source holds: the fetched URL gives the id.
            self.stats.inc_value("monitor/skipped/canonical_of_other_source")
            logger.warning("canonical URL names an article of another source, not trusted as the id (%s) "
                           "source=%s url=%s", result[0].canonical_url, item.source, item.url)
            item = replace(item, options=replace(item.options or ExtractionOptions(), trust_canonical=False))
            result = await self._extract(item)
        if isinstance(result, str):
            self.stats.inc_value("monitor/errors/extraction")
            logger.warning("extraction failed: %s source=%s url=%s", result, item.source, item.url)
            raise DropItem(f"extraction failed: {result}")
        article, leads = result
        if leads:
            article = await self._with_more_comments(item, article, leads)
        self.stats.inc_value("monitor/articles/extracted")
        self.stats.inc_value("monitor/comments/extracted", len(article.comments))
        return article

    async def _with_more_comments(self, item: PageItem, article: ArticleItem, leads: CommentLeads) -> ArticleItem:
        """``article`` with the comments its ``leads`` point to; what cannot be fetched or read costs only those."""
        spider = self.crawler.spider if self.crawler is not None else None
        fetch_comments = getattr(spider, "fetch_comments", None)
        if fetch_comments is None:  # a spider that does not follow comments
            return article
        try:
            fetched: PageItem = await fetch_comments(item, leads)
        except Exception:  # noqa: BLE001 - the article stands with its own page's comments
            self.stats.inc_value("monitor/errors/comments_fetch")
            logger.warning("comment fetch broke off; the article keeps its own page's comments source=%s url=%s",
                           item.source, item.url, exc_info=True)
            return article
        if not fetched.comment_payloads:
            if article.comment_platform is not None:
                article.comment_platform_status = fetched.platform_status
            return article
        assert self.pool is not None
        again = await asyncio.wrap_future(self.pool.submit(_or_error, extract_more_comments, fetched, article))
        if isinstance(again, str):
            self.stats.inc_value("monitor/errors/extraction")
            logger.warning("reading the fetched comments failed, the article keeps its own page's: %s "
                           "source=%s url=%s", again, item.source, item.url)
            return article
        return again

    async def _extract(self, item: PageItem) -> Extracted | str:
        assert self.pool is not None
        return await asyncio.wrap_future(self.pool.submit(_or_error, _extract_with_signature, item))

    def _id_from_canonical(self, article: ArticleItem) -> bool:
        """Whether the article's id comes from a canonical URL other than the fetched one, which the index is asked
        about (on the event loop: most pages name themselves, and a thread hand-off per page costs more)."""
        return article.canonical_url != canonicalize_url(article.url) and self._open_index is not None

    def _claims_another_source(self, article: ArticleItem) -> bool:
        assert self._open_index is not None  # _id_from_canonical
        try:
            if self._index is None:
                self._index = self._open_index()
            stored = self._index.get_article(article.id)
        except SearchIndexError as exc:
            # The index's own guard still keeps another source's document from being replaced.
            logger.warning("index unavailable, canonical URL not checked against other sources reason=%s", exc)
            return False
        return stored is not None and stored.get("source") not in (None, article.source)
