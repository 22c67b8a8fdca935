"""A source added in the web UI of a running `monitor serve` is crawled by its scheduler; pausing it stops its job."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitor.demo.catalog import demo_sources
from tests.conftest import TestSite, write_config
from tests.runs.test_serve import Server, finished_after, hits, wait_for
from tests.web.webtools import TOKEN, free_port

pytestmark = pytest.mark.e2e  # a real `monitor serve` with its web UI, crawling the test site

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def serving(test_site: TestSite, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, str]]:
    """`monitor serve` whose monitor.yaml holds harbor-times with no schedule: nothing is crawled on its own."""
    sources = {s["name"]: s for s in demo_sources(test_site.base_url)}
    port = free_port()
    config = write_config(tmp_path, [sources["harbor-times"]],
                          serve={"grace_period": "30s", "crawl_timeout": "120s", "watch_config": False},
                          web={"host": "127.0.0.1", "port": port})
    monkeypatch.setenv("MONITOR_API_TOKEN", TOKEN)
    server = Server(config, web=True)
    server.start()
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(url), "the web UI of `monitor serve`", server=server)
    yield server, url
    try:
        server.stop()
    finally:
        server.kill_leftovers()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/sources", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_source_added_in_the_ui_is_crawled_by_the_scheduler_and_a_paused_one_is_not_scheduled(
        serving: tuple[Server, str], test_site: TestSite) -> None:
    server, url = serving
    ledger = {**next(s for s in demo_sources(test_site.base_url) if s["name"] == "northern-ledger"), "schedule": "1h"}
    with httpx.Client(base_url=url, timeout=60, headers=AUTH, follow_redirects=True) as api:
        # Through the form, as a person would: the session cookie and the CSRF token of the page.
        page = api.get("/login")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert api.post("/login", data={"csrf_token": csrf, "token": TOKEN, "next": "/sources"}).status_code == 200
        added = api.post("/sources", data={"csrf_token": csrf, "name": "northern-ledger",
                                           "feeds": "\n".join(ledger["feeds"]), "sitemaps": "\n".join(ledger["sitemaps"]),
                                           "allowed_domains": "127.0.0.1", "schedule": "1h",
                                           "article_url_pattern": ledger["article_url_pattern"]})
        assert added.status_code == 200 and "Source northern-ledger added." in added.text
        run = wait_for(lambda: finished_after(server, "northern-ledger", 0), "the scheduled crawl of the new source",
                       server=server)
        assert run["status"] == "finished", run
        assert run["articles_new"] == 12
        assert hits(server.config, "", types=("article",), sources=("northern-ledger",)) == 12
        assert server.runs("harbor-times") == []  # the file's source has no schedule: never crawled

        def next_run() -> Any:
            return {s["name"]: s for s in api.get("/api/sources").json()["sources"]}["northern-ledger"]

        assert next_run()["next_run"] is not None
        assert api.post("/api/sources/northern-ledger/pause").status_code == 200
        paused = wait_for(lambda: (row := next_run())["next_run"] is None and row, "the paused job", server=server)
        assert paused["paused"] and paused["schedule"] == "every 1 h"
        assert api.post("/api/sources/northern-ledger/resume").status_code == 200
        wait_for(lambda: next_run()["next_run"] is not None, "the resumed job", server=server)
    assert "config reloaded" in server.log_text()
