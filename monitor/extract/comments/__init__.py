"""Reader-comment threads from a page: per-markup extractors tried in order, the first that finds comments wins."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from lxml import html as lxml_html

from monitor.extract.comments import (
    blogger,
    custom,
    disqus,
    generic,
    joomla,
    jsonld,
    reddit,
    schemaorg,
    typepad,
    wordpress,
)
from monitor.extract.comments.engine import Spec, run
from monitor.extract.comments.model import Context, RawComment

__all__ = ["RawComment", "extract_comments", "EXTRACTORS"]

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
    *(_spec(s) for s in wordpress.SPECS),
    *(_spec(s) for s in joomla.SPECS),
    *(_spec(s) for s in typepad.SPECS),
    *(_spec(s) for s in reddit.SPECS),
    ("jsonld", jsonld.extract, ('"comment"',)),
    ("classed-comment", generic.classed, generic.ITEM_MARKERS),
    ("structural", generic.structural, generic.SECTION_MARKERS),
]


def extract_comments(
    tree: lxml_html.HtmlElement,
    url: str,
    *,
    fetched_at: datetime | None = None,
    language: str | None = None,
    selectors: Mapping[str, str] | None = None,
    html: str | None = None,
) -> list[RawComment]:
    """All comments on the page, in page order; [] when the page has none.

    ``selectors`` (a source's own, see monitor.config.CommentSelectors) win when their ``item`` matches.
    ``html``: the markup ``tree`` was parsed from; extractors whose markers it lacks are skipped.
    """
    ctx = Context(url=url, fetched_at=fetched_at, language=language)
    if selectors and selectors.get("item"):
        found = custom.extract(tree, ctx, selectors)
        if found:
            logger.debug("comments found extractor=selectors count=%d url=%s", len(found), url)
            return found
    for name, extractor, markers in EXTRACTORS:
        if html is not None and markers and not any(marker in html for marker in markers):
            continue
        try:
            comments = extractor(tree, ctx)
        except Exception:  # one markup kind failing on odd HTML must not cost the page its other extractors
            logger.warning("comment extractor failed extractor=%s url=%s", name, url, exc_info=True)
            continue
        if comments:
            logger.debug("comments found extractor=%s count=%d url=%s", name, len(comments), url)
            return comments
    return []
