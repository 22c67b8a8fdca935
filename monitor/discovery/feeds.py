"""RSS 0.9x/1.0/2.0, Atom and JSON Feed documents to the links of their entries."""
from __future__ import annotations

import html
import json
import logging
import re
from typing import Any

import feedparser

from monitor.discovery.links import Link, absolute_url, clean_text, dedupe, listed_date

__all__ = ["parse_feed", "parse_json_feed"]

logger = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]*>")


def parse_feed(body: bytes, url: str, *, content_type: str = "") -> list[Link]:
    """The entries of a feed as links, in feed order; entries without a usable link are skipped."""
    if _is_json(body, content_type):
        return parse_json_feed(body, url)
    # content-location gives feedparser the base for relative links (xml:base still wins).
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, resolve_relative_uris=True, sanitize_html=False)
    if parsed.bozo and not parsed.entries:
        logger.warning("feed unreadable: %s url=%s", parsed.get("bozo_exception"), url)
    links = []
    for entry in parsed.entries:
        link = _entry_link(entry, url)
        if link is None:
            continue
        updated = listed_date(_field(entry, "updated"), fallback=_field(entry, "updated_parsed"))
        published = listed_date(_field(entry, "published"), fallback=_field(entry, "published_parsed"))
        links.append(Link(url=link, title=_entry_title(entry), published=published or updated, lastmod=updated))
    return dedupe(links)


def parse_json_feed(body: bytes, url: str) -> list[Link]:
    """A JSON Feed (1.0 or 1.1) as links; feedparser does not read JSON Feed."""
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as exc:
        logger.warning("JSON feed unreadable: %s url=%s", exc, url)
        return []
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    base = _string(document.get("feed_url")) or url
    links = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = absolute_url(_string(item.get("url")) or _string(item.get("external_url")), base)
        if link is None:
            continue
        modified = listed_date(_string(item.get("date_modified")))
        published = listed_date(_string(item.get("date_published")))
        title = clean_text(html.unescape(_string(item.get("title")) or "")) or None
        links.append(Link(url=link, title=title, published=published or modified, lastmod=modified))
    return dedupe(links)


def _entry_link(entry: Any, base: str) -> str | None:
    # FeedBurner rewrites links through its redirector; the original is the article's own URL.
    candidates = [entry.get("feedburner_origlink"), entry.get("link")]
    candidates += [
        alt.get("href") for alt in entry.get("links", []) if alt.get("rel", "alternate") == "alternate"
    ]
    for candidate in candidates:
        link = absolute_url(candidate, base)
        if link is not None:
            return link
    return None


def _entry_title(entry: Any) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    detail = entry.get("title_detail") or {}
    if "html" in (detail.get("type") or ""):
        title = html.unescape(_TAG.sub("", title))
    return clean_text(title)


def _field(entry: Any, key: str) -> Any:
    # Plain dict access: FeedParserDict.get("updated") quietly answers with "published" when absent.
    return dict.get(entry, key)


def _is_json(body: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
