"""Sitemaps (urlset, Google News, sitemap index, plain text; gzip or not) to links and child sitemaps."""
from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import lxml.etree

from monitor.discovery.links import Link, absolute_url, clean_text, listed_date

__all__ = ["MAX_INDEX_DEPTH", "MAX_INFLATED_BYTES", "SitemapPage", "parse_sitemap", "open_body"]

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# sitemaps.org's limit for one sitemap file, uncompressed: a gzip body inflates no further (a bomb stops here).
MAX_INFLATED_BYTES = 50 * 1024 * 1024
# Sitemap indexes below the first one that are followed (robots.txt → index → index → urlset is the deepest
# real chain we know of); deeper chains are a trap.
MAX_INDEX_DEPTH = 3
_LEADING = b"\xef\xbb\xbf \t\r\n"
# What a truncated, corrupt or non-XML body raises while being read.
_BROKEN = (lxml.etree.XMLSyntaxError, OSError, EOFError, zlib.error)
_UNFINISHED = re.compile(r"Premature end of data in tag (\S+)")
_BARE_AMPERSAND = re.compile(rb"&(?!(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][\w.\-]*);)")


class Readable(Protocol):
    """What the sitemap reader needs of a stream: ``read``."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass
class SitemapPage:
    """What one sitemap file lists: article links (a urlset) or further sitemaps (an index)."""

    links: list[Link] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    capped: bool = False  # the gzip body inflated past MAX_INFLATED_BYTES: what came after is not read


def parse_sitemap(body: bytes, url: str, *, max_inflated: int = MAX_INFLATED_BYTES) -> SitemapPage:
    """Read a sitemap; duplicates keep their first entry; a broken file yields what came before the break, a
    gzip body what came before ``max_inflated`` bytes (then ``capped``)."""
    page = SitemapPage()
    stream = open_body(body, max_inflated=max_inflated)
    try:
        _read(stream, url, page)
    except _BROKEN as exc:
        if not getattr(stream, "capped", False):
            logger.warning("sitemap broken after %d entries: %s url=%s", len(page.links), exc, url)
    if getattr(stream, "capped", False):
        page.capped = True
        logger.warning("gzip sitemap inflates past %d bytes: read up to there (%d links) url=%s", max_inflated,
                       len(page.links), url)
    return page


def open_body(body: bytes, *, max_inflated: int = MAX_INFLATED_BYTES) -> Readable:
    """A stream over the body, decompressing it (to ``max_inflated`` bytes at most) when it starts with the gzip
    magic bytes."""
    if body.startswith(GZIP_MAGIC):
        return _Capped(gzip.GzipFile(fileobj=io.BytesIO(body)), max_inflated)
    return io.BytesIO(body)


class _Capped(io.RawIOBase):
    """A stream that ends after ``limit`` bytes and says so (``capped``) when there was more."""

    def __init__(self, raw: Readable, limit: int) -> None:
        self._raw = raw
        self._left = limit
        self.capped = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            if not self.capped and self._raw.read(1):
                self.capped = True
            return b""
        # Never more than what is left plus one: an unbounded read() would inflate a bomb whole.
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._raw.read(want)
        self._left -= len(data)
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read(raw: Readable, url: str, page: SitemapPage) -> None:
    head = raw.read(512).lstrip(_LEADING)
    if not head:
        return
    if not head.startswith(b"<"):
        _text_links(io.BufferedReader(_Prefixed(head, raw)), url, page.links)
        return
    stream = _BareAmpersands(_Prefixed(head, raw))
    seen_links: set[str] = set()
    seen_sitemaps: set[str] = set()
    for kind, link in _entries(stream, url):
        if kind == "sitemap":
            if link.url not in seen_sitemaps:
                seen_sitemaps.add(link.url)
                page.sitemaps.append(link.url)
        elif link.url not in seen_links:
            seen_links.add(link.url)
            page.links.append(link)


def _entries(stream: Readable, base: str) -> Iterator[tuple[str, Link]]:
    # Iterative so that a 50 MB sitemap never sits in memory as one tree; no DTD, entity or network access.
    # recover=True reads past the usual glitches (a bare "&" in a <loc>).
    events = lxml.etree.iterparse(
        stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False, recover=True,
        remove_comments=True,
    )
    pending: tuple[str, Link] | None = None
    for _, element in events:
        if not isinstance(element.tag, str):
            continue
        name = lxml.etree.QName(element).localname
        if name not in ("url", "sitemap"):
            continue
        # A <loc> wrapped over lines had spaces where the lines break (urlsplit would just delete the breaks).
        loc = absolute_url(clean_text(_child_text(element, "loc")), base)
        entry = (name, _url_link(loc, element)) if loc is not None else None
        _release(element)
        if entry is None:
            continue
        # Held back one step: at a cut-off file, recovery "closes" the last entry with half its text.
        if pending is not None:
            yield pending
        pending = entry
    if pending is not None and not _cut_inside_entry(events.error_log):
        yield pending


def _cut_inside_entry(errors: lxml.etree._ListErrorLog) -> bool:
    for error in errors:
        match = _UNFINISHED.search(error.message or "")
        if match and match.group(1).rpartition(":")[2] not in ("urlset", "sitemapindex"):
            return True
    return False


def _url_link(loc: str, element: lxml.etree._Element) -> Link:
    lastmod = listed_date(_child_text(element, "lastmod"))
    title = published = None
    for child in element:
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == "news":
            title = clean_text(_child_text(child, "title"))
            published = listed_date(_child_text(child, "publication_date"))
            break
    return Link(url=loc, title=title, published=published or lastmod, lastmod=lastmod)


def _child_text(element: lxml.etree._Element, localname: str) -> str | None:
    # Direct children only: <image:image><image:loc> must not be taken for the page's <loc>.
    for child in element:
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == localname:
            return "".join(t for t in child.itertext() if isinstance(t, str)).strip() or None
    return None


def _release(element: lxml.etree._Element) -> None:
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _text_links(stream: io.BufferedReader, base: str, links: list[Link]) -> None:
    seen: set[str] = set()
    for raw_line in io.TextIOWrapper(stream, encoding="utf-8", errors="replace"):
        url = absolute_url(raw_line.strip().lstrip("\ufeff"), base) if "://" in raw_line else None
        if url is not None and url not in seen:
            seen.add(url)
            links.append(Link(url=url))


class _Prefixed(io.RawIOBase):
    """A stream that first returns ``head`` (already read from ``rest``), then the rest."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _BareAmpersands(io.RawIOBase):
    """Escapes a bare "&" (common in query strings of <loc>), which the XML parser would otherwise eat."""

    _HOLD = 32  # longer than any entity reference we keep

    def __init__(self, raw: Readable) -> None:
        self._raw = raw
        self._carry = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else -1)
        data = self._carry + chunk
        self._carry = b""
        if chunk and size and size > 0:
            # An "&" near the end may start an entity that the next chunk completes: keep it for then.
            cut = data.rfind(b"&", max(0, len(data) - self._HOLD))
            if cut != -1:
                data, self._carry = data[:cut], data[cut:]
                if not data:  # never answer b"" before the end
                    more = self._raw.read(size)
                    data, self._carry = self._carry + more, b""
        return _BARE_AMPERSAND.sub(b"&amp;", data)

