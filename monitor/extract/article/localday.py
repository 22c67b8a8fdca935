"""The publication day as the site gives it: a UTC time's local day, the URL's day for a re-dated page."""
from __future__ import annotations

import re
from datetime import date, timedelta

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.dates import find_date
from monitor.extract.page import elements

__all__ = ["site_day"]

_UTC_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):\d{2}(?::\d{2})?\+00:00$")
# A UTC time from LATE_HOUR on may be the next day where the site is (offsets up to +10 h), one before
# EARLY_HOUR the previous day (offsets down to −10 h): where nearly all news sites are. Wider bands let a
# stray date move a right one (trafilatura-eval: a Reuters story at 12:25Z, dated that day in New York).
LATE_HOUR = 14
EARLY_HOUR = 10
# A structured date this long after the day in the article's URL was reset by a re-save or a CMS move
# (a URL keeps its first day); shorter gaps are drafts published later, and the structured date holds.
REDATED_AFTER = timedelta(days=30)
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/-]|$)")
# The dateline: the first short visible text marked as a date (<time>, class "date") after the headline,
# where a site header's "today" and the comments' dates further down cannot be mistaken for it.
_DATE_MARK = "[self::time or contains(@class, 'date') or contains(@class, 'Date')][not(*[contains(@class, 'date')])]"
_AFTER_HEADLINE = XPath(f"(//h1)[1]/following::*{_DATE_MARK}")
_ANYWHERE = XPath(f"//*{_DATE_MARK}")
_MAX_VISIBLE = 1
_MAX_VISIBLE_CHARS = 80


def site_day(published: str, tree: HtmlElement, url: str, *, language: str | None = None) -> str:
    """``published``, or the bare day the page gives itself: its URL's day when ``published`` is more than
    REDATED_AFTER later; the URL's or dateline's day when that is the one before or after the UTC day of
    ``published`` and the hour allows such an offset."""
    url_days = _url_days(url)
    try:
        stated = date.fromisoformat(published[:10])
    except ValueError:
        return published
    if url_days and stated - url_days[-1] > REDATED_AFTER:
        return url_days[-1].isoformat()
    match = _UTC_TIME.match(published)
    if not match:
        return published
    day, hour = date.fromisoformat(match.group(1)), int(match.group(2))
    neighbours = ({day + timedelta(days=1)} if hour >= LATE_HOUR else set()) | (
        {day - timedelta(days=1)} if hour < EARLY_HOUR else set())
    if not neighbours:
        return published
    for found in (*url_days, *_visible_days(tree, language)):
        if found == day:
            return published
        if found in neighbours:
            return found.isoformat()
    return published


def _url_days(url: str) -> list[date]:
    days = []
    for year, month, day in _URL_DAY.findall(url or ""):
        try:
            days.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return days


def _visible_days(tree: HtmlElement, language: str | None) -> list[date]:
    days: list[date] = []
    languages = [language] if language else None
    for element in (elements(tree, _AFTER_HEADLINE) or elements(tree, _ANYWHERE))[: _MAX_VISIBLE * 3]:
        text = " ".join(" ".join(str(t) for t in element.itertext()).split())
        if not text or len(text) > _MAX_VISIBLE_CHARS:
            continue
        found = find_date(text, languages=languages)
        if found:
            try:
                days.append(date.fromisoformat(found[:10]))
            except ValueError:
                continue
            if len(days) >= _MAX_VISIBLE:
                break
    return days
