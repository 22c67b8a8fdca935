"""Which comment element owns each node, and each comment's own XPath matches found in one pass per XPath."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml.etree import XPath

from monitor.extract.comments.html import Element, is_element
from monitor.extract.comments.matches import Table, parse


class Ownership:
    """The comment elements of one page: ``owner(el)`` is the innermost comment holding ``el`` (or ``el``).

    ``own(item, xpath)`` costs one evaluation of ``xpath`` per outermost comment, whatever the thread's depth:
    a reply nested ten levels deep is scanned once, not once for each comment around it; and a descendant
    XPath (``.//…``) is evaluated once on a list that the comments fill, not once per comment. An XPath of tag
    and attribute tests (matches.parse) is answered from one walk over each scope's elements, made once for all
    such XPaths: libxml2 spends about a microsecond per element and attribute compared, for every XPath.
    """

    def __init__(self, items: list[Element]) -> None:
        self.items = set(items)
        self._memo: dict[Element, Element | None] = {}
        self._tops = [el for el in items if not any(a in self.items for a in el.iterancestors())]
        self._scopes = _scopes(self._tops)
        self._found: dict[str, dict[Element, list[Element]]] = {}
        self._compiled: dict[str, XPath] = {}
        self._tables: dict[Element, Table] = {}

    def __call__(self, el: Element) -> Element | None:
        path: list[Element] = []
        node: Element | None = el
        found: Element | None = None
        while node is not None:
            if node in self._memo:
                found = self._memo[node]
                break
            if node in self.items:
                found = node
                break
            path.append(node)
            node = node.getparent()
        for p in path:
            self._memo[p] = found
        return found

    def own(self, item: Element, xpath: str) -> list[Element]:
        """Matches of ``xpath`` (relative, ``.//…``) below ``item`` that belong to it, in page order; a text
        or attribute result stands for the element that holds it."""
        by_item = self._found.get(xpath)
        if by_item is None:
            by_item = self._found[xpath] = {}
            query = parse(xpath)
            evaluate: Callable[[Element], Any] = (
                self._compiled.setdefault(xpath, XPath(xpath)) if query is None else lambda top: self._table(top).find(query))
            # Below a list the comments fill, what lies outside them has no holder: the same matches per comment.
            relative = all(part.strip().startswith(".//") for part in xpath.split("|"))
            for top in self._scopes if relative else self._tops:
                hits = evaluate(top)
                for hit in hits if isinstance(hits, list) else ():
                    if is_element(hit):
                        holder = self(hit)
                        if holder is hit:  # a nested comment is its own, not its parent's
                            continue
                    else:
                        parent = getattr(hit, "getparent", lambda: None)()
                        holder = self(parent) if parent is not None else None
                    if holder is not None:
                        by_item.setdefault(holder, []).append(hit)
        return by_item.get(item, [])

    def _table(self, top: Element) -> Table:
        table = self._tables.get(top)
        if table is None:
            table = self._tables[top] = Table(top)
        return table


_DESCENDANTS = XPath("count(descendant::*)")


def _size(el: Element) -> float:
    """How many elements lie below ``el``, counted in libxml2."""
    found = _DESCENDANTS(el)
    return found if isinstance(found, float) else 0.0
FILLED = 1.25  # a parent with at most this many elements per element of its comments is a list they fill


def _scopes(tops: list[Element]) -> list[Element]:
    """Where a descendant XPath is evaluated: the parent of sibling comments that fill it, else each comment."""
    by_parent: dict[Element | None, list[Element]] = {}
    for top in tops:
        by_parent.setdefault(top.getparent(), []).append(top)
    scopes: list[Element] = []
    for parent, siblings in by_parent.items():
        if parent is not None and len(siblings) > 1 and (
                _size(parent) <= FILLED * sum(_size(el) + 1 for el in siblings)):
            scopes.append(parent)
        else:
            scopes.extend(siblings)
    return scopes
