"""Web test fixtures: the test site crawled once through the real CLI plus a hostile article, and the app serving it."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo import lab
from monitor.demo.server import demo_sources
from monitor.index import open_index
from tests.conftest import TestSite, run_monitor, write_config
from tests.web.browser import ARGS, CHROMIUM, Watched, open_page
from tests.web.webtools import Server, deep_thread_article, hostile_article, start_server, stop_server


@pytest.fixture(scope="session")
def web_index(test_site: TestSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole test site crawled once by `monitor crawl` (the lab without following links), plus the hostile
    article and a very deep thread upserted directly; returns the config path."""
    directory = tmp_path_factory.mktemp("web")
    sources = demo_sources(test_site.base_url, with_test_pages=True)
    for source in sources:
        if source["name"] == "lab":
            source["follow_depth"] = 0
    config_path = write_config(directory, sources, topics=[{"name": "bridge", "query": "bridge"},
                                                          {"name": "harbour", "query": "harbour OR harbor"}])
    run_monitor("crawl", "--json", config=config_path, env={lab.COMMENTS_API_KEY_ENV: lab.COMMENTS_API_KEY})
    config = load_config(config_path)
    with open_index(config.index.url) as index:
        index.upsert([hostile_article(), deep_thread_article()], seen_at="2025-03-22T00:00:00Z")
    return config_path


@pytest.fixture(scope="session")
def web(web_index: Path) -> Iterator[Server]:
    """The app on a free 127.0.0.1 port, in a thread of the test process, with writes on (TOKEN)."""
    server = start_server(web_index)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def color_scheme() -> str:
    """light unless a test parametrizes it (its browser tests run in both)."""
    return "light"


@pytest.fixture
def page(chromium: Any, web: Server, color_scheme: str) -> Iterator[Watched]:
    context, watched = open_page(chromium, web.url, scheme=color_scheme)
    yield watched
    context.close()
    assert not watched.errors, watched.errors
