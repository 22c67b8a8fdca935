"""Sources through the JSON API over real HTTP: add, edit, reschedule, pause, resume, delete and test; who may."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.demo.catalog import demo_sources
from tests.conftest import TestSite, run_monitor, write_config
from tests.web.webtools import TOKEN, Server, start_server, stop_server

pytestmark = pytest.mark.e2e  # a real server and the test site

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def site_sources(test_site: TestSite) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in demo_sources(test_site.base_url)}


@pytest.fixture(scope="module")
def served(site_sources: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: monitor.yaml holds harbor-times; the other outlets are added through the API."""
    config = write_config(tmp_path_factory.mktemp("sources-api"), [site_sources["harbor-times"]])
    server = start_server(config)
    yield server
    stop_server(server)


@pytest.fixture
def api(served: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=60) as client:
        yield client


def listed(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in api.get("/api/sources").json()["sources"]}


def test_a_source_added_through_the_api_is_listed_and_seen_by_the_command_line(
        api: httpx.Client, served: Server, site_sources: dict[str, dict[str, Any]]) -> None:
    added = api.post("/api/sources", json=site_sources["northern-ledger"], headers=AUTH)
    assert added.status_code == 201, added.text
    assert added.json()["origin"] == "ui" and added.json()["added_by"] == "api" and added.json()["editable"]
    sources = listed(api)
    assert sources["northern-ledger"]["origin"] == "ui" and sources["harbor-times"]["origin"] == "monitor.yaml"
    cli = json.loads(run_monitor("sources", "--json", config=served.config_path).stdout)
    assert {s["name"]: s["origin"] for s in cli["sources"]} == {"harbor-times": "monitor.yaml",
                                                                 "northern-ledger": "ui"}
    table = run_monitor("sources", "--wide", config=served.config_path).stdout
    assert "northern-ledger (added in the UI)" in table and "harbor-times (added" not in table
    assert api.delete("/api/sources/northern-ledger", headers=AUTH).status_code == 204
    assert api.get("/api/sources/northern-ledger").status_code == 404
    assert "northern-ledger" not in listed(api)


def test_bad_input_is_refused_with_the_field_to_fix(api: httpx.Client) -> None:
    answer = api.post("/api/sources", json={"name": "bad", "feeds": ["ftp://example.org/feed"]}, headers=AUTH)
    assert answer.status_code == 422
    assert [(e["loc"], "not an http(s) URL" in e["msg"]) for e in answer.json()["detail"]] == [(["body", "feeds"], True)]
    nothing = api.post("/api/sources", json={"name": "empty"}, headers=AUTH)
    assert nothing.status_code == 422 and "needs at least one of feeds" in nothing.text
    topics = api.post("/api/sources", json={"name": "topical", "feeds": ["http://127.0.0.1:9/f"], "keep": "topics"},
                      headers=AUTH)
    assert topics.status_code == 400 and "keep: topics needs topics" in topics.json()["detail"]
    taken = api.post("/api/sources", json={"name": "harbor-times", "feeds": ["http://127.0.0.1:9/f"]}, headers=AUTH)
    assert taken.status_code == 409 and "in monitor.yaml" in taken.json()["detail"]
    assert set(listed(api)) == {"harbor-times"}


def test_a_monitor_yaml_source_is_read_only_but_can_be_paused_and_resumed(api: httpx.Client) -> None:
    body = {"name": "harbor-times", "feeds": ["http://127.0.0.1:9/elsewhere"]}
    for answer in (api.put("/api/sources/harbor-times", json=body, headers=AUTH),
                   api.put("/api/sources/harbor-times/schedule", json={"schedule": "5m"}, headers=AUTH),
                   api.delete("/api/sources/harbor-times", headers=AUTH)):
        assert answer.status_code == 409 and "monitor.yaml" in answer.json()["detail"]
    assert api.get("/api/sources/harbor-times").json()["definition"]["feeds"] != body["feeds"]
    paused = api.post("/api/sources/harbor-times/pause", headers=AUTH)
    assert paused.status_code == 200 and paused.json()["paused"]
    assert listed(api)["harbor-times"]["paused"] == paused.json()["paused"]
    resumed = api.post("/api/sources/harbor-times/resume", headers=AUTH)
    assert resumed.status_code == 200 and resumed.json()["paused"] is None
    again = api.post("/api/sources/harbor-times/resume", headers=AUTH)
    assert again.status_code == 409 and "not paused" in again.json()["detail"]


def test_an_added_source_is_edited_and_rescheduled(api: httpx.Client, site_sources: dict[str, dict[str, Any]]) -> None:
    source = site_sources["valley-post"]
    assert api.post("/api/sources", json=source, headers=AUTH).status_code == 201
    try:
        changed = api.put("/api/sources/valley-post", json={**source, "max_articles": 3}, headers=AUTH)
        assert changed.status_code == 200 and changed.json()["definition"]["max_articles"] == 3
        renamed = api.put("/api/sources/valley-post", json={**source, "name": "hill-post"}, headers=AUTH)
        assert renamed.status_code == 400 and "cannot be renamed" in renamed.json()["detail"]
        timed = api.put("/api/sources/valley-post/schedule", json={"schedule": "*/20 * * * *"}, headers=AUTH)
        assert timed.status_code == 200 and timed.json()["definition"]["schedule"] == {"cron": "*/20 * * * *"}
        assert listed(api)["valley-post"]["schedule"] == "cron */20 * * * *"
        assert timed.json()["definition"]["max_articles"] == 3  # a reschedule keeps the rest
        wrong = api.put("/api/sources/valley-post/schedule", json={"schedule": "every tuesday"}, headers=AUTH)
        assert wrong.status_code == 400 and "schedule.every: 'every tuesday' is not a duration" in wrong.json()["detail"]
        cleared = api.put("/api/sources/valley-post/schedule", json={"schedule": None}, headers=AUTH)
        assert "schedule" not in cleared.json()["definition"] and listed(api)["valley-post"]["schedule"] is None
    finally:
        api.delete("/api/sources/valley-post", headers=AUTH)


def test_testing_a_source_reports_what_a_crawl_would_find_and_indexes_nothing(api: httpx.Client) -> None:
    before = api.get("/healthz").json()["index"]
    answer = api.post("/api/sources/harbor-times/test", headers=AUTH)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["feeds"][0]["ok"] and result["feeds"][0]["kind"] == "feed"
    assert [s["kind"] for s in result["sitemaps"]][:1] == ["sitemap index"]
    assert result["article_urls"] >= 10 and result["sample"]["title"]
    assert result["fetches"] <= 25
    assert api.get("/healthz").json()["index"] == before


def test_a_draft_is_tested_without_being_stored(api: httpx.Client, site_sources: dict[str, dict[str, Any]]) -> None:
    answer = api.post("/api/sources/test", json=site_sources["northern-ledger"], headers=AUTH)
    assert answer.status_code == 200 and answer.json()["article_urls"] >= 10
    assert api.get("/api/sources/northern-ledger").status_code == 404


def test_writes_need_the_token_and_forms_need_their_csrf_token(api: httpx.Client) -> None:
    body = {"name": "sneaky", "feeds": ["http://127.0.0.1:9/feed"]}
    assert api.post("/api/sources", json=body).status_code == 401
    assert api.post("/api/sources", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert api.post("/api/sources/harbor-times/pause").status_code == 401
    assert api.post("/api/sources/harbor-times/test").status_code == 401
    form = api.post("/sources", data={"name": "sneaky", "feeds": "http://127.0.0.1:9/feed"}, headers=AUTH)
    assert form.status_code == 403
    assert api.get("/api/sources/sneaky").status_code == 404
    assert api.get("/api/sources/harbor-times").status_code == 200  # reads are open (web.open_reads)


def test_the_state_store_keeps_added_sources_across_a_restart(
        served: Server, site_sources: dict[str, dict[str, Any]]) -> None:
    with httpx.Client(base_url=served.url, timeout=60) as client:
        assert client.post("/api/sources", json=site_sources["valley-post"], headers=AUTH).status_code == 201
    again = start_server(Path(served.config_path))
    try:
        with httpx.Client(base_url=again.url, timeout=60) as client:
            assert client.get("/api/sources/valley-post").json()["origin"] == "ui"
            assert client.delete("/api/sources/valley-post", headers=AUTH).status_code == 204
    finally:
        stop_server(again)


def test_monitor_crawl_crawls_a_source_added_through_the_api(
        api: httpx.Client, served: Server, site_sources: dict[str, dict[str, Any]]) -> None:
    assert api.post("/api/sources", json=site_sources["valley-post"], headers=AUTH).status_code == 201
    try:
        runs = json.loads(run_monitor("crawl", "valley-post", "--json", config=served.config_path).stdout)["runs"]
        assert [(r["source"], r["status"], r["articles_new"]) for r in runs] == [("valley-post", "finished", 12)]
        found = api.get("/api/search", params={"source": "valley-post", "type": "article", "limit": 0}).json()
        assert found["total"] == 12
    finally:
        api.delete("/api/sources/valley-post", headers=AUTH)
