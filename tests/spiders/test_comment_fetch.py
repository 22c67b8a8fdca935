"""The spider's reading of a comment platform: paging, the item's status, 429, 404, switched off, no key."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from monitor.extract import extract_page
from monitor.items import PageItem
from spiders.news import NewsSpider
from tests.spiders.steps import comment_steps

ARTICLE = "https://gazette.example/2026/03/barrier-vote/"
OTHER = "https://gazette.example/2026/03/quiet-corner/"
API = "https://api.stand-in.example/3.0"
KEY_ENV = "MONITOR_TEST_SPIDER_DISQUS_KEY"


def page(identifier: str) -> str:
    return (f"<html><head><title>Barrier vote</title></head><body><article><h1>Barrier vote</h1><p>The council "
            f"voted on the flood barrier on Monday after a long debate.</p></article><div id='disqus_thread'></div>"
            f"<script>var disqus_shortname = 'gazette'; var disqus_identifier = '{identifier}';</script></body></html>")


def spider_with(tmp_path: Path, platforms: dict[str, Any]) -> NewsSpider:
    config = {"index": {"url": "sqlite:///data/monitor.db"},
              "sources": [{"name": "gazette", "feeds": ["https://gazette.example/feed"], "platforms": platforms}]}
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    built: NewsSpider = NewsSpider.from_crawler(get_crawler(NewsSpider, {"MONITOR_CONFIG": str(path)}), source="gazette")
    return built


@pytest.fixture
def spider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NewsSpider:
    monkeypatch.setenv(KEY_ENV, "secret-key-77")
    return spider_with(tmp_path, {"disqus": {"url": API, "api_key": f"{{env:{KEY_ENV}}}", "page_size": 2}})


def article(url: str, identifier: str) -> HtmlResponse:
    return HtmlResponse(url, body=page(identifier).encode(), headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url))


def answer(request: Request, posts: list[dict[str, Any]], *, more: bool) -> TextResponse:
    body = json.dumps({"code": 0, "cursor": {"hasNext": more, "next": "2:0:0"}, "response": posts}).encode()
    return TextResponse(request.url, body=body, headers={"Content-Type": "application/json"}, request=request)


def post(pid: str, parent: str | None, text: str) -> dict[str, Any]:
    return {"id": pid, "parent": parent, "message": f"<p>{text}</p>", "createdAt": "2026-03-02T09:00:00",
            "author": {"name": f"author {pid}"}, "likes": 1, "isDeleted": False}


def http_error(request: Request, status: int) -> Failure:
    response = TextResponse(request.url, status=status, body=b"{}", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy's errback hands it
    return failure


def test_platform_pages_are_read_to_the_last_then_the_item_goes_with_status_read(spider: NewsSpider) -> None:
    (first,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    assert isinstance(first, Request) and first.url.startswith(API + "/threads/listPosts.json?")
    assert first.meta["allow_offsite"] is True and first.meta["referrer_policy"] == "no-referrer"
    (second,) = list(first.callback(answer(first, [post("1", None, "First"), post("2", "1", "Reply")], more=True),
                                    **first.cb_kwargs))
    assert isinstance(second, Request) and "cursor=2%3A0%3A0" in second.url
    (item,) = list(second.callback(answer(second, [post("3", None, "Third")], more=False), **second.cb_kwargs))
    assert isinstance(item, PageItem) and item.platform_status == "read"
    assert all("secret-key-77" not in p.url for p in item.comment_payloads)  # the key is masked where it is kept
    thread = extract_page(item)
    assert [(c.text, c.native_id, c.platform) for c in thread.comments] == [
        ("First", "1", "disqus"), ("Reply", "2", "disqus"), ("Third", "3", "disqus")]
    assert thread.comments[1].parent_id == thread.comments[0].id


def test_a_429_marks_the_article_partial_and_the_platform_is_not_asked_again_in_the_crawl(
        spider: NewsSpider) -> None:
    (first,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    (item,) = list(spider.on_comment_error(http_error(first, 429)))
    assert isinstance(item, PageItem) and item.platform_status == "partial"
    (later,) = comment_steps(spider, (article(OTHER, "post-882")))
    assert isinstance(later, PageItem) and later.platform_status == "unread"
    assert spider.crawler.stats.get_value("monitor/errors/comments_platform_unread") == 2


def test_a_404_on_the_first_request_is_an_empty_thread_not_a_failure(spider: NewsSpider) -> None:
    (first,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    (item,) = list(spider.on_comment_error(http_error(first, 404)))
    assert isinstance(item, PageItem) and item.platform_status == "read"


def test_a_switched_off_platform_is_never_asked(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, {"disqus": {"enabled": False}})
    (item,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    assert isinstance(item, PageItem) and item.platform_status == "off"
    assert extract_page(item).comment_platform == "disqus"


def test_a_platform_without_its_key_is_unread_and_the_article_still_goes(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, {})
    (item,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    assert isinstance(item, PageItem) and item.platform_status == "unread"
    assert spider.crawler.stats.get_value("monitor/platforms/disqus/unavailable") == 1


def wordpress_article(url: str) -> HtmlResponse:
    body = (f"<html><head><title>Barrier vote</title><link rel='https://api.w.org/' href='{API}/wp-json/'>"
            f"<link rel='alternate' type='application/json' href='{API}/wp-json/wp/v2/posts/42'></head><body><article>"
            "<h1>Barrier vote</h1><p>The council voted on the flood barrier.</p></article></body></html>")
    return HtmlResponse(url, body=body.encode(), headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url))


def test_a_platform_request_whose_url_holds_the_key_is_never_sent_conditionally(spider: NewsSpider) -> None:
    # Validators are stored by URL: a key in the URL would land in the state store.
    (first,) = comment_steps(spider, (article(ARTICLE, "post-881")))
    assert isinstance(first, Request) and "conditional" not in first.meta


def test_a_threads_first_request_is_conditional_until_it_turns_out_to_page(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, {"wordpress": {"page_size": 2}})
    (first,) = comment_steps(spider, (wordpress_article(ARTICLE)))
    assert isinstance(first, Request) and first.meta["conditional"] == "platform"
    comments = [{"id": 500 + i, "parent": 0, "author_name": f"R{i}", "date_gmt": "2026-03-02T09:00:00",
                 "content": {"rendered": f"<p>Comment {i}</p>"}} for i in range(2)]
    page = TextResponse(first.url, body=json.dumps(comments).encode(), request=first,
                        headers={"Content-Type": "application/json", "X-WP-TotalPages": "2"})
    (second,) = list(first.callback(page, **first.cb_kwargs))
    # A 304 for page 1 next time would hide page 2: page 1 is no longer kept as a whole thread's answer.
    assert first.meta["conditional"] == "platform-paged"
    assert isinstance(second, Request) and "page=2" in second.url and "conditional" not in second.meta


def hyvor_article(url: str, **meta: object) -> HtmlResponse:
    embed = ('<script async src="https://talk.hyvor.com/embed/embed.js" type="module"></script>'
             '<hyvor-talk-comments website-id="7001" page-id="barrier-vote"></hyvor-talk-comments>')
    body = page("post-881").replace("<div id='disqus_thread'></div>", embed).replace("var disqus_shortname", "var x")
    return HtmlResponse(url, body=body.encode(), headers={"Content-Type": "text/html; charset=utf-8"},
                        request=Request(url, meta=meta))


def test_a_platform_without_a_read_api_on_a_rendered_page_is_rendered_not_unread(tmp_path: Path) -> None:
    spider = spider_with(tmp_path, {})
    (item,) = comment_steps(spider, (hyvor_article(ARTICLE, playwright=True)))
    assert isinstance(item, PageItem) and item.platform_status == "rendered"
    assert spider.crawler.stats.get_value("monitor/errors/comments_platform_unread") is None


def test_a_platform_without_a_read_api_is_unread_and_the_log_says_why_and_what_to_do(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spider = spider_with(tmp_path, {})
    response = hyvor_article(ARTICLE)
    with caplog.at_level("INFO", logger="spiders.comment_fetch"):
        (item,) = comment_steps(spider, (response))
    assert isinstance(item, PageItem) and item.platform_status == "unread"
    assert extract_page(item).comment_platform == "hyvor"
    assert "render: comments" in caplog.text and "Hyvor Talk's Data API" in caplog.text
