"""The query language's syntax tree and its parser (the syntax itself is described in monitor/query/__init__.py)."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.errors import QueryError
from monitor.query.words import tokenize

TEXT_FIELDS = ("title", "text", "author")
DEFAULT_FIELDS = ("title", "text")
KEYWORD_FIELDS = ("source", "language", "type", "topics", "id", "article_id")
FIELD_ALIASES = {"topic": "topics", "authors": "author", "lang": "language"}
ALL_FIELDS = TEXT_FIELDS + KEYWORD_FIELDS
# Limits every query keeps (search, topics, alerts; CLI, API, config alike). The nesting limit keeps every
# backend in bounds: SQLite's SQL parser (100 stack entries) overflows at 10 levels of parentheses that each
# hold a NOT, an OR and a keyword field (probed over such level shapes), FTS5's at about 32 nested operators.
# Runs of NOT or - do not nest: they are read in a loop.
MAX_QUERY_LENGTH = 2000
MAX_NESTING = 8


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
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Term | Phrase | And | Or | Not | MatchAll


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
        self.depth = 0  # parentheses open around the current token

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
        # A loop, not recursion: a run of thousands of - or NOT fits in a query and must not use the stack.
        negated = False
        negation: _Tok | None = None  # the innermost NOT or -, which an empty operand is blamed on
        while self.tok.kind in ("NOT", "MINUS", "PLUS"):
            tok = self.tok
            self.i += 1
            if tok.kind == "PLUS":
                continue
            if self.tok.kind not in _OPERAND_START:
                raise self.error(f"{tok.value} needs a term on its right", self._operand_pos(tok))
            negated, negation = not negated, tok
        child = self.parse_primary(field)
        if negation is None:
            return child
        if child is None:
            raise self.error(f"nothing to exclude after {negation.value}", negation.pos)
        if not negated:
            return child
        return child.child if isinstance(child, Not) else Not(child)

    def parse_primary(self, field: str | None) -> Node | None:
        tok = self.tok
        if tok.kind == "LPAREN":
            if self.depth == MAX_NESTING:
                raise self.error(f"parentheses nest more than {MAX_NESTING} deep; write a OR b OR c without "
                                 f"them, or split the query", tok.pos)
            self.i += 1
            if self.tok.kind == "RPAREN":
                raise self.error("empty parentheses", tok.pos)
            self.depth += 1
            node = self.parse_or(field)
            self.depth -= 1
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
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(query)} characters long; at most {MAX_QUERY_LENGTH} are allowed "
                         f"(split it into several alerts or topics)")
    return _Parser(query).parse()


# ---------------------------------------------------------------- walking helpers


def highlight_terms(node: Node) -> list[Term | Phrase]:
    """The text-field terms and phrases a matching document contains (those not under a NOT)."""
    out: list[Term | Phrase] = []
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        n, negated = stack.pop()
        if isinstance(n, (Term, Phrase)):
            if not negated and not is_keyword(n):
                out.append(n)
        elif isinstance(n, (And, Or)):
            stack.extend((child, negated) for child in reversed(n.children))
        elif isinstance(n, Not):
            stack.append((n.child, not negated))
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


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents first (depth first, in query order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (And, Or)):
            stack.extend(reversed(current.children))
        elif isinstance(current, Not):
            stack.append(current.child)
