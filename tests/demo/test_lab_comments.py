"""The lab's comment pages, comments API and custom CMS page, as a crawler sees them over HTTP."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from monitor.demo import lab
from monitor.demo.server import DemoSite, serve, stop, truth
from monitor.extract.comments.pages import comment_page_urls
from tests.demo.test_site import fetch


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[DemoSite, str]]:
    site = DemoSite(with_test_pages=True, slow_seconds=1)
    server, base = serve(site)
    yield site, base
    stop(server)


def entry(site: DemoSite, base: str, kind: str) -> dict[str, object]:
    return next(t for t in truth(site, base_url=base) if t.get("lab_kind") == kind)


def test_comment_pages_link_backwards_from_the_newest(served: tuple[DemoSite, str]) -> None:
    site, base = served
    url = str(entry(site, base, "comment-pages")["url"])
    status, _headers, body = fetch(url)
    assert status == 200
    assert comment_page_urls(body, url) == [url + "comment-page-2/"]
    _status, _headers, page2 = fetch(url + "comment-page-2/")
    assert comment_page_urls(page2, url + "comment-page-2/") == [url + "comment-page-1/"]
    assert b"In reply to" in page2
    assert fetch(url + "comment-page-9/")[0] == 404


def test_comments_api_wants_its_key_and_pages_by_cursor(served: tuple[DemoSite, str]) -> None:
    site, base = served
    page = next(p for p in site.lab_pages if p.kind == "comments-api")
    api = f"{base}/lab/api/comments?thread={page.article.number}"
    assert fetch(api)[0] == 403
    assert fetch(api + "&api_key=wrong")[0] == 403
    seen, cursor = [], ""
    while True:
        status, headers, body = fetch(f"{api}&api_key={lab.COMMENTS_API_KEY}&cursor={cursor}")
        assert status == 200 and headers["Content-Type"] == "application/json"
        data = json.loads(body)
        seen += [c["author"]["name"] for c in data["response"]["comments"]]
        if not data["cursor"]["hasNext"]:
            break
        cursor = data["cursor"]["next"]
    assert seen == [c["author"] for c in entry(site, base, "comments-api")["comments"]]  # type: ignore[index]


def test_custom_cms_page_has_its_comments_in_its_own_markup(served: tuple[DemoSite, str]) -> None:
    site, base = served
    _status, _headers, body = fetch(str(entry(site, base, "custom-cms")["url"]))
    assert body.count(b'class="rc-item') == 4 and b"data-reply-of" in body
