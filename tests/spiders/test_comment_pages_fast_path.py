"""The spider never parses an article page; its extraction looks for comment pages only where their markers are."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

import monitor.extract.comments.leads
import spiders.comment_fetch
import spiders.news
from monitor.items import PageItem
from spiders.news import NewsSpider
from tests.spiders.steps import comment_steps

ARTICLE = "https://ledger.example/2026/03/harbour-works/"
PLAIN = (b"<html><head><title>Harbour works</title></head><body><article><h1>Harbour works</h1><p>The harbour "
         b"reopened on Monday.</p></article><nav class='pagination'><a rel='next' href='/page/2/'>Next</a></nav>"
         b"</body></html>")
WORDPRESS = (b"<html><head><title>Harbour works</title></head><body><article><h1>Harbour works</h1><p>The harbour "
             b"reopened.</p></article><div id='COMMENTS' class='comments-area'><ol class='comment-list'><li "
             b"id='comment-1' class='comment'><p>First</p></li></ol><nav class='navigation comment-navigation'>"
             b"<div class='nav-previous'><a href='" + ARTICLE.encode() + b"comment-page-2/#comments'>Older "
             b"comments</a></div></nav></div></body></html>")


@pytest.fixture
def spider(tmp_path: Path) -> NewsSpider:
    config = {"index": {"url": f"sqlite:///{tmp_path}/monitor.db"},
              "sources": [{"name": "ledger", "feeds": ["https://ledger.example/feed"]}]}
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    built: NewsSpider = NewsSpider.from_crawler(get_crawler(NewsSpider, {"MONITOR_CONFIG": str(path)}), source="ledger")
    return built


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs whose tree the spider asked Scrapy for."""
    asked: list[str] = []
    real = spiders.comment_fetch.parsed

    def recording(response: Any) -> Any:
        asked.append(response.url)
        return real(response)

    monkeypatch.setattr(spiders.comment_fetch, "parsed", recording)
    monkeypatch.setattr(spiders.news, "parsed", recording)
    return asked


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs whose links extraction walked for comment pages."""
    walked: list[str] = []
    real = monitor.extract.comments.leads.comment_page_urls

    def recording(tree: Any, url: str) -> list[str]:
        walked.append(url)
        return real(tree, url)

    monkeypatch.setattr(monitor.extract.comments.leads, "comment_page_urls", recording)
    return walked


def response(body: bytes, url: str = ARTICLE) -> HtmlResponse:
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=Request(url))


def test_an_article_page_goes_on_at_once_and_the_spider_never_parses_it(spider: NewsSpider, parses: list[str]) -> None:
    for body in (PLAIN, WORDPRESS):
        out = list(spider.parse_article(response(body)))
        assert [type(o) for o in out] == [PageItem]
        assert out[0].html == body and out[0].leads == spider.lead_options
    assert parses == []


def test_a_page_without_comment_markers_is_not_walked_for_comment_pages(spider: NewsSpider,
                                                                        walks: list[str]) -> None:
    assert comment_steps(spider, response(PLAIN))[0].url == ARTICLE
    assert walks == []


def test_a_page_with_comment_navigation_still_asks_for_its_next_comment_page(spider: NewsSpider, walks: list[str],
                                                                             parses: list[str]) -> None:
    out = comment_steps(spider, response(WORDPRESS))
    assert [o.url for o in out if isinstance(o, Request)] == [ARTICLE + "comment-page-2/"]
    assert out[0].headers.get("Referer") == ARTICLE.encode()
    assert walks == [ARTICLE] and parses == []


def test_a_comment_page_without_markers_ends_the_paging_with_the_item(spider: NewsSpider, parses: list[str]) -> None:
    (request,) = comment_steps(spider, response(WORDPRESS))
    assert isinstance(request, Request)
    page_two = HtmlResponse(request.url, body=PLAIN, headers={"Content-Type": "text/html"}, request=request)
    out = list(spider.parse_comment_page(page_two, **request.cb_kwargs))
    assert [type(o) for o in out] == [PageItem]
    assert out[0].comment_payloads[0].url == ARTICLE + "comment-page-2/"
    assert parses == []
