"""Collapsed search on every backend: one hit per cluster, totals and facets counting stories, paging."""
from __future__ import annotations

import pytest

from monitor.errors import QueryError
from monitor.index.base import SearchIndex, SearchRequest
from tests.clusters.stories import FERRY, LIBRARY, ORCHARD, copy
from tests.clusters.test_write import MONDAY, TUESDAY, write


@pytest.fixture
def filled(search_index: SearchIndex) -> SearchIndex:
    write(search_index, [copy(FERRY, source="gazette", number=1), copy(ORCHARD, source="gazette", number=2)], MONDAY)
    write(search_index, [copy(FERRY, source="ledger", number=7), copy(FERRY, source="courier", number=3),
                         copy(LIBRARY, source="ledger", number=8)], TUESDAY)
    return search_index


def test_collapse_shows_one_hit_per_story_and_counts_stories(filled: SearchIndex) -> None:
    plain = filled.search(SearchRequest(query="ferry OR orchard OR library", types=("article",), limit=10))
    collapsed = filled.search(SearchRequest(query="ferry OR orchard OR library", types=("article",), limit=10,
                                            collapse=True))
    assert plain.total == 5
    assert collapsed.total == 3
    assert sorted(h["cluster_id"] for h in collapsed.hits) == ["gazette-1", "gazette-2", "ledger-8"]


def test_collapsed_facets_count_each_story_once_per_source(filled: SearchIndex) -> None:
    result = filled.search(SearchRequest(query="ferry", types=("article",), facets=True, collapse=True))
    assert result.total == 1
    assert result.facets is not None
    assert result.facets["source"] == {"courier": 1, "gazette": 1, "ledger": 1}
    assert result.facets["type"] == {"article": 1}


def test_a_cluster_filter_lists_its_copies(filled: SearchIndex) -> None:
    result = filled.search(SearchRequest(cluster_id="gazette-1", sort="date", limit=10))
    assert sorted(h["id"] for h in result.hits) == ["courier-3", "gazette-1", "ledger-7"]


def test_collapsed_pages_follow_each_other_by_offset_without_repeating_a_story(filled: SearchIndex) -> None:
    first = filled.search(SearchRequest(types=("article",), sort="date", limit=2, collapse=True))
    second = filled.search(SearchRequest(types=("article",), sort="date", limit=2, offset=2, collapse=True))
    assert first.next_cursor is None  # the engines page a collapsed search by offset only
    assert sorted(h["cluster_id"] for h in first.hits + second.hits) == ["gazette-1", "gazette-2", "ledger-8"]


def test_a_cursor_on_a_collapsed_search_is_refused_saying_to_page_by_offset(filled: SearchIndex) -> None:
    with pytest.raises(QueryError, match="by offset"):
        filled.search(SearchRequest(sort="date", collapse=True, search_after=["2026-11-03T08:00:00Z", "x"]))
