"""The one keyword query language: parse to a small syntax tree, then SQLite FTS5, engine DSL or a Python match.

Syntax (a user's view)::

    Israel AND (Ukraine OR Kyiv) NOT football     operators; AND is also the default between terms
    "air defense"                                 a phrase: the words next to each other, in order
    "israel ukraine"~5                            the words in any order, with at most 5 other words among them
    ukrain*                                       words that start with "ukrain"
    title:Medvedev  title:(a OR b)  author:smith  text fields: title, text, author
    source:unian  language:uk  type:comment       keyword fields: source, language, type,
    topic:war  id:…  article_id:…                 topic/topics, id, article_id (whole value, any case)
    -word  +word                                  -word is NOT word; +word is word (AND is the default)

Only upper-case AND, OR, NOT are operators, as in Lucene; lower-case "and" is a word to find.
Precedence: NOT binds tightest, then AND, then OR. A bare word searches title and text.
Matching is by whole word (no stemming), case- and accent-insensitive, with words as SQLite
FTS5 ``unicode61 remove_diacritics 2`` cuts and folds them (monitor.query.words). A pure negation
(``NOT football``) means every document without the word. An empty query (or ``*``) matches all.
A query has at most 2,000 characters and 8 levels of parentheses (MAX_QUERY_LENGTH, MAX_NESTING).

Phrase slop, the one meaning all backends share: ``"w1 … wk"~N`` (N > 0) matches when one
occurrence of each distinct word lies in one field within a window of k + N positions, i.e.
``(max position - min position + 1) - k <= N``; order does not matter and repeated words count
once. FTS5 says this as ``NEAR(w1 … wk, N + k - 2)``, Elasticsearch/OpenSearch as an unordered
``span_near`` with ``slop: N`` (``match_phrase`` slop counts moves and punishes reversed order,
so it could not agree). ``~0`` is an exact phrase.
"""
from __future__ import annotations

from monitor.query.dsl import ENGINE_FIELD_MAPPINGS, ENGINE_TEXT_ANALYSIS, to_engine_dsl
from monitor.query.fts5 import fts5_expressible, to_fts5
from monitor.query.matcher import Prepared, matches, prepared
from monitor.query.syntax import (
    ALL_FIELDS,
    DEFAULT_FIELDS,
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    And,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    field_text,
    highlight_terms,
    is_keyword,
    keyword_values,
    parse,
    text_fields,
    walk,
)

__all__ = [
    "ALL_FIELDS", "DEFAULT_FIELDS", "ENGINE_FIELD_MAPPINGS", "ENGINE_TEXT_ANALYSIS", "KEYWORD_FIELDS", "TEXT_FIELDS",
    "And", "MatchAll", "Node", "Not", "Or", "Phrase", "Prepared", "Term", "field_text", "fts5_expressible",
    "highlight_terms", "is_keyword", "keyword_values", "matches", "parse", "prepared", "text_fields", "to_engine_dsl",
    "to_fts5", "walk",
]
