"""The news spider's article callbacks on real Scrapy responses: no readable page is lost, options go typed."""
from __future__ import annotations

import pickle
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.logformatter import LogFormatter
from scrapy.utils.test import get_crawler

from monitor.discovery import MAX_INDEX_DEPTH
from monitor.extract import extract_page
from monitor.extract.options import ExtractionOptions
from monitor.items import PageItem
from spiders.news import NewsSpider, SeenUrls
from tests.spiders.steps import comment_steps

ARTICLE = "https://blog.example/2024/05/bridge-reopens/"
XHTML_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
              '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
              '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n')


def page(comments: str, nav: str = "") -> str:
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Bridge reopens</title></head><body>'
            "<article><h1>Bridge reopens</h1><p>The bridge reopened on Monday after two years of repairs, "
            "and the first ferry of the season left the quay at noon.</p></article>"
            f'<div id="comments" class="comments-area"><ol class="comment-list">{comments}</ol>{nav}</div>'
            "</body></html>")


def comment(number: int, author: str, text: str) -> str:
    return (f'<li id="comment-{number}" class="comment depth-1"><article class="comment-body">'
            f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{author}</b></div>'
            f'</footer><div class="comment-content"><p>{text}</p></div></article></li>')


def older(url: str) -> str:
    return (f'<nav class="navigation comment-navigation"><div class="nav-previous">'
            f'<a href="{url}#comments">Older comments</a></div></nav>')


def response(url: str, body: str, content_type: str = "application/xhtml+xml; charset=utf-8") -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), headers={"Content-Type": content_type},
                        request=Request(url))


@pytest.fixture
def spider(tmp_path: Path) -> NewsSpider:
    config = {"index": {"url": "sqlite:///data/monitor.db"},
              "sources": [{"name": "blog", "feeds": ["https://blog.example/feed"],
                           "selectors": {"article": {"title": "h1"}}}]}
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    crawler = get_crawler(NewsSpider, {"MONITOR_CONFIG": str(path)})
    built: NewsSpider = NewsSpider.from_crawler(crawler, source="blog")
    return built


def _run(results: Any) -> list[Any]:
    return list(results)


def test_an_xhtml_article_with_an_xml_encoding_declaration_reaches_extraction_with_its_comment_pages(
        spider: NewsSpider) -> None:
    first = XHTML_HEAD + page(comment(2, "Bert", "Newer"), older(ARTICLE + "comment-page-1/"))
    (request,) = comment_steps(spider, response(ARTICLE, first))
    assert isinstance(request, Request) and request.url == ARTICLE + "comment-page-1/"
    second = XHTML_HEAD + page(comment(1, "Ann", "Older"))
    (item,) = _run(spider.parse_comment_page(response(request.url, second), **request.cb_kwargs))
    assert isinstance(item, PageItem)
    article = extract_page(item)
    assert article.title == "Bridge reopens"
    assert [c.text for c in article.comments] == ["Older", "Newer"]


def test_a_malformed_bracketed_host_in_a_link_costs_the_article_nothing(spider: NewsSpider) -> None:
    body = page(comment(1, "Ann", "First"), '<a href="http://[2001:db8::1/comment-page-2/">older</a>')
    (item,) = _run(spider.parse_article(response(ARTICLE, body, "text/html; charset=utf-8")))
    assert isinstance(item, PageItem)
    assert [c.text for c in extract_page(item).comments] == ["First"]


def test_every_page_item_carries_the_crawls_one_typed_options_value(spider: NewsSpider) -> None:
    items = [_run(spider.parse_article(response(f"{ARTICLE}?p={n}", page(""), "text/html")))[0] for n in (1, 2)]
    options = items[0].options
    assert isinstance(options, ExtractionOptions)
    assert options.article.title == "h1"
    assert items[1].options is options  # built once per crawl, not per page
    assert pickle.loads(pickle.dumps(options)) == options
    # it travels to the extraction pool with every page: a few hundred bytes, no config, no secrets
    assert len(pickle.dumps(options)) < 1000


def test_a_binary_body_served_as_html_is_refused_and_counted(spider: NewsSpider) -> None:
    noise = random.Random(3).randbytes(1_000_000)
    binary = HtmlResponse(ARTICLE, body=noise, headers={"Content-Type": "text/html"}, request=Request(ARTICLE))
    assert _run(spider.parse_article(binary)) == []
    assert spider.crawler.stats.get_value("monitor/skipped/binary") == 1
    (item,) = _run(spider.parse_article(response(ARTICLE, page(comment(1, "Ann", "First")), "text/html")))
    assert isinstance(item, PageItem)


def test_a_page_item_in_a_log_line_shows_its_url_source_and_size_never_its_body(spider: NewsSpider) -> None:
    body = page(comment(1, "Ann", "A comment nobody should find in a log"))
    (item,) = _run(spider.parse_article(response(ARTICLE, body, "text/html")))
    logged = LogFormatter().item_error(item, ValueError("boom"), response(ARTICLE, body), spider)
    line = logged["msg"] % logged["args"]
    assert ARTICLE in line and "'blog'" in line and f"bytes={len(body.encode())}" in line
    assert "nobody should find" not in line and "<html" not in line


def _index(url: str, children: list[str]) -> XmlResponse:
    entries = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    return XmlResponse(url, body=body.encode(), headers={"Content-Type": "application/xml"}, request=Request(url))


def test_a_sitemap_index_chain_is_followed_to_its_depth_limit_and_no_further(spider: NewsSpider) -> None:
    url, depth, followed = "https://blog.example/sitemap-0.xml", 0, []
    while True:
        requests = _run(spider.parse_sitemap(_index(url, [f"https://blog.example/sitemap-{depth + 1}.xml"]), depth))
        if not requests:
            break
        (request,) = requests
        followed.append(request.url)
        url, depth = request.url, request.cb_kwargs["depth"]
        assert depth <= 10, "the chain is never cut"
    assert len(followed) == MAX_INDEX_DEPTH == 3
    assert spider.crawler.stats.get_value("monitor/sitemaps/too_deep") == 1


def test_seen_urls_says_new_once_per_url() -> None:
    seen = SeenUrls()
    urls = [f"https://blog.example/2024/05/story-{n}/" for n in range(2000)] + ["https://blog.example/ünï/%E2%82%AC"]
    assert all(seen.add(url) for url in urls)
    assert not any(seen.add(url) for url in urls)
    assert len(seen) == len(urls)
    assert urls[7] in seen and "https://blog.example/2024/05/story-2000/" not in seen


def test_an_article_listed_by_the_feed_and_again_by_a_sitemap_is_asked_for_once(spider: NewsSpider) -> None:
    from monitor.discovery import Link

    listed = [Link(ARTICLE), Link(ARTICLE + "?utm_source=feed"), Link("https://blog.example/2024/05/other/")]
    first = _run(r for link in listed for r in spider.article_request(link, trusted=True))
    again = _run(r for link in listed for r in spider.article_request(link, trusted=True))
    assert [r.url for r in first] == [ARTICLE, "https://blog.example/2024/05/other/"]
    assert again == []
