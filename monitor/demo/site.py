"""The demo site in memory: its content, its URL map, admin changes, conditional GETs and the request log."""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monitor.demo import feeds, lab
from monitor.demo.content import (
    OUTLETS,
    SECTIONS,
    DemoArticle,
    DemoComment,
    article_path,
    build_articles,
    first_number,
    image_path,
    slugify,
)
from monitor.demo.render import (
    Page,
    article_page,
    info_page,
    listing_page,
    not_found_page,
    outlet_of,
)
from monitor.demo.response import Response

UTC = UTC
SITE_EPOCH = datetime(2025, 3, 1, tzinfo=UTC)  # Last-Modified of pages that never change

# The smallest valid PNG: one transparent pixel.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
COMMENT_ANCHOR = {"wordpress": "comment-{}", "microdata": "c{}", "jsonld": "cmt-{}"}


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    status: int
    user_agent: str


class AdminError(ValueError):
    """A bad admin request; the message goes back to the client as a 400."""


class DemoSite:
    """Three made-up news outlets (and, for tests, a lab of misbehaving pages), held in memory.

    Thread-safe: the HTTP server answers from many threads while tests add articles and comments.
    """

    def __init__(
        self,
        with_test_pages: bool = False,
        *,
        slow_seconds: float = 5.0,
        large_page_bytes: int = 3 * 1024 * 1024,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.with_test_pages = with_test_pages
        self.slow_seconds = slow_seconds
        self.large_page_bytes = large_page_bytes
        self.base_url = ""  # set by serve(); pages render against the address they are served from
        self.stopping = threading.Event()  # set on shutdown so a slow page stops sleeping
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._next_comment = [1]
        self.articles: list[DemoArticle] = build_articles(self._next_comment)
        self.lab_pages: list[lab.LabPage] = lab.build_lab(self._next_comment) if with_test_pages else []
        # Listed only by lab.HOSTILE_SITEMAP: not on the lab's home page or feed, not in the truth.
        self.hostile_pages: list[lab.LabPage] = lab.build_hostile() if with_test_pages else []
        self._requests: list[RequestRecord] = []
        self._last_change = max(a.last_changed for a in self.articles)
        self._index()

    # --- content ---------------------------------------------------------------------------------

    def _index(self) -> None:
        self._by_path = {a.path: a for a in self.articles}
        self._lab_by_path = {p.article.path: p for p in (*self.lab_pages, *self.hostile_pages)}

    def outlet_articles(self, outlet: str) -> list[DemoArticle]:
        """The outlet's articles, newest first, as its home page and feeds list them."""
        with self._lock:
            if outlet == "lab":
                chosen = [p.article for p in self.lab_pages]
            else:
                chosen = [a for a in self.articles if a.outlet == outlet]
            return sorted(chosen, key=lambda a: (a.published, a.number), reverse=True)

    def canonical_victim(self) -> DemoArticle:
        """The article whose URL the lab's cross-canonical page claims as its own: Valley Post's oldest."""
        return self.outlet_articles("valley-post")[-1]

    def article(self, path_or_url: str) -> DemoArticle | None:
        path = urlsplit(path_or_url).path
        with self._lock:
            found = self._by_path.get(path)
            if found is None and path in self._lab_by_path:
                found = self._lab_by_path[path].article
            return found

    def _touch(self) -> datetime:
        # Strictly later than any Last-Modified already served, so If-Modified-Since never
        # hides a change made within the same second.
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        self._last_change = max(now, self._last_change.astimezone(UTC) + timedelta(seconds=1))
        return self._last_change

    def add_article(self, data: Mapping[str, Any]) -> DemoArticle:
        """Publish an article: it shows on its outlet's home and section pages, feed and sitemap."""
        outlet_name = str(data.get("outlet", ""))
        if outlet_name not in OUTLETS:
            raise AdminError(f"outlet must be one of {sorted(OUTLETS)}, not {outlet_name!r}")
        title = str(data.get("title", "")).strip()
        if not title:
            raise AdminError("title is required")
        body = data.get("body", data.get("paragraphs", ""))
        paragraphs = [p.strip() for p in (body if isinstance(body, list) else str(body).split("\n\n"))]
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            raise AdminError("body is required")
        authors = data.get("authors") or ([data["author"]] if data.get("author") else ["Staff reporter"])
        section = str(data.get("section", "city"))
        if section not in SECTIONS:
            raise AdminError(f"section must be one of {sorted(SECTIONS)}")
        outlet = OUTLETS[outlet_name]
        with self._lock:
            changed = self._touch()
            published = _parse_time(data["published"]) if data.get("published") else changed.astimezone(outlet.tz)
            numbers = [a.number for a in self.articles if a.outlet == outlet_name]
            number = max(numbers, default=first_number(outlet_name)) + 7
            slug = slugify(str(data.get("slug") or title))
            path = article_path(outlet_name, slug, published, section=section, number=number)
            if path in self._by_path:
                slug = f"{slug}-{number}"
                path = article_path(outlet_name, slug, published, section=section, number=number)
            article = DemoArticle(
                outlet=outlet_name, slug=slug, path=path, title=title, authors=[str(a) for a in authors],
                published=published, section=section, tags=[str(t) for t in data.get("tags", [])],
                paragraphs=paragraphs, image=image_path(outlet_name, slug, published), number=number,
                changed=changed,
            )
            self.articles.append(article)
            self._index()
            return article

    def add_comment(self, data: Mapping[str, Any]) -> tuple[DemoArticle, DemoComment]:
        """Post a reader comment (``parent``: the id of the comment it answers) under an article."""
        target = self.article(str(data.get("article", "")))
        if target is None:
            raise AdminError(f"no article at {data.get('article')!r}")
        text = str(data.get("text", "")).strip()
        if not text:
            raise AdminError("text is required")
        with self._lock:
            parent = data.get("parent")
            if parent is not None:
                parent = int(parent)
                depths = {c.id: d for c, d in target.thread()}
                if parent not in depths:
                    raise AdminError(f"comment {parent} is not on {target.path}")
            changed = self._touch()
            tz = outlet_of(target.outlet).tz
            comment = DemoComment(
                id=self._next_comment[0],
                author=str(data.get("author") or "Anonymous"),
                published=_parse_time(data["published"]) if data.get("published") else changed.astimezone(tz),
                text=text,
                parent=parent,
                likes=int(data.get("likes", 0)) if outlet_of(target.outlet).markup == "microdata" else None,
            )
            self._next_comment[0] += 1
            target.comments.append(comment)
            target.changed = changed
            return target, comment

    def comment_url(self, article: DemoArticle, comment: DemoComment) -> str:
        anchor = COMMENT_ANCHOR[outlet_of(article.outlet).markup].format(comment.id)
        return f"{self.base_url}{article.path}#{anchor}"

    # --- request log -----------------------------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        """How many times each path was requested (query strings ignored; admin calls not counted)."""
        with self._lock:
            return dict(Counter(r.path for r in self._requests))

    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # --- HTTP --------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"",
               *, base: str | None = None) -> Response:
        """Answer one request; the server only writes the result out."""
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        view = Page(base if base is not None else self.base_url, ())
        if path.startswith("/_admin/"):
            return self._admin(method, path, query, body, view)
        if method not in ("GET", "HEAD"):
            response = Response(405, b"method not allowed\n", "text/plain", {"Allow": "GET, HEAD"}, cacheable=False)
        else:
            with self._lock:
                response = self._route(path, query, view)
        response = _conditional(response, headers)
        with self._lock:
            self._requests.append(RequestRecord(method, path, parts.query, response.status,
                                                _header(headers, "User-Agent") or ""))
        return response

    def _route(self, path: str, query: dict[str, list[str]], view: Page) -> Response:
        if path == "/robots.txt":
            return _text(feeds.robots_txt(view), "text/plain; charset=utf-8", SITE_EPOCH)
        if path == "/":
            return _html(_root_page(self.with_test_pages), self._last_change)
        if path.endswith(".png") and any(path.startswith(f"/{o}/") for o in (*OUTLETS, "lab")):
            return Response(200, PNG_BYTES, "image/png", last_modified=SITE_EPOCH)
        outlet = path.split("/")[1]
        if outlet in OUTLETS or (outlet == "lab" and self.with_test_pages):
            articles = self.outlet_articles(outlet)
            found = self._outlet_route(outlet, path, query, Page(view.base, tuple(articles)))
            if found is not None:
                return found
        return Response(404, not_found_page(path).encode("utf-8"), cacheable=False)

    def _outlet_route(self, outlet: str, path: str, query: dict[str, list[str]], view: Page) -> Response | None:
        articles = list(view.articles)
        newest = max((a.last_changed for a in articles), default=SITE_EPOCH)
        prefix = f"/{outlet}/"
        rest = path[len(prefix):] if path.startswith(prefix) else None
        if rest is None:
            return _redirect(view.url(prefix)) if path == prefix.rstrip("/") else None

        if outlet == "lab":
            return self._lab_route(rest, query, view, newest)
        article = self._by_path.get(path)
        if article is None and outlet == "harbor-times" and not path.endswith("/"):
            if path + "/" in self._by_path:  # WordPress adds the trailing slash
                return _redirect(view.url(path + "/"))
        if article is not None:
            return _html(article_page(article, view), article.last_changed)

        listing = self._listing(outlet, rest, query, articles)
        if listing is not None:
            heading, chosen = listing
            return _html(listing_page(outlet, view, heading, chosen, path), newest)

        data = outlet_of(outlet)
        if outlet == "harbor-times":
            if rest == "feed/":
                return _text(feeds.rss(data, view, articles, feed_path=path), "application/rss+xml; charset=UTF-8", newest)
            if rest == "wp-sitemap.xml":
                return _text(feeds.wp_sitemap_index(view), "application/xml; charset=UTF-8", newest)
            if rest == "wp-sitemap-posts-post-1.xml":
                return _text(feeds.wp_sitemap_posts(view, articles), "application/xml; charset=UTF-8", newest)
            if rest == "wp-sitemap-taxonomies-category-1.xml":
                return _text(feeds.wp_sitemap_categories(view), "application/xml; charset=UTF-8", SITE_EPOCH)
        if outlet == "northern-ledger":
            if rest == "atom.xml":
                return _text(feeds.atom(data, view, articles), "application/atom+xml; charset=utf-8", newest)
            if rest == "sitemap-news.xml":
                return _text(feeds.news_sitemap(data, view, articles), "application/xml; charset=utf-8", newest)
        if outlet == "valley-post":
            if rest == "feed.json":
                return _text(feeds.json_feed(data, view, articles), "application/feed+json; charset=utf-8", newest)
            if rest == "sitemap.xml":
                return _text(feeds.plain_sitemap(view, articles), "application/xml; charset=utf-8", newest)
        if rest.strip("/") in INFO_PAGES:
            return _html(info_page(data.title, INFO_PAGES[rest.strip("/")]), SITE_EPOCH)
        return None

    def _listing(self, outlet: str, rest: str, query: dict[str, list[str]],
                 articles: list[DemoArticle]) -> tuple[str, list[DemoArticle]] | None:
        """Home, section, tag and search pages: (heading, articles) or None."""
        words = (query.get("s") or query.get("q") or [""])[0]
        if rest == "" and outlet == "harbor-times" and words:
            return f"Search Results for: {words}", _search(articles, words)
        if rest == "":
            return "", articles
        section_prefix = {"harbor-times": "category/", "northern-ledger": "news/", "valley-post": "topics/"}[outlet]
        match = re.fullmatch(re.escape(section_prefix) + r"([a-z]+)/?", rest)
        if match and match.group(1) in SECTIONS:
            key = match.group(1)
            return SECTIONS[key], [a for a in articles if a.section == key]
        match = re.fullmatch(r"tags?/([a-z0-9-]+)/?", rest)
        if match and outlet in ("harbor-times", "northern-ledger"):
            chosen = [a for a in articles if match.group(1) in {slugify(t) for t in a.tags}]
            return (f"Tag: {match.group(1)}", chosen) if chosen else None
        if rest == "search" and outlet == "valley-post":
            return f"Search: {words}", _search(articles, words)
        return None

    def _lab_route(self, rest: str, query: dict[str, list[str]], view: Page, newest: datetime) -> Response | None:
        if rest == "":
            return _html(listing_page("lab", view, "Crawler lab", list(view.articles), "/lab/"), newest)
        if rest == "feed.xml":
            return _text(feeds.rss(outlet_of("lab"), view, list(view.articles), feed_path="/lab/feed.xml"),
                         "application/rss+xml; charset=UTF-8", newest)
        if rest == "articles/redirect-loop-b/":
            return lab.redirect_loop_b(view)
        if rest == "api/comments":
            return lab.comments_api(self.lab_pages, query)
        if rest.startswith("sitemaps/"):
            return lab.sitemap(view, rest.removeprefix("sitemaps/"), self.hostile_pages)
        bulk = re.fullmatch(r"articles/bulk-(\d+)/", rest)
        if bulk:
            return lab.bulk_article(view, int(bulk.group(1)))
        paged = re.fullmatch(r"(articles/[a-z0-9-]+/)comment-page-(\d+)/", rest)
        page = self._lab_by_path.get(f"/lab/{paged.group(1) if paged else rest}")
        if page is None:
            return None
        if page.kind == "cross-canonical":
            return lab.cross_canonical(page, view, view.url(self.canonical_victim().path))
        return lab.respond(page, view, large_page_bytes=self.large_page_bytes, slow_seconds=self.slow_seconds,
                           comment_page=int(paged.group(2)) if paged else None)

    def _admin(self, method: str, path: str, query: dict[str, list[str]], body: bytes, view: Page) -> Response:
        """``GET /_admin/requests`` ({path: count}; ``?detail=1``: every request), ``DELETE`` it to reset;
        ``GET /_admin/truth``; ``POST /_admin/articles``, ``POST /_admin/comments`` (JSON bodies)."""
        try:
            if path == "/_admin/requests" and method == "GET":
                if query.get("detail"):
                    return _json([asdict(r) for r in self.requests()])
                return _json(self.request_counts())
            if path == "/_admin/requests" and method == "DELETE":
                self.clear_requests()
                return _json({"cleared": True})
            if path == "/_admin/truth" and method == "GET":
                from monitor.demo.catalog import truth  # catalog imports this module

                return _json(truth(self, base_url=view.base))
            if path == "/_admin/articles" and method == "POST":
                article = self.add_article(_load(body))
                return _json({"url": view.url(article.path), "path": article.path, "number": article.number}, 201)
            if path == "/_admin/comments" and method == "POST":
                article, comment = self.add_comment(_load(body))
                return _json({"id": comment.id, "article": view.url(article.path),
                              "url": self.comment_url(article, comment).replace(self.base_url, view.base, 1)}, 201)
        except (AdminError, KeyError, TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"no admin endpoint {method} {path}"}, 404)


# The footer links of every outlet: plain pages, so a crawl of the demo sees no broken links.
INFO_PAGES = {"about": "About us", "contact": "Contact", "privacy": "Privacy", "privacy-policy": "Privacy policy",
              "terms": "Terms of use", "subscribe": "Subscribe", "advertise": "Advertise with us"}


def _root_page(with_lab: bool) -> str:
    outlets = [*OUTLETS.values()] + ([outlet_of("lab")] if with_lab else [])
    items = "".join(f'<li><a href="/{o.name}/">{o.title}</a>: {o.tagline}</li>' for o in outlets)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Demo news sites</title></head>'
            f'<body><h1>Demo news sites</h1><p>Made-up outlets for the media monitor demo and tests.</p>'
            f'<ul>{items}</ul></body></html>')


def _search(articles: list[DemoArticle], words: str) -> list[DemoArticle]:
    terms = words.lower().split()
    return [a for a in articles
            if terms and all(t in (a.title + " " + " ".join(a.paragraphs)).lower() for t in terms)]


def _parse_time(value: Any) -> datetime:
    stamp = datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError as exc:
        raise AdminError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise AdminError("body must be a JSON object")
    return data


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _html(text: str, last_modified: datetime) -> Response:
    return Response(200, text.encode("utf-8"), last_modified=last_modified)


def _text(text: str, content_type: str, last_modified: datetime) -> Response:
    return Response(200, text.encode("utf-8"), content_type, last_modified=last_modified)


def _json(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                    "application/json", cacheable=False)


def _redirect(location: str) -> Response:
    return Response(301, b"", headers={"Location": location}, cacheable=False)


def _conditional(response: Response, headers: Mapping[str, str]) -> Response:
    """Add ETag and Last-Modified; answer 304 when the client's copy is current (RFC 9110 §13)."""
    if not response.cacheable or response.status != 200:
        return response
    etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
    response.headers["ETag"] = etag
    if response.last_modified is not None:
        response.headers["Last-Modified"] = format_datetime(response.last_modified.astimezone(UTC), usegmt=True)
    not_modified = False
    if_none_match = _header(headers, "If-None-Match")
    if_modified_since = _header(headers, "If-Modified-Since")
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since when both are sent.
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        not_modified = "*" in tags or etag in tags
    elif if_modified_since and response.last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            since = None
        if since is not None and since.tzinfo is not None:
            not_modified = response.last_modified.replace(microsecond=0) <= since
    if not_modified:
        kept = {k: v for k, v in response.headers.items() if k in ("ETag", "Last-Modified")}
        return Response(304, b"", response.content_type, kept, response.last_modified,
                        delay=response.delay, cacheable=False)
    return response
