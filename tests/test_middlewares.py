"""The conditional-requests middleware: what it keeps per fetched URL until the close, and what it stores then."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from monitor.middlewares import (
    ARTICLE,
    DISCOVERY,
    NEW_ARTICLE,
    PLATFORM,
    PLATFORM_PAGED,
    ConditionalRequestsMiddleware,
    QuickMetaRefreshMiddleware,
)
from monitor.state.validators import Validators, ValidatorStore


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: int) -> None:
        self.values[key] = value

    def get_stats(self) -> dict[str, int]:
        return self.values


def middleware(tmp_path: Path) -> ConditionalRequestsMiddleware:
    built = ConditionalRequestsMiddleware(ValidatorStore(tmp_path / "state.db"), stats=Stats())
    built.source = "f"
    return built


def fetched(mw: ConditionalRequestsMiddleware, url: str, kind: str, etag: str) -> Request:
    request = Request(url, meta={"conditional": kind}, cb_kwargs={"listed_published": "2026-12-01"},
                      headers={"User-Agent": "monitor", "Referer": "https://f.example/sitemap.xml"})
    mw.process_response(request, Response(url, status=200, headers={"ETag": etag}, request=request))
    return request


def test_the_middleware_keeps_no_fetched_request_until_the_close(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    gone = []
    for n in range(20):
        kind = (NEW_ARTICLE, ARTICLE, DISCOVERY, PLATFORM)[n % 4]
        gone.append(weakref.ref(fetched(mw, f"https://f.example/{n}", kind, f'"v{n}"')))
    gc.collect()
    # A crawl of 100,000 pages would otherwise hold 100,000 requests (about 2 KB each) until it ends.
    assert [ref for ref in gone if ref() is not None] == []
    mw.spider_closed("finished")
    stored = mw.store.for_source("f")
    assert len(stored) == 20
    assert stored["https://f.example/4"] == Validators("https://f.example/4", '"v4"', None)


def test_a_kind_the_spider_changes_after_the_response_still_decides_what_is_stored(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    mw.store.put_many([Validators("https://api.example/thread", '"old"')], source="f")
    index = fetched(mw, "https://f.example/sitemap.xml", DISCOVERY, '"i1"')
    thread = fetched(mw, "https://api.example/thread", PLATFORM, '"t1"')
    fetched(mw, "https://f.example/a", NEW_ARTICLE, '"a1"')
    # What the spider does while parsing: a sitemap index is always fetched whole; a thread that pages keeps none.
    index.meta["conditional"] = None
    thread.meta["conditional"] = PLATFORM_PAGED
    del index, thread
    mw.spider_closed("finished")
    assert mw.store.for_source("f") == {"https://f.example/a": Validators("https://f.example/a", '"a1"', None)}
    assert (mw.articles, mw.pending) == ([], [])


class CountingResponse(HtmlResponse):
    """An HTML response that counts whole-body decodes."""

    decodes = 0

    @property
    def text(self) -> str:
        CountingResponse.decodes += 1
        return super().text


def refresh_middleware() -> QuickMetaRefreshMiddleware:
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler())


def test_a_page_without_a_refresh_goes_on_without_its_body_decoded() -> None:
    url = "https://quay.example/2026/03/harbour/"
    body = b"<html><head><title>Harbour</title></head><body>" + b"<p>Quiet news.</p>" * 5000 + b"</body></html>"
    response = CountingResponse(url, body=body, request=Request(url))
    CountingResponse.decodes = 0
    assert refresh_middleware().process_response(Request(url), response) is response
    assert CountingResponse.decodes == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_meta_refresh_still_redirects(encoding: str) -> None:
    url = "https://quay.example/old/"
    html = ('<html><head><meta http-equiv="Refresh" content="0; url=https://quay.example/new/"></head>'
            "<body>Moved.</body></html>")
    response = HtmlResponse(url, body=html.encode(encoding), encoding=encoding, request=Request(url))
    redirected = refresh_middleware().process_response(Request(url), response)
    assert isinstance(redirected, Request) and redirected.url == "https://quay.example/new/"
