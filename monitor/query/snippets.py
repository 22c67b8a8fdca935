"""Search snippets: a short window of a document's text with the matched words marked «like this»."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from monitor.query import Node, Phrase, Term, field_text, highlight_terms, text_fields
from monitor.query.words import word_spans

OPEN, CLOSE, ELLIPSIS = "«", "»", "…"
_SPACES = re.compile(r"\s+")


def _marker(node: Node, field: str) -> Callable[[str], bool]:
    exact: set[str] = set()
    prefixes: list[str] = []
    for leaf in highlight_terms(node):
        if field not in text_fields(leaf.field):
            continue
        if isinstance(leaf, Term) and leaf.prefix:
            prefixes.append(leaf.word)
        elif isinstance(leaf, Term):
            exact.add(leaf.word)
        elif isinstance(leaf, Phrase):
            exact.update(leaf.words[:-1] if leaf.prefix else leaf.words)
            if leaf.prefix:
                prefixes.append(leaf.words[-1])
    starts = tuple(prefixes)
    return lambda word: word in exact or (bool(starts) and word.startswith(starts))


def mark(text: str, node: Node, *, field: str = "text", words: int = 30) -> tuple[str, int]:
    """The best window of ``words`` words of ``text`` with matches marked, and how many it marks."""
    spans = word_spans(text)
    if not spans:
        return _SPACES.sub(" ", text).strip(), 0
    hit = _marker(node, field)
    hits = [i for i, (w, _, _) in enumerate(spans) if hit(w)]
    start = 0
    if hits:
        # The window holding the most matches, opening a few words before its first one.
        best = max(hits, key=lambda h: sum(1 for x in hits if h <= x < h + words - 5))
        start = max(0, best - 5)
    end = min(len(spans), start + words)
    hit_set = set(hits)
    out: list[str] = [ELLIPSIS] if start > 0 else []
    cursor = spans[start][1]
    for i in range(start, end):
        _, a, b = spans[i]
        out.append(text[cursor:a])
        out.append(f"{OPEN}{text[a:b]}{CLOSE}" if i in hit_set else text[a:b])
        cursor = b
    if end < len(spans):
        out.append(" " + ELLIPSIS)
    snippet = _SPACES.sub(" ", "".join(out)).strip()
    return snippet, sum(1 for i in hits if start <= i < end)


def make_snippet(doc: Mapping[str, Any], node: Node, *, words: int = 30) -> str:
    """The snippet of a hit: from its text, or from its title when only the title matched."""
    snippet, marked = mark(field_text(doc, "text"), node, field="text", words=words)
    if not marked:
        title, title_marked = mark(field_text(doc, "title"), node, field="title", words=words)
        if title_marked:
            return title
    return snippet


def search_hit(doc: dict[str, Any], node: Node, *, score: float | None) -> dict[str, Any]:
    """A stored document as a search hit: its score, its snippet, and one ``author`` line for every type."""
    doc["score"] = score
    doc["snippet"] = make_snippet(doc, node)
    if doc.get("type") == "article":
        doc["author"] = ", ".join(doc.get("authors") or []) or None
    return doc
