"""Metadata the page does not declare, read from its visible markup (headline, byline, dates in the text)."""
from __future__ import annotations

import logging

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author, extract_sitename, extract_title

from monitor.extract.authors import clean_authors
from monitor.extract.metadata import PageMetadata
from monitor.extract.timestamps import normalize_datetime

logger = logging.getLogger(__name__)


def fill_missing(md: PageMetadata, tree: HtmlElement, url: str) -> None:
    """Complete ``md`` in place where structured data said nothing."""
    if not md.title:
        md.title = extract_title(tree)
    if not md.authors:
        md.authors = clean_authors([extract_author(tree)])
    if not md.published:
        md.published = _htmldate(tree, url, original=True)
    if not md.site_name:
        md.site_name = extract_sitename(tree)


def _htmldate(tree: HtmlElement, url: str, *, original: bool) -> str | None:
    try:
        found = find_date(tree, url=url or None, original_date=original, extensive_search=True,
                          outputformat="%Y-%m-%d")
    except (ValueError, TypeError) as exc:  # htmldate raises on some broken trees
        logger.debug("htmldate failed: %s url=%s", exc, url)
        return None
    return normalize_datetime(found) if found else None
