"""An article's whole comment thread: its comment pages in page order, and its comments API answers, merged."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from monitor.extract.comments import RawComment, extract_comments
from monitor.extract.comments.api import parse_api_comments
from monitor.extract.comments.merge import merge_pages, prefer
from monitor.extract.comments.pages import order_pages
from monitor.extract.options import ExtractionOptions

__all__ = ["comment_thread"]


def comment_thread(
    pages: Sequence[tuple[str, HtmlElement]],
    api_answers: Sequence[bytes] = (),
    *,
    fetched_at: datetime | None = None,
    language: str | None = None,
    options: ExtractionOptions | Mapping[str, Any] | None = None,
) -> list[RawComment]:
    """Comments of the article page (``pages[0]``, as parsed for the article) and its other comment pages (any
    order), then of the comments API's answers (in the order fetched); the API's version of a comment wins over
    the page's."""
    options = ExtractionOptions.of(options)
    selectors = options.comments.given() or None
    url, tree = pages[0]
    ordered = [pages[i] for i in order_pages(url, tree, [u for u, _ in pages[1:]])]
    from_pages = merge_pages([
        extract_comments(t, u, fetched_at=fetched_at, language=language, selectors=selectors) for u, t in ordered
    ])
    api = options.comments_api
    if api is None or not api_answers:
        return from_pages
    languages = [language.split("-")[0].lower()] if language else None
    from_api = merge_pages([parse_api_comments(a, api, fetched_at=fetched_at, languages=languages)
                            for a in api_answers])
    return prefer(from_api, from_pages)
