"""The Python matcher: the query language evaluated on one document, with the answers the indexes give."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from monitor.query.syntax import (
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    field_text,
    is_keyword,
    keyword_values,
    text_fields,
)
from monitor.query.words import tokenize


class _Doc:
    """One document's words per field, cut once and kept as a list, a set and word positions."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self._words: dict[str, list[str]] = {}
        self._positions: dict[str, dict[str, list[int]]] = {}
        self._prefixes: dict[tuple[str, int], set[str]] = {}

    def words(self, field: str) -> list[str]:
        if field not in self._words:
            self._words[field] = tokenize(field_text(self.doc, field))
        return self._words[field]

    def positions(self, field: str) -> dict[str, list[int]]:
        """Each distinct word of the field with its positions, in order (also the field's word set)."""
        if field not in self._positions:
            found: dict[str, list[int]] = {}
            for n, word in enumerate(self.words(field)):
                found.setdefault(word, []).append(n)
            self._positions[field] = found
        return self._positions[field]

    def prefixes(self, field: str, length: int) -> set[str]:
        """The field's words cut to ``length`` characters (words at least that long only)."""
        key = (field, length)
        if key not in self._prefixes:
            self._prefixes[key] = {w[:length] for w in self.positions(field) if len(w) >= length}
        return self._prefixes[key]


def _word_hit(token: str, word: str, prefix: bool) -> bool:
    return token.startswith(word) if prefix else token == word


def _phrase_in(doc: _Doc, field: str, phrase: Phrase) -> bool:
    want = phrase.words
    k = len(want)
    words = doc.words(field)
    positions = doc.positions(field)
    if phrase.slop == 0:
        last = k - 1
        if k == 1 and phrase.prefix:
            return any(w.startswith(want[0]) for w in positions)
        # Only the first word's positions can start the phrase.
        return any(
            p + k <= len(words) and all(_word_hit(words[p + j], want[j], phrase.prefix and j == last)
                                        for j in range(1, k))
            for p in positions.get(want[0], ())
        )
    # Smallest window holding every (distinct) word: slide over the positions of wanted words.
    index = {w: j for j, w in enumerate(want)}
    hits = sorted((pos, j) for w, j in index.items() for pos in positions.get(w, ()))
    counts = [0] * k
    covered = 0
    left = 0
    for pos, j in hits:
        if counts[j] == 0:
            covered += 1
        counts[j] += 1
        while covered == k:
            start, jl = hits[left]
            if (pos - start + 1) - k <= phrase.slop:
                return True
            counts[jl] -= 1
            if counts[jl] == 0:
                covered -= 1
            left += 1
    return False


def _match(node: Node, doc: _Doc) -> bool:
    if isinstance(node, Term):
        if is_keyword(node):
            return any(_word_hit(v, node.word, node.prefix) for v in keyword_values(doc.doc, node.field or ""))
        if not node.prefix:  # many alerts test one document: a lookup, not a scan
            return any(node.word in doc.positions(f) for f in text_fields(node.field))
        return any(node.word in doc.prefixes(f, len(node.word)) for f in text_fields(node.field))
    if isinstance(node, Phrase):
        whole = node.words[:-1] if node.prefix else node.words  # each must occur before positions matter
        return any(all(w in doc.positions(f) for w in whole) and _phrase_in(doc, f, node)
                   for f in text_fields(node.field))
    if isinstance(node, And):
        return all(_match(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(_match(c, doc) for c in node.children)
    if isinstance(node, Not):
        return not _match(node.child, doc)
    if isinstance(node, MatchAll):
        return True
    raise TypeError(f"not a query node: {node!r}")


def matches(node: Node, doc: Mapping[str, Any]) -> bool:
    """Does the document (a dict with title/text/author(s)/source/…) match? Same answers as the indexes."""
    return _match(node, _Doc(doc))


class Prepared:
    """One document ready for many queries (alerts, topics): its words are cut once."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self._doc = _Doc(doc)

    def __call__(self, node: Node) -> bool:
        return _match(node, self._doc)

    def words(self, fields: Iterable[str]) -> set[str]:
        """The distinct words of the given text fields."""
        return {w for f in fields for w in self._doc.positions(f)}

    def prefixes(self, fields: Iterable[str], length: int) -> set[str]:
        """The words of the given text fields cut to ``length`` characters."""
        return set().union(*(self._doc.prefixes(f, length) for f in fields))


def prepared(doc: Mapping[str, Any]) -> Prepared:
    """``matches`` for many queries against one document."""
    return Prepared(doc)
