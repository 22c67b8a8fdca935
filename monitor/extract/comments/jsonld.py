"""Comments in JSON-LD: ``comment`` arrays on Article, BlogPosting, DiscussionForumPosting …, nested replies."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from monitor.extract.comments.html import Element, tidy
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.dates import parse_date
from monitor.extract.page import ParsedPage

logger = logging.getLogger(__name__)

_COMMENT_TYPES = frozenset({"Comment", "UserComments", "Answer", "DiscussionForumPosting", "SocialMediaPosting"})


def extract(tree: Element, ctx: Context) -> list[RawComment]:
    # The page's JSON-LD as ParsedPage read it for the article; a comment page's own is read here, the same way.
    nodes = ctx.jsonld if ctx.jsonld is not None else ParsedPage(url=ctx.url, html="", tree=tree).jsonld
    comments: list[RawComment] = []
    seen: set[int] = set()
    holders: set[int] = set()  # @graph members come both on their own and inside their graph
    for data in nodes:
        for holder in _objects(data):
            if id(holder) in holders:
                continue
            holders.add(id(holder))
            for node in _as_list(holder.get("comment")):
                if isinstance(node, dict) and id(node) not in seen:
                    _walk(node, None, 1, ctx, comments, seen)
    return comments


def _key(node: dict[str, Any], position: int) -> str:
    """The comment's own id on the site, as given (a name, or a URL: ``link_thread`` makes its link)."""
    raw = node.get("identifier") or node.get("@id") or node.get("url")
    if isinstance(raw, dict):  # a PropertyValue
        raw = raw.get("value") or raw.get("@id")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    text = str(raw).strip() if raw is not None else ""
    return text or f"pos-{position}"


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every object that may hold comments, outermost first, not descending into comments themselves."""
    if isinstance(data, list):
        for value in data:
            yield from _objects(value)
    elif isinstance(data, dict):
        yield data
        for key, value in data.items():
            if key not in ("comment", "hasPart") and isinstance(value, (dict, list)):
                yield from _objects(value)
        for part in _as_list(data.get("hasPart")):
            yield from _objects(part)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: dict[str, Any]) -> set[str]:
    return {str(t).rsplit("/", 1)[-1] for t in _as_list(node.get("@type"))}


def _walk(
    root: dict[str, Any], parent: str | None, depth: int, ctx: Context, out: list[RawComment], seen: set[int]
) -> None:
    # Depth first in document order with a stack, not recursion: a thread may nest hundreds deep.
    stack: list[tuple[dict[str, Any], str | None, int]] = [(root, parent, depth)]
    while stack:
        node, parent, depth = stack.pop()
        seen.add(id(node))
        types = _types(node)
        if types and not types & _COMMENT_TYPES:
            continue
        text = tidy(str(node.get("text") or node.get("commentText") or node.get("articleBody")
                        or node.get("description") or ""))
        key = _key(node, len(out) + 1)
        if any(c.key == key for c in out):
            key = f"{key}~{len(out) + 1}"
        if text:
            out.append(
                RawComment(
                    key=key,
                    parent_key=parent,
                    author=_author(node.get("author") or node.get("creator")),
                    published=_date(node, ctx),
                    text=text,
                    likes=_likes(node),
                    depth=depth,
                )
            )
        children = [child for child in _as_list(node.get("comment")) if isinstance(child, dict)]
        for child in reversed(children):
            stack.append((child, key if text else parent, depth + 1 if text else depth))


def _author(value: Any) -> str | None:
    for item in _as_list(value):
        if isinstance(item, dict):
            name = item.get("name") or item.get("alternateName")
            if name:
                return " ".join(str(name).split())
        elif isinstance(item, str) and item.strip():
            return " ".join(item.split())
    return None


def _date(node: dict[str, Any], ctx: Context) -> str | None:
    for field in ("dateCreated", "datePublished", "commentTime", "uploadDate", "dateModified"):
        value = node.get(field)
        if isinstance(value, str) and value:
            parsed = parse_date(value, relative_to=ctx.fetched_at, languages=ctx.languages)
            if parsed:
                return parsed
    return None


def _likes(node: dict[str, Any]) -> int | None:
    if isinstance(node.get("upvoteCount"), (int, float)):
        return int(node["upvoteCount"])
    for stat in _as_list(node.get("interactionStatistic")):
        if isinstance(stat, dict) and "Like" in str(stat.get("interactionType", "")):
            count = stat.get("userInteractionCount")
            if isinstance(count, (int, float)) or (isinstance(count, str) and count.isdigit()):
                return int(count)
    return None
