"""Queries at the nesting limit on the real engine: OpenSearch search and the percolator agree with the matcher."""
from __future__ import annotations

import pytest

from monitor.alerts.matching import PercolatorMatcher
from monitor.alerts.rules import Alert
from monitor.index.base import SearchRequest
from monitor.items import ArticleItem
from monitor.query import matches, parse
from monitor.query.syntax import MAX_NESTING
from monitor.query.words import tokenize
from tests.engines import engine_index
from tests.query.test_query import WORST_LEVELS, nested, paren_depth

pytestmark = pytest.mark.e2e


def test_queries_at_the_nesting_limit_run_on_the_engine_and_its_percolator(opensearch_url: str) -> None:
    queries = {name: nested(level, MAX_NESTING) for name, level in WORST_LEVELS.items()}
    assert {paren_depth(q) for q in queries.values()} == {MAX_NESTING}
    words = sorted({w for q in queries.values() for w in tokenize(q)} - {"or", "not", "source", "lab", "title"})
    items = [ArticleItem(id=f"n{n}", url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
                         source="lab" if n % 2 else "other", title=" ".join(words[n::5]), text=" ".join(words[n::3]),
                         comments=[]) for n in range(8)]
    with engine_index(opensearch_url) as engine:
        engine.upsert(items, seen_at="2026-03-01T00:00:00Z")
        stored = [doc for doc in (engine.get_article(item.id) for item in items) if doc is not None]
        assert len(stored) == len(items)
        percolator = PercolatorMatcher(engine.client, prefix=engine.prefix, owns_client=False)
        try:
            percolator.load([Alert(name=name, query=q, notify=("json://127.0.0.1/x",)) for name, q in queries.items()])
            percolated = {(alert.name, doc["id"]) for alert, doc in percolator.match(stored)}
            disagreements = []
            for name, query in queries.items():
                expected = {doc["id"] for doc in stored if matches(parse(query), doc)}
                found = {hit["id"] for hit in engine.search(SearchRequest(query=query, limit=100)).hits}
                if found != expected or {i for n, i in percolated if n == name} != expected:
                    disagreements.append(name)
        finally:
            percolator.drop()
    assert disagreements == []
    assert percolated  # the documents hold the queries' words: some of them match
