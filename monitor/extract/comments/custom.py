"""Comments found with a source's own selectors (container, item, author, date, text, id, parent, likes)."""
from __future__ import annotations

import re
from collections.abc import Mapping

from monitor.extract.comments.engine import resolve_ref
from monitor.extract.comments.fields import key_aliases
from monitor.extract.comments.html import Element, is_element
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.dates import parse_date
from monitor.extract.selectors import select, select_text

_INT_RE = re.compile(r"[+-]?\d+")


def extract(tree: Element, ctx: Context, selectors: Mapping[str, str]) -> list[RawComment]:
    """The comments ``selectors["item"]`` finds (inside ``container`` when given), in page order; [] when none.

    A comment's parent is its ``parent`` value when that names a comment of the page, else the item it is
    nested in; items without ``id`` get a key from their position.
    """
    roots = [r for r in select(tree, selectors["container"]) if is_element(r)] if selectors.get("container") else [tree]
    items: list[Element] = []
    seen: set[Element] = set()
    for root in roots:
        for el in select(root, selectors["item"]):
            if is_element(el) and el not in seen:
                seen.add(el)
                items.append(el)
    item_set = set(items)
    keys: dict[Element, str] = {}
    alias_to_key: dict[str, str] = {}
    comments: list[RawComment] = []
    for position, item in enumerate(items, start=1):
        native = _value(item, selectors.get("id"))
        key = native if native and native not in alias_to_key else f"pos-{position}"
        keys[item] = key
        for alias in key_aliases(key):
            alias_to_key.setdefault(alias, key)
        parent, parent_ref = _parent(item, selectors.get("parent"), alias_to_key, keys, item_set)
        text = select_text(item, selectors["text"]) if selectors.get("text") else None
        if not text:
            continue
        raw_date = _value(item, selectors.get("date"))
        likes = _value(item, selectors.get("likes"))
        number = _INT_RE.search(likes or "")
        comments.append(RawComment(
            key=key,
            parent_key=parent,
            author=_value(item, selectors.get("author")),
            published=parse_date(raw_date, relative_to=ctx.fetched_at, languages=ctx.languages) if raw_date else None,
            text=text,
            likes=int(number.group()) if number else None,
            parent_ref=parent_ref,
        ))
    return comments


def _value(item: Element, expression: str | None) -> str | None:
    return select_text(item, expression) if expression else None


def _parent(item: Element, expression: str | None, alias_to_key: dict[str, str], keys: dict[Element, str],
            item_set: set[Element]) -> tuple[str | None, str | None]:
    """(the parent's key, else None; the parent reference when no comment of the page matches it)."""
    ref = _value(item, expression)
    if ref:
        key = resolve_ref(ref, alias_to_key)
        if key and key != keys[item]:
            return key, None
    for anc in item.iterancestors():
        if anc in item_set:
            return keys.get(anc), None
    return None, ref
