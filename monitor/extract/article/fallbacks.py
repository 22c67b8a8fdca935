"""Metadata the page does not declare, read from its visible markup (headline, byline, dates in the text)."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import htmldate.extractors
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import extract_sitename, extract_title

from monitor.extract.article.authors import clean_authors
from monitor.extract.article.datesearch import find_date_quick_then_extensive
from monitor.extract.article.metadata import PageMetadata
from monitor.extract.article.scoped import scoped
from monitor.extract.dates import normalize_datetime

logger = logging.getLogger(__name__)

# trafilatura's byline selectors (metadata.extract_author) with contains() for its regex tests and no
# pruned deep copy: about twice as fast, and more trafilatura-eval authors right (125 vs 115 of 300). Written
# as XPath here for the record; _byline walks the page once with the same tests instead (_strict, _loose), so
# it stops at the first strict byline it keeps and decides each distinct attribute list once (test_article
# checks the walk against these expressions).
BYLINE_STRICT = XPath(
    "//*[self::a or self::address or self::div or self::link or self::p or self::span or self::strong]"
    "[@rel='author' or @id='author' or @class='author' or @itemprop='author name' or contains(@class, 'author-name')"
    " or contains(@class, 'authorName') or contains(@class, 'AuthorName')]|//author"
)
BYLINE_LOOSE = XPath(
    "//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span]"
    "[@class='byline' or @class='username' or contains(@itemprop, 'author') or contains(@id, 'author')"
    " or contains(@class, 'author') or contains(@class, 'submitted-by') or contains(@class, 'posted-by')"
    " or contains(@class, 'journalist-name')]"
)
_STRICT_TAGS = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_LOOSE_TAGS = frozenset(("a", "div", "h3", "h4", "p", "span"))
_BYLINE_TAGS = tuple(sorted(_STRICT_TAGS | _LOOSE_TAGS))


def _strict(attrs: tuple[str, str, str, str]) -> bool:
    cls, ident, rel, itemprop = attrs
    return (rel == "author" or ident == "author" or cls == "author" or itemprop == "author name"
            or "author-name" in cls or "authorName" in cls or "AuthorName" in cls)


def _loose(attrs: tuple[str, str, str, str]) -> bool:
    cls, ident, rel, itemprop = attrs
    return (cls in ("byline", "username") or "author" in itemprop or "author" in ident or "author" in cls
            or "submitted-by" in cls or "posted-by" in cls or "journalist-name" in cls)


def byline_matches(tree: HtmlElement) -> Iterator[tuple[HtmlElement, bool, bool]]:
    """Each element BYLINE_STRICT or BYLINE_LOOSE finds, in page order, found lazily, with whether each finds it."""
    seen: dict[tuple[str, str, str, str], tuple[bool, bool]] = {}
    for element in tree.iter(*_BYLINE_TAGS, "author"):
        tag = element.tag
        if tag == "author":
            yield element, True, False
            continue
        get = element.get
        attrs = (get("class") or "", get("id") or "", get("rel") or "", get("itemprop") or "")
        decided = seen.get(attrs)
        if decided is None:
            decided = seen[attrs] = (_strict(attrs), _loose(attrs))
        strict, loose = decided[0] and tag in _STRICT_TAGS, decided[1] and tag in _LOOSE_TAGS
        if strict or loose:
            yield element, strict, loose


# Where a byline candidate must not sit: tested on the few candidates' ancestors, not on the whole page.
_NOT_BYLINE = XPath(
    "ancestor-or-self::*[self::a or self::div or self::section or self::span][@id='comments' or @class='comments'"
    " or @class='title' or @class='date' or starts-with(@id, 'comments') or contains(@id, 'comment-list')"
    " or contains(@id, 'commentlist') or starts-with(@class, 'comments') or starts-with(@class, 'Comments')"
    " or contains(@class, 'commentlist') or contains(@class, 'comments-list') or contains(@class, 'sidebar')"
    " or contains(@class, 'is-hidden')] | ancestor-or-self::time | ancestor-or-self::figure"
)


def fill_missing(md: PageMetadata, tree: HtmlElement, url: str) -> None:
    """Complete ``md`` in place where structured data said nothing."""
    if not md.title:
        md.title = extract_title(tree)
    if not md.authors:
        md.authors = clean_authors([_byline(tree)])
    if not md.published:
        md.published = _htmldate(tree, url, original=True, language=md.language)
    if not md.site_name:
        md.site_name = extract_sitename(tree)


def _byline(tree: HtmlElement) -> str | None:
    """The first author byline outside comment sections, sidebars, dates and figures: the first a strict
    selector finds, else the first a loose one finds."""
    loose_byline: str | None = None
    for element, strict, loose in byline_matches(tree):
        if not strict and (not loose or loose_byline is not None):
            continue
        text = _byline_text(element)
        if strict and text is not None:
            return text
        if loose and loose_byline is None:
            loose_byline = text
    return loose_byline


def _byline_text(element: HtmlElement) -> str | None:
    if _NOT_BYLINE(element):
        return None
    text = " ".join(" ".join(str(t) for t in element.itertext()).split())
    return text if 2 < len(text) < 120 else None


def _htmldate(tree: HtmlElement, url: str, *, original: bool, language: str | None = None) -> str | None:
    # The quick search first, the extensive one (free-text dates through dateparser) only when it finds
    # nothing: on the 246 trafilatura-eval + fundus pages without structured dates this gets the same
    # days right as the extensive search alone (201) in a fifth of its time. Both in one pass
    # (datesearch: the tree copied and cleaned once, the steps the extensive search would repeat in vain
    # left out).
    try:
        with _dates_in(language):
            found = find_date_quick_then_extensive(tree, url or None, original=original)
    except (ValueError, TypeError) as exc:  # htmldate raises on some broken trees
        logger.debug("htmldate failed: %s url=%s", exc, url)
        return None
    return normalize_datetime(found) if found else None


# htmldate's dateparser tries every one of its 205 locales on a free-text date, which costs the first such
# page in a process about 2.5 s (each locale's word lists compiled): given the page's language, it tries
# that one and the COMMON_LANGUAGES most used ones (dateparser's own order: a page's declared language may
# be wrong, as a Spanish page saying lang="en"). htmldate has no parameter for it, so its parser factory
# reads ours from here.
COMMON_LANGUAGES = 20
_LANGUAGE: ContextVar[str | None] = ContextVar("htmldate_language", default=None)
_HTMLDATE_PARSER = htmldate.extractors.get_external_parser


@lru_cache(maxsize=32)
def _parser_for(language: str) -> Any:
    from dateparser import DateDataParser
    from dateparser.data import language_order

    default = _HTMLDATE_PARSER()
    if language not in language_order:
        return default
    languages = list(dict.fromkeys((language, *language_order[:COMMON_LANGUAGES])))
    return DateDataParser(languages=languages, settings=default._settings)


def _external_parser() -> Any:
    language = _LANGUAGE.get()
    return _parser_for(language) if language else _HTMLDATE_PARSER()


htmldate.extractors.get_external_parser = _external_parser  # type: ignore[assignment]


def _dates_in(language: str | None) -> AbstractContextManager[None]:
    return scoped(_LANGUAGE, language.split("-")[0].split("_")[0].lower() if language else None)
