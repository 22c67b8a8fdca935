"""End to end through the real `monitor` command: crawl a local test site with topics and alerts to a real SMTP
server and a local webhook; once each, re-crawls quiet, new comments, a receiver that comes back, digests."""
from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.demo.server import demo_sources
from tests.alerts.receivers import SmtpReceiver, WebhookReceiver
from tests.conftest import TestSite, monitor_json, run_monitor, write_config

pytestmark = pytest.mark.e2e

HOOK_ENV = {"MONITOR_TEST_HOOK_PATH": "words"}  # the webhook path comes from the environment, as secrets do


@pytest.fixture(scope="module")
def site(own_site: TestSite) -> TestSite:
    """These tests publish articles and comments on the site: a site of the module's own."""
    return own_site


@pytest.fixture(scope="module")
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().up()
    yield receiver
    receiver.down()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def _source(site: TestSite, name: str, **extra: Any) -> dict[str, Any]:
    source = next(s for s in demo_sources(site.base_url) if s["name"] == name)
    # Demo articles are from 2025: re-fetch them all, so that new comments are picked up.
    return {**source, "refresh_comments_for": "3650d", **extra}


@pytest.fixture(scope="module")
def world(site: TestSite, hook: WebhookReceiver, smtp: SmtpReceiver,
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("alerts-e2e")
    words = f"json://{hook.base}/{{env:MONITOR_TEST_HOOK_PATH}}"
    config = write_config(
        directory,
        [_source(site, "harbor-times")],
        topics=[{"name": "bridges", "query": "bridge OR span"}, {"name": "kyiv", "query": "kyiv"}],
        alerts=[
            {"name": "pelican", "query": "pelican", "notify": [words, smtp.url("desk@example.org")]},
            {"name": "bagpipes", "query": "bagpipes", "notify": [words]},
            {"name": "zanzibar", "query": "zanzibar", "types": ["comment"], "notify": [words]},
            {"name": "kyiv-digest", "query": "kyiv", "types": ["article"], "mode": "digest",
             "digest_schedule": "0 0 1 1 *", "notify": [f"json://{hook.base}/digest"]},
        ],
        notifications={"retry_after": "0s"},
    )
    summary = _crawl(config)
    return {"config": config, "summary": summary, "after_first_crawl": list(hook.messages)}


def _json(*args: str, config: Path) -> Any:
    """The real command with the environment the notify URLs take their secrets from."""
    return json.loads(run_monitor(*args, "--json", config=config, env=HOOK_ENV).stdout)


def _crawl(config: Path, *sources: str) -> dict[str, Any]:
    return _json("crawl", *sources, config=config)


def _wait_for(condition: Any, what: str, timeout: float = 30.0) -> None:
    """Deliveries happen in the crawl's own process; wait until the receiver has what it should."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_an_article_word_alert_arrives_once_on_the_webhook_and_by_email_with_the_snippet(
        world: dict[str, Any], hook: WebhookReceiver, smtp: SmtpReceiver) -> None:
    pelican = [m for m in world["after_first_crawl"] if m["title"].startswith("[pelican]")]
    assert len(pelican) == 1
    message = pelican[0]
    assert message["path"] == "/words"
    assert "Aldren Span reopens to traffic" in message["title"]
    body = message["message"]
    assert "«pelican»" in body
    assert "Source: harbor-times" in body
    assert "/harbor-times/2025/03/03/harbor-bridge-reopens/" in body
    assert "2025-03-03" in body
    mails = [(s, b) for s, b in smtp.texts() if s.startswith("[pelican]")]
    assert len(mails) == 1
    assert "«pelican»" in mails[0][1] and "harbor-bridge-reopens" in mails[0][1]


def test_a_word_found_only_in_one_reader_comment_alerts_once_with_author_and_article(
        world: dict[str, Any]) -> None:
    bagpipes = [m for m in world["after_first_crawl"] if m["title"].startswith("[bagpipes]")]
    assert len(bagpipes) == 1
    assert bagpipes[0]["title"].startswith("[bagpipes] Comment by ")
    assert "Aldren Span reopens to traffic" in bagpipes[0]["title"]
    assert "«bagpipes»" in bagpipes[0]["message"]
    assert "#comment-" in bagpipes[0]["message"]


def test_nothing_else_is_sent_and_digest_matches_wait(world: dict[str, Any]) -> None:
    titles = sorted(m["title"].split("]")[0] + "]" for m in world["after_first_crawl"])
    assert titles == ["[bagpipes]", "[pelican]"]
    assert world["summary"]["runs"][0]["status"] == "finished"


def test_a_recrawl_sends_nothing_new(world: dict[str, Any], hook: WebhookReceiver) -> None:
    before = len(hook.messages)
    again = _crawl(world["config"])
    run = again["runs"][0]
    assert run["status"] == "finished" and run["articles_new"] == 0 and run["comments_new"] == 0
    time.sleep(0.5)
    assert len(hook.messages) == before


def test_a_new_comment_on_the_site_sends_exactly_one_message(world: dict[str, Any], site: TestSite,
                                                             hook: WebhookReceiver) -> None:
    article = f"{site.base_url}/harbor-times/2025/03/06/cafe-lumiere-opens-tenth-branch/"
    site.post("/_admin/comments", {"article": article, "author": "Tilda Marsh",
                                   "text": "Their spice comes all the way from Zanzibar, I asked."})
    _crawl(world["config"])
    _wait_for(lambda: hook.at("/words") and any("[zanzibar]" in m["title"] for m in hook.at("/words")),
              "the zanzibar message")
    zanzibar = [m for m in hook.messages if m["title"].startswith("[zanzibar]")]
    assert len(zanzibar) == 1
    assert "Tilda Marsh" in zanzibar[0]["title"]
    assert "Café Lumière opens its tenth branch" in zanzibar[0]["message"]
    _crawl(world["config"])
    assert len([m for m in hook.messages if m["title"].startswith("[zanzibar]")]) == 1


def test_a_receiver_that_is_down_gets_the_message_after_it_comes_back(world: dict[str, Any], site: TestSite,
                                                                      hook: WebhookReceiver) -> None:
    config = world["config"]
    article = f"{site.base_url}/harbor-times/2025/03/05/river-maelle-bursts-banks-lower-quay/"
    hook.down()
    try:
        site.post("/_admin/comments", {"article": article, "author": "Ned Quill",
                                       "text": "Zanzibar had floods like this, my cousin says."})
        _crawl(config)
        waiting = monitor_json("alerts", "history", "zanzibar", config=config)["messages"]
        assert waiting[0]["status"] == "retrying" and waiting[0]["attempts"] == 1
        assert "Ned Quill" in waiting[0]["title"]
        assert waiting[0]["last_error"]
    finally:
        hook.up()
    result = _json("alerts", "deliver", config=config)
    assert result["sent"] == 1
    arrived = [m for m in hook.messages if "Ned Quill" in m["title"]]
    assert len(arrived) == 1
    history = monitor_json("alerts", "history", "zanzibar", config=config)["messages"]
    assert history[0]["status"] == "sent" and history[0]["attempts"] == 2
    assert _json("alerts", "deliver", config=config)["sent"] == 0


def test_a_digest_arrives_as_one_message_listing_every_match(world: dict[str, Any], hook: WebhookReceiver) -> None:
    assert hook.at("/digest") == []
    result = _json("alerts", "digest", "--now", "kyiv-digest", config=world["config"])
    assert result["digests"] == {"kyiv-digest": 1}  # the one harbor-times article about Kyiv
    digests = hook.at("/digest")
    assert len(digests) == 1
    assert digests[0]["title"] == "[kyiv-digest] digest: 1 match"
    assert "Kyiv air defence works through the night" in digests[0]["message"]
    again = _json("alerts", "digest", "--now", "kyiv-digest", config=world["config"])
    assert again["digests"] == {"kyiv-digest": 0} and len(hook.at("/digest")) == 1


def test_articles_and_comments_are_tagged_and_search_filters_on_topics(world: dict[str, Any]) -> None:
    config = world["config"]
    kyiv = monitor_json("search", "", "--topic", "kyiv", "--limit", "100", config=config)
    assert kyiv["total"] > 0
    assert all("kyiv" in hit["topics"] for hit in kyiv["hits"])
    kinds = {hit["type"] for hit in kyiv["hits"]}
    assert kinds == {"article", "comment"}  # an article's comments carry its topics
    bridges = monitor_json("search", "bridge", "--topic", "bridges", "--type", "article", config=config)
    assert bridges["total"] >= 2
    assert monitor_json("search", "bridge", "--topic", "kyiv", "--type", "article", config=config)["total"] == 0


def test_alerts_test_shows_past_matches_without_sending(world: dict[str, Any], hook: WebhookReceiver) -> None:
    before = len(hook.messages)
    result = monitor_json("alerts", "test", "pelican", "--days", "100000", config=world["config"])
    assert result["total"] == 1 and "«pelican»" in result["hits"][0]["snippet"]
    assert monitor_json("alerts", "test", "pelican", "--days", "1", config=world["config"])["total"] == 0
    assert len(hook.messages) == before


def test_cli_alerts_are_added_listed_masked_and_removed(world: dict[str, Any], hook: WebhookReceiver) -> None:
    config = world["config"]
    run_monitor("alerts", "add", "ferry", "ferry OR harbour", "--notify",
                f"json://desk:s3cretpass@{hook.base}/ferry", "--type", "article", config=config)
    listed = run_monitor("alerts", "list", config=config).stdout
    assert "ferry" in listed and "s3cretpass" not in listed
    alerts = {a["name"]: a for a in monitor_json("alerts", "list", config=config)["alerts"]}
    assert alerts["ferry"]["origin"] == "cli" and alerts["pelican"]["origin"] == "config"
    assert "s3cretpass" not in str(alerts["ferry"]["notify"])
    refused = run_monitor("alerts", "remove", "pelican", config=config, check=False)
    assert refused.returncode == 2 and "config file" in refused.stderr
    bad = run_monitor("alerts", "add", "oops", "kyiv AND", "--notify", "json://x/y", config=config, check=False)
    assert bad.returncode == 2 and "position" in bad.stderr
    run_monitor("alerts", "remove", "ferry", config=config)
    assert "ferry" not in {a["name"] for a in monitor_json("alerts", "list", config=config)["alerts"]}


def test_keep_topics_drops_off_topic_articles_with_their_comments(site: TestSite, tmp_path: Path) -> None:
    config = write_config(tmp_path, [_source(site, "valley-post", keep="topics")],
                          topics=[{"name": "kyiv", "query": "kyiv"}])
    run = _crawl(config)["runs"][0]
    indexed = monitor_json("search", "", "--type", "article", "--limit", "100", config=config)
    titles = {hit["title"] for hit in indexed["hits"]}
    assert titles == {"Valley volunteers ship winter supplies to Kyiv",
                      "Valley fundraiser for Kyiv air defence passes its target"}
    assert run["skipped"]["off_topic"] == 10
    comments = monitor_json("search", "", "--type", "comment", "--limit", "100", config=config)
    assert {hit["article_title"] for hit in comments["hits"]} <= titles


def test_search_urls_crawl_the_sites_search_for_each_topic_keyword(site: TestSite, tmp_path: Path) -> None:
    harbor = _source(site, "harbor-times")
    source = {"name": "harbor-search", "search_urls": [f"{site.base_url}/harbor-times/?s={{query}}"],
              "allowed_domains": ["127.0.0.1"], "article_url_pattern": harbor["article_url_pattern"],
              "keep": "topics"}
    config = write_config(tmp_path, [source], topics=[{"name": "kyiv", "query": "kyiv NOT football"},
                                                      {"name": "air", "query": '"air defence"'}])
    _crawl(config)
    with urllib.request.urlopen(f"{site.base_url}/_admin/requests?detail=1", timeout=10) as response:
        searched = {r["query"] for r in json.load(response) if r["path"] == "/harbor-times/" and r["query"]}
    assert {"s=kyiv", "s=air+defence"} <= searched  # one search per keyword; "football" is excluded, not searched
    assert not any("football" in q for q in searched)
    indexed = monitor_json("search", "", "--type", "article", "--limit", "100", config=config)
    assert {hit["title"] for hit in indexed["hits"]} == {"Kyiv air defence works through the night as drones return"}
