"""The query language: parsing, errors that say where, the Python matcher, and its agreement with SQLite FTS5."""
from __future__ import annotations

import inspect
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.index.base import SearchRequest
from monitor.index.sqlite import SQLiteIndex
from monitor.items import ArticleItem, Comment
from monitor.query import (
    ENGINE_TEXT_ANALYSIS,
    And,
    MatchAll,
    Not,
    Or,
    Phrase,
    Term,
    highlight_terms,
    matches,
    parse,
    to_engine_dsl,
    to_fts5,
    walk,
)
from monitor.query._unicode61 import FOLD, TOKEN_RANGES
from monitor.query.syntax import MAX_NESTING, MAX_QUERY_LENGTH
from monitor.query.words import FTS5_TOKENIZE, probe_sqlite, tokenize

# ---------------------------------------------------------------- words


def fts5_words(conn: sqlite3.Connection, text: str) -> list[str]:
    conn.execute("DELETE FROM f")
    conn.execute("INSERT INTO f (rowid, x) VALUES (1, ?)", (text,))
    return [term for (term,) in conn.execute("SELECT term FROM v ORDER BY offset")]


@pytest.fixture(scope="module")
def fts5() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE f USING fts5(x, tokenize='{FTS5_TOKENIZE}')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    return conn


@pytest.mark.e2e  # probes all 1.1 million code points through FTS5: 10-20 s, too slow for the unit part
def test_the_generated_word_table_is_what_this_sqlite_does() -> None:
    assert probe_sqlite() == (TOKEN_RANGES, FOLD)


def test_folding_never_moves_a_word_boundary() -> None:
    # tokenize folds the whole text before cutting it into words, which is only right if this holds.
    def is_word_char(c: str) -> bool:
        return any(a <= ord(c) <= b for a, b in TOKEN_RANGES)

    assert FOLD
    for code, folded in FOLD:
        if is_word_char(chr(code)):
            assert all(is_word_char(c) for c in folded), (hex(code), folded)
        else:
            assert folded == chr(code), hex(code)


def test_words_are_lower_cased_and_stripped_of_latin_accents_only() -> None:
    # ł is a letter of its own to unicode61, not l with a diacritic.
    assert tokenize("KYIV Café résumé Łódź İstanbul") == ["kyiv", "cafe", "resume", "łodz", "istanbul"]
    assert tokenize("Straße Київ ΣΊΣΥΦΟΣ") == ["straße", "київ", "σίσυφοσ"]  # no ß→ss; Cyrillic/Greek keep accents
    assert tokenize("U.S.A. can't covid-19 3.14") == ["u", "s", "a", "can", "t", "covid", "19", "3", "14"]
    assert tokenize("e\u0301te\u0301 vs été") == ["ete", "vs", "ete"]  # decomposed accents fold alike


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60))
def test_tokenize_cuts_and_folds_any_text_exactly_as_fts5(fts5: sqlite3.Connection, text: str) -> None:
    assert tokenize(text) == fts5_words(fts5, text)


# ---------------------------------------------------------------- parsing


def test_the_design_examples_parse_to_the_expected_trees() -> None:
    assert parse("Israel AND (Ukraine OR Kyiv) NOT football") == And((
        Term(None, "israel"), Or((Term(None, "ukraine"), Term(None, "kyiv"))), Not(Term(None, "football")),
    ))
    assert parse('"air defense"') == Phrase(None, ("air", "defense"))
    assert parse("title:Medvedev") == Term("title", "medvedev")
    assert parse("source:unian") == Term("source", "unian")
    assert parse("ukrain*") == Term(None, "ukrain", prefix=True)
    assert parse('"israel ukraine"~5') == Phrase(None, ("israel", "ukraine"), slop=5)


def test_precedence_is_not_then_and_then_or_with_and_as_default() -> None:
    assert parse("a OR b c") == Or((Term(None, "a"), And((Term(None, "b"), Term(None, "c")))))
    assert parse("a b OR c") == Or((And((Term(None, "a"), Term(None, "b"))), Term(None, "c")))
    assert parse("NOT a b") == And((Not(Term(None, "a")), Term(None, "b")))
    assert parse("-a +b") == And((Not(Term(None, "a")), Term(None, "b")))
    assert parse("NOT NOT a") == Term(None, "a")


def test_only_upper_case_operators_are_operators() -> None:
    assert parse("rock and roll") == And((Term(None, "rock"), Term(None, "and"), Term(None, "roll")))
    assert parse("war or peace not") == And(tuple(Term(None, w) for w in ("war", "or", "peace", "not")))


def test_fields_apply_to_groups_and_aliases_name_the_same_field() -> None:
    assert parse('title:(kyiv OR "air defense")') == Or((Term("title", "kyiv"), Phrase("title", ("air", "defense"))))
    assert parse("topic:War") == parse("topics:war") == Term("topics", "war")
    assert parse('source:"Kyiv Post"') == Term("source", "kyiv post")
    assert parse("authors:smith") == Term("author", "smith")
    assert parse("title: kyiv") == Term("title", "kyiv")


def test_words_that_are_several_words_to_the_index_become_phrases() -> None:
    assert parse("covid-19") == Phrase(None, ("covid", "19"))
    assert parse("covid-19*") == Phrase(None, ("covid", "19"), prefix=True)
    assert parse('"Kyiv kyiv KYIV war"~2') == Phrase(None, ("kyiv", "war"), slop=2)  # repeats count once
    assert parse('"Kyiv KYIV"~2') == Term(None, "kyiv")


def test_empty_and_star_queries_match_everything_and_punctuation_is_ignored() -> None:
    assert parse("") == parse("   ") == parse("*") == MatchAll()
    assert parse("Israel – Ukraine") == And((Term(None, "israel"), Term(None, "ukraine")))


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ("israel AND", 10, "AND needs a term on its right"),
        ("israel AND OR kyiv", 11, "AND needs a term on its right"),
        ("OR israel", 0, "OR needs a term on its left"),
        ("israel OR", 9, "OR needs a term on its right"),
        ("israel NOT", 10, "NOT needs a term"),
        ("(israel OR kyiv", 0, "unclosed '('"),
        ("israel (kyiv", 7, "unclosed '('"),
        ("israel)", 6, "unmatched ')'"),
        ("()", 0, "empty parentheses"),
        ('kyiv "air defense', 5, "unterminated phrase"),
        ('"air defense"~', 14, "expected a number"),
        ('"air defense"x', 13, "expected a space"),
        ("titel:kyiv", 0, "unknown field 'titel'"),
        ("title:", 6, "expected a value after title:"),
        ("title: )", 7, "expected a value after title:"),
        ("uk*ne", 2, "wildcard"),
        ("*ukraine", 0, "wildcard"),
        ("kyiv~2", 4, "fuzzy"),
        ("NOT —", 0, "nothing to exclude"),
        ("— –", 0, "no words"),
    ],
)
def test_a_malformed_query_says_what_and_where(query: str, position: int, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert caught.value.query == query
    assert says in str(caught.value)
    assert str(caught.value).endswith("\n  " + " " * position + "^")


# ---------------------------------------------------------------- the Python matcher

DOC = {
    "id": "a1", "type": "article", "source": "Unian", "language": "uk", "topics": ["war", "Israel"],
    "title": "KYIV air defense repels attack",
    "text": "Israel and Ukraine talk. Le café de Flore. The red big dog barked.",
    "authors": ["Olena Petrenko", "John Smith"],
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kyiv", True), ("Kyïv", True), ("CAFE", True), ("caf", False), ("caf*", True), ("ukrainian", False),
        ("title:israel", False), ("text:israel", True), ("author:smith", True), ("smith", False),
        ('author:"petrenko john"', True),  # an article's authors are one author text, as every backend indexes it
        ('"air defense"', True), ('"defense air"', False), ('"air repels"', False),
        ('"red dog"~1', True), ('"dog red"~1', True), ('"red dog"~0', False), ('"dog barked red"~0', False),
        ('"dog barked red"~1', True), ('"red big dog barked"~0', True), ('"barked red"~2', True),
        ('"kyiv israel"~10', False),  # in different fields: never near
        ("source:unian", True), ("source:uni", False), ("source:uni*", True), ("topic:israel", True),
        ("language:en", False), ("NOT language:en", True), ("NOT id:b1", True),
        ("article_id:a1", False), ("NOT article_id:a1", True), ("type:article AND NOT type:comment", True),
        ("israel AND (ukraine OR kyiv) NOT football", True), ("israel NOT ukraine", False), ("*", True),
    ],
)
def test_matcher(query: str, expected: bool) -> None:
    assert matches(parse(query), DOC) is expected


def test_highlight_terms_are_the_words_a_match_contains() -> None:
    node = parse('kyiv OR "air defense" NOT football source:unian title:x*')
    assert highlight_terms(node) == [Term(None, "kyiv"), Phrase(None, ("air", "defense")), Term("title", "x", True)]


# ---------------------------------------------------------------- FTS5 and engine DSL shapes


def test_fts5_expression_uses_columns_near_and_prefix() -> None:
    assert to_fts5(parse("title:kyiv ukr*")) == '({title} : "kyiv") AND ({title text} : "ukr" *)'
    assert to_fts5(parse('"a b c"~2')) == '{title text} : NEAR("a" "b" "c", 3)'
    assert to_fts5(parse("a NOT b")) == '(({title text} : "a")) NOT ({title text} : "b")'
    with pytest.raises(ValueError):
        to_fts5(parse("NOT b"))
    with pytest.raises(ValueError):
        to_fts5(parse("a source:x"))


def test_engine_dsl_says_the_same_things() -> None:
    assert to_engine_dsl(parse("NOT football")) == {"bool": {"must_not": [{"bool": {"should": [
        {"term": {"title": {"value": "football"}}}, {"term": {"text": {"value": "football"}}}],
        "minimum_should_match": 1}}]}}
    assert to_engine_dsl(parse('text:"israel ukraine"~5')) == {"span_near": {"clauses": [
        {"span_term": {"text": "israel"}}, {"span_term": {"text": "ukraine"}}], "slop": 5, "in_order": False}}
    assert to_engine_dsl(parse("source:uni*")) == {"prefix": {"source": {"value": "uni"}}}
    assert to_engine_dsl(parse("")) == {"match_all": {}}


def test_engine_analysis_folds_like_fts5() -> None:
    analysis = ENGINE_TEXT_ANALYSIS["analysis"]
    rules = analysis["char_filter"]["monitor_fold"]["mappings"]
    assert "É => e" in rules and "Ł => ł" in rules and "K => k" in rules
    assert not any(rule.startswith("ß ") for rule in rules)
    assert analysis["analyzer"]["monitor_text"]["tokenizer"] == "monitor_words"


# ---------------------------------------------------------------- matcher == SQLite FTS5

VOCAB = ["kyiv", "KYIV", "Kyïv", "café", "cafe", "CAFÉ", "israel", "Israel", "ukraine", "ukrainian", "air",
         "defense", "war", "Straße", "łódź", "київ", "Київ", "e\u0301te\u0301", "été", "2-1", "o'neill"]
SEPARATORS = [" ", " ", ", ", ". ", " - ", "\n", "'", "/"]
PREFIXES = ["ky*", "caf*", "ukr*", "ukraine*", "is*", "de*", "wa*", "ки*", "str*", "et*", "o*", "2*"]


@st.composite
def texts(draw: st.DrawFn, max_words: int = 8) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), max_size=max_words))
    out = ""
    for word in words:
        out += word + draw(st.sampled_from(SEPARATORS))
    return out


@st.composite
def articles(draw: st.DrawFn) -> list[ArticleItem]:
    items = []
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        items.append(ArticleItem(
            id=f"a{n}", url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
            source=draw(st.sampled_from(["unian", "tass", "Times"])),
            language=draw(st.sampled_from(["en", "uk", None])),
            topics=draw(st.lists(st.sampled_from(["war", "sport", "Israel"]), max_size=2, unique=True)),
            title=draw(texts(4)), text=draw(texts()),
            authors=draw(st.lists(st.sampled_from(["Olena Petrenko", "John Smith", "Kyiv Post"]), max_size=2)),
            comments=[
                Comment(id=f"a{n}-c{k}", article_id=f"a{n}", position=k, text=draw(texts()),
                        author=draw(st.sampled_from([None, "John Smith", "café"])))
                for k in range(1, draw(st.integers(min_value=0, max_value=2)) + 1)
            ],
        ))
    return items


def _phrase(words: list[str], slop: int | None) -> str:
    return '"' + " ".join(words) + '"' + (f"~{slop}" if slop is not None else "")


LEAVES = st.one_of(
    st.sampled_from(VOCAB),
    st.sampled_from(PREFIXES),
    st.builds(_phrase, st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3),
              st.one_of(st.none(), st.integers(min_value=0, max_value=4))),
    st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(["title", "text", "author"]),
              st.sampled_from(VOCAB + PREFIXES + ["petrenko", "smith", '"john smith"', '"kyiv post"'])),
    st.sampled_from(["source:unian", "source:TA*", "language:en", "topic:war", "topic:israel", "type:article",
                     "type:comment", "id:a1", "id:a1-c1", "article_id:a0", "*"]),
)
QUERIES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) AND ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) OR ({b})", inner, inner),
        st.builds(lambda a, b: f"{a} {b}", inner, inner),
        st.builds(lambda a: f"NOT ({a})", inner),
        st.builds(lambda a: f"-({a})", inner),
    ),
    max_leaves=5,
)


@settings(max_examples=250, deadline=None)
@given(items=articles(), query=QUERIES)
def test_the_python_matcher_and_sqlite_fts5_find_the_same_documents(items: list[ArticleItem], query: str) -> None:
    try:
        node = parse(query)
    except QueryError:
        return  # e.g. "NOT (—)": nothing left to search; the parser's own tests cover errors
    with tempfile.TemporaryDirectory() as directory:
        index = SQLiteIndex(Path(directory) / "monitor.db")
        try:
            index.upsert(items, seen_at="2026-03-01T00:00:00Z")
            found = {hit["id"] for hit in index.search(SearchRequest(query=query, limit=1000)).hits}
            stored = [index.get_article(item.id) for item in items]
            stored += [comment for item in items for comment in index.get_comments(item.id)]
        finally:
            index.close()
    expected = {doc["id"] for doc in stored if doc is not None and matches(node, doc)}
    assert found == expected, f"query {query!r} -> {node!r}"


# ---------------------------------------------------------------- limits: length and nesting

STACK_FRAMES = 150  # what walking a query at the limit may use, well below any thread's recursion limit


@contextmanager
def stack_budget(frames: int) -> Iterator[None]:
    """Python's recursion limit set just ``frames`` above the caller: a walker that recurses deeply fails here."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def nested(level: Callable[[str, int], str], depth: int) -> str:
    """A query built by wrapping ``x`` ``depth`` times, each level adding one pair of parentheses."""
    query = "x"
    for i in range(depth):
        query = level(query, i)
    return query


def paren_depth(query: str) -> int:
    deepest = depth = 0
    for ch in query:
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    return deepest


# Each adds one level of parentheses and as many tree levels (OR, AND, NOT) as a level can hold.
WORST_LEVELS: dict[str, Callable[[str, int], str]] = {
    "or-and": lambda q, i: f"a{i} OR (b{i} {q})",
    "and-not-or": lambda q, i: f"a{i} -(b{i} OR {q})",
    "field-groups": lambda q, i: f"(c{i} d{i}) OR title:(e{i} -f{i} {q})",
    "not-or-keyword": lambda q, i: f"-(source:lab OR g{i} {q})",
    "and-not-or-keyword": lambda q, i: f"a{i} -(source:lab OR g{i} -h{i} {q} OR -k{i})",
    "nots": lambda q, i: f"h{i} -h{i}x -h{i}y -({q} OR -h{i}z)",
}


@pytest.mark.parametrize("query", ["(" * 250 + "a" + ")" * 250, "title:(" * 200 + "a" + ")" * 200,
                                   "a OR (" * 250 + "b" + ")" * 250])
def test_deep_nesting_is_refused_with_the_limit_instead_of_crashing(query: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert f"more than {MAX_NESTING} deep" in str(caught.value)
    assert caught.value.position == [i for i, ch in enumerate(query) if ch == "("][MAX_NESTING]


@pytest.mark.parametrize(("run", "negated"), [("-" * 1995, True), ("-" * 1994, False), ("NOT " * 497, True),
                                             ("-+" * 997, True), ("NOT -" * 398, False)])
def test_a_long_run_of_negations_parses_to_what_it_means(run: str, negated: bool) -> None:
    node = parse(run + "kyiv")
    assert node == (Not(Term(None, "kyiv")) if negated else Term(None, "kyiv"))


def test_a_query_longer_than_search_allows_is_refused_everywhere() -> None:
    assert MAX_QUERY_LENGTH == 2000  # what the search API and page allow
    assert parse("k" * 2000) == Term(None, "k" * 2000)
    with pytest.raises(QueryError) as caught:
        parse("k" * 2001)
    assert "2001 characters" in str(caught.value) and "at most 2000" in str(caught.value)


@pytest.mark.parametrize("name", sorted(WORST_LEVELS))
def test_a_query_at_the_nesting_limit_works_in_every_evaluator(name: str, tmp_path: Path) -> None:
    query = nested(WORST_LEVELS[name], MAX_NESTING)
    assert paren_depth(query) == MAX_NESTING
    with pytest.raises(QueryError):
        parse(nested(WORST_LEVELS[name], MAX_NESTING + 1))
    words = {w for w in tokenize(query) if w not in ("or", "not", "source", "lab", "title")}
    items = [ArticleItem(id=f"n{n}", url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
                         source="lab" if n % 2 else "other", title=" ".join(sorted(words)[n::3]),
                         text=" ".join(sorted(words)[n::2]), comments=[]) for n in range(6)]
    index = SQLiteIndex(tmp_path / "monitor.db")
    try:
        index.upsert(items, seen_at="2026-03-01T00:00:00Z")
        stored = [doc for doc in (index.get_article(item.id) for item in items) if doc is not None]
        with stack_budget(STACK_FRAMES):
            node = parse(query)
            found = {hit["id"] for hit in index.search(SearchRequest(query=query, limit=100)).hits}
            expected = {doc["id"] for doc in stored if matches(node, doc)}
            dsl = to_engine_dsl(node)
            terms = highlight_terms(node)
            nodes = list(walk(node))
    finally:
        index.close()
    assert found == expected
    assert len(stored) == 6 and "bool" in dsl and terms
    assert len(nodes) > 2 * MAX_NESTING and nodes[0] == node


def test_a_long_chain_of_exclusions_stays_within_what_fts5_parses(tmp_path: Path) -> None:
    query = "kyiv " + " ".join(f"-w{i}" for i in range(330))  # every word one NOT of the same AND
    assert len(query) <= 2000
    items = [ArticleItem(id="k1", url="https://x.example/1", canonical_url="https://x.example/1", source="lab",
                         title="kyiv", text="w5 appears", comments=[]),
             ArticleItem(id="k2", url="https://x.example/2", canonical_url="https://x.example/2", source="lab",
                         title="kyiv", text="clean", comments=[])]
    index = SQLiteIndex(tmp_path / "monitor.db")
    try:
        index.upsert(items, seen_at="2026-03-01T00:00:00Z")
        assert {hit["id"] for hit in index.search(SearchRequest(query=query, limit=10)).hits} == {"k2"}
    finally:
        index.close()
    assert to_fts5(parse("a NOT b NOT c")) == '(({title text} : "a")) NOT (({title text} : "b") OR ({title text} : "c"))'
