"""The extraction pipeline: an article's leads are handed to the spider, and what it fetches is read in."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from monitor.extract.comments.leads import CommentLeads, LeadOptions
from monitor.items import ArticleItem, CommentPayload, PageItem
from pipelines.extract import ExtractPipeline
from tests.wordpress import comment

ARTICLE = "https://quay.example/2026/03/harbour-reopens/"


def page(comments: str, older: str = "") -> bytes:
    nav = (f'<nav class="navigation comment-navigation"><a href="{older}">Older comments</a></nav>' if older else "")
    return ("<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1><p>The harbour "
            "reopened on Monday after two years of works, and the first ferry left at noon.</p></article>"
            f'<div id="comments" class="comments-area"><ol class="comment-list">{comments}</ol>{nav}</div>'
            "</body></html>").encode()


class Spider:
    """Stands in for the news spider's comment fetching: ``answer`` is what it makes of the leads."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[CommentLeads] = []

    async def fetch_comments(self, item: PageItem, leads: CommentLeads) -> PageItem:
        self.asked.append(leads)
        result: PageItem = self.answer(item)
        return result


@pytest.fixture
def run() -> Iterator[Any]:
    pipelines: list[ExtractPipeline] = []

    def extract(item: PageItem, spider: Spider) -> tuple[ArticleItem, MemoryStatsCollector]:
        crawler = get_crawler()
        crawler.spider = spider  # type: ignore[assignment]
        stats = MemoryStatsCollector(crawler)
        pipeline = ExtractPipeline(workers=1, stats=stats, crawler=crawler)
        pipelines.append(pipeline)
        pipeline.open_spider()
        article: ArticleItem = asyncio.run(pipeline.process_item(item))
        return article, stats

    yield extract
    for pipeline in pipelines:
        pipeline.close_spider()


def item(body: bytes) -> PageItem:
    return PageItem(url=ARTICLE, html=body, source="quay", headers={"Content-Type": "text/html; charset=utf-8"},
                    leads=LeadOptions(comment_pages=True))


def with_older_page(fetched: PageItem) -> PageItem:
    older = CommentPayload(url=ARTICLE + "comment-page-1/", body=page(comment(1, "First") + comment(2, "Second")),
                           content_type="text/html; charset=utf-8")
    return replace(fetched, comment_payloads=[older])


def test_the_comment_pages_an_article_links_are_fetched_and_read_before_its_own(run: Any) -> None:
    spider = Spider(with_older_page)
    article, _ = run(item(page(comment(3, "Third") + comment(4, "Fourth"), ARTICLE + "comment-page-1/")), spider)
    assert [leads.pages for leads in spider.asked] == [[ARTICLE + "comment-page-1/"]]
    assert [c.text for c in article.comments] == ["First", "Second", "Third", "Fourth"]


def test_an_article_without_leads_is_never_handed_to_the_spider(run: Any) -> None:
    spider = Spider(with_older_page)
    article, _ = run(item(page(comment(3, "Third") + comment(4, "Fourth"))), spider)
    assert spider.asked == []
    assert [c.text for c in article.comments] == ["Third", "Fourth"]


def test_a_comment_fetch_that_breaks_off_keeps_the_article_with_its_own_comments(run: Any) -> None:
    def broken(fetched: PageItem) -> PageItem:
        raise RuntimeError("connection pool closed")

    article, stats = run(item(page(comment(3, "Third") + comment(4, "Fourth"), ARTICLE + "comment-page-1/")),
                         Spider(broken))
    assert [c.text for c in article.comments] == ["Third", "Fourth"]
    assert stats.get_value("monitor/errors/comments_fetch") == 1
    assert stats.get_value("monitor/articles/extracted") == 1


def test_a_platform_status_set_while_fetching_reaches_the_article(run: Any) -> None:
    body = page(comment(3, "Third")).replace(b"</body>", b"<div id='disqus_thread'></div><script>var "
                                             b"disqus_shortname = 'quay';</script></body>")
    article, _ = run(item(body), Spider(lambda fetched: replace(fetched, platform_status="off")))
    assert article.comment_platform == "disqus" and article.comment_platform_status == "off"



def test_the_article_comes_from_its_worker_with_the_near_duplicate_signature_of_its_text(run: Any) -> None:
    from monitor.clusters.keys import fingerprint

    long = page(comment(3, "Third")).replace(b"<p>The harbour", b"<p>" + b"The works took two winters. " * 20 +
                                              b"The harbour")
    article, _ = run(item(long), Spider(with_older_page))
    expected = fingerprint(article.text)
    assert expected is not None and article.cluster_signature == expected.encoded()


def _collector_state() -> tuple[tuple[int, ...], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_the_workers_collect_garbage_on_their_own_terms() -> None:
    from pipelines.extract import WORKER_GC_THRESHOLDS

    pipeline = ExtractPipeline(workers=1, stats=MemoryStatsCollector(get_crawler()))
    pipeline.open_spider()
    try:
        assert pipeline.pool is not None
        thresholds, frozen = pipeline.pool.submit(_collector_state).result(timeout=60)
    finally:
        pipeline.close_spider()
    assert thresholds == WORKER_GC_THRESHOLDS
    assert frozen > 0  # the imported code is out of the sweeps
