"""The crawl's download path: conditional requests (stored ETag/Last-Modified sent, a 304 turned into NotModified),
Scrapy's meta refresh asked only of pages whose first bytes could hold one, and a downloader that holds the
per-domain concurrency."""
from __future__ import annotations

import logging
from time import monotonic
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import _schedule_coro

from monitor.extract.markers import ascii_spelled
from monitor.index.writer import WRITE_LOST_STAT
from monitor.state.validators import Validators, ValidatorStore

logger = logging.getLogger(__name__)

# request.meta["conditional"]: what the spider says a request is.
DISCOVERY = "discovery"  # a feed or sitemap: a 304 means it lists nothing new
ARTICLE = "article"  # an indexed article fetched again for new comments
NEW_ARTICLE = "new-article"  # not indexed yet: always fetched whole, its validators kept for next time
# A comment platform's answer that held a whole thread: a 304 means the stored thread stands.
PLATFORM = "platform"
# One that turned out to be the first page of several (or unreadable): a 304 would hide the rest, so its
# validators go.
PLATFORM_PAGED = "platform-paged"
SENDS_VALIDATORS = (DISCOVERY, ARTICLE, PLATFORM)
KEPT = (ARTICLE, NEW_ARTICLE, PLATFORM)
CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class NotModified(IgnoreRequest):
    """The server says our copy is current (304): nothing to parse."""


# What a fetched URL's validators take in memory until the close: (url, ETag, Last-Modified), about 0.3 KB.
Pending = tuple[str, str | None, str | None]


class ConditionalRequestsMiddleware:
    """Validators are loaded once per crawl and written back once, when the spider closes.

    Until then an article keeps only its URL and validators (``articles``, about 0.3 KB each: the one per-URL
    cost of a crawl here), never its request. The other kinds keep their ``request.meta`` too, as the spider may
    change its mind about them while parsing (a sitemap index, a platform thread that turns out to page): a few
    per crawl, or one per article read from a platform.
    """

    def __init__(self, store: ValidatorStore, *, stats: Any) -> None:
        self.store = store
        self.stats = stats
        self.source = ""
        self.known: dict[str, Validators] = {}
        self.articles: list[Pending] = []
        self.pending: list[tuple[dict[str, Any], Pending]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        url = crawler.settings.get("MONITOR_STATE_URL")
        if not crawler.settings.getbool("MONITOR_CONDITIONAL_REQUESTS", True) or not url:
            raise NotConfigured
        middleware = cls(ValidatorStore(url), stats=crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        self.source = str(getattr(spider, "source_name", "") or spider.name)
        self.known = self.store.for_source(self.source)

    def process_request(self, request: Request) -> None:
        for name in CONDITIONAL_HEADERS:  # a redirect copies the headers meant for the first URL
            request.headers.pop(name, None)
        if request.meta.get("conditional") in SENDS_VALIDATORS and request.url in self.known:
            for header, value in self.known[request.url].headers().items():
                request.headers[header] = value

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get("conditional")
        if response.status == 304 and any(name in request.headers for name in CONDITIONAL_HEADERS):
            self.stats.inc_value("monitor/pages/not_modified")
            self.stats.inc_value(f"monitor/pages/not_modified/{kind}")
            logger.debug("not modified source=%s url=%s", self.source, request.url)
            raise NotModified(f"not modified: {request.url}")
        if response.status == 200 and kind:
            # Not the request: a whole Request (headers, callbacks, cb_kwargs) per URL was 2 KB for every page of a
            # crawl, the main process's growth per 1,000 pages (issue 17).
            entry = (request.url, _header(response, b"ETag"), _header(response, b"Last-Modified"))
            if kind in (ARTICLE, NEW_ARTICLE):  # the spider never changes an article's kind
                self.articles.append(entry)
            else:
                self.pending.append((request.meta, entry))
        return response

    def spider_closed(self, reason: str) -> None:
        """Keep what this crawl learnt; a feed's validators only after a clean crawl.

        A feed that answers 304 next time is not read again, so anything it listed that this crawl
        failed to fetch (an error, a max_articles cut, a crawl stopped early) would be missed.
        """
        stats = self.stats.get_stats()
        if stats.get(WRITE_LOST_STAT):
            # Pages were fetched whose articles were not kept: a 304 next time would hide them for good.
            logger.error("a write was lost: no validators stored source=%s", self.source)
            self.stats.set_value("monitor/validators/stored", 0)
            self.articles, self.pending = [], []
            return
        clean = reason == "finished" and not any(
            k.startswith("monitor/errors/") or k == "monitor/skipped/max_articles" for k in stats
        )
        # The spider may change its mind while parsing (a sitemap index is always fetched whole).
        chosen = [Validators(*entry) for entry in self.articles]
        chosen += [Validators(*entry) for meta, entry in self.pending
                   if meta.get("conditional") in KEPT or (clean and meta.get("conditional") == DISCOVERY)]
        chosen += [Validators(entry[0]) for meta, entry in self.pending  # no ETag, no Last-Modified: removed
                   if meta.get("conditional") == PLATFORM_PAGED]
        stored = self.store.put_many(chosen, source=self.source)
        self.stats.set_value("monitor/validators/stored", stored)
        self.articles, self.pending = [], []


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


# Scrapy looks for a refresh in a page's first 4,096 characters: at most 4 bytes each in an ASCII-compatible
# encoding, so the word is within these bytes, spelled in ASCII, or the page has none.
REFRESH_BYTES = 4 * 4096


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding every page whole to look (its check reads
    ``response.text``): a page whose first bytes lack the word "refresh" goes on untouched."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and _no_refresh(response.body):
            return response
        return super().process_response(request, response)


def _no_refresh(body: bytes) -> bool:
    return ascii_spelled(body) and b"refresh" not in body[:REFRESH_BYTES].lower()


# The version whose queue pass this mends (checked against its source): others run Scrapy's own.
MENDED_SCRAPY = "2.19.0"


class PoliteDownloader(Downloader):
    """Scrapy 2.19 counts a request as transferring only once its download task first runs, so without a
    download delay one pass over a slot's queue hands out every queued request: up to CONCURRENT_REQUESTS at once
    to one site, whatever CONCURRENT_REQUESTS_PER_DOMAIN says, and a fresh connection for most of them (the pool
    keeps only the per-domain number). Here a request counts as transferring from the moment it is handed out."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._mended = scrapy.__version__ == MENDED_SCRAPY
        if not self._mended:
            logger.warning("Scrapy %s, not %s: its own downloader queue runs unmended, and without a download delay "
                           "it may exceed concurrency_per_domain", scrapy.__version__, MENDED_SCRAPY)

    def _process_queue(self, slot: Slot) -> None:
        if not self._mended or slot.latercall or slot.download_delay():
            # With a delay Scrapy hands out one request per pass, and the limit holds.
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # _download adds it again (a set) and takes it out when done
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
