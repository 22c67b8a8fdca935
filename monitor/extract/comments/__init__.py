"""Reader-comment threads from a page: per-markup extractors tried in order, the first that finds comments wins."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from lxml import html as lxml_html

from monitor.extract.comments import (
    blogger,
    custom,
    disqus,
    generic,
    joomla,
    jsonld,
    livefyre,
    records,
    reddit,
    schemaorg,
    typepad,
    wordpress,
)
from monitor.extract.comments.engine import Spec, run
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.markers import MarkerSet

__all__ = ["RawComment", "extract_comments", "EXTRACTORS", "FALLBACKS"]

logger = logging.getLogger(__name__)

Extractor = Callable[[lxml_html.HtmlElement, Context], list[RawComment]]
# name, extractor, strings one of which the page's markup holds wherever the extractor can find anything
Entry = tuple[str, Extractor, tuple[str, ...]]


def _spec(spec: Spec) -> Entry:
    return spec.name, lambda tree, ctx: run(tree, spec, ctx), spec.markers


# Most specific markup first: a CMS' own ids and classes, then structured data, then the generic fallbacks.
EXTRACTORS: list[Entry] = [
    ("schemaorg", lambda tree, ctx: run(tree, schemaorg.SPEC, ctx, candidates=schemaorg.find_items(tree)),
     schemaorg.SPEC.markers),
    ("blogger-classic", blogger.classic, ("comments-block",)),
    ("blogger-threaded", blogger.threaded, blogger.SPECS[0].markers),
    *(_spec(s) for s in disqus.SPECS),
    *(_spec(s) for s in livefyre.SPECS),
    *(_spec(s) for s in wordpress.SPECS),
    *(_spec(s) for s in joomla.SPECS),
    *(_spec(s) for s in typepad.SPECS),
    *(_spec(s) for s in reddit.SPECS),
    ("jsonld", jsonld.extract, ('"comment"',)),
]
# After the fast paths, when they found nothing or something unsure: the structural record finder decides;
# the class-name fallback serves only where it finds nothing.
FALLBACKS: list[Entry] = [
    ("records", records.find, ()),
    ("classed-comment", generic.classed, generic.ITEM_MARKERS),
]
_MARKERS = MarkerSet(marker for _, _, markers in EXTRACTORS + FALLBACKS for marker in markers)
# Markup whose comment elements a fast path knows by structured data or the platform's own ids: certain.
CERTAIN = frozenset({"schemaorg", "jsonld", "blogger-classic", "blogger-threaded", "reddit"})
# A fast path's thread gives way to the record finder's when that one finds this many times more comments
# (a fast path reading one of a hosted system's two markups: SB Nation's 39 of 174).
GIVE_WAY = 1.5


def extract_comments(
    tree: lxml_html.HtmlElement,
    url: str,
    *,
    fetched_at: datetime | None = None,
    language: str | None = None,
    selectors: Mapping[str, str] | None = None,
    html: str | bytes | None = None,
    article_published: str | None = None,
    article_text: str = "",
    jsonld: tuple[dict[str, Any], ...] | None = None,
) -> list[RawComment]:
    """All comments on the page, in page order; [] when the page has none.

    ``selectors`` (a source's own, see monitor.config.CommentSelectors) win when their ``item`` matches.
    ``html``: the markup ``tree`` was parsed from (text, or ParsedPage.utf8); extractors whose markers it lacks are skipped.
    ``article_published``: the article's date, which gives comment dates shown without a year their year;
    ``article_text``: its body, which no comment repeats (a forum's first post is the article, not a comment).
    ``jsonld``: the page's JSON-LD objects already read (``ParsedPage.jsonld``), so they are not read twice.
    """
    ctx = Context(url=url, fetched_at=fetched_at, language=language, article_published=article_published,
                  article_text=article_text, jsonld=jsonld)
    if selectors and selectors.get("item"):
        found = custom.extract(tree, ctx, selectors)
        if found:
            logger.debug("comments found extractor=selectors count=%d url=%s", len(found), url)
            return found
    fast: list[RawComment] = []
    present = None if html is None else _MARKERS.found_in(html)
    for name, extractor, markers in EXTRACTORS:
        fast = _attempt(name, extractor, markers, tree, ctx, present)
        if fast:
            if name in CERTAIN or _sure(fast):
                logger.debug("comments found extractor=%s count=%d url=%s", name, len(fast), url)
                return records.once(fast)
            break
    for name, extractor, markers in FALLBACKS:
        found = _attempt(name, extractor, markers, tree, ctx, present)
        if found and (not fast or len(found) >= GIVE_WAY * len(fast) + 2):
            logger.debug("comments found extractor=%s count=%d url=%s", name, len(found), url)
            return records.once(found)
        if fast:
            break
    return records.once(fast)


def _attempt(
    name: str, extractor: Extractor, markers: tuple[str, ...], tree: lxml_html.HtmlElement, ctx: Context,
    present: frozenset[str] | None,
) -> list[RawComment]:
    if markers and present is not None and present.isdisjoint(markers):
        return []
    try:
        return extractor(tree, ctx)
    except Exception:  # one markup kind failing on odd HTML must not cost the page its other extractors
        logger.warning("comment extractor failed extractor=%s url=%s", name, ctx.url, exc_info=True)
        return []


def _sure(comments: list[RawComment]) -> bool:
    """A fast path's thread that reads like one: most comments with an author."""
    return sum(1 for c in comments if c.author) >= 0.5 * len(comments)
