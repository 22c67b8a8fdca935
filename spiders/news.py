"""The news spider: discovers article URLs of one source (feeds, sitemaps, section pages) and fetches them."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from monitor.config import CRAWL_CONFIG, Config, SourceConfig, TopicConfig, crawl_config, load_config
from monitor.discovery import (
    MAX_INDEX_DEPTH,
    Link,
    looks_binary,
    looks_like_article,
    page_links,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
)
from monitor.errors import SearchIndexError
from monitor.extract.options import ExtractionOptions
from monitor.index import SearchIndex, SearchRequest, open_index
from monitor.items import PageItem
from monitor.middlewares import ARTICLE, DISCOVERY, NEW_ARTICLE, NotModified
from monitor.secrets import SecretMask
from monitor.timestamps import parse_timestamp
from monitor.topics import search_keywords, search_url
from monitor.urls import canonicalize_url
from spiders.comment_fetch import CommentFetching, lead_options
from spiders.errors import error_kind
from spiders.render import render_meta, render_settings
from spiders.responses import content_type, is_html, parsed, request_of

logger = logging.getLogger(__name__)

# How often a paced sitemap looks again for room in the downloader: short against one page's download.
PACE_SECONDS = 0.01


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


class SeenUrls:
    """The URLs a crawl has asked for, as 64-bit digests: about 80 bytes a URL in memory instead of about 160 (the
    URL's string and its set slot), so a 100,000-URL sitemap crawl holds some 8 MB here.

    Two URLs share a digest with a chance of about n²/2⁶⁵ (3·10⁻¹⁰ at 100,000 URLs); the one asked second would be
    skipped in this crawl and fetched by the next.
    """

    def __init__(self) -> None:
        self._digests: set[int] = set()

    @staticmethod
    def _digest(url: str) -> int:
        return int.from_bytes(hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")

    def add(self, url: str) -> bool:
        """True when ``url`` is new (and is now seen), False when it was seen before."""
        digest = self._digest(url)
        if digest in self._digests:
            return False
        self._digests.add(digest)
        return True

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._digest(url) in self._digests

    def __len__(self) -> int:
        return len(self._digests)


class NewsSpider(CommentFetching, scrapy.Spider):
    """``scrapy crawl news -a source=NAME``: one configured source per run."""

    name = "news"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # The one read of monitor.yaml in a crawl: every component takes what it needs from these settings.
        config = load_config(settings.get("MONITOR_CONFIG") or None)
        settings.set(CRAWL_CONFIG, config, priority="spider")
        settings.setdict(crawl_settings(config), priority="spider")
        settings.set("MONITOR_INDEX_URL", config.index.url, priority="spider")
        settings.set("MONITOR_SPOOL_DIR", str(config.spool_dir), priority="spider")
        settings.set("MONITOR_STATE_URL", config.state_url, priority="spider")

    def __init__(self, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError("name the source to crawl: scrapy crawl news -a source=NAME")
        self.source_name = source

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        config = crawl_config(crawler.settings)
        spider.setup(config.source(spider.source_name), index_url=config.index.url, topics=config.topics)
        if spider.source.render:
            # Before the engine builds its download handlers: a crawl without `render` never starts a browser.
            crawler.settings.setdict(render_settings(config.crawl), priority="spider")
        # On open, not in setup: Scrapy replaces the root log handler after it builds the spider.
        crawler.signals.connect(spider.mask_logs, signal=signals.spider_opened)
        return spider

    def mask_logs(self) -> None:
        if self._mask is not None:
            for handler in logging.getLogger().handlers:
                handler.addFilter(self._mask)

    def setup(self, source: SourceConfig, *, index_url: str, topics: Sequence[TopicConfig] = ()) -> None:
        self.source = source
        self.allowed_domains = source.domains()
        self.article_pattern = source.article_url_pattern
        self.refresh_window = source.refresh_comments_for
        self.index: SearchIndex | None = None
        try:
            self.index = open_index(index_url)
        except SearchIndexError as exc:
            # The index pipeline spools what it cannot write; here only the skip of known articles is lost.
            logger.warning("index unavailable, known articles are fetched again reason=%s", exc)
        self._seen = SeenUrls()  # canonical URLs asked for in this crawl
        self._known: set[str] = set()  # canonical URLs already indexed: fetched conditionally
        self._on_platform: set[str] = set()  # of those, the ones whose comments a platform serves
        self.rate_limited: set[str] = set()
        self._article_requests = 0
        self.secrets = source.secrets()
        # Built once per crawl; every PageItem carries (and pickles) this small frozen value.
        self.extraction_options = ExtractionOptions.of(source.extraction_options(), own_hosts=tuple(self.allowed_domains),
                                                       own_pattern=source.article_url_pattern or "")
        self.lead_options = lead_options(source)
        self._mask = SecretMask(self.secrets.values()) if self.secrets else None
        # Topic searches on the site: one per keyword of the configured topics.
        self.search_pages = [search_url(template, keyword) for template in source.search_urls
                             for keyword in search_keywords(topics)]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error, priority=20,
                                 meta={"conditional": DISCOVERY})
        for url in self.source.sitemaps:
            callback = self.parse_robots if url.rstrip("/").endswith("robots.txt") else self.parse_sitemap
            yield scrapy.Request(url, callback=callback, errback=self.on_error, priority=20,
                                 meta={"conditional": DISCOVERY})
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, priority=10,
                                 cb_kwargs={"depth": 0})
        # Topic searches on the site: their result pages are listings whose article links are followed.
        for url in self.search_pages:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, priority=10,
                                 cb_kwargs={"depth": self.source.follow_depth})
        # Young indexed articles are fetched again for new comments even when no listing shows them
        # any more (a feed that answers 304 lists nothing).
        for link in self.recent_articles():
            for request in self.article_request(link, trusted=True):
                yield request

    def recent_articles(self) -> list[Link]:
        """The source's indexed articles published within its refresh_comments_for window."""
        if self.index is None:
            return []
        since = (datetime.now(UTC) - self.refresh_window).isoformat(timespec="seconds")
        request = SearchRequest(types=("article",), sources=(self.source.name,), since=since, sort="date", limit=1000)
        try:
            hits = self.index.search(request).hits
        except SearchIndexError as exc:
            logger.warning("index unavailable, young articles only refreshed when listed reason=%s", exc)
            return []
        return [Link(hit["url"], published=hit.get("published")) for hit in hits if hit.get("url")]

    # --- discovery ----------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        links = parse_feed(response.body, response.url, content_type=content_type(response))
        self.crawler.stats.inc_value("monitor/discovered/feed", len(links))
        for link in links:
            yield from self.article_request(link, trusted=True)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in robots_sitemaps(response.body):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=20,
                                 meta={"conditional": DISCOVERY})

    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request] | AsyncIterator[scrapy.Request]:
        """``depth``: how many sitemap indexes led here (0: a configured sitemap or one robots.txt names).

        Child sitemaps are asked for at once; a urlset's article requests come as an async iterable, paced by
        the downloader (``paced_requests``).
        """
        page = parse_sitemap(response.body, response.url)
        if page.capped:
            self.crawler.stats.inc_value("monitor/sitemaps/inflate_capped")
        if page.sitemaps:
            # An index may stay byte-identical while its children change: never answer it with a 304.
            response.meta["conditional"] = None
            if depth >= MAX_INDEX_DEPTH:
                self.crawler.stats.inc_value("monitor/sitemaps/too_deep", len(page.sitemaps))
                logger.warning("sitemap index %d levels deep: its %d sitemaps are not followed source=%s url=%s",
                               depth + 1, len(page.sitemaps), self.source.name, response.url)
                page.sitemaps = []
        children = [scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=20,
                                   meta={"conditional": DISCOVERY}, cb_kwargs={"depth": depth + 1})
                    for url in page.sitemaps]
        self.crawler.stats.inc_value("monitor/discovered/sitemap", len(page.links))
        if not page.links:
            return iter(children)
        return self.paced_requests(children, page.links, response.url)

    async def paced_requests(self, first: list[scrapy.Request], links: list[Link],
                             url: str) -> AsyncIterator[scrapy.Request]:
        """``first``, then the article requests of ``links``, each only once the downloader has room for it.

        Handing Scrapy a 100k-URL sitemap's requests at once builds them all up front (with an index look-up
        each), holds them all in the scheduler and makes a stopping crawl build the rest before it can close.
        """
        for request in first:
            yield request
        for position, link in enumerate(links):
            while (room := self.downloader_room()) is False:
                await asyncio.sleep(PACE_SECONDS)
            if room is None:
                logger.info("crawl stopping: %d sitemap entries not asked for source=%s url=%s",
                            len(links) - position, self.source.name, url)
                return
            # A news sitemap entry is an article by definition; a plain sitemap also lists sections.
            asked = False
            for request in self.article_request(link, trusted=link.title is not None and link.published is not None):
                asked = True
                yield request
            if asked or position % 100 == 99:
                # Let the engine hand the request to the downloader before the next entry is weighed (and the
                # reactor breathe between known entries, which cost an index look-up each and yield nothing).
                await asyncio.sleep(0)

    def downloader_room(self) -> bool | None:
        """True: the engine takes another request now; False: not yet (downloads or items are backed up);
        None: never (the crawl is stopping)."""
        engine = self.crawler.engine
        assert engine is not None and engine.scraper.slot is not None  # while the spider runs
        if not engine.needs_backout():
            return True
        if engine.downloader.needs_backout() or engine.scraper.slot.needs_backout():
            return False
        return None

    def parse_listing(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if not is_html(response):
            return
        assert isinstance(response, TextResponse)
        for link in page_links(parsed(response), response.url):
            if not self.in_scope(link.url):
                continue
            if looks_like_article(canonicalize_url(link.url), pattern=self.article_pattern):
                yield from self.article_request(link)
            elif depth < self.source.follow_depth and not self.article_pattern_rejects_listing(link.url):
                canonical = canonicalize_url(link.url)
                if self._seen.add(canonical):
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
        if not self._seen.add(canonical):
            return
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
        meta: dict[str, Any] = {"conditional": self.article_kind(canonical)}
        if self.source.renders(canonical):
            meta.update(render_meta(self.source))
        yield scrapy.Request(canonical, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                             cb_kwargs={"listed_published": link.published}, meta=meta)

    def article_kind(self, canonical: str) -> str:
        """How the conditional-requests middleware treats an article request."""
        # Comments from an API change without the article page changing: such pages are always fetched.
        if canonical in self._known and not self.source.comments_api and canonical not in self._on_platform:
            return ARTICLE
        return NEW_ARTICLE

    def due(self, canonical: str) -> bool:
        """New articles are due; known ones only while younger than the source's comment-refresh window."""
        known = self.known(canonical)
        if known is None:
            return True
        self._known.add(canonical)
        if known.get("comment_platform"):
            self._on_platform.add(canonical)
        born_at = parse_timestamp(known.get("published") or known.get("first_seen"))
        if born_at is None:
            return False
        if not isinstance(born_at, datetime):  # a bare day: its start
            born_at = datetime(born_at.year, born_at.month, born_at.day)
        if born_at.tzinfo is None:
            born_at = born_at.replace(tzinfo=UTC)
        return datetime.now(UTC) - born_at < self.refresh_window

    def known(self, url: str) -> dict[str, Any] | None:
        """What the index knows of an article; None when it does not, or cannot be asked (then it is fetched)."""
        if self.index is None:
            return None
        try:
            # By URL too: a page whose rel=canonical names another URL is stored under that URL's id.
            return self.index.get_article(url)
        except SearchIndexError as exc:
            logger.warning("index unavailable, known articles are fetched again reason=%s", exc)
            self.index.close()
            self.index = None
            return None

    def closed(self, reason: str) -> None:
        if self.index is not None:
            self.index.close()
        if self._mask is not None:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._mask)

    # --- fetching ---------------------------------------------------------------------------------

    def parse_article(self, response: Response, listed_published: str | None = None) -> Iterator[PageItem]:
        """The page as it came, never parsed here: its extraction finds where its comments continue, and the
        extraction pipeline has them fetched (``fetch_comments``)."""
        if looks_binary(response.body):
            # Served as text/html or not, it would be indexed as a page of replacement characters.
            self.crawler.stats.inc_value("monitor/skipped/binary")
            logger.warning("binary body (%s, %d bytes), not an HTML page: skipped source=%s url=%s",
                           content_type(response) or "no type", len(response.body), self.source.name, response.url)
            return
        if not is_html(response):
            self.crawler.stats.inc_value("monitor/skipped/not_html")
            logger.info("not an HTML page (%s), skipped source=%s url=%s",
                        content_type(response) or "no type", self.source.name, response.url)
            return
        self.crawler.stats.inc_value("monitor/pages/article")
        assert isinstance(response, TextResponse)
        yield PageItem(
            url=response.url,
            html=response.body,
            source=self.source.name,
            encoding=response.encoding,
            headers={"Content-Type": content_type(response)},
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            options=self.extraction_options,
            leads=self.lead_options,
            requested_url=request_of(response).url,
            rendered=bool(response.meta.get("playwright")),
        )

    def on_error(self, failure: Failure) -> None:
        if failure.check(NotModified):  # counted by the middleware; nothing changed, nothing to do
            return
        kind = error_kind(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "robots_disallowed":
            self.crawler.stats.inc_value("monitor/skipped/robots")
            logger.info("disallowed by robots.txt source=%s url=%s", self.source.name, url)
            return
        self.crawler.stats.inc_value(f"monitor/errors/{kind}")
        logger.warning("fetch failed (%s) source=%s url=%s", kind, self.source.name, url)


