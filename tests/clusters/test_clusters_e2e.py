"""End to end through the real `monitor` command: one story posted on three outlets of the test site is crawled
into SQLite and into OpenSearch; its copies make one cluster with the same ids on both, a collapsed search shows it
once with the others as "also published by", and an alert once per cluster notifies once."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.demo.server import demo_sources
from monitor.index import SearchRequest, open_index
from monitor.index.engine import open_engine_index
from tests.alerts.receivers import WebhookReceiver
from tests.clusters.stories import FERRY
from tests.conftest import TestSite, run_monitor, write_config

pytestmark = pytest.mark.e2e

OUTLETS = ("harbor-times", "northern-ledger", "valley-post")
WORD = "zephyrine"  # in the story and nowhere else on the site
STORY = [*FERRY.replace("night ferry", f"{WORD} night ferry").split(". ")]
HEADLINES = ("Night ferry to stop for six weeks", "UPDATE: Zephyrine ferry stops, officials say",
             "What we know: the island ferry closure")


@pytest.fixture(scope="module")
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


@pytest.fixture(scope="module")
def posted(own_site: TestSite) -> dict[str, str]:
    """The story on each outlet, as wire copy is reprinted: new headline, a note added, a paragraph cut."""
    urls = {}
    for n, (outlet, headline) in enumerate(zip(OUTLETS, HEADLINES, strict=True)):
        paragraphs = [". ".join(STORY[:2]) + ".", ". ".join(STORY[2:]).rstrip(".") + "."]
        if n == 1:
            paragraphs.append("Editor's note: this story has been updated with a statement from the authority.")
        urls[outlet] = own_site.post("/_admin/articles", {"outlet": outlet, "title": headline,
                                                          "body": "\n\n".join(paragraphs)})["url"]
    return urls


def _config(directory: Path, site: TestSite, hook: WebhookReceiver, **sections: Any) -> Path:
    sources = [s for s in demo_sources(site.base_url) if s["name"] in OUTLETS]
    return write_config(directory, sources, alerts=[
        {"name": "wire", "query": WORD, "types": ["article"], "once_per": "cluster",
         "notify": [f"json://{hook.base}/wire"]},
        {"name": "every-copy", "query": WORD, "types": ["article"], "once_per": "document",
         "notify": [f"json://{hook.base}/every-copy"]},
    ], notifications={"retry_after": "0s"}, **sections)


def _json(*args: str, config: Path, env: dict[str, str] | None = None) -> Any:
    return json.loads(run_monitor(*args, "--json", config=config, env=env).stdout)


def _crawl(config: Path, env: dict[str, str] | None = None) -> None:
    # One source at a time: which copy is first seen (the cluster's root) is the same in every crawl.
    summary = _json("crawl", "--parallel", "1", config=config, env=env)
    assert [run["status"] for run in summary["runs"]] == ["finished"] * len(OUTLETS)


def _wait_for(hook: WebhookReceiver, path: str, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(hook.at(path)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {count} message(s) at {path}: {hook.at(path)}")
        time.sleep(0.1)


def _clusters(url: str) -> dict[str, str | None]:
    with open_index(url) as index:
        hits = index.search(SearchRequest(types=("article",), sort="date", limit=1000)).hits
    return {h["id"]: h["cluster_id"] for h in hits}


@pytest.fixture(scope="module")
def on_sqlite(own_site: TestSite, posted: dict[str, str], hook: WebhookReceiver,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    config = _config(tmp_path_factory.mktemp("clusters-sqlite"), own_site, hook)
    _crawl(config)
    _wait_for(hook, "/every-copy", 3)
    url = f"sqlite:///{config.parent / 'data' / 'monitor.db'}"
    return {"config": config, "clusters": _clusters(url), "url": url}


@pytest.fixture(scope="module")
def on_opensearch(own_site: TestSite, posted: dict[str, str], on_sqlite: dict[str, Any], hook: WebhookReceiver,
                  opensearch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    prefix = f"monitor-test-{uuid.uuid4().hex[:12]}"
    env = {"MONITOR_INDEX_PREFIX": prefix}
    hook.messages.clear()
    config = _config(tmp_path_factory.mktemp("clusters-opensearch"), own_site, hook, index={"url": opensearch_url})
    _crawl(config, env)
    _wait_for(hook, "/every-copy", 3)
    index = open_engine_index(opensearch_url, prefix=prefix)
    index.refresh_now()
    hits = index.search(SearchRequest(types=("article",), sort="date", limit=1000)).hits
    try:
        yield {"config": config, "env": env, "clusters": {h["id"]: h["cluster_id"] for h in hits}}
    finally:
        index.drop()
        index.close()


def _story_cluster(clusters: dict[str, str | None], posted: dict[str, str]) -> set[str | None]:
    from monitor.urls import article_id

    return {clusters[article_id(url)] for url in posted.values()}


def test_the_copies_make_one_cluster_of_their_own_rooted_at_the_first_crawled(
        on_sqlite: dict[str, Any], posted: dict[str, str]) -> None:
    from monitor.urls import article_id

    root = article_id(posted["harbor-times"])
    assert _story_cluster(on_sqlite["clusters"], posted) == {root}
    members = {doc_id for doc_id, cluster in on_sqlite["clusters"].items() if cluster == root}
    assert members == {article_id(url) for url in posted.values()}  # no other article of the site joined it


def test_sqlite_and_opensearch_give_every_article_the_same_cluster(on_sqlite: dict[str, Any],
                                                                   on_opensearch: dict[str, Any]) -> None:
    assert len(on_sqlite["clusters"]) > 10
    assert on_opensearch["clusters"] == on_sqlite["clusters"]


@pytest.mark.parametrize("backend", ["sqlite", "opensearch"])
def test_a_collapsed_search_shows_the_story_once_with_the_other_outlets_as_also_published_by(
        backend: str, request: pytest.FixtureRequest, posted: dict[str, str]) -> None:
    world = request.getfixturevalue(f"on_{backend}")
    env = world.get("env")
    plain = _json("search", WORD, "--type", "article", config=world["config"], env=env)
    collapsed = _json("search", WORD, "--type", "article", "--collapse", config=world["config"], env=env)
    assert plain["total"] == 3
    assert collapsed["total"] == 1
    [hit] = collapsed["hits"]
    assert hit["cluster"]["more"] == 2
    assert sorted([hit["source"], *hit["cluster"]["also"]]) == sorted(OUTLETS)
    shown = run_monitor("search", WORD, "--type", "article", "--collapse", config=world["config"], env=env).stdout
    assert "and 2 more from" in shown
    thread = _json("thread", posted["valley-post"], config=world["config"], env=env)
    assert sorted(c["source"] for c in thread["copies"]) == ["harbor-times", "northern-ledger"]


@pytest.mark.parametrize("backend", ["sqlite", "opensearch"])
def test_an_alert_once_per_cluster_notifies_once_and_one_per_document_notifies_each_copy(
        backend: str, request: pytest.FixtureRequest, hook: WebhookReceiver) -> None:
    world = request.getfixturevalue(f"on_{backend}")
    history = _json("alerts", "history", "wire", config=world["config"], env=world.get("env"))["messages"]
    assert len(history) == 1
    assert len(history[0]["copies"]) == 2  # the later copies joined the match's history
    every = _json("alerts", "history", "every-copy", config=world["config"], env=world.get("env"))["messages"]
    assert len(every) == 3


def test_each_backend_sent_the_story_once_to_the_once_per_cluster_alert(on_opensearch: dict[str, Any],
                                                                        hook: WebhookReceiver) -> None:
    # The receiver was cleared before the OpenSearch crawl: what it holds is that crawl's.
    assert len(hook.at("/wire")) == 1 and WORD in hook.at("/wire")[0]["message"].lower()
    assert len(hook.at("/every-copy")) == 3


def test_a_rebuild_of_the_crawled_index_finds_the_same_clusters(on_sqlite: dict[str, Any]) -> None:
    outcome = _json("clusters", "rebuild", config=on_sqlite["config"])
    assert outcome["articles"] == len(on_sqlite["clusters"])
    assert _clusters(on_sqlite["url"]) == on_sqlite["clusters"]
