"""The SearchIndex contract: every backend stores, links, finds, filters, sorts, pages and counts alike."""
from __future__ import annotations

import dataclasses

import pytest

from monitor.documents import (
    ARTICLE_FIELDS,
    BOOKKEEPING_FIELDS,
    COMMENT_FIELDS,
    FIELDS,
    article_document,
    comment_document,
    fields_of,
)
from monitor.errors import QueryError
from monitor.index.base import SearchIndex, SearchRequest
from monitor.items import ArticleItem, Comment
from monitor.query import matches, parse

SEEN_1 = "2026-03-05T10:00:00Z"
SEEN_2 = "2026-03-06T10:00:00Z"
SEEN_3 = "2026-03-07T10:00:00Z"


def comment(article_id: str, n: int, text: str, **fields: object) -> Comment:
    return Comment(id=f"{article_id}-c{n}", article_id=article_id, text=text, position=n, **fields)  # type: ignore[arg-type]


def corpus() -> list[ArticleItem]:
    """Five articles in three languages, with comments on the first."""
    return [
        ArticleItem(
            id="a1", url="https://unian.example/news/a1?utm_source=rss", canonical_url="https://unian.example/news/a1",
            source="unian", language="en", title="KYIV air defense repels drone attack",
            text="Ukraine's air defense shot down drones over Kyiv on Monday. Israel offered help.",
            authors=["Olena Petrenko"], published="2026-03-01T08:00:00+02:00", topics=["ukraine-war"],
            comments=[
                comment("a1", 1, "Glory to the air defense forces", author="reader1", native_id="101",
                        published="2026-03-01T09:00:00+02:00"),
                comment("a1", 2, "Kyiv stands", author="Maria", parent_id="a1-c1", depth=2,
                        url="https://unian.example/news/a1#c-102"),
            ],
        ),
        ArticleItem(
            id="a2", url="https://times.example/a2", canonical_url="https://times.example/a2", source="times",
            language="en", title="Israel and Ukraine sign defense agreement",
            text="The agreement between Israel and Ukraine covers air defense systems.",
            authors=["Dan Cohen"], published="2026-03-02T12:00:00Z", topics=["israel", "ukraine-war"],
        ),
        ArticleItem(
            id="a3", url="https://unian.example/sport/a3", canonical_url="https://unian.example/sport/a3",
            source="unian", language="en", title="Football: Ukraine beats Israel",
            text="In football, Ukraine won 2-1 against Israel in Kyiv.", published="2026-03-03T18:00:00+00:00",
            topics=["sport"],
        ),
        ArticleItem(
            id="a4", url="https://lemonde.example/a4", canonical_url="https://lemonde.example/a4", source="lemonde",
            language="fr", title="La culture du café à Paris", text="Le café de Flore publie un résumé de l'année.",
            authors=["Jean Dupont"], published=None, topics=[],
        ),
        ArticleItem(
            id="a5", url="https://tass.example/a5", canonical_url="https://tass.example/a5", source="tass",
            language="ru", title="Medvedev threatens", text="Dmitry Medvedev commented on ukrainian drones.",
            published="2026-02-28T23:30:00-05:00", topics=["ukraine-war"],
        ),
    ]


@pytest.fixture
def filled(search_index: SearchIndex) -> SearchIndex:
    search_index.upsert(corpus(), seen_at=SEEN_1)
    return search_index


def ids(index: SearchIndex, query: str = "", **request: object) -> set[str]:
    result = index.search(SearchRequest(query=query, limit=100, **request))  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {hit["id"] for hit in result.hits}


def ordered_ids(index: SearchIndex, query: str = "", **request: object) -> list[str]:
    result = index.search(SearchRequest(query=query, limit=100, **request))  # type: ignore[arg-type]
    return [hit["id"] for hit in result.hits]


# ---------------------------------------------------------------- upserts


def test_first_upsert_counts_every_article_and_comment_as_new(search_index: SearchIndex) -> None:
    stats = search_index.upsert(corpus(), seen_at=SEEN_1)
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (5, 0, 0)
    assert (stats.comments_new, stats.comments_updated) == (2, 0)
    assert set(stats.new_ids) == {"a1", "a2", "a3", "a4", "a5", "a1-c1", "a1-c2"}
    assert search_index.count() == {"article": 5, "comment": 2}


def test_reupserting_the_same_articles_changes_only_last_seen(filled: SearchIndex) -> None:
    stats = filled.upsert(corpus(), seen_at=SEEN_2)
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (0, 0, 5)
    assert (stats.comments_new, stats.comments_updated, stats.new_ids) == (0, 0, [])
    article = filled.get_article("a1")
    assert article is not None
    assert (article["first_seen"], article["last_seen"]) == (SEEN_1, SEEN_2)
    assert filled.count() == {"article": 5, "comment": 2}


def test_a_changed_article_is_updated_in_place_and_found_by_its_new_words(filled: SearchIndex) -> None:
    changed = corpus()[1]
    changed.text = "The agreement now also covers artillery."
    stats = filled.upsert([changed], seen_at=SEEN_2)
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (0, 1, 0)
    assert stats.new_ids == ["a2"]
    article = filled.get_article("a2")
    assert article is not None
    assert (article["first_seen"], article["last_seen"], article["text"]) == (SEEN_1, SEEN_2, changed.text)
    assert ids(filled, "artillery") == {"a2"}
    assert ids(filled, "systems") == set()


def test_recrawled_comments_are_added_and_updated_and_vanished_ones_kept(filled: SearchIndex) -> None:
    article = corpus()[0]
    article.comments = [
        dataclasses.replace(article.comments[0], text="Glory to the air defense forces!!! (edited)"),
        comment("a1", 3, "A third voice", author="Ivan"),
    ]  # comment 2 is gone from the page
    stats = filled.upsert([article], seen_at=SEEN_2)
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (0, 0, 1)
    assert (stats.comments_new, stats.comments_updated) == (1, 1)
    assert sorted(stats.new_ids) == ["a1-c1", "a1-c3"]
    comments = filled.get_comments("a1")
    assert [c["id"] for c in comments] == ["a1-c1", "a1-c2", "a1-c3"]
    assert comments[0]["text"].endswith("(edited)")
    refreshed = filled.get_article("a1")
    assert refreshed is not None
    assert refreshed["comment_count"] == 3
    assert refreshed["first_seen"] == SEEN_1


# ---------------------------------------------------------------- articles and comments


def test_comments_are_linked_to_their_article_and_carry_its_context(filled: SearchIndex) -> None:
    comments = filled.get_comments("a1")
    assert [c["id"] for c in comments] == ["a1-c1", "a1-c2"]
    first, reply = comments
    assert first["type"] == "comment" and first["article_id"] == "a1"
    assert (first["parent_id"], first["depth"], reply["parent_id"], reply["depth"]) == (None, 1, "a1-c1", 2)
    assert first["source"] == "unian"
    assert first["article_title"] == "KYIV air defense repels drone attack"
    assert first["topics"] == ["ukraine-war"]
    assert first["url"] == "https://unian.example/news/a1?utm_source=rss#comment-101"
    assert reply["url"] == "https://unian.example/news/a1#c-102"  # the comment's own url wins
    assert (first["author"], first["published"]) == ("reader1", "2026-03-01T09:00:00+02:00")
    assert filled.get_comments("a2") == []


def test_an_article_is_found_by_id_url_or_canonical_url(filled: SearchIndex) -> None:
    for key in ("a1", "https://unian.example/news/a1?utm_source=rss", "https://unian.example/news/a1",
                "https://unian.example/news/a1?utm_medium=email"):
        article = filled.get_article(key)
        assert article is not None, key
        assert article["id"] == "a1"
    article = filled.get_article("a1")
    assert article is not None
    assert article["type"] == "article"
    assert article["authors"] == ["Olena Petrenko"]
    assert article["comment_count"] == 2
    assert article["topics"] == ["ukraine-war"]
    assert filled.get_article("a1-c1") is None  # a comment is not an article
    assert filled.get_article("https://nowhere.example/x") is None


# ---------------------------------------------------------------- the query language

QUERIES = [
    ("kyiv", {"a1", "a3"}),
    ("Kyiv", {"a1", "a3"}),  # finds the upper-case KYIV title too
    ("KYIV", {"a1", "a3"}),
    ("cafe", {"a4"}),  # finds café
    ("CAFÉ", {"a4"}),
    ("resume", {"a4"}),
    ("israel ukraine", {"a1", "a2", "a3"}),
    ("israel AND ukraine", {"a1", "a2", "a3"}),
    ("Israel AND (Ukraine OR Kyiv) NOT football", {"a1", "a2"}),
    ("israel OR medvedev", {"a1", "a2", "a3", "a5"}),
    ("(israel OR cafe) AND NOT (football OR source:times)", {"a1", "a4"}),
    ("NOT israel", {"a4", "a5"}),
    ("-israel", {"a4", "a5"}),
    ("+israel -football", {"a1", "a2"}),
    ('"air defense"', {"a1", "a2"}),
    ('"defense air"', set()),
    ('"ukraine israel"', set()),
    ('"ukraine israel"~1', {"a2", "a3"}),  # either order, one word between
    ('"israel ukraine"~1', {"a2", "a3"}),
    ('"israel ukraine"~0', set()),
    ('"drones israel"~4', {"a1"}),  # drones over Kyiv on Monday. Israel: 4 words between
    ('"drones israel"~3', set()),
    ("ukrain*", {"a1", "a2", "a3", "a5"}),
    ("ukrainian", {"a5"}),  # words, not stems
    ("ukraine", {"a1", "a2", "a3"}),
    ("title:medvedev", {"a5"}),
    ("title:israel", {"a2", "a3"}),
    ("text:football", {"a3"}),
    ("title:(cafe OR medvedev)", {"a4", "a5"}),
    ("author:petrenko", {"a1"}),
    ("petrenko", set()),  # a bare word searches title and text, not author
    ('author:"jean dupont"', {"a4"}),
    ("source:unian", {"a1", "a3"}),
    ("source:UNIAN", {"a1", "a3"}),
    ("source:uni*", {"a1", "a3"}),
    ("NOT source:unian", {"a2", "a4", "a5"}),
    ("football OR source:tass", {"a3", "a5"}),
    ("topic:sport", {"a3"}),
    ("topics:ukraine-war", {"a1", "a2", "a5"}),
    ("language:fr", {"a4"}),
    ("type:article", {"a1", "a2", "a3", "a4", "a5"}),
    ("id:a2", {"a2"}),
    ("drone*", {"a1", "a5"}),
    ("2-1", {"a3"}),  # one word to the user, the phrase "2 1" to every backend
    ("", {"a1", "a2", "a3", "a4", "a5"}),
    ("*", {"a1", "a2", "a3", "a4", "a5"}),
    ("Israel - Ukraine", {"a1", "a2", "a3"}),  # a lone dash is punctuation
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q or "<empty>" for q, _ in QUERIES])
def test_query_finds_exactly_the_matching_articles(filled: SearchIndex, query: str, expected: set[str]) -> None:
    assert ids(filled, query, types=("article",)) == expected
    # The Python matcher (alerts on SQLite) gives the same answer on the same documents.
    node = parse(query)
    docs = [filled.get_article(a.id) for a in corpus()]
    assert {d["id"] for d in docs if d is not None and matches(node, d)} == expected


def test_queries_search_comments_and_keyword_fields_of_comments(filled: SearchIndex) -> None:
    assert ids(filled, "kyiv") == {"a1", "a3", "a1-c2"}
    assert ids(filled, "kyiv type:comment") == {"a1-c2"}
    assert ids(filled, "article_id:a1") == {"a1-c1", "a1-c2"}
    assert ids(filled, "author:maria") == {"a1-c2"}
    assert ids(filled, "source:unian type:comment") == {"a1-c1", "a1-c2"}


@pytest.mark.parametrize(
    ("query", "position"),
    [("israel AND", 10), ("OR israel", 0), ("(israel OR kyiv", 0), ("israel)", 6), ('"air defense', 0),
     ("titel:kyiv", 0), ("title:", 6), ("uk*ne", 2), ("israel~2", 6), ('"a b"~x', 6), ("()", 0)],
)
def test_a_malformed_query_raises_query_error_saying_where(
    search_index: SearchIndex, query: str, position: int
) -> None:
    with pytest.raises(QueryError) as caught:
        search_index.search(SearchRequest(query=query))
    assert caught.value.position == position
    assert caught.value.query == query


# ---------------------------------------------------------------- filters, sorting, paging


def test_filters_narrow_by_type_source_topic_and_language(filled: SearchIndex) -> None:
    assert ids(filled, types=("comment",)) == {"a1-c1", "a1-c2"}
    assert ids(filled, types=("article",), sources=("unian", "tass")) == {"a1", "a3", "a5"}
    assert ids(filled, sources=("UNIAN",)) == {"a1", "a3", "a1-c1", "a1-c2"}
    assert ids(filled, types=("article",), topics=("ukraine-war",)) == {"a1", "a2", "a5"}
    assert ids(filled, types=("article",), topics=("sport", "israel")) == {"a2", "a3"}
    assert ids(filled, types=("article",), languages=("fr", "ru")) == {"a4", "a5"}
    assert ids(filled, "ukraine", types=("article",), sources=("unian",)) == {"a1", "a3"}


def test_since_and_until_filter_on_published_in_utc_and_on_first_seen_without_it(filled: SearchIndex) -> None:
    articles = {"types": ("article",)}
    # a5 was published 2026-02-28 23:30 at -05:00, which is 2026-03-01 04:30 UTC.
    assert ids(filled, since="2026-03-01", until="2026-03-01", **articles) == {"a1", "a5"}
    assert ids(filled, until="2026-02-28", **articles) == set()
    assert ids(filled, since="2026-03-02", until="2026-03-03", **articles) == {"a2", "a3"}
    assert ids(filled, since="2026-03-02T12:00:00Z", until="2026-03-02T12:00:00Z", **articles) == {"a2"}
    assert ids(filled, since="2026-03-02T12:00:01Z", until="2026-03-04", **articles) == {"a3"}
    assert ids(filled, since="2026-03-05", **articles) == {"a4"}  # no published date: first seen then


def test_an_unreadable_date_bound_is_a_query_error(filled: SearchIndex) -> None:
    with pytest.raises(QueryError):
        filled.search(SearchRequest(since="last tuesday"))


def test_date_sort_is_newest_published_first_then_id(filled: SearchIndex) -> None:
    order = ordered_ids(filled, sort="date", types=("article",))
    assert order == ["a4", "a3", "a2", "a1", "a5"]  # a4 has no date and counts from its first_seen
    assert ordered_ids(filled, "kyiv", sort="date") == ["a1-c2", "a3", "a1"]


def test_relevance_puts_a_title_match_above_a_body_match(search_index: SearchIndex) -> None:
    filler = " ".join(["news"] * 30)
    search_index.upsert(
        [
            ArticleItem(id="body", url="https://x.example/body", canonical_url="https://x.example/body",
                        source="x", title="Morning roundup", text=f"{filler} sanctions {filler}",
                        published="2026-03-03T00:00:00Z"),
            ArticleItem(id="title", url="https://x.example/title", canonical_url="https://x.example/title",
                        source="x", title="Sanctions widen", text=f"{filler} {filler}",
                        published="2026-03-01T00:00:00Z"),
        ],
        seen_at=SEEN_1,
    )
    result = search_index.search(SearchRequest(query="sanctions"))
    assert [h["id"] for h in result.hits] == ["title", "body"]
    assert result.hits[0]["score"] > result.hits[1]["score"] > 0


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_offset_pages_walk_the_whole_result_once(filled: SearchIndex, sort: str) -> None:
    everything = ordered_ids(filled, "ukraine OR kyiv OR cafe OR medvedev", sort=sort)
    assert len(everything) == 6
    pages = []
    for offset in range(0, 8, 2):
        result = filled.search(SearchRequest(query="ukraine OR kyiv OR cafe OR medvedev", sort=sort,  # type: ignore[arg-type]
                                             limit=2, offset=offset))
        assert result.total == 6
        pages.extend(h["id"] for h in result.hits)
    assert pages == everything


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_search_after_cursors_walk_the_whole_result_once(filled: SearchIndex, sort: str) -> None:
    everything = ordered_ids(filled, sort=sort)
    assert len(everything) == 7
    walked: list[str] = []
    cursor = None
    for _ in range(10):
        result = filled.search(SearchRequest(sort=sort, limit=3, search_after=cursor))  # type: ignore[arg-type]
        assert result.total == 7
        walked.extend(h["id"] for h in result.hits)
        cursor = result.next_cursor
        if cursor is None:
            break
    assert walked == everything


def test_facets_count_by_source_type_language_and_day(filled: SearchIndex) -> None:
    result = filled.search(SearchRequest(query="ukraine OR kyiv", facets=True, limit=1))
    assert result.total == 4  # a1, a2, a3 and the comment "Kyiv stands"
    assert result.facets is not None
    assert result.facets["source"] == {"unian": 3, "times": 1}
    assert result.facets["type"] == {"article": 3, "comment": 1}
    assert result.facets["language"] == {"en": 4}  # the comment has its article's language
    # The comment has no published date: it counts on the day it was first seen.
    assert result.facets["day"] == {"2026-03-01": 1, "2026-03-02": 1, "2026-03-03": 1, "2026-03-05": 1}
    assert filled.search(SearchRequest(query="kyiv")).facets is None


def test_snippets_mark_the_matched_words(filled: SearchIndex) -> None:
    [hit] = filled.search(SearchRequest(query="drones", types=("article",), sources=("unian",))).hits
    assert "«drones»" in hit["snippet"]
    [hit] = filled.search(SearchRequest(query='cafe "de flore"')).hits
    assert "«café» «de» «Flore»" in hit["snippet"]
    [hit] = filled.search(SearchRequest(query="medvedev threatens", types=("article",))).hits
    assert "«Medvedev»" in hit["snippet"]
    [hit] = filled.search(SearchRequest(query="ukrain* source:tass")).hits
    assert "«ukrainian»" in hit["snippet"]


# ---------------------------------------------------------------- the one document shape


def _value(name: str, n: int) -> object:
    """A value of the field's kind that no default has, different per field and per document."""
    kind = FIELDS[name].kind
    if kind == "integer":
        return 40 + n + len(name)
    if kind == "keywords":
        return [f"{name}-{n}-a", f"{name}-{n}-b"]
    if kind == "date":
        return f"2026-02-{10 + n:02d}T0{len(name) % 10}:15:00+03:00"
    if kind == "text":
        return f"{name} words number {n}"
    return f"https://shape.example/{name}/{n}" if kind == "stored" else f"{name}-{n}"


def every_field_article() -> ArticleItem:
    """An article and a comment with every field of the shape set (bar the ones the index sets)."""
    fixed = {"type", "id", "article_id", *BOOKKEEPING_FIELDS}
    article = ArticleItem(id="shape", **{f: _value(f, 1) for f in ARTICLE_FIELDS if f not in fixed})  # type: ignore[arg-type]
    article.comments = [Comment(id="shape-c1", article_id="shape",
                                **{f: _value(f, 2) for f in COMMENT_FIELDS if f not in fixed})]  # type: ignore[arg-type]
    return article


def test_every_field_of_the_document_shape_round_trips_through_the_backend(search_index: SearchIndex) -> None:
    # Fails when a field is added to ArticleItem/Comment (documents.py's shape) but a backend drops it.
    article = every_field_article()
    search_index.upsert([article], seen_at=SEEN_1)
    seen = {"first_seen": SEEN_1, "last_seen": SEEN_1}
    expected_article = {**article_document(article), **seen, "comment_count": 1}
    expected_comment = {**comment_document(article, article.comments[0]), **seen}
    assert search_index.get_article("shape") == expected_article
    assert search_index.get_comments("shape") == [expected_comment]
    hits = {h["id"]: h for h in search_index.search(SearchRequest(query="article_id:shape OR id:shape")).hits}
    assert {i: {f: hit.get(f) for f in fields_of(hit["type"])} for i, hit in hits.items()} == {
        "shape": expected_article, "shape-c1": expected_comment}
    assert expected_comment["platform"] == "platform-2"  # the contract's comment platform is among them


def test_an_article_twice_in_one_batch_is_stored_once_as_its_last_version(search_index: SearchIndex) -> None:
    first, last = corpus()[1], corpus()[1]
    last.title = "Israel and Ukraine sign a second agreement"
    stats = search_index.upsert([first, last], seen_at=SEEN_1)
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged, stats.new_ids) == (1, 0, 0, ["a2"])
    stored = search_index.get_article("a2")
    assert stored is not None and stored["title"] == last.title
    assert search_index.count() == {"article": 1, "comment": 0}


def test_a_comment_only_change_keeps_the_article_unchanged_but_counts_the_new_comment(filled: SearchIndex) -> None:
    article = corpus()[0]
    article.comments.append(comment("a1", 3, "Third", author="Ivan"))
    stats = filled.upsert([article], seen_at=SEEN_2)
    assert (stats.articles_unchanged, stats.comments_new, stats.new_ids) == (1, 1, ["a1-c3"])
    stored = filled.get_article("a1")
    assert stored is not None
    assert (stored["comment_count"], stored["first_seen"], stored["last_seen"]) == (3, SEEN_1, SEEN_2)
    [hit] = filled.search(SearchRequest(query="id:a1")).hits
    assert hit["comment_count"] == 3


def test_a_cursor_of_the_wrong_length_is_a_query_error_saying_how_many(filled: SearchIndex) -> None:
    with pytest.raises(QueryError, match="search_after needs 2 values"):
        filled.search(SearchRequest(sort="date", search_after=["2026-03-01T00:00:00Z"]))
