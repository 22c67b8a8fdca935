"""The Python matcher: the query language evaluated on one document, with the answers the indexes give."""
from __future__ import annotations

from collections.abc import Callable, Mapping
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
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self._words: dict[str, list[str]] = {}
        self._sets: dict[str, set[str]] = {}

    def words(self, field: str) -> list[str]:
        if field not in self._words:
            self._words[field] = tokenize(field_text(self.doc, field))
        return self._words[field]

    def word_set(self, field: str) -> set[str]:
        if field not in self._sets:
            self._sets[field] = set(self.words(field))
        return self._sets[field]


def _word_hit(token: str, word: str, prefix: bool) -> bool:
    return token.startswith(word) if prefix else token == word


def _phrase_in(words: list[str], phrase: Phrase) -> bool:
    want = phrase.words
    k = len(want)
    if phrase.slop == 0:
        last = k - 1
        for i in range(len(words) - k + 1):
            if all(
                _word_hit(words[i + j], want[j], phrase.prefix and j == last) for j in range(k)
            ):
                return True
        return False
    # Smallest window holding every (distinct) word: slide over the positions of wanted words.
    index = {w: j for j, w in enumerate(want)}
    hits = [(pos, index[w]) for pos, w in enumerate(words) if w in index]
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
        if not node.prefix:  # many alerts test one document: a set lookup, not a scan
            return any(node.word in doc.word_set(f) for f in text_fields(node.field))
        return any(
            _word_hit(w, node.word, node.prefix) for f in text_fields(node.field) for w in doc.words(f)
        )
    if isinstance(node, Phrase):
        whole = node.words[:-1] if node.prefix else node.words  # each must occur before positions matter
        return any(all(w in doc.word_set(f) for w in whole) and _phrase_in(doc.words(f), node)
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


def prepared(doc: Mapping[str, Any]) -> Callable[[Node], bool]:
    """``matches`` for many queries against one document: its words are cut once (alerts, topics)."""
    words = _Doc(doc)
    return lambda node: _match(node, words)
