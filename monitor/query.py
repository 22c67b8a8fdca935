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
FTS5 ``unicode61 remove_diacritics 2`` cuts and folds them (monitor.words). A pure negation
(``NOT football``) means every document without the word. An empty query (or ``*``) matches all.

Phrase slop, the one meaning all backends share: ``"w1 … wk"~N`` (N > 0) matches when one
occurrence of each distinct word lies in one field within a window of k + N positions, i.e.
``(max position - min position + 1) - k <= N``; order does not matter and repeated words count
once. FTS5 says this as ``NEAR(w1 … wk, N + k - 2)``, Elasticsearch/OpenSearch as an unordered
``span_near`` with ``slop: N`` (``match_phrase`` slop counts moves and punishes reversed order,
so it could not agree). ``~0`` is an exact phrase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Union

from monitor.errors import QueryError
from monitor.words import fold_mappings, java_dropped_pattern, java_separator_pattern, tokenize

TEXT_FIELDS = ("title", "text", "author")
DEFAULT_FIELDS = ("title", "text")
KEYWORD_FIELDS = ("source", "language", "type", "topics", "id", "article_id")
FIELD_ALIASES = {"topic": "topics", "authors": "author", "lang": "language"}
ALL_FIELDS = TEXT_FIELDS + KEYWORD_FIELDS


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Term:
    """One word (folded) in a text field, or a whole value (lower-cased) of a keyword field.

    ``field`` None means the default text fields (title and text).
    """

    field: str | None
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words in a text field: consecutive when ``slop`` is 0, else within the slop window (see module doc)."""

    field: str | None
    words: tuple[str, ...]
    slop: int = 0
    prefix: bool = False  # the last word is a prefix (from an unquoted word like covid-19*)


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Union[Term, Phrase, And, Or, Not, MatchAll]


def text_fields(field: str | None) -> tuple[str, ...]:
    """The text fields a Term/Phrase searches."""
    return DEFAULT_FIELDS if field is None else (field,)


def is_keyword(node: Term | Phrase) -> bool:
    return node.field in KEYWORD_FIELDS


# ---------------------------------------------------------------- lexer

_OPERATORS = {"AND", "OR", "NOT"}
_STOP = set(' \t\r\n\f\v()"')
_FIELD_RE = re.compile(r"([A-Za-z_]+):")
_SLOP_RE = re.compile(r"~(\d+)")


@dataclass
class _Tok:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN AND OR NOT MINUS PLUS EOF
    value: str
    pos: int
    slop: int = 0


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("LPAREN", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RPAREN", ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("unterminated phrase: a closing \" is missing", query=query, position=i)
            tok = _Tok("PHRASE", query[i + 1 : end], i)
            i = end + 1
            if i < n and query[i] == "~":
                m = _SLOP_RE.match(query, i)
                if not m:
                    raise QueryError("expected a number of words after ~", query=query, position=i + 1)
                tok.slop = int(m.group(1))
                i = m.end()
            if i < n and query[i] not in _STOP:
                raise QueryError("expected a space after the phrase", query=query, position=i)
            toks.append(tok)
        elif ch in "-+":
            # A lone dash ("Israel - Ukraine") is punctuation, not an operator.
            if i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
                toks.append(_Tok("MINUS" if ch == "-" else "PLUS", ch, i))
            i += 1
        else:
            m = _FIELD_RE.match(query, i)
            if m:
                name = m.group(1).lower()
                name = FIELD_ALIASES.get(name, name)
                if name not in ALL_FIELDS:
                    known = ", ".join(sorted(ALL_FIELDS + tuple(FIELD_ALIASES)))
                    raise QueryError(
                        f"unknown field {m.group(1)!r} (fields: {known}; quote the text to search for it)",
                        query=query,
                        position=i,
                    )
                toks.append(_Tok("FIELD", name, i))
                i = m.end()
                continue
            start = i
            while i < n and query[i] not in _STOP:
                i += 1
            word = query[start:i]
            toks.append(_Tok(word if word in _OPERATORS else "WORD", word, start))
    toks.append(_Tok("EOF", "", n))
    return toks


# ---------------------------------------------------------------- parser

_OPERAND_START = {"WORD", "PHRASE", "FIELD", "LPAREN", "NOT", "MINUS", "PLUS"}


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, query=self.query, position=pos)

    def parse(self) -> Node:
        if self.tok.kind == "EOF":
            return MatchAll()
        node = self.parse_or(None)
        if self.tok.kind == "RPAREN":
            raise self.error("unmatched ')'", self.tok.pos)
        if self.tok.kind != "EOF":  # pragma: no cover - parse_and consumes every operand start
            raise self.error(f"unexpected {self.tok.value!r}", self.tok.pos)
        if node is None:
            raise self.error("the query has no words to search for", 0)
        return node

    def parse_or(self, field: str | None) -> Node | None:
        children = [self.parse_and(field)]
        while self.tok.kind == "OR":
            op = self.tok
            self.i += 1
            if self.tok.kind not in _OPERAND_START:
                raise self.error("OR needs a term on its right", self._operand_pos(op))
            children.append(self.parse_and(field))
        return _or(children)

    def parse_and(self, field: str | None) -> Node | None:
        if self.tok.kind in ("AND", "OR"):
            raise self.error(f"{self.tok.kind} needs a term on its left", self.tok.pos)
        children = [self.parse_unary(field)]
        while True:
            if self.tok.kind == "AND":
                op = self.tok
                self.i += 1
                if self.tok.kind not in _OPERAND_START:
                    raise self.error("AND needs a term on its right", self._operand_pos(op))
                children.append(self.parse_unary(field))
            elif self.tok.kind in _OPERAND_START:
                children.append(self.parse_unary(field))
            else:
                break
        return _and(children)

    def parse_unary(self, field: str | None) -> Node | None:
        tok = self.tok
        if tok.kind in ("NOT", "MINUS"):
            self.i += 1
            if self.tok.kind not in _OPERAND_START:
                raise self.error(f"{tok.value} needs a term on its right", self._operand_pos(tok))
            child = self.parse_unary(field)
            if child is None:
                raise self.error(f"nothing to exclude after {tok.value}", tok.pos)
            return child.child if isinstance(child, Not) else Not(child)
        if tok.kind == "PLUS":
            self.i += 1
            return self.parse_unary(field)
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node | None:
        tok = self.tok
        if tok.kind == "LPAREN":
            self.i += 1
            if self.tok.kind == "RPAREN":
                raise self.error("empty parentheses", tok.pos)
            node = self.parse_or(field)
            if self.tok.kind != "RPAREN":
                raise self.error("unclosed '(': a ')' is missing", tok.pos)
            self.i += 1
            return node
        if tok.kind == "FIELD":
            self.i += 1
            if self.tok.kind not in ("WORD", "PHRASE", "LPAREN"):
                raise self.error(f"expected a value after {tok.value}:", self._operand_pos(tok, len(tok.value) + 1))
            return self.parse_primary(tok.value)
        if tok.kind == "WORD":
            self.i += 1
            return self.word(tok, field)
        if tok.kind == "PHRASE":
            self.i += 1
            return self.phrase(tok, field)
        if tok.kind == "RPAREN":
            raise self.error("unmatched ')'", tok.pos)
        if tok.kind == "EOF":
            raise self.error("the query ends where a term was expected", tok.pos)
        raise self.error(f"unexpected {tok.value!r}", tok.pos)  # pragma: no cover

    def _operand_pos(self, tok: _Tok, width: int | None = None) -> int:
        nxt = self.tok
        return nxt.pos if nxt.kind != "EOF" else tok.pos + (width if width is not None else len(tok.value))

    def word(self, tok: _Tok, field: str | None) -> Node | None:
        raw = tok.value
        tilde = raw.find("~")
        if tilde >= 0 and _SLOP_RE.fullmatch(raw, tilde):
            raise self.error("fuzzy search (word~N) is not supported; for words near each other use \"a b\"~N",
                             tok.pos + tilde)
        stem = raw.rstrip("*")
        prefix = len(stem) < len(raw)
        star = stem.find("*")
        if star >= 0:
            raise self.error("a wildcard * may only end a word", tok.pos + star)
        if field in KEYWORD_FIELDS:
            return Term(field, stem.lower(), prefix) if stem else MatchAll()
        words = tokenize(stem)
        if not words:
            return MatchAll() if prefix and not stem else None
        if len(words) == 1:
            return Term(field, words[0], prefix)
        # covid-19 is two words to every backend: search them as the phrase they form.
        return Phrase(field, tuple(words), 0, prefix)

    def phrase(self, tok: _Tok, field: str | None) -> Node | None:
        if field in KEYWORD_FIELDS:
            return Term(field, tok.value.strip().lower())
        words = tokenize(tok.value)
        if tok.slop > 0:
            words = list(dict.fromkeys(words))
        if not words:
            return None
        if len(words) == 1:
            return Term(field, words[0])
        return Phrase(field, tuple(words), tok.slop)


def _and(children: list[Node | None]) -> Node | None:
    flat: list[Node] = []
    for child in children:
        if child is None or isinstance(child, MatchAll):
            continue
        flat.extend(child.children if isinstance(child, And) else (child,))
    if not flat:
        return MatchAll() if any(isinstance(c, MatchAll) for c in children) else None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(children: list[Node | None]) -> Node | None:
    flat: list[Node] = []
    for child in children:
        if child is None:
            continue
        if isinstance(child, MatchAll):
            return child
        flat.extend(child.children if isinstance(child, Or) else (child,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def parse(query: str) -> Node:
    """Parse a query into its syntax tree; raises QueryError saying where it breaks."""
    return _Parser(query).parse()


# ---------------------------------------------------------------- walking helpers


def highlight_terms(node: Node) -> list[Term | Phrase]:
    """The text-field terms and phrases a matching document contains (those not under a NOT)."""
    out: list[Term | Phrase] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, (Term, Phrase)):
            if not negated and not is_keyword(n):
                out.append(n)
        elif isinstance(n, (And, Or)):
            for child in n.children:
                walk(child, negated)
        elif isinstance(n, Not):
            walk(n.child, not negated)

    walk(node, False)
    return out


def field_text(doc: Mapping[str, Any], field: str) -> str:
    """The text a backend indexes for a text field; an article's authors are joined into ``author``."""
    if field == "author":
        value = doc.get("author")
        if not value:
            value = doc.get("authors")
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value if v)
        return str(value or "")
    return str(doc.get(field) or "")


def keyword_values(doc: Mapping[str, Any], field: str) -> list[str]:
    """A keyword field's values, lower-cased as every backend compares them."""
    value = doc.get(field)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).lower() for v in value if v is not None]
    return [str(value).lower()]


# ---------------------------------------------------------------- Python matcher


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


# ---------------------------------------------------------------- SQLite FTS5


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
        expr = " AND ".join(f"({_fts5(c)})" for c in positives)
        for child in node.children:
            if isinstance(child, Not):
                expr = f"({expr}) NOT ({_fts5(child.child)})"
        return expr
    raise ValueError(f"FTS5 cannot express {node!r} on its own")  # pragma: no cover


# ---------------------------------------------------------------- Elasticsearch / OpenSearch


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


# Index settings the engine DSL assumes, built from the same table as monitor.words so that words are
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


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents first."""
    yield node
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
