"""One thread from several comment pages or sources: page order, duplicates dropped, parents found across pages."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from monitor.extract.comments.engine import resolve_ref
from monitor.extract.comments.fields import key_aliases
from monitor.extract.comments.model import RawComment

__all__ = ["merge_pages", "prefer"]


def merge_pages(pages: Sequence[Sequence[RawComment]]) -> list[RawComment]:
    """The comments of ``pages`` (already in page order) as one thread.

    A comment seen on two pages (a page fetched twice under two URLs) is kept once, where it first shows. A reply
    whose parent is on another page (its reply-to link names a comment the page does not hold) gets that parent.
    """
    if len(pages) == 1:
        return list(pages[0])
    merged: list[RawComment] = []
    page_of: dict[str, int] = {}
    seen: set[str] = set()
    for number, page in enumerate(pages):
        renamed = {c.key: f"pos-{number + 1}.{c.key[4:]}" for c in page if c.key.startswith("pos-")}
        for comment in page:
            key = renamed.get(comment.key, comment.key)
            identity = key if key not in renamed.values() else f"{comment.author}\x00{comment.text}\x00{comment.published}"
            if identity in seen:
                continue
            seen.add(identity)
            page_of[key] = number
            parent = renamed.get(comment.parent_key or "", comment.parent_key)
            merged.append(replace(comment, key=key, parent_key=parent))
    alias_to_key: dict[str, str] = {}
    for comment in merged:
        for alias in key_aliases(comment.key):
            alias_to_key.setdefault(alias, comment.key)
    for i, comment in enumerate(merged):
        if comment.parent_ref:
            found = resolve_ref(comment.parent_ref, alias_to_key)
            if found and found != comment.key and page_of.get(found) != page_of[comment.key]:
                merged[i] = replace(comment, parent_key=found, parent_ref=None)
    return parents_first(merged)


def prefer(first: Sequence[RawComment], second: Sequence[RawComment]) -> list[RawComment]:
    """``first`` and then the comments of ``second`` it lacks (same site id, or same author and text):
    the API's comments over the page's copies of them."""
    if not first:
        return list(second)
    taken = {alias for c in first if not _positional(c.key) for alias in key_aliases(c.key)}
    texts = {(c.author, " ".join(c.text.split())) for c in first}
    extra = [
        c for c in second
        if (_positional(c.key) or not key_aliases(c.key) & taken) and (c.author, " ".join(c.text.split())) not in texts
    ]
    return parents_first([*first, *extra])


def _positional(key: str) -> bool:
    return key.startswith("pos-")


def parents_first(comments: list[RawComment]) -> list[RawComment]:
    """The same comments, reordered only if a reply comes before its parent (newest-first APIs): replies under parents."""
    order = {c.key: i for i, c in enumerate(comments)}
    if all(order.get(c.parent_key, -1) < i for i, c in enumerate(comments) if c.parent_key):
        return comments
    children: dict[str | None, list[RawComment]] = {}
    for comment in comments:
        parent = comment.parent_key if comment.parent_key in order and comment.parent_key != comment.key else None
        children.setdefault(parent, []).append(comment)
    ordered: list[RawComment] = []
    stack = list(reversed(children.get(None, [])))
    placed: set[str] = set()
    while stack:
        comment = stack.pop()
        if comment.key in placed:
            continue
        placed.add(comment.key)
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.key, [])))
    # A cycle (a ↔ b) leaves comments unplaced: keep them, at top level.
    ordered += [replace(c, parent_key=None) for c in comments if c.key not in placed]
    return ordered
