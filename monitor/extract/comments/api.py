"""Comments from a source's JSON endpoint: values for its URL from the article page, and its answers → RawComments."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from monitor.extract.comments.html import collect_text, tidy
from monitor.extract.comments.model import RawComment
from monitor.extract.dates import parse_date
from monitor.extract.options import CommentsApiOptions
from monitor.extract.page import as_tree
from monitor.extract.selectors import select_text
from monitor.timestamps import from_epoch

__all__ = ["ApiPage", "api_page", "json_path", "page_values", "parse_api_comments"]

logger = logging.getLogger(__name__)
_MISSING = object()


@dataclass(frozen=True)
class ApiPage:
    """What the crawler needs from one answer to ask for the next: how many comments, and the next URL or cursor."""

    count: int
    next: str | None


def json_path(data: Any, path: str, default: Any = None) -> Any:
    """``data`` at a dotted path ("response.comments", "author.name", "items.0"); ``default`` when absent."""
    if not path:
        return data
    node = data
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and re.fullmatch(r"-?\d+", part) and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return default
        if node is _MISSING:
            return default
    return node


def page_values(
    page: str | bytes | HtmlElement, rules: Mapping[str, Mapping[str, str]], *, text: str | None = None
) -> dict[str, str] | None:
    """The values the API URL needs, found in the article page by regex (first group), CSS or XPath.

    ``page``: the markup or its tree (the crawler's, parsed already); ``text``: the markup of that tree, for the
    regex rules. None when one is missing: that page has no comments thread of this API.
    """
    if text is None:
        text = page if isinstance(page, str) else (
            page.decode("utf-8", "replace") if isinstance(page, bytes) else lxml.html.tostring(page, encoding="unicode"))
    tree: HtmlElement | None = page if isinstance(page, HtmlElement) else None
    values: dict[str, str] = {}
    for name, rule in rules.items():
        value: str | None = None
        if rule.get("regex"):
            match = re.search(rule["regex"], text)
            if match:
                value = match.group(1) if match.groups() else match.group(0)
        else:
            if tree is None:
                tree = as_tree(text)
            value = select_text(tree, rule.get("css") or rule.get("xpath") or "")
        if not value or not value.strip():
            return None
        values[name] = value.strip()
    return values


def _load(body: bytes | str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _items(data: Any, options: CommentsApiOptions) -> list[Any]:
    found = json_path(data, options.items)
    return [i for i in found if isinstance(i, Mapping)] if isinstance(found, list) else []


def api_page(body: bytes | str, options: CommentsApiOptions | Mapping[str, Any]) -> ApiPage:
    """The count of comments in one answer and its next-page URL or cursor (None at the end)."""
    options = CommentsApiOptions.of(options)
    data = _load(body)
    following = json_path(data, options.next) if options.next else None
    if isinstance(following, bool) or following in ("", None) or isinstance(following, (dict, list)):
        following = None
    return ApiPage(count=len(_items(data, options)), next=str(following) if following is not None else None)


def parse_api_comments(
    body: bytes | str,
    options: CommentsApiOptions | Mapping[str, Any],
    *,
    fetched_at: datetime | None = None,
    languages: list[str] | None = None,
) -> list[RawComment]:
    """The comments of one answer, in its order; ``options`` is the source's ``comments_api`` extraction options."""
    options = CommentsApiOptions.of(options)
    data = _load(body)
    if data is None:
        logger.warning("comments API answer is not JSON; skipped")
        return []
    fields = options.fields
    comments: list[RawComment] = []
    for position, item in enumerate(_items(data, options), start=1):
        text = _text(json_path(item, fields.text), html=options.html_text)
        if not text:
            continue
        native = _scalar(json_path(item, fields.id))
        parent = _scalar(json_path(item, fields.parent))
        raw_date = _scalar(json_path(item, fields.date))
        likes = json_path(item, fields.likes) if fields.likes else None
        comments.append(RawComment(
            key=native or f"pos-{position}",
            parent_key=parent if parent and parent != native else None,
            author=_scalar(json_path(item, fields.author)),
            published=_date(raw_date, fetched_at, languages),
            text=text,
            likes=int(likes) if isinstance(likes, (int, float)) and not isinstance(likes, bool) else None,
        ))
    return comments


def _scalar(value: Any) -> str | None:
    """A JSON value as text; 0/False/null/objects are "not given" (APIs write parent 0 for top level)."""
    if value is None or isinstance(value, (bool, dict, list)) or value == 0:
        return None
    text = str(value).strip()
    return text or None


def _text(value: Any, *, html: bool) -> str:
    if not isinstance(value, str):
        return ""
    if not html:
        return tidy(value)
    fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    return collect_text(fragment, _skip_in_text)


def _skip_in_text(el: HtmlElement) -> bool:
    return el.tag in ("script", "style", "noscript", "template", "iframe")


def _date(raw: str | None, fetched_at: datetime | None, languages: list[str] | None) -> str | None:
    if not raw:
        return None
    return from_epoch(raw) or parse_date(raw, relative_to=fetched_at, languages=languages)

