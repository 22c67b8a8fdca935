"""Hostile or extreme input through real HTTP and the real CLI: deep queries, long alert queries, deep threads."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import yaml

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.urls import article_id
from tests.conftest import run_monitor
from tests.web.webtools import DEEP_COMMENTS, DEEP_URL, TOKEN, Server

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEEP_QUERY = "(" * 250 + "bridge" + ")" * 250  # fits the 2,000 characters of a query
LONG_QUERY = "ferry " * 400  # 2,400 characters
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
MAX_MARKUP_DEPTH = 64  # Chromium's parser stops nesting at 512; a thread must stay far below


@pytest.fixture(scope="module")
def api(web: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=60) as client:
        yield client


class Nesting(HTMLParser):
    """Checks that every end tag closes the innermost open element, and records how deep elements nest."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.deepest = 0
        self.mismatches: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.mismatches.append(f"</{tag}> while {self.open[-3:]} are open")
            return
        self.open.pop()


def test_a_deeply_nested_query_is_a_400_that_names_the_limit_everywhere(api: httpx.Client) -> None:
    for path in ("/api/search", "/api/coverage"):
        answer = api.get(path, params={"q": DEEP_QUERY})
        assert answer.status_code == 400, (path, answer.text[:300])
        assert "more than 8 deep" in answer.json()["detail"] and answer.json()["position"] == 8
    for path in ("/", "/coverage"):
        page = api.get(path, params={"q": DEEP_QUERY})
        assert page.status_code == 400 and "does not parse" in page.text and "more than 8 deep" in page.text
    alert = {"name": "deep", "query": DEEP_QUERY, "notify": ["json://127.0.0.1:9/hook"]}
    refused = api.post("/api/alerts", json=alert, headers=AUTH)
    assert refused.status_code == 400 and "more than 8 deep" in refused.json()["detail"]
    assert api.get("/api/alerts/deep").status_code == 404


def test_a_long_run_of_minus_signs_is_a_query_not_a_crash(api: httpx.Client) -> None:
    plain = api.get("/api/search", params={"q": "bridge", "limit": 0}).json()["total"]
    assert plain > 0
    assert api.get("/api/search", params={"q": "-" * 1990 + "bridge", "limit": 0}).json()["total"] == plain
    excluded = api.get("/api/search", params={"q": "-" * 1991 + "bridge", "limit": 0})
    assert excluded.status_code == 200 and excluded.json()["total"] < api.get(
        "/api/search", params={"limit": 0}).json()["total"]


def test_monitor_search_names_the_nesting_limit_instead_of_a_traceback(web: Server) -> None:
    result = run_monitor("search", DEEP_QUERY, config=web.config_path, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "more than 8 deep" in result.stderr


def test_alert_queries_are_held_to_the_search_limit_in_the_api_and_the_cli(api: httpx.Client, web: Server) -> None:
    alert = {"name": "too-long", "query": LONG_QUERY, "notify": ["json://127.0.0.1:9/hook"]}
    refused = api.post("/api/alerts", json=alert, headers=AUTH)
    assert refused.status_code == 400 and "at most 2000" in refused.json()["detail"]
    assert api.get("/api/alerts/too-long").status_code == 404
    result = run_monitor("alerts", "add", "too-long", LONG_QUERY, "--notify", "json://127.0.0.1:9/hook",
                         config=web.config_path, check=False)
    assert result.returncode == 2 and "at most 2000" in result.stderr and "Traceback" not in result.stderr
    assert api.get("/api/alerts/too-long").status_code == 404


def test_an_alert_query_in_the_config_is_held_to_the_search_limit(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump({"alerts": [{"name": "long", "query": LONG_QUERY,
                                                "notify": ["json://127.0.0.1:9/hook"]}]}))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "alerts" in str(caught.value) and "at most 2000" in str(caught.value)


def test_the_alert_test_page_shows_the_comments_it_would_have_matched(api: httpx.Client) -> None:
    alert = {"name": "page-comments", "query": "bridge", "notify": ["json://127.0.0.1:9/hook"],
             "types": ["comment"]}
    assert api.post("/api/alerts", json=alert, headers=AUTH).status_code == 201
    try:
        page = api.get("/alerts/page-comments", params={"days": 3650})
        assert page.status_code == 200, page.text[-2000:]
        assert page.text.count('<li class="hit comment">') > 0
        assert '<li class="hit article">' not in page.text
        assert "#c-" in page.text  # each hit links to its comment in the article's thread
    finally:
        assert api.delete("/api/alerts/page-comments", headers=AUTH).status_code == 204


def test_a_thread_hundreds_of_replies_deep_renders_every_comment_in_valid_markup(api: httpx.Client) -> None:
    aid = article_id(DEEP_URL)
    page = api.get(f"/articles/{aid}")
    assert page.status_code == 200, page.text[-2000:]
    for n in (1, 2, DEEP_COMMENTS // 2, DEEP_COMMENTS):
        assert page.text.count(f'id="c-{aid}-d{n}"') == 1
        assert f"Chain reply number {n} of the argument." in page.text
    assert page.text.count('<article class="comment"') == DEEP_COMMENTS + 1
    nesting = Nesting()
    nesting.feed(page.text)
    nesting.close()
    assert nesting.mismatches == []
    assert nesting.open == []
    assert 10 < nesting.deepest <= MAX_MARKUP_DEPTH
    # A flattened reply says whom it answers, with a link to that comment.
    assert f'href="#c-{aid}-d{DEEP_COMMENTS - 1}"' in page.text


def test_monitor_thread_shows_every_comment_of_a_very_deep_thread(web: Server) -> None:
    result = run_monitor("thread", DEEP_URL, config=web.config_path)
    missing = [n for n in range(1, DEEP_COMMENTS + 1) if f"Chain reply number {n} of the argument." not in result.stdout]
    assert missing == []
    assert "A fresh top-level remark." in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 200
