"""An article's whole comment thread: its comment pages in page order, and its comments API answers, merged."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from monitor.extract.comments import RawComment, extract_comments
from monitor.extract.comments.api import parse_api_comments
from monitor.extract.comments.html import Element
from monitor.extract.comments.merge import merge_pages, prefer
from monitor.extract.comments.pages import order_pages

__all__ = ["comment_thread"]


def comment_thread(
    pages: Sequence[tuple[str, Element]],
    api_answers: Sequence[bytes] = (),
    *,
    fetched_at: datetime | None = None,
    language: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> list[RawComment]:
    """Comments of the article page (``pages[0]``) and its other comment pages (any order), then of the
    comments API's answers (in the order fetched); the API's version of a comment wins over the page's."""
    options = options or {}
    selectors = (options.get("selectors") or {}).get("comments")
    url, tree = pages[0]
    ordered = [pages[i] for i in order_pages(url, tree, [u for u, _ in pages[1:]])]
    from_pages = merge_pages([
        extract_comments(t, u, fetched_at=fetched_at, language=language, selectors=selectors) for u, t in ordered
    ])
    api = options.get("comments_api")
    if not api or not api_answers:
        return from_pages
    languages = [language.split("-")[0].lower()] if language else None
    from_api = merge_pages([parse_api_comments(a, api, fetched_at=fetched_at, languages=languages)
                            for a in api_answers])
    return prefer(from_api, from_pages)
