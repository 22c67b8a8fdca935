"""Reader-comment threads from a page: per-markup extractors tried in order, the first that finds comments wins."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from lxml import html as lxml_html

from monitor.extract.comments import blogger, disqus, generic, joomla, jsonld, reddit, schemaorg, typepad, wordpress
from monitor.extract.comments.engine import Spec, run
from monitor.extract.comments.model import Context, RawComment

__all__ = ["RawComment", "extract_comments", "EXTRACTORS"]

logger = logging.getLogger(__name__)

Extractor = Callable[[lxml_html.HtmlElement, Context], list[RawComment]]


def _spec(spec: Spec) -> tuple[str, Extractor]:
    return spec.name, lambda tree, ctx: run(tree, spec, ctx)


# Most specific markup first: a CMS' own ids and classes, then structured data, then the generic fallbacks.
EXTRACTORS: list[tuple[str, Extractor]] = [
    *(_spec(s) for s in schemaorg.SPECS),
    ("blogger-classic", blogger.classic),
    ("blogger-threaded", blogger.threaded),
    *(_spec(s) for s in disqus.SPECS),
    *(_spec(s) for s in wordpress.SPECS),
    *(_spec(s) for s in joomla.SPECS),
    *(_spec(s) for s in typepad.SPECS),
    *(_spec(s) for s in reddit.SPECS),
    ("jsonld", jsonld.extract),
    ("classed-comment", generic.classed),
    ("structural", generic.structural),
]


def extract_comments(
    tree: lxml_html.HtmlElement,
    url: str,
    *,
    fetched_at: datetime | None = None,
    language: str | None = None,
) -> list[RawComment]:
    """All comments on the page, in page order; [] when the page has none."""
    ctx = Context(url=url, fetched_at=fetched_at, language=language)
    for name, extractor in EXTRACTORS:
        try:
            comments = extractor(tree, ctx)
        except Exception:  # one markup kind failing on odd HTML must not cost the page its other extractors
            logger.warning("comment extractor failed extractor=%s url=%s", name, url, exc_info=True)
            continue
        if comments:
            logger.debug("comments found extractor=%s count=%d url=%s", name, len(comments), url)
            return comments
    return []
