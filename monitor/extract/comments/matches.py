"""Descendant XPaths of tag and own-attribute tests, answered in Python from one walk over a subtree."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from lxml import etree

from monitor.extract.comments.html import XML_SPACE, Element

# One test of an element against its own tag and attributes: (kind, name, value).
Atom = tuple[str, str, str]


class Step:
    """One ``//`` step: a tag ("*": any) and, when it has a predicate, the atoms one of which must hold, by
    attribute; ``at_most``: how many of a parent's matching children count (``[position() < N]``, 0: all)."""

    def __init__(self, tag: str, atoms: tuple[Atom, ...] | None, at_most: int = 0) -> None:
        self.tag, self.at_most = tag, at_most
        self.any = atoms is None
        self.self_tags = frozenset(name for kind, name, _ in atoms or () if kind == "self")
        self.leaf = any(kind == "leaf" for kind, _, _ in atoms or ())
        tests: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for kind, name, value in atoms or ():
            if kind not in ("self", "leaf"):
                tests[name].append((kind, value))
        self.tests = {name: _Test(found) for name, found in tests.items()}


class _Test:
    """The atoms on one attribute, answered once per distinct value (class attributes repeat on a page)."""

    def __init__(self, atoms: list[tuple[str, str]]) -> None:
        self.has = any(kind == "has" for kind, _ in atoms)
        self.equal = frozenset(value for kind, value in atoms if kind == "eq")
        self.words = frozenset(value for kind, value in atoms if kind == "word")
        self.parts = tuple(value for kind, value in atoms if kind == "contains")
        self.starts = tuple(value for kind, value in atoms if kind == "starts")
        self._known: dict[str, bool] = {}

    def __call__(self, value: str) -> bool:
        known = self._known.get(value)
        if known is None:
            if len(self._known) > 4096:
                self._known.clear()
            known = self._known[value] = (
                self.has or value in self.equal or any(p in value for p in self.parts)
                or value.startswith(self.starts) or bool(self.words) and not self.words.isdisjoint(_words(value)))
        return known


Query = tuple[tuple[Step, ...], ...]  # a union of paths, each of steps nested one in the other

_STEP_RE = re.compile(r"(\*|[a-z][a-z0-9]*)(?:\[([^\[\]]+)\])?(?:\[position\(\) < (\d+)\])?")
_ATOM_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("has", re.compile(r"@([\w-]+)")),
    ("eq", re.compile(r"@([\w-]+)\s*=\s*'([^']*)'")),
    ("contains", re.compile(r"contains\(@([\w-]+),\s*'([^']+)'\)")),
    ("starts", re.compile(r"starts-with\(@([\w-]+),\s*'([^']+)'\)")),
    ("word", re.compile(r"contains\(concat\(' ', normalize-space\(@(class)\), ' '\), ' ([^' \t\r\n]+) '\)")),
    ("self", re.compile(r"self::([a-z][a-z0-9]*)")),
    ("leaf", re.compile(r"not\((\*)\)")),
)


@lru_cache(maxsize=512)
def parse(xpath: str) -> Query | None:
    """The query an XPath of this subset asks (``.//div | .//*[@itemprop='x' or contains(@class, 'y')]//a``), or
    None for any other XPath (a positional or nested predicate, ``and``, a text or attribute result...)."""
    paths: list[tuple[Step, ...]] = []
    for part in xpath.split(" | "):
        part = part.strip()
        if not part.startswith(".//"):
            return None
        found = [_step(s) for s in part[3:].split("//")]
        steps = [s for s in found if s is not None]
        if len(steps) < len(found) or len(steps) > 1 and any(s.at_most for s in steps):
            return None  # position() only in a path of one step
        paths.append(tuple(steps))
    return tuple(paths)


def _step(text: str) -> Step | None:
    found = _STEP_RE.fullmatch(text)
    if found is None:
        return None
    tag, predicate, at_most = found.groups()
    if at_most is not None and int(at_most) < 2 or predicate is None and at_most is not None:
        return None  # [position() < 1] finds nothing; a bare positional step is left to libxml2
    if predicate is None:
        return Step(tag, None)
    atoms = [_atom(a.strip()) for a in predicate.split(" or ")]
    if any(a is None for a in atoms):
        return None
    return Step(tag, tuple(atoms), int(at_most) - 1 if at_most else 0)  # type: ignore[arg-type]


def _atom(text: str) -> Atom | None:
    for kind, pattern in _ATOM_RES:
        found = pattern.fullmatch(text)
        if found is not None:
            groups = found.groups()
            return kind, groups[0], groups[1] if len(groups) > 1 else ""
    return None


@lru_cache(maxsize=4096)
def _words(value: str) -> frozenset[str]:
    """A class attribute's words as XPath's normalize-space() splits them: cached, pages repeat them."""
    return frozenset(XML_SPACE.split(value))


class Table:
    """The elements below ``top`` in page order, indexed by tag and by attribute name, from one walk."""

    def __init__(self, top: Element) -> None:
        self.top = top
        self.rows: list[Element] = []
        self.at: dict[Element, int] = {}
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_attr: dict[str, list[int]] = defaultdict(list)
        for i, el in enumerate(top.iterdescendants(etree.Element)):
            self.rows.append(el)
            self.at[el] = i
            self.by_tag[el.tag].append(i)
            for name in el.keys():
                self.by_attr[name].append(i)

    def find(self, query: Query) -> list[Element]:
        """What the query's XPath gives evaluated at ``top``, in page order."""
        found = [self._path(path) for path in query]
        indexes = found[0] if len(found) == 1 else sorted(set().union(*found))
        return [self.rows[i] for i in indexes]

    def _path(self, steps: tuple[Step, ...]) -> list[int]:
        *outer, step = steps
        hits = [i for i in self._candidates(step) if self._holds(i, step)]
        if step.at_most:
            hits = self._first_per_parent(hits, step.at_most)
        if outer:
            hits = [i for i in hits if self._below(i, outer)]
        return hits

    def _candidates(self, step: Step) -> list[int]:
        """Rows that may match: those with the tag, or with an attribute (or tag) the step's atoms need."""
        if step.any or step.leaf:
            return self.by_tag.get(step.tag, []) if step.tag != "*" else list(range(len(self.rows)))
        lists = [self.by_attr.get(name, []) for name in step.tests] + [self.by_tag.get(t, []) for t in step.self_tags]
        return lists[0] if len(lists) == 1 else sorted(set().union(*lists))

    def _holds(self, i: int, step: Step) -> bool:
        el = self.rows[i]
        if step.tag != "*" and el.tag != step.tag:
            return False
        if step.any or el.tag in step.self_tags:
            return True
        if step.leaf and (i + 1 == len(self.rows) or self.rows[i + 1].getparent() is not el):
            return True  # in page order an element's first child comes next
        for name, test in step.tests.items():
            value = el.get(name)
            if value is not None and test(value):
                return True
        return False

    def _first_per_parent(self, hits: list[int], at_most: int) -> list[int]:
        seen: dict[Element, int] = defaultdict(int)
        kept = []
        for i in hits:
            parent = self.rows[i].getparent()
            seen[parent] += 1
            if seen[parent] <= at_most:
                kept.append(i)
        return kept

    def _below(self, i: int, outer: list[Step]) -> bool:
        """Some ancestors of row ``i`` below ``top``, innermost last, match the outer steps in order."""
        want = len(outer) - 1
        node = self.rows[i].getparent()
        while node is not None and node is not self.top and want >= 0:
            j = self.at[node]
            if self._holds(j, outer[want]):
                want -= 1
            node = node.getparent()
        return want < 0


def answer(xpath: str) -> Callable[[Table], list[Element]] | None:
    """A function of a Table giving what ``xpath`` gives at its top, or None when the subset cannot ask it."""
    query = parse(xpath)
    return None if query is None else lambda table: table.find(query)
