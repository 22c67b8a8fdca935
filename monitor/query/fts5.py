"""The query language as an SQLite FTS5 MATCH expression."""
from __future__ import annotations

from monitor.query.syntax import (
    And,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    is_keyword,
    text_fields,
)


def fts5_expressible(node: Node) -> bool:
    """Can FTS5 alone say this? Not with keyword fields, MatchAll, or a NOT that has nothing to subtract from."""
    if isinstance(node, Term):
        return not is_keyword(node)
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Or):
        return all(fts5_expressible(c) for c in node.children)
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c.child for c in node.children if isinstance(c, Not)]
        return bool(positives) and all(fts5_expressible(c) for c in positives + negatives)
    return False


def _fts5_columns(field: str | None) -> str:
    return "{" + " ".join(text_fields(field)) + "}"


def _fts5_string(words: tuple[str, ...] | list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def to_fts5(node: Node) -> str:
    """The FTS5 MATCH expression (columns title, text, author); ValueError unless fts5_expressible(node)."""
    if not fts5_expressible(node):
        raise ValueError(f"FTS5 cannot express {node!r} on its own")
    return _fts5(node)


def _fts5(node: Node) -> str:
    if isinstance(node, Term):
        return f"{_fts5_columns(node.field)} : {_fts5_string([node.word])}{' *' if node.prefix else ''}"
    if isinstance(node, Phrase):
        if node.slop == 0:
            return f"{_fts5_columns(node.field)} : {_fts5_string(node.words)}{' *' if node.prefix else ''}"
        near = " ".join(_fts5_string([w]) for w in node.words)
        return f"{_fts5_columns(node.field)} : NEAR({near}, {node.slop + len(node.words) - 2})"
    if isinstance(node, Or):
        return " OR ".join(f"({_fts5(c)})" for c in node.children)
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c.child for c in node.children if isinstance(c, Not)]
        expr = " AND ".join(f"({_fts5(c)})" for c in positives)
        if not negatives:
            return expr
        # One NOT of an OR, not a NOT per exclusion: each NOT would nest the expression one level deeper, and
        # FTS5's parser stack overflows at about 32 levels (a -b -c … fits easily in a query).
        if len(negatives) == 1:
            return f"({expr}) NOT ({_fts5(negatives[0])})"
        return f"({expr}) NOT (" + " OR ".join(f"({_fts5(c)})" for c in negatives) + ")"
    raise ValueError(f"FTS5 cannot express {node!r} on its own")  # pragma: no cover
