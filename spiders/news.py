"""The news spider: discovers article URLs of one source (feeds, sitemaps, section pages) and fetches them."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError, TCPTimedOutError
from twisted.python.failure import Failure

from monitor.config import Config, SourceConfig, load_config
from monitor.discovery import Link, looks_like_article, page_links, parse_feed, parse_sitemap, robots_sitemaps
from monitor.index import open_index
from monitor.items import PageItem
from monitor.urls import article_id, canonicalize_url

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


def crawl_settings(config: Config) -> dict[str, Any]:
    """The Scrapy settings that monitor.yaml's `crawl:` section decides."""
    crawl = config.crawl
    return {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.01),
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
    }


class NewsSpider(scrapy.Spider):
    """``scrapy crawl news -a source=NAME``: one configured source per run."""

    name = "news"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = load_config(settings.get("MONITOR_CONFIG") or None)
        settings.setdict(crawl_settings(config), priority="spider")
        settings.set("MONITOR_INDEX_URL", config.index.url, priority="spider")

    def __init__(self, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError("name the source to crawl: scrapy crawl news -a source=NAME")
        self.source_name = source

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        config = load_config(crawler.settings.get("MONITOR_CONFIG") or None)
        spider.setup(config.source(spider.source_name), index_url=config.index.url)
        return spider

    def setup(self, source: SourceConfig, *, index_url: str) -> None:
        self.source = source
        self.allowed_domains = source.domains()
        self.article_pattern = source.article_url_pattern
        self.refresh_window = source.refresh_comments_for
        self.index = open_index(index_url)
        self._seen: set[str] = set()
        self._article_requests = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error, priority=20)
        for url in self.source.sitemaps:
            callback = self.parse_robots if url.rstrip("/").endswith("robots.txt") else self.parse_sitemap
            yield scrapy.Request(url, callback=callback, errback=self.on_error, priority=20)
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, priority=10,
                                 cb_kwargs={"depth": 0})

    # --- discovery ----------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        links = parse_feed(response.body, response.url, content_type=_content_type(response))
        self.crawler.stats.inc_value("monitor/discovered/feed", len(links))
        for link in links:
            yield from self.article_request(link, trusted=True)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in robots_sitemaps(response.body):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=20)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        page = parse_sitemap(response.body, response.url)
        for url in page.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=20)
        self.crawler.stats.inc_value("monitor/discovered/sitemap", len(page.links))
        for link in page.links:
            # A news sitemap entry is an article by definition; a plain sitemap also lists sections.
            yield from self.article_request(link, trusted=link.title is not None and link.published is not None)

    def parse_listing(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if not _is_html(response):
            return
        for link in page_links(response.text, response.url):
            if not self.in_scope(link.url):
                continue
            if looks_like_article(canonicalize_url(link.url), pattern=self.article_pattern):
                yield from self.article_request(link)
            elif depth < self.source.follow_depth and not self.article_pattern_rejects_listing(link.url):
                canonical = canonicalize_url(link.url)
                if canonical not in self._seen:
                    self._seen.add(canonical)
                    yield scrapy.Request(link.url, callback=self.parse_listing, errback=self.on_error,
                                         priority=10, cb_kwargs={"depth": depth + 1})

    def article_pattern_rejects_listing(self, url: str) -> bool:
        """Listing pages to follow are any in-scope page; files and feeds are not listings."""
        return bool(re.search(r"\.(xml|rss|json|pdf|jpe?g|png|gif|zip|mp[34])(\?|$)", url, re.I))

    def in_scope(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def article_request(self, link: Link, *, trusted: bool = False) -> Iterator[scrapy.Request]:
        """A request for an article page, unless it was seen in this run or is indexed and not due for refresh."""
        if not self.in_scope(link.url):
            self.crawler.stats.inc_value("monitor/skipped/offsite")
            return
        canonical = canonicalize_url(link.url)
        if self.article_pattern and not re.search(self.article_pattern, canonical):
            return
        if not trusted and not looks_like_article(canonical, pattern=self.article_pattern):
            return
        if canonical in self._seen:
            return
        self._seen.add(canonical)
        if self.source.max_articles and self._article_requests >= self.source.max_articles:
            self.crawler.stats.inc_value("monitor/skipped/max_articles")
            return
        if not self.due(canonical):
            self.crawler.stats.inc_value("monitor/skipped/known")
            return
        self._article_requests += 1
        self.crawler.stats.inc_value("monitor/requests/article")
        # dont_filter: this spider de-duplicates by canonical URL itself, and Scrapy's filter would
        # hide a redirect loop (a → b → a) instead of letting it fail as one.
        yield scrapy.Request(canonical, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                             cb_kwargs={"listed_published": link.published})

    def due(self, canonical: str) -> bool:
        """New articles are due; known ones only while younger than the source's comment-refresh window."""
        known = self.index.last_seen([article_id(canonical)]).get(article_id(canonical))
        if known is None:
            return True
        born = known.get("published") or known.get("first_seen")
        if not born:
            return False
        try:
            born_at = datetime.fromisoformat(born)
        except ValueError:
            return False
        if born_at.tzinfo is None:
            born_at = born_at.replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc) - born_at < self.refresh_window

    def closed(self, reason: str) -> None:
        self.index.close()

    # --- fetching ---------------------------------------------------------------------------------

    def parse_article(self, response: Response, listed_published: str | None = None) -> Iterator[PageItem]:
        if not _is_html(response):
            self.crawler.stats.inc_value("monitor/skipped/not_html")
            logger.info("not an HTML page (%s), skipped source=%s url=%s",
                        _content_type(response) or "no type", self.source.name, response.url)
            return
        self.crawler.stats.inc_value("monitor/pages/article")
        assert isinstance(response, TextResponse)
        yield PageItem(
            url=response.url,
            html=response.body,
            source=self.source.name,
            encoding=response.encoding,
            headers={"Content-Type": _content_type(response)},
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

    def on_error(self, failure: Failure) -> None:
        kind = error_kind(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "robots_disallowed":
            self.crawler.stats.inc_value("monitor/skipped/robots")
            logger.info("disallowed by robots.txt source=%s url=%s", self.source.name, url)
            return
        self.crawler.stats.inc_value(f"monitor/errors/{kind}")
        logger.warning("fetch failed (%s) source=%s url=%s", kind, self.source.name, url)


def error_kind(failure: Failure) -> str:
    """A short name for why a request failed, for counters and the crawl summary."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(DownloadCancelledError):
        return "too_large"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection_refused"
    if failure.check(ResponseDataLossError):
        return "truncated"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots" in message:
            return "robots_disallowed"
        if "redirect" in message:
            return "redirect_loop"
        return "ignored"
    return failure.type.__name__ if failure.type else "unknown"


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def _is_html(response: Response) -> bool:
    content_type = _content_type(response).lower()
    if content_type:
        return any(t in content_type for t in HTML_TYPES) and isinstance(response, TextResponse)
    return isinstance(response, TextResponse) and b"<html" in response.body[:2048].lower()
