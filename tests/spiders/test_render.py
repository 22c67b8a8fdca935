"""Which crawls put a browser behind their requests, and which article requests it renders."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy import Request
from scrapy.crawler import AsyncCrawlerRunner, CrawlerRunner
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_reactor_settings

from monitor.discovery import Link
from monitor.errors import ConfigError
from spiders.news import NewsSpider
from spiders.render import MAX_CONTEXTS, MAX_PAGES_PER_CONTEXT


def spider_with(tmp_path: Path, **source: Any) -> NewsSpider:
    config = {"index": {"url": "sqlite:///data/monitor.db"}, "crawl": {"browser": "/usr/bin/chromium"},
              "sources": [{"name": "s", "feeds": ["https://gazette.example/feed"],
                           "allowed_domains": ["gazette.example", "live.example"], **source}]}
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    # As Crawler.crawl does it: the spider is built, then the settings are applied and frozen.
    settings = {"MONITOR_CONFIG": str(path), "REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                **get_reactor_settings()}
    runner = CrawlerRunner(settings) if is_reactor_installed() else AsyncCrawlerRunner(settings)
    crawler = runner.create_crawler(NewsSpider)
    built: NewsSpider = NewsSpider.from_crawler(crawler, source="s")
    crawler._apply_settings()
    return built


def request_for(spider: NewsSpider, url: str) -> Request:
    (request,) = list(spider.article_request(Link(url), trusted=True))
    return request


def test_a_source_without_render_keeps_scrapys_own_download_handlers(tmp_path: Path) -> None:
    spider = spider_with(tmp_path)
    handlers = spider.crawler.settings.getdict("DOWNLOAD_HANDLERS")
    assert not any("playwright" in str(h) for h in handlers.values())
    assert "playwright" not in request_for(spider, "https://gazette.example/2026/03/vote/").meta


def test_a_source_with_render_gets_the_bounded_browser_and_rendered_article_requests(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, render="comments", render_wait_for="#comments", render_clicks=3)
    settings = spider.crawler.settings
    assert "scrapy_playwright" in settings.getdict("DOWNLOAD_HANDLERS")["https"]
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/usr/bin/chromium"
    assert (settings.getint("PLAYWRIGHT_MAX_CONTEXTS"), settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT")) == (
        MAX_CONTEXTS, MAX_PAGES_PER_CONTEXT)
    meta = request_for(spider, "https://gazette.example/2026/03/vote/").meta
    assert meta["playwright"] is True
    methods = [(m.method, m.args) for m in meta["playwright_page_methods"]]
    assert ("wait_for_selector", ("#comments",)) in methods
    assert any(name == "evaluate" and args[1][0] == 3 for name, args in methods)  # at most 3 clicks


def test_render_domains_render_only_those_hosts(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, render="page", render_domains=["live.example"])
    assert request_for(spider, "https://www.live.example/2026/03/vote/").meta.get("playwright") is True
    assert "playwright" not in request_for(spider, "https://gazette.example/2026/03/vote/").meta


def test_render_paths_render_only_the_article_pages_under_them_on_the_render_domains(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, render="comments", render_domains=["Live.Example"], render_paths=["/live/"])
    assert request_for(spider, "https://live.example/live/2026/03/vote/").meta.get("playwright") is True
    assert "playwright" not in request_for(spider, "https://live.example/2026/03/vote/").meta
    assert "playwright" not in request_for(spider, "https://gazette.example/live/2026/03/vote/").meta


def test_a_render_path_that_is_not_a_path_is_refused_with_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="render_paths.*like /live/"):
        spider_with(tmp_path, render="page", render_paths=["live/"])
