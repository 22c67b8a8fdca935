"""The JSON API through real HTTP: search, paging, threads, coverage, alerts, sources and runs, tokens."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from monitor.urls import article_id
from tests.web.webtools import HOSTILE_URL, TOKEN, Server, start_server, stop_server

pytestmark = pytest.mark.e2e  # a crawl of the test site and a real server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUN_WAIT_SECONDS = 120


@pytest.fixture(scope="module")
def api(web: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=60) as client:
        yield client


def test_healthz_counts_the_indexed_documents(api: httpx.Client) -> None:
    answer = api.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["index"]["article"] > 10 and answer.json()["index"]["comment"] > 10


def test_search_finds_articles_and_comments_with_marked_snippets_and_facets(api: httpx.Client) -> None:
    data = api.get("/api/search", params={"q": "bridge", "facets": "true", "limit": 50}).json()
    assert data["total"] > 0
    kinds = {hit["type"] for hit in data["hits"]}
    assert kinds == {"article", "comment"}
    assert all("«" in hit["snippet"] for hit in data["hits"] if hit["snippet"])
    assert sum(data["facets"]["type"].values()) == data["total"]
    assert sum(data["facets"]["source"].values()) == data["total"]
    comments = api.get("/api/search", params={"q": "bridge", "type": "comment"}).json()
    assert comments["total"] == data["facets"]["type"]["comment"]
    assert {hit["type"] for hit in comments["hits"]} == {"comment"}
    assert all(hit["article_id"] and hit["article_title"] for hit in comments["hits"])


def test_filters_narrow_by_source_and_topic(api: httpx.Client) -> None:
    everything = api.get("/api/search", params={"facets": "true", "limit": 0}).json()
    source, count = next(iter(everything["facets"]["source"].items()))
    one = api.get("/api/search", params={"source": source, "limit": 200}).json()
    assert one["total"] == count
    assert {hit["source"] for hit in one["hits"]} == {source}
    tagged = api.get("/api/search", params={"topic": "bridge", "type": "article", "limit": 200}).json()
    assert tagged["total"] > 0
    assert all("bridge" in hit["topics"] for hit in tagged["hits"])


def test_cursor_paging_walks_every_hit_once_in_date_order(api: httpx.Client) -> None:
    total = api.get("/api/search", params={"q": "harbour OR harbor OR bridge", "limit": 0}).json()["total"]
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"q": "harbour OR harbor OR bridge", "sort": "date", "limit": 7}
    while True:
        page = api.get("/api/search", params=params).json()
        seen += page["hits"]
        if not page["next_cursor"]:
            break
        params["after"] = page["next_cursor"]
    assert len(seen) == total
    assert len({hit["id"] for hit in seen}) == total
    # Newest first, compared as instants (dates the page gave without an offset are left out).
    instants = [stamp for hit in seen if hit["published"]
                if (stamp := datetime.fromisoformat(hit["published"])).tzinfo is not None]
    assert len(instants) > 10
    assert instants == sorted(instants, reverse=True)


def test_a_malformed_query_is_a_400_that_says_where(api: httpx.Client) -> None:
    answer = api.get("/api/search", params={"q": "bridge AND (toll OR"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["position"] == len("bridge AND (toll OR")
    assert "position" in body["detail"] and "^" in body["detail"]
    assert api.get("/api/coverage", params={"q": '"unclosed'}).status_code == 400
    assert api.get("/api/search", params={"after": "not json"}).status_code == 400
    assert api.get("/api/search", params={"since": "someday"}).status_code == 400  # not a date, span or period
    assert api.get("/api/search", params={"since": "2025-02-31"}).status_code == 400


def test_an_article_comes_with_its_thread_in_page_order(api: httpx.Client) -> None:
    hit = api.get("/api/search", params={"type": "article", "sort": "date", "limit": 100}).json()["hits"]
    threaded = next(h for h in hit if (h.get("comment_count") or 0) >= 3 and h["source"] != "lab")
    data = api.get(f"/api/articles/{threaded['id']}").json()
    assert data["article"]["id"] == threaded["id"]
    comments = data["comments"]
    assert len(comments) == threaded["comment_count"]
    assert [c["position"] for c in comments] == sorted(c["position"] for c in comments)
    ids = {c["id"] for c in comments}
    assert all(c["parent_id"] is None or c["parent_id"] in ids for c in comments)
    assert any(c["parent_id"] for c in comments)  # the test site's threads have replies
    by_url = api.get("/api/thread", params={"url": threaded["url"]}).json()
    assert by_url["article"]["id"] == threaded["id"]
    assert api.get("/api/articles/no-such-article").status_code == 404


def test_coverage_counts_per_day_add_up_per_source(api: httpx.Client) -> None:
    data = api.get("/api/coverage", params={"q": "bridge"}).json()
    assert sum(data["counts"]) == data["total"] > 0
    assert len(data["days"]) == len(data["counts"]) and data["days"] == sorted(data["days"])
    assert sum(s["total"] for s in data["series"]) == data["total"]  # a document has one source
    for series in data["series"]:
        assert len(series["counts"]) == len(data["days"])
    assert [sum(day) for day in zip(*(s["counts"] for s in data["series"]), strict=True)] == data["counts"]
    topics = api.get("/api/coverage", params={"q": "bridge", "split": "topic"}).json()
    assert {s["name"] for s in topics["series"]} == {"bridge", "harbour"}
    assert next(s for s in topics["series"] if s["name"] == "bridge")["total"] > 0


def test_alerts_are_created_changed_tested_and_deleted_with_the_token(api: httpx.Client) -> None:
    alert = {"name": "web-bridge", "query": "bridge", "notify": ["json://127.0.0.1:9/hook"], "types": ["comment"]}
    assert api.post("/api/alerts", json=alert).status_code == 401
    assert api.post("/api/alerts", json=alert, headers={"Authorization": "Bearer wrong"}).status_code == 401
    created = api.post("/api/alerts", json=alert, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "web-bridge" and created.json()["types"] == ["comment"]
    assert api.post("/api/alerts", json=alert, headers=AUTH).status_code == 409
    assert "web-bridge" in {a["name"] for a in api.get("/api/alerts").json()["alerts"]}

    tested = api.get("/api/alerts/web-bridge/test", params={"days": 3650}).json()
    assert tested["total"] > 0 and {h["type"] for h in tested["hits"]} == {"comment"}

    changed = api.patch("/api/alerts/web-bridge", json={"query": "ferry", "types": ["article"]}, headers=AUTH)
    assert changed.status_code == 200, changed.text
    assert changed.json()["query"] == "ferry"
    assert changed.json()["notify"] == created.json()["notify"]  # kept, not sent back
    retested = api.get("/api/alerts/web-bridge/test", params={"days": 3650}).json()
    assert {h["type"] for h in retested["hits"]} == {"article"}
    assert api.get("/api/alerts/web-bridge/history").json() == {"messages": []}

    bad = api.post("/api/alerts", json={**alert, "name": "broken", "query": "bridge AND ("}, headers=AUTH)
    assert bad.status_code == 400 and "query" in bad.json()["detail"]
    assert api.delete("/api/alerts/web-bridge").status_code == 401
    assert api.delete("/api/alerts/web-bridge", headers=AUTH).status_code == 204
    assert api.get("/api/alerts/web-bridge").status_code == 404


def test_every_answer_carries_the_security_headers(api: httpx.Client) -> None:
    for path in ("/", "/api/search", "/healthz", "/static/app.js", "/articles/missing"):
        headers = api.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_hostile_markup_is_shown_as_text_and_never_as_a_link(api: httpx.Client) -> None:
    page = api.get(f"/articles/{article_id(HOSTILE_URL)}").text
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#34;xss-script&#34;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=alert(&#34;xss-author&#34;)&gt;" in page
    assert 'href="javascript:' not in page
    assert "<mark>" not in page  # «» in scraped text is not a highlight outside search snippets


def test_sources_and_a_crawl_started_from_the_api_show_up_as_runs(api: httpx.Client) -> None:
    sources = api.get("/api/sources").json()
    names = [s["name"] for s in sources["sources"]]
    assert "harbor-times" in names and "lab" in names
    assert api.get("/api/runs", params={"source": "nowhere"}).status_code == 404
    assert api.post("/api/sources/harbor-times/crawl").status_code == 401
    assert api.post("/api/sources/nowhere/crawl", headers=AUTH).status_code == 404
    earlier = {run["id"] for run in api.get("/api/runs", params={"source": "harbor-times"}).json()["runs"]}
    started = api.post("/api/sources/harbor-times/crawl", headers=AUTH)
    assert started.status_code == 202 and started.json()["status"] == "started"
    deadline = time.monotonic() + RUN_WAIT_SECONDS
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        # Only the run this request started: the fixture's own `monitor crawl` is recorded too.
        runs = [r for r in api.get("/api/runs", params={"source": "harbor-times"}).json()["runs"]
                if r["id"] not in earlier]
        if runs and runs[0]["status"] != "running":
            break
        time.sleep(0.5)
    assert runs and runs[0]["status"] == "finished", runs
    assert runs[0]["pages_fetched"] > 0
    harbor = next(s for s in api.get("/api/sources").json()["sources"] if s["name"] == "harbor-times")
    assert harbor["health"] == "ok" and harbor["last_run"]["id"] == runs[0]["id"]


def test_an_ended_runs_log_is_served_as_text_and_an_unknown_run_is_not_found(api: httpx.Client) -> None:
    answer = api.get("/api/runs", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    ended = [r for r in answer.json()["runs"] if r["status"] != "running"]
    assert ended  # the fixture's `monitor crawl`
    log = api.get(f"/api/runs/{ended[-1]['id']}/log")
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/plain")
    assert "Spider closed" in log.text
    missing = api.get("/api/runs/999999/log")
    assert missing.status_code == 404 and "no run 999999" in missing.json()["detail"]


@pytest.fixture(scope="module")
def closed(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Two more servers on the same index: one with reads closed, one started without a token."""
    data = yaml.safe_load(web_index.read_text())
    data["web"] = {"open_reads": False}
    data["index"]["url"] = f"sqlite:///{web_index.parent / 'data' / 'monitor.db'}"
    data["data_dir"] = str(web_index.parent / "data")
    path = tmp_path_factory.mktemp("closed") / "monitor.yaml"
    path.write_text(yaml.safe_dump(data))
    closed_reads, no_token = start_server(path), start_server(web_index, token="")
    yield {"closed": closed_reads.url, "no_token": no_token.url}
    stop_server(closed_reads)
    stop_server(no_token)


def test_closed_reads_need_the_token(closed: dict[str, str]) -> None:
    with httpx.Client(base_url=closed["closed"], timeout=30) as client:
        assert client.get("/api/search").status_code == 401
        assert client.get("/api/search", headers=AUTH).status_code == 200
        assert client.get("/healthz").status_code == 200
        page = client.get("/?q=bridge")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_without_a_token_writes_are_switched_off(closed: dict[str, str]) -> None:
    with httpx.Client(base_url=closed["no_token"], timeout=30) as client:
        assert client.get("/api/search").status_code == 200
        answer = client.post("/api/alerts", json={"name": "x", "query": "x", "notify": ["json://127.0.0.1/x"]},
                             headers={"Authorization": "Bearer anything"})
        assert answer.status_code == 403 and "MONITOR_API_TOKEN" in answer.json()["detail"]
