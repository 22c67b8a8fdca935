"""Which comment element owns each node, and each comment's own XPath matches found in one pass per XPath."""
from __future__ import annotations

from lxml.etree import XPath

from monitor.extract.comments.html import Element, is_element


class Ownership:
    """The comment elements of one page: ``owner(el)`` is the innermost comment holding ``el`` (or ``el``).

    ``own(item, xpath)`` costs one evaluation of ``xpath`` per outermost comment, whatever the thread's depth:
    a reply nested ten levels deep is scanned once, not once for each comment around it.
    """

    def __init__(self, items: list[Element]) -> None:
        self.items = set(items)
        self._memo: dict[Element, Element | None] = {}
        self._tops = [el for el in items if not any(a in self.items for a in el.iterancestors())]
        self._found: dict[str, dict[Element, list[Element]]] = {}
        self._compiled: dict[str, XPath] = {}

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
            compiled = self._compiled.setdefault(xpath, XPath(xpath))
            for top in self._tops:
                hits = compiled(top)
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
