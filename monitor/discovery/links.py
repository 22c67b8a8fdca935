"""The Link a discoverer yields, and the one way a raw href becomes its absolute URL."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from monitor.timestamps import from_struct_time, iso_timestamp

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_BREAKS = re.compile(r"[\t\r\n]")


@dataclass
class Link:
    """A candidate article URL with what the listing said about it."""

    url: str  # absolute, whitespace-stripped, fragment dropped
    title: str | None = None
    published: str | None = None  # ISO 8601, offset kept when the source gives one
    lastmod: str | None = None


def absolute_url(href: str | None, base: str = "") -> str | None:
    """``href`` absolute against ``base``, fragment dropped, scheme and host lower-cased, empty path made "/".

    None unless it is http(s) with a host. Tabs and line breaks inside are deleted, as browsers do.
    """
    if not href:
        return None
    href = _BREAKS.sub("", href.strip()).split("#", 1)[0]
    if not href:
        return None
    # urljoin re-assembles even absolute URLs and would drop an empty "?" the site may rely on.
    url = href if _SCHEME.match(href) or not base else urljoin(base, href)
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    rest = url.split("://", 1)[1][len(parts.netloc):] if "://" in url else ""
    netloc = parts.netloc if "@" in parts.netloc else parts.netloc.lower()
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{netloc}{rest}"


def clean_text(value: str | None) -> str | None:
    """Whitespace collapsed; None when nothing is left."""
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def dedupe(links: list[Link]) -> list[Link]:
    """Drop repeated URLs keeping the first, filling its missing fields from later repeats."""
    by_url: dict[str, Link] = {}
    for link in links:
        first = by_url.get(link.url)
        if first is None:
            by_url[link.url] = link
            continue
        first.title = first.title or link.title
        first.published = first.published or link.published
        first.lastmod = first.lastmod or link.lastmod
    return list(by_url.values())


def listed_date(raw: str | None, *, fallback: time.struct_time | None = None) -> str | None:
    """A feed's or sitemap's date as ISO 8601 (offset and fractions kept, a bare date stays bare); else a full
    date in another language; else ``fallback``, a UTC struct as feedparser gives."""
    text = " ".join(raw.split()) if raw else ""
    found = iso_timestamp(text, fraction=True) if text else None
    if found is None and text:
        from monitor.extract.dates import absolute_date  # late: dateparser only for the dates that need it

        found = absolute_date(text)
    if found is None and fallback is not None:
        found = from_struct_time(fallback)
    return found
