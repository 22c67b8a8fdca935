"""The query language as Elasticsearch/OpenSearch DSL, with the index analysis it assumes (same words as FTS5)."""
from __future__ import annotations

from typing import Any

from monitor.query.syntax import (
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    is_keyword,
    text_fields,
)
from monitor.query.words import (
    fold_mappings,
    java_dropped_pattern,
    java_separator_pattern,
)


def _engine_analysis() -> dict[str, Any]:
    rules, _dropped = fold_mappings()
    return {
        "analysis": {
            "char_filter": {
                "monitor_drop_marks": {"type": "pattern_replace", "pattern": java_dropped_pattern(), "replacement": ""},
                "monitor_fold": {"type": "mapping", "mappings": rules},
            },
            "tokenizer": {
                "monitor_words": {"type": "pattern", "pattern": java_separator_pattern()},
            },
            "analyzer": {
                "monitor_text": {
                    "type": "custom",
                    "char_filter": ["monitor_drop_marks", "monitor_fold"],
                    "tokenizer": "monitor_words",
                },
            },
            "normalizer": {
                "monitor_keyword": {"type": "custom", "filter": ["lowercase"]},
            },
        }
    }


# Index settings the engine DSL assumes, built from the same table as monitor.query.words so that words are
# cut and folded exactly as SQLite FTS5 unicode61 does. Not "standard + lowercase + asciifolding":
# the standard tokenizer keeps "U.S.A" and "can't" whole and splits CJK per character, and asciifolding
# turns ß into ss and æ into ae, where FTS5 does neither; the answers would differ.
ENGINE_TEXT_ANALYSIS: dict[str, Any] = _engine_analysis()

# The field mappings the DSL assumes: text fields with the analyzer above, keyword fields lower-cased.
# Text is sent as monitor.query.field_text gives it (an article's authors joined into ``author``).
ENGINE_FIELD_MAPPINGS: dict[str, Any] = {
    **{f: {"type": "text", "analyzer": "monitor_text"} for f in TEXT_FIELDS},
    **{f: {"type": "keyword", "normalizer": "monitor_keyword"} for f in KEYWORD_FIELDS},
}


def _dsl_leaf(node: Term | Phrase, field: str) -> dict[str, Any]:
    if isinstance(node, Term):
        if node.prefix:
            return {"prefix": {field: {"value": node.word}}}
        return {"term": {field: {"value": node.word}}}
    if node.slop == 0 and not node.prefix:
        return {"match_phrase": {field: {"query": " ".join(node.words), "slop": 0}}}
    clauses: list[dict[str, Any]] = [{"span_term": {field: w}} for w in node.words]
    if node.prefix:
        clauses[-1] = {"span_multi": {"match": {"prefix": {field: {"value": node.words[-1]}}}}}
    if node.slop == 0:
        return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True}}
    return {"span_near": {"clauses": clauses, "slop": node.slop, "in_order": False}}


def to_engine_dsl(node: Node) -> dict[str, Any]:
    """The Elasticsearch/OpenSearch query (needs ENGINE_TEXT_ANALYSIS and ENGINE_FIELD_MAPPINGS)."""
    if isinstance(node, MatchAll):
        return {"match_all": {}}
    if isinstance(node, (Term, Phrase)):
        if is_keyword(node):
            assert isinstance(node, Term)
            kind = "prefix" if node.prefix else "term"
            return {kind: {node.field: {"value": node.word}}}
        fields = text_fields(node.field)
        if len(fields) == 1:
            return _dsl_leaf(node, fields[0])
        return {"bool": {"should": [_dsl_leaf(node, f) for f in fields], "minimum_should_match": 1}}
    if isinstance(node, And):
        must = [to_engine_dsl(c) for c in node.children if not isinstance(c, Not)]
        must_not = [to_engine_dsl(c.child) for c in node.children if isinstance(c, Not)]
        body: dict[str, Any] = {}
        if must:
            body["must"] = must
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}
    if isinstance(node, Or):
        return {"bool": {"should": [to_engine_dsl(c) for c in node.children], "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [to_engine_dsl(node.child)]}}
    raise TypeError(f"not a query node: {node!r}")
