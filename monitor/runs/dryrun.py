"""Testing a source: a dry run that finds its feeds, sitemaps and article URLs and extracts one article; nothing is indexed.

It parses with the spider's own discovery functions (monitor.discovery) and extraction (monitor.extract), fetches
only the source's own hosts (redirects elsewhere are refused), obeys robots.txt as the crawl does, and stops at a
number of fetches and a deadline, whichever comes first.
"""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from monitor.config import CrawlConfig, SourceConfig
from monitor.discovery import (
    MAX_INDEX_DEPTH,
    Link,
    looks_binary,
    looks_like_article,
    page_links,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
    sniff_kind,
)
from monitor.errors import MonitorError
from monitor.extract import extract_html
from monitor.extract.options import ExtractionOptions
from monitor.urls import canonicalize_url

MAX_FETCHES = 25
MAX_SECONDS = 20.0
MAX_BODY_BYTES = 5_000_000
READ_CHUNK = 65_536
SAMPLE_URLS = 10
SAMPLE_TRIES = 3  # article pages tried for the sample extraction before giving up
TEXT_PREVIEW = 600
COMMENT_PREVIEW = 3
_FEED_LINK = re.compile(r"application/(rss|atom|feed)\+xml|application/feed\+json", re.I)


class Budget(MonitorError):
    """The dry run used its fetches or its time."""


class OffSite(MonitorError):
    """A URL (or a redirect) outside the source's own hosts."""


@dataclass
class Fetched:
    url: str
    status: int
    body: bytes
    content_type: str


@dataclass
class Fetcher:
    """Fetches of one dry run: the source's hosts only, robots.txt obeyed, a fetch count and a deadline."""

    hosts: list[str]
    user_agent: str
    obey_robots: bool
    timeout: float
    max_fetches: int = MAX_FETCHES
    max_seconds: float = MAX_SECONDS
    deadline: float = field(init=False)
    fetches: int = 0
    stopped: str | None = None  # why the run stopped early, if it did
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict)
    _robots_bodies: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.max_seconds

    def in_scope(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.hosts)

    def get(self, url: str) -> Fetched:
        """One GET (its redirects count as fetches); raises OffSite, Budget, or MonitorError saying what failed."""
        if not self.in_scope(url):
            raise OffSite(f"{url} is not on the source's hosts ({', '.join(self.hosts)}): not fetched")
        if self.obey_robots and not self._allowed(url):
            raise MonitorError(f"{url} is disallowed by robots.txt: not fetched")
        return self._get(url)

    def robots(self, url: str) -> bytes:
        """The robots.txt of ``url``'s host (fetched once per host; empty when there is none)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if not self.in_scope(url):
            raise OffSite(f"{url} is not on the source's hosts ({', '.join(self.hosts)}): not fetched")
        if origin not in self._robots_bodies:
            try:
                self._robots_bodies[origin] = self._get(origin + "/robots.txt").body
            except Budget:
                raise
            except MonitorError:
                self._robots_bodies[origin] = b""
        return self._robots_bodies[origin]

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            body = self.robots(url)
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(body.decode("utf-8", "replace").splitlines())
            self._robots[origin] = parser
        return self._robots[origin].can_fetch(self.user_agent, url)

    def _get(self, url: str) -> Fetched:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.stopped = f"the dry run's {self.max_seconds:g} s were used up"
            raise Budget(self.stopped)
        if self.fetches >= self.max_fetches:
            self.stopped = f"the dry run's {self.max_fetches} fetches were used up"
            raise Budget(self.stopped)
        self.fetches += 1
        opener = urllib.request.build_opener(_ScopedRedirects(self))
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "identity"})
        try:
            with opener.open(request, timeout=max(min(left, self.timeout), 0.5)) as response:
                body = self._read(response, url)
                return Fetched(response.geturl(), response.status, body, response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            raise MonitorError(f"{url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, MonitorError):
                raise exc.reason from None
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise MonitorError(f"{url}: {reason}") from None


    def _read(self, response: Any, url: str) -> bytes:
        """The body in chunks, so a server that trickles it cannot hold the dry run past its deadline."""
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(READ_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise MonitorError(f"{url}: larger than {MAX_BODY_BYTES} bytes, not read")
            if time.monotonic() > self.deadline:
                self.stopped = f"the dry run's {self.max_seconds:g} s were used up"
                raise Budget(f"{url}: {self.stopped} while reading it")
        return b"".join(chunks)


class _ScopedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects on the source's hosts only, each one a fetch of the budget."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not self.fetcher.in_scope(newurl):
            raise OffSite(f"{req.full_url} redirects to {newurl}, outside the source's hosts: not followed")
        if self.fetcher.fetches >= self.fetcher.max_fetches:
            raise Budget(f"the dry run's {self.fetcher.max_fetches} fetches were used up")
        self.fetcher.fetches += 1
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class _Found:
    articles: dict[str, Link] = field(default_factory=dict)  # canonical URL -> link, in the order found


def dry_run(source: SourceConfig, *, crawl: CrawlConfig, max_fetches: int = MAX_FETCHES,
            max_seconds: float = MAX_SECONDS) -> dict[str, Any]:
    """What a crawl of ``source`` would find now, and one article extracted; nothing is written anywhere."""
    started = time.monotonic()
    fetcher = Fetcher(source.domains(), crawl.user_agent, crawl.obey_robots, crawl.download_timeout,
                      max_fetches=max_fetches, max_seconds=max_seconds)
    found = _Found()
    feeds = [_feed(fetcher, source, url, found) for url in source.feeds]
    sitemaps: list[dict[str, Any]] = []
    for url in source.sitemaps:
        if url.rstrip("/").endswith("robots.txt"):
            sitemaps += _robots(fetcher, source, url, found)
        else:
            sitemaps += _sitemap(fetcher, source, url, found, depth=0)
    pages = [_listing(fetcher, source, url, found) for url in source.start_urls]
    advertised = sorted({f for page in pages for f in page.pop("feeds", [])} - set(source.feeds))
    robots_named = _robots_named(fetcher, source)
    sample = _sample(fetcher, source, list(found.articles))
    return {
        "source": source.name,
        "feeds": feeds,
        "sitemaps": sitemaps,
        "start_urls": pages,
        "suggested": {"feeds": advertised, "sitemaps": sorted(set(robots_named) - set(source.sitemaps)
                                                              - {s["url"] for s in sitemaps})},
        "article_urls": len(found.articles),
        "sample_urls": list(found.articles)[:SAMPLE_URLS],
        "sample": sample,
        "fetches": fetcher.fetches,
        "seconds": round(time.monotonic() - started, 2),
        "stopped": fetcher.stopped,
        "not_tried": _not_tried(source),
    }


def _entry(url: str) -> dict[str, Any]:
    return {"url": url, "ok": False, "kind": None, "links": 0, "articles": 0, "error": None}


def _guarded(entry: dict[str, Any], work: Callable[[], None]) -> dict[str, Any]:
    try:
        work()
        entry["ok"] = entry["error"] is None
    except MonitorError as exc:
        entry["error"] = str(exc)
    return entry


def _add(found: _Found, source: SourceConfig, fetcher: Fetcher, links: list[Link], *, trusted: bool) -> int:
    """The links a crawl would fetch as articles (the spider's rules), added to ``found``; how many there were."""
    accepted = 0
    for link in links:
        if not fetcher.in_scope(link.url):
            continue
        canonical = canonicalize_url(link.url)
        if source.article_url_pattern and not re.search(source.article_url_pattern, canonical):
            continue
        if not trusted and not looks_like_article(canonical, pattern=source.article_url_pattern):
            continue
        found.articles.setdefault(canonical, link)
        accepted += 1
    return accepted


def _feed(fetcher: Fetcher, source: SourceConfig, url: str, found: _Found) -> dict[str, Any]:
    entry = _entry(url)

    def work() -> None:
        page = fetcher.get(url)
        entry["kind"] = sniff_kind(page.body, page.content_type)
        links = parse_feed(page.body, page.url, content_type=page.content_type)
        entry["links"] = len(links)
        entry["articles"] = _add(found, source, fetcher, links, trusted=True)
        if not links:
            entry["error"] = f"no entries: this is not a feed ({entry['kind']})" if entry["kind"] != "feed" else \
                "the feed has no entries"

    return _guarded(entry, work)


def _robots(fetcher: Fetcher, source: SourceConfig, url: str, found: _Found) -> list[dict[str, Any]]:
    entry = _entry(url)
    entry["kind"] = "robots"
    named: list[str] = []

    def work() -> None:
        named.extend(robots_sitemaps(fetcher.get(url).body))
        entry["links"] = len(named)
        if not named:
            entry["error"] = "robots.txt names no sitemap"

    rows = [_guarded(entry, work)]
    for child in named:
        rows += _sitemap(fetcher, source, child, found, depth=0)
    return rows


def _sitemap(fetcher: Fetcher, source: SourceConfig, url: str, found: _Found, *, depth: int) -> list[dict[str, Any]]:
    entry = _entry(url)
    children: list[str] = []

    def work() -> None:
        page = parse_sitemap(fetcher.get(url).body, url)
        entry["kind"] = "sitemap index" if page.sitemaps else "sitemap"
        entry["links"] = len(page.links) + len(page.sitemaps)
        for link in page.links:  # a news sitemap entry is an article by definition, as the spider says
            entry["articles"] += _add(found, source, fetcher, [link],
                                      trusted=link.title is not None and link.published is not None)
        if depth < MAX_INDEX_DEPTH:
            children.extend(page.sitemaps)
        if not page.links and not page.sitemaps:
            entry["error"] = "no URLs: empty, or not a sitemap"

    rows = [_guarded(entry, work)]
    for child in children:
        if fetcher.stopped:
            break
        rows += _sitemap(fetcher, source, child, found, depth=depth + 1)
    return rows


def _listing(fetcher: Fetcher, source: SourceConfig, url: str, found: _Found) -> dict[str, Any]:
    entry = _entry(url)
    entry["feeds"] = []

    def work() -> None:
        page = fetcher.get(url)
        entry["kind"] = sniff_kind(page.body, page.content_type)
        if looks_binary(page.body) or entry["kind"] != "html":
            entry["error"] = f"not an HTML page ({page.content_type or entry['kind']})"
            return
        import lxml.html

        tree = lxml.html.document_fromstring(page.body)
        links = page_links(tree, page.url)
        entry["links"] = len(links)
        entry["articles"] = _add(found, source, fetcher, links, trusted=False)
        entry["feeds"] = _advertised_feeds(tree, page.url)

    return _guarded(entry, work)


def _advertised_feeds(tree: HtmlElement, url: str) -> list[str]:
    """The feeds a page names in <link rel="alternate" type="application/rss+xml" href=…>."""
    from monitor.discovery.links import absolute_url

    found = []
    for link in tree.iter("link"):
        if "alternate" in (link.get("rel") or "").lower().split() and _FEED_LINK.search(link.get("type") or ""):
            href = absolute_url(link.get("href"), url)
            if href:
                found.append(href)
    return found


def _robots_named(fetcher: Fetcher, source: SourceConfig) -> list[str]:
    """The sitemaps the robots.txt of the source's entry hosts names (suggestions; not fetched here)."""
    named: list[str] = []
    origins = dict.fromkeys(f"{urlsplit(u).scheme}://{urlsplit(u).netloc}"
                            for u in [*source.feeds, *source.sitemaps, *source.start_urls])
    for origin in origins:
        if fetcher.stopped:
            break
        try:
            named += robots_sitemaps(fetcher.robots(origin + "/"))
        except MonitorError:
            continue
    return list(dict.fromkeys(u for u in named if fetcher.in_scope(u)))


def _sample(fetcher: Fetcher, source: SourceConfig, urls: list[str]) -> dict[str, Any] | None:
    """One article extracted as the crawl would (the source's selectors), or why none could be."""
    errors = []
    options = ExtractionOptions.of(source.extraction_options(), own_hosts=tuple(source.domains()),
                                   own_pattern=source.article_url_pattern or "")
    for url in urls[:SAMPLE_TRIES]:
        try:
            page = fetcher.get(url)
            if looks_binary(page.body):
                raise MonitorError(f"{url}: a binary body, not an HTML page")
            article = extract_html(page.body, page.url, source=source.name, options=options)
        except Budget as exc:
            errors.append(str(exc))
            break
        except MonitorError as exc:
            errors.append(str(exc))
            continue
        return {
            "url": article.url, "title": article.title, "authors": list(article.authors or []),
            "published": article.published, "language": article.language,
            "text": (article.text or "")[:TEXT_PREVIEW], "text_length": len(article.text or ""),
            "comment_count": len(article.comments),
            "comments": [{"author": c.author, "published": c.published, "text": (c.text or "")[:TEXT_PREVIEW // 2]}
                         for c in article.comments[:COMMENT_PREVIEW]],
            "errors": errors,
        }
    return {"url": None, "errors": errors or ["no article URL was found to extract"]}


def _not_tried(source: SourceConfig) -> list[str]:
    """What a crawl does that a dry run leaves out, so nobody mistakes the counts for a crawl's."""
    left = []
    if source.follow_depth and source.start_urls:
        left.append(f"links of start pages are not followed (follow_depth {source.follow_depth})")
    if source.search_urls:
        left.append("topic search pages are not fetched")
    if source.comments_api:
        left.append("the comments API is not called (its secrets stay in the crawl)")
    if source.max_comment_pages:
        left.append("comment pages after the article's own are not fetched")
    return left
