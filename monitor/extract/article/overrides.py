"""A source's article selectors applied over what the generic extractors found: each given field that matches wins."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from lxml.html import HtmlElement

from monitor.extract.article import ArticleFields
from monitor.extract.comments.html import collect_text
from monitor.extract.dates import parse_date
from monitor.extract.selectors import select, select_text, skip_code

__all__ = ["apply_article_selectors"]


def apply_article_selectors(
    fields: ArticleFields, tree: HtmlElement, selectors: Mapping[str, str], *, fetched_at: datetime | None = None
) -> ArticleFields:
    """``fields`` with title, body, author and date taken from ``selectors`` where they find something."""
    changes: dict[str, object] = {}
    if selectors.get("title"):
        title = select_text(tree, selectors["title"])
        if title:
            changes["title"] = title
    if selectors.get("body"):
        parts = [_text(found) for found in select(tree, selectors["body"])]
        body = "\n".join(p for p in parts if p)
        if body:
            changes["text"] = body
    if selectors.get("author"):
        names = list(dict.fromkeys(n for n in (_text(f) for f in select(tree, selectors["author"])) if n))
        if names:
            changes["authors"] = names
    if selectors.get("date"):
        raw = select_text(tree, selectors["date"])
        published = parse_date(raw, relative_to=fetched_at) if raw else None
        if published:
            changes["published"] = published
    return replace(fields, **changes) if changes else fields  # type: ignore[arg-type]


def _text(found: HtmlElement | str) -> str:
    if isinstance(found, str):
        return " ".join(found.split())
    return collect_text(found, skip_code)
