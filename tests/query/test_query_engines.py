"""The three evaluators agree on the real engine too: Python matcher, SQLite FTS5, OpenSearch search and percolator."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from monitor.alerts.matching import PercolatorMatcher
from monitor.alerts.rules import Alert
from monitor.errors import QueryError
from monitor.index.base import SearchRequest
from monitor.index.sqlite import SQLiteIndex
from monitor.items import ArticleItem
from monitor.query import matches, parse
from tests.engines import engine_index
from tests.query.test_query import QUERIES, articles

pytestmark = pytest.mark.e2e  # Needs the real OpenSearch.


def test_matcher_sqlite_opensearch_and_the_percolator_find_the_same_documents(opensearch_url: str) -> None:
    with engine_index(opensearch_url) as engine:
        percolator = PercolatorMatcher(engine.client, prefix=engine.prefix, owns_client=False)
        everything = f"{engine.articles},{engine.comments}"

        @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(items=articles(), query=QUERIES)
        def agree(items: list[ArticleItem], query: str) -> None:
            try:
                node = parse(query)
            except QueryError:
                return  # the parser's own tests cover errors
            with tempfile.TemporaryDirectory() as directory:
                sqlite = SQLiteIndex(Path(directory) / "monitor.db")
                try:
                    sqlite.upsert(items, seen_at="2026-03-01T00:00:00Z")
                    in_sqlite = {h["id"] for h in sqlite.search(SearchRequest(query=query, limit=1000)).hits}
                    stored = [d for d in (sqlite.get_article(i.id) for i in items) if d is not None]
                    stored += [c for i in items for c in sqlite.get_comments(i.id)]
                finally:
                    sqlite.close()
            expected = {doc["id"] for doc in stored if matches(node, doc)}

            engine.client.raw.delete_by_query(index=everything, body={"query": {"match_all": {}}}, refresh=True,
                                              conflicts="proceed")
            engine.upsert(items, seen_at="2026-03-01T00:00:00Z")
            in_engine = {h["id"] for h in engine.search(SearchRequest(query=query, limit=1000)).hits}

            percolator.load([Alert(name="q", query=query, notify=("json://127.0.0.1/x",))])
            percolated = {doc["id"] for _, doc in percolator.match(stored)}

            assert in_sqlite == expected, f"SQLite: {query!r} -> {node!r}"
            assert in_engine == expected, f"OpenSearch search: {query!r} -> {node!r}"
            assert percolated == expected, f"OpenSearch percolator: {query!r} -> {node!r}"

        try:
            agree()
        finally:
            percolator.drop()
