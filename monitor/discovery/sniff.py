"""What a fetched body is (feed, sitemap, robots.txt, HTML page or something else), from its first bytes."""
from __future__ import annotations

import re
import zlib
from typing import Literal

from monitor.discovery.sitemaps import GZIP_MAGIC

__all__ = ["Kind", "looks_binary", "sniff_kind"]

Kind = Literal["feed", "sitemap", "robots", "html", "other"]

_HEAD_BYTES = 4096
_BINARY_SAMPLE = 8192
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27)) + b"\x7f"
# Prolog items that may precede the root element: declaration, processing instructions, comments, doctype.
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_FEED_ROOTS = {"rss", "feed", "rdf", "channel", "entry"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_ROBOTS_LINE = re.compile(r"^\s*(user-agent|disallow|allow|sitemap|crawl-delay|host)\s*:", re.I | re.M)
_HTML_START = re.compile(r"\s*<(!doctype\s+html|html|head|body|meta|title|div|p|script|link)\b", re.I)


def sniff_kind(body: bytes, content_type: str = "") -> Kind:
    """The kind of document; the body decides, the Content-Type only breaks ties (servers mislabel feeds)."""
    head = _head_text(body)
    stripped = head.lstrip()
    if not stripped:
        return "other"
    ctype = content_type.split(";", 1)[0].strip().lower()
    if stripped.startswith(("{", "[")):
        return "feed" if "jsonfeed.org" in head or "feed+json" in ctype else "other"
    if stripped.startswith("<"):
        return _markup_kind(stripped, ctype)
    if _ROBOTS_LINE.search(head):
        return "robots"
    lines = [line.strip() for line in stripped.splitlines() if line.strip()]
    if lines and all(line.startswith(("http://", "https://")) and " " not in line for line in lines[:50]):
        return "sitemap"
    if ctype == "text/html":
        return "html"
    return "other"


def looks_binary(body: bytes) -> bool:
    """Bytes that are no text in any encoding (an image, an archive, random data), whatever the Content-Type says.

    A NUL or more than 1 in 20 control characters in the first 8 KB: text in UTF-8 or a legacy charset has
    neither; UTF-16 and UTF-32 (full of NULs) are text only behind their byte-order mark.
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = body[:_BINARY_SAMPLE]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # one pass: the control bytes dropped
    return controls * 20 > len(head)


def _markup_kind(text: str, ctype: str) -> Kind:
    position = 0
    while (prolog := _PROLOG.match(text, position)) is not None and prolog.end() > position:
        if "<!doctype html" in prolog.group(0).lower():
            return "html"
        position = prolog.end()
    root = _ROOT.match(text, position)
    name = root.group(2).lower() if root else ""
    if name in _FEED_ROOTS:
        return "feed"
    if name in _SITEMAP_ROOTS:
        return "sitemap"
    if name == "html" or _HTML_START.match(text, position) or "html" in ctype:
        return "html"
    return "other"


def _head_text(body: bytes) -> str:
    head = body[:_HEAD_BYTES]
    if body.startswith(GZIP_MAGIC):
        try:
            # wbits 16+: gzip framing; max_length keeps a compressed bomb from being inflated.
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[: _HEAD_BYTES * 4], _HEAD_BYTES)
        except zlib.error:
            return ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")
