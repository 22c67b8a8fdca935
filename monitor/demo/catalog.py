"""What a client should make of the demo site: source configs for the monitor, and the ground truth."""
from __future__ import annotations

import re
from typing import Any

from monitor.demo import lab
from monitor.demo.content import DemoArticle
from monitor.demo.feeds import ROBOTS_DISALLOW, SITEMAPS
from monitor.demo.render import FEED_LINKS, outlet_of
from monitor.demo.site import COMMENT_ANCHOR, DemoSite

# Article URL shapes per outlet, as paths; matched against canonical URLs (no query, no fragment).
ARTICLE_PATHS = {
    "harbor-times": r"/harbor-times/(?:private/)?\d{4}/\d{2}/\d{2}/[a-z0-9-]+/",
    "northern-ledger": r"/northern-ledger/news/[a-z]+/[a-z0-9-]+-\d+\.html",
    "valley-post": r"/valley-post/a/\d+/[a-z0-9-]+",
    "lab": r"/lab/articles/[a-z0-9-]+/",
}


def demo_sources(base_url: str, *, with_test_pages: bool = False) -> list[dict[str, Any]]:
    """Source config dicts (the monitor.yaml schema) for the demo outlets served at ``base_url``.

    The lab's comments API needs its key in the environment: ``lab.COMMENTS_API_KEY_ENV=lab.COMMENTS_API_KEY``.
    """
    base = base_url.rstrip("/")
    names = [*SITEMAPS] + (["lab"] if with_test_pages else [])
    sources = [
        {
            "name": name,
            "feeds": [base + FEED_LINKS[name][1]],
            "sitemaps": [base + SITEMAPS[name]] if name in SITEMAPS else [],
            "start_urls": [f"{base}/{name}/"],
            "follow_depth": 1,
            "allowed_domains": ["127.0.0.1"],
            "article_url_pattern": "^" + re.escape(base) + ARTICLE_PATHS[name] + "$",
        }
        for name in names
    ]
    for source in sources:
        if source["name"] == "lab":
            source.update(_lab_extraction(base))
    return sources


def _lab_extraction(base: str) -> dict[str, Any]:
    """The lab's comments API and its custom CMS page's selectors, as a user would configure them."""
    return {
        "comments_api": {
            "url": base + "/lab/api/comments?thread={thread_id}&cursor={cursor}"
                   "&api_key={env:" + lab.COMMENTS_API_KEY_ENV + "}",
            "values": {"thread_id": {"regex": r'data-thread-id="(\d+)"'}},
            "items": "response.comments",
            "fields": {"id": "id", "parent": "parent", "author": "author.name", "date": "createdAt",
                       "text": "raw_message", "likes": "likes"},
            "next": "cursor.next",
            "html_text": True,
            "max_pages": 20,
        },
        "selectors": {
            "article": {"title": "h1.headline", "body": "div.story-body", "author": ".byline a",
                        "date": "time.published::attr(datetime)"},
            "comments": {"container": "#reader-comments", "item": ".rc-item", "author": ".rc-name",
                         "date": ".rc-date", "text": ".rc-body", "id": "::attr(data-id)",
                         "parent": "::attr(data-reply-of)"},
        },
    }


def robots_disallowed(url_or_path: str) -> bool:
    path = re.sub(r"^https?://[^/]+", "", url_or_path)
    return any(path.startswith(prefix) for prefix in ROBOTS_DISALLOW)


def truth(site: DemoSite, *, base_url: str | None = None) -> list[dict[str, Any]]:
    """Every article-like URL of the site and what a perfect crawl + extraction makes of it.

    ``expect`` says what should happen: ``indexed``; ``robots_disallowed`` (must never be fetched);
    ``partial`` (truncated HTML: ``text`` holds the paragraphs that arrive whole); or, with
    ``text`` empty, ``http_error``, ``not_html``, ``too_large``, ``timeout``, ``redirect_loop``.
    Comments are in page order; ``parent`` is the index of the comment answered, None at top level.
    """
    base = (site.base_url if base_url is None else base_url).rstrip("/")
    entries = []
    for outlet in ("harbor-times", "northern-ledger", "valley-post"):
        for article in site.outlet_articles(outlet):
            expect = "robots_disallowed" if robots_disallowed(article.path) else "indexed"
            entries.append(_entry(article, base, expect, article.paragraphs, "utf-8"))
    for page in site.lab_pages:
        if page.expect in ("indexed", "partial"):
            paragraphs = lab.truncated_paragraphs(page) if page.kind == "truncated" else page.article.paragraphs
            entry = _entry(page.article, base, page.expect, paragraphs, page.encoding)
        else:
            entry = _entry(page.article, base, page.expect, [], page.encoding)
            entry["comments"] = []
        entry["lab_kind"] = page.kind
        entries.append(entry)
    return entries


def _entry(article: DemoArticle, base: str, expect: str, paragraphs: list[str], encoding: str) -> dict[str, Any]:
    url = base + article.path
    markup = outlet_of(article.outlet).markup
    thread = article.thread()
    index = {comment.id: position for position, (comment, _depth) in enumerate(thread)}
    comments = [
        {
            "native_id": str(comment.id),
            "url": f"{url}#{COMMENT_ANCHOR[markup].format(comment.id)}",
            "author": comment.author,
            "published": comment.published.isoformat(),
            "text": comment.text,
            "parent": index[comment.parent] if comment.parent is not None else None,
            "depth": depth,
            "likes": comment.likes,
        }
        for comment, depth in thread
    ]
    return {
        "url": url,
        "source": article.outlet,
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published.isoformat(),
        "modified": article.modified.isoformat() if article.modified else None,
        "section": article.section,
        "tags": list(article.tags),
        "image": base + article.image,
        "text": list(paragraphs),
        "comments": comments,
        "robots_disallowed": robots_disallowed(article.path),
        "expect": expect,
        "encoding": encoding,
    }
