"""Clusters assigned as articles are written, on every backend: earliest root, sizes, re-crawls, edits."""
from __future__ import annotations

from collections.abc import Sequence

import pytest

from monitor.clusters.store import ClusterAssignment
from monitor.index.base import SearchIndex
from monitor.index.written import Written
from monitor.items import ArticleItem
from tests.clusters.stories import FERRY, LIBRARY, ORCHARD, copy

MONDAY = "2026-11-02T08:00:00+00:00"
TUESDAY = "2026-11-03T08:00:00+00:00"
WEDNESDAY = "2026-11-04T08:00:00+00:00"


def write(index: SearchIndex, articles: Sequence[ArticleItem], seen_at: str) -> None:
    """One batch as the crawl writes it: the upsert, then its on_written step."""
    stats = index.upsert(list(articles), seen_at=seen_at)
    ClusterAssignment(lambda: index)(Written(list(articles), stats))


def clusters(index: SearchIndex, *ids: str) -> dict[str, tuple[str | None, int | None, list[str]]]:
    out = {}
    for doc_id in ids:
        doc = index.get_article(doc_id)
        assert doc is not None, doc_id
        out[doc_id] = (doc["cluster_id"], doc["cluster_size"], doc["cluster_sources"])
    return out


def test_copies_written_in_later_crawls_join_the_earliest_and_the_root_counts_them(search_index: SearchIndex) -> None:
    write(search_index, [copy(FERRY, source="gazette", number=1), copy(ORCHARD, source="gazette", number=2)], MONDAY)
    write(search_index, [copy(FERRY, source="ledger", number=7, title="UPDATE: ferry stops",
                              extra="Editor's note: this story has been updated.")], TUESDAY)
    write(search_index, [copy(FERRY, source="courier", number=3)], WEDNESDAY)
    assert clusters(search_index, "gazette-1", "ledger-7", "courier-3", "gazette-2") == {
        "gazette-1": ("gazette-1", 3, ["courier", "gazette", "ledger"]),
        "ledger-7": ("gazette-1", None, []),
        "courier-3": ("gazette-1", None, []),
        "gazette-2": ("gazette-2", 1, ["gazette"]),
    }


def test_copies_in_one_batch_join_the_one_with_the_smallest_id(search_index: SearchIndex) -> None:
    write(search_index, [copy(LIBRARY, source="ledger", number=4), copy(LIBRARY, source="gazette", number=9),
                         copy(LIBRARY, source="courier", number=5)], MONDAY)
    assert {c for c, _, _ in clusters(search_index, "ledger-4", "gazette-9", "courier-5").values()} == {"courier-5"}
    assert clusters(search_index, "courier-5")["courier-5"][1:] == (3, ["courier", "gazette", "ledger"])


def test_a_recrawl_keeps_the_cluster_fields_whether_the_text_changed_or_not(search_index: SearchIndex) -> None:
    write(search_index, [copy(FERRY, source="gazette", number=1)], MONDAY)
    write(search_index, [copy(FERRY, source="ledger", number=7)], TUESDAY)
    before = clusters(search_index, "gazette-1", "ledger-7")
    write(search_index, [copy(FERRY, source="gazette", number=1), copy(FERRY, source="ledger", number=7)], WEDNESDAY)
    assert clusters(search_index, "gazette-1", "ledger-7") == before
    # An upsert alone (a path with no cluster step) does not blank what clustering wrote either.
    search_index.upsert([copy(FERRY, source="ledger", number=7, extra="A line added later.")], seen_at=WEDNESDAY)
    assert clusters(search_index, "ledger-7") == {"ledger-7": ("gazette-1", None, [])}


def test_an_edit_that_makes_the_root_another_story_hands_its_cluster_to_the_next_copy(
        search_index: SearchIndex) -> None:
    write(search_index, [copy(FERRY, source="gazette", number=1)], MONDAY)
    write(search_index, [copy(FERRY, source="ledger", number=7)], TUESDAY)
    write(search_index, [copy(FERRY, source="courier", number=3)], WEDNESDAY)
    write(search_index, [copy(ORCHARD, source="gazette", number=1)], WEDNESDAY)  # the page now tells another story
    assert clusters(search_index, "gazette-1", "ledger-7", "courier-3") == {
        "gazette-1": ("gazette-1", 1, ["gazette"]),
        "ledger-7": ("ledger-7", 2, ["courier", "ledger"]),
        "courier-3": ("ledger-7", None, []),
    }


def test_an_edited_copy_that_became_another_story_leaves_and_joins_that_one(search_index: SearchIndex) -> None:
    write(search_index, [copy(FERRY, source="gazette", number=1), copy(ORCHARD, source="gazette", number=2)], MONDAY)
    write(search_index, [copy(FERRY, source="ledger", number=7)], TUESDAY)
    write(search_index, [copy(ORCHARD, source="ledger", number=7)], WEDNESDAY)
    assert clusters(search_index, "gazette-1", "gazette-2", "ledger-7") == {
        "gazette-1": ("gazette-1", 1, ["gazette"]),
        "gazette-2": ("gazette-2", 2, ["gazette", "ledger"]),
        "ledger-7": ("gazette-2", None, []),
    }


def test_a_text_too_short_to_compare_is_a_cluster_of_its_own(search_index: SearchIndex) -> None:
    short = "Ferry cancelled tonight."
    write(search_index, [copy(short, source="gazette", number=1)], MONDAY)
    write(search_index, [copy(short, source="ledger", number=2)], TUESDAY)
    assert clusters(search_index, "gazette-1", "ledger-2") == {
        "gazette-1": ("gazette-1", 1, ["gazette"]), "ledger-2": ("ledger-2", 1, ["ledger"])}


def test_a_huge_cluster_does_not_crowd_out_the_candidates_of_the_other_articles_of_a_batch(
        search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.clusters.store

    write(search_index, [copy(FERRY, source=f"outlet{n}", number=n) for n in range(4)], MONDAY)
    write(search_index, [copy(ORCHARD, source="gazette", number=9)], TUESDAY)
    monkeypatch.setattr(monitor.clusters.store, "CLUSTER_LOOKUP_LIMIT", 3)  # the ferry copies alone fill it
    write(search_index, [copy(FERRY, source="late", number=1), copy(ORCHARD, source="ledger", number=2)], WEDNESDAY)
    assert clusters(search_index, "late-1", "ledger-2") == {"late-1": ("outlet0-0", None, []),
                                                           "ledger-2": ("gazette-9", None, [])}


def test_an_article_whose_signature_came_with_it_gets_the_keys_its_text_gives(search_index: SearchIndex) -> None:
    from monitor.clusters.keys import fingerprint

    first, computed, carried = (copy(FERRY, source="ledger", number=n) for n in (1, 2, 3))
    signature = fingerprint(carried.text)
    assert signature is not None
    carried.cluster_signature = signature.encoded()  # as the extraction worker sets it
    write(search_index, [first], MONDAY)
    write(search_index, [computed, carried], TUESDAY)
    (mine,) = search_index.cluster_entries("id", ["ledger-3"])
    (theirs,) = search_index.cluster_entries("id", ["ledger-2"])
    assert mine.signature == theirs.signature == signature.encoded()
    # found by its band keys as a copy of the first
    assert clusters(search_index, "ledger-3")["ledger-3"][0] == "ledger-1"
    assert "cluster_signature" not in carried.to_dict()  # never a document field
