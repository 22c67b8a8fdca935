"""Helpers that compare discovered links with the expected outputs kept beside the shared feeds and sitemaps."""
from __future__ import annotations

import html
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from monitor.discovery import Link
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA
FEEDS = DATA / "feeds"
SITEMAPS = DATA / "sitemaps"

_TAG = re.compile(r"<[^>]*>")


def norm_title(value: str | None) -> str:
    """Tags dropped, entities decoded (twice: some tools keep them escaped), whitespace collapsed."""
    text = html.unescape(html.unescape(_TAG.sub("", value or "")))
    return " ".join(text.split())


def title_matches(expected: str | None, got: str | None) -> bool:
    want = norm_title(expected)
    have = norm_title(got)
    if "\ufffd" in want:  # the reference tool decoded a Latin-1 feed as UTF-8: each lost character is one U+FFFD
        pattern = "".join("." if ch == "\ufffd" else re.escape(ch) for ch in want)
        return re.fullmatch(pattern, have) is not None
    return want == have


def _as_datetime(value: str) -> datetime | date:
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # expectations keep RFC-822 dates as the sitemap wrote them
        return parsedate_to_datetime(value)


def dates_match(expected: str | None, got: str | None) -> bool:
    """Same instant when both carry a time and an offset; else the same calendar day."""
    if not expected:
        return True
    if not got:
        return False
    want, have = _as_datetime(expected), _as_datetime(got)
    if isinstance(want, datetime) and isinstance(have, datetime):
        if want.tzinfo is not None and have.tzinfo is not None:
            return want == have
        if want.tzinfo is None and have.tzinfo is None:
            return want == have
        # One side has no offset: a feed-rs "…T00:00:00Z" stands for a bare date in the feed.
        return want.replace(tzinfo=None).date() == have.replace(tzinfo=None).date()
    want_day = want.date() if isinstance(want, datetime) else want
    have_day = have.date() if isinstance(have, datetime) else have
    return want_day == have_day


def find_link(links: list[Link], url: str) -> Link | None:
    return next((link for link in links if link.url == url), None)
