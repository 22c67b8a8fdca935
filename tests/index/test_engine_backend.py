"""What only the Elasticsearch/OpenSearch backend has: engine detection, templates and aliases, migration, errors."""
from __future__ import annotations

import copy
import hashlib
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest

from monitor.documents import FIELDS, article_document, comment_document
from monitor.errors import IndexUnavailable
from monitor.index import mappings
from monitor.index.base import SearchRequest
from monitor.index.clients import EngineAuth, display_url
from monitor.index.engine import BulkRejected, EngineIndex, open_engine_index
from monitor.items import ArticleItem, Comment

SEEN = "2026-03-05T10:00:00Z"


def article(n: int, **fields: object) -> ArticleItem:
    return ArticleItem(id=f"e{n}", url=f"https://e.example/{n}", canonical_url=f"https://e.example/{n}",
                       source="e", title=f"Story {n}", text=f"Body of story number {n} about Kyiv",
                       published=f"2026-03-0{n}T10:00:00Z", **fields)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_engine_raises_index_unavailable_naming_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(IndexUnavailable) as caught:
        open_engine_index(url)
    assert url in str(caught.value)
    assert "deploy/opensearch-local/start" in str(caught.value)


def test_secrets_are_masked_in_reprs_and_urls() -> None:
    auth = EngineAuth.from_env({"MONITOR_INDEX_USERNAME": "ops", "MONITOR_INDEX_PASSWORD": "hunter2",
                                "MONITOR_INDEX_API_KEY": "k3y"})
    assert "hunter2" not in repr(auth) and "k3y" not in repr(auth) and "ops" in repr(auth)
    assert display_url("https://ops:hunter2@search.example:9200/") == "https://search.example:9200/"


def test_opensearch_is_told_apart_by_what_it_reports(opensearch_url: str,
                                                     engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    assert index.client.distribution == "opensearch"


def test_documents_live_in_versioned_indices_behind_the_aliases(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    index.upsert([article(1), article(2)], seen_at=SEEN)
    status = index.status()
    articles = status["aliases"][f"{index.prefix}-articles"]
    assert articles["indices"] == [mappings.index_name(index.prefix, "articles")]
    assert articles["docs"] == 2 and articles["current"]
    assert status["aliases"][f"{index.prefix}-comments"]["docs"] == 0
    assert status["health"] in ("green", "yellow")


def test_opening_again_keeps_the_documents(opensearch_url: str,
                                           engine_index_factory: Callable[[str], EngineIndex]) -> None:
    first = engine_index_factory(opensearch_url)
    first.upsert([article(1)], seen_at=SEEN)
    again = EngineIndex(first.client, prefix=first.prefix, refresh=True)
    assert again.count() == {"article": 1, "comment": 0}


def test_migrate_moves_the_alias_to_the_current_mapping_and_keeps_every_document(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    index.upsert([article(1), article(2), article(3)], seen_at=SEEN)
    alias = f"{index.prefix}-articles"
    current = mappings.index_name(index.prefix, "articles")
    old = mappings.index_name(index.prefix, "articles", version=0)
    # Pretend the documents were written by an older monitor: move them to a v0 index behind the alias.
    index.client.create_index(old, mappings.index_body())
    index.client.reindex(current, old)
    index.client.update_aliases([{"remove_index": {"index": current}},
                                 {"add": {"index": old, "alias": alias, "is_write_index": True}}])
    assert index.status()["aliases"][alias]["current"] is False

    report = index.migrate()

    assert "3 copied" in report[alias]
    assert index.status()["aliases"][alias]["indices"] == [current]
    assert {h["id"] for h in index.search(SearchRequest(query="kyiv", types=("article",))).hits} == {"e1", "e2", "e3"}


def test_a_document_the_engine_refuses_is_reported_by_id_and_the_rest_are_written(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    good = {"id": "ok", "type": "article", "source": "e", "title": "fine", "text": "fine", "comment_count": 1}
    bad = {**good, "id": "bad", "comment_count": "not a number"}
    with pytest.raises(BulkRejected) as caught:
        index.write([{"index": {"_index": index.articles, "_id": "ok"}}, good,
                     {"index": {"_index": index.articles, "_id": "bad"}}, bad])
    assert list(caught.value.failures) == ["bad"]
    assert index.get_article("ok") is not None and index.get_article("bad") is None


def test_the_per_day_facet_counts_utc_days(opensearch_url: str,
                                           engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    late = article(1)
    late.published = "2026-03-01T23:30:00-05:00"  # 04:30 UTC on March 2nd
    index.upsert([late, article(2)], seen_at=SEEN)
    facets = index.search(SearchRequest(facets=True)).facets
    assert facets is not None and facets["day"] == {"2026-03-02": 2}


# ---------------------------------------------------------------- the mapping and the document shape

# The mapping of each MAPPING_VERSION (settings and properties). A change of the document shape or the
# analysis changes it: bump MAPPING_VERSION (users then run `monitor index migrate`) and record it here.
MAPPING_FINGERPRINTS = {
    1: "ccb0335710117dec1ef77ebbcdbb852b52f4f1db",
    2: "c6c57c9c172c07c7019685b8a3a4d70c4fecf3d6",  # + comment platform
    3: "c62edb845a7a92aba252280e5c9b83eae7b93cc9",  # + the article's comment platform fields
    4: "3ae5856fa5d4c865e986ce68edae3a040ea62f33",  # + near-duplicate clusters
}


def mapping_fingerprint(body: dict[str, Any]) -> str:
    body = copy.deepcopy(body)
    body["mappings"].pop("_meta", None)
    return hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()


def test_the_mapping_matches_the_fingerprint_recorded_for_its_version() -> None:
    assert mapping_fingerprint(mappings.index_body()) == MAPPING_FINGERPRINTS[mappings.MAPPING_VERSION], (
        "the engine mapping changed: bump mappings.MAPPING_VERSION and record its fingerprint")
    assert len(set(MAPPING_FINGERPRINTS.values())) == len(MAPPING_FINGERPRINTS)  # each version its own mapping


def test_every_field_of_the_document_shape_is_mapped_in_the_engine(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    answer = index.client.raw.indices.get_mapping(index=index.comments)
    answer = getattr(answer, "body", answer)
    [stored] = answer.values()
    assert set(FIELDS) - set(stored["mappings"]["properties"]) == set()


def test_a_document_written_before_a_field_was_added_is_unchanged_when_crawled_again(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex]) -> None:
    index = engine_index_factory(opensearch_url)
    story = article(1, comments=[Comment(id="e1-c1", article_id="e1", text="first", position=1)])
    # As a monitor before the comment platform field wrote them: the comment without the field.
    old = {**comment_document(story, story.comments[0]), "first_seen": SEEN, "last_seen": SEEN}
    del old["platform"]
    doc = {**article_document(story), "first_seen": SEEN, "last_seen": SEEN, "comment_count": 1}
    index.write([{"index": {"_index": index.articles, "_id": "e1"}}, mappings.engine_document(doc),
                 {"index": {"_index": index.comments, "_id": "e1-c1"}}, mappings.engine_document(old)])
    stats = index.upsert([story], seen_at="2026-03-06T10:00:00Z")
    assert (stats.articles_unchanged, stats.comments_new, stats.comments_updated, stats.new_ids) == (1, 0, 0, [])
    [comment] = index.get_comments("e1")
    assert (comment["platform"], comment["first_seen"], comment["last_seen"]) == (None, SEEN, "2026-03-06T10:00:00Z")
