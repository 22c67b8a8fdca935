"""A real crawl of articles whose comments go on over further pages: fetched after extraction, through the
downloader, and a page that fails costs only its own comments."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import monitor_json, threads_json, write_config

pytestmark = pytest.mark.e2e

FINE = "/2026/03/harbour-reopens/"
BROKEN = "/2026/03/ferry-timetable/"
MOVED = "/2026/03/bridge-repairs/"


def comment(number: int, author: str, text: str) -> str:
    return (f'<li id="comment-{number}" class="comment depth-1"><article class="comment-body">'
            f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{author}</b></div>'
            f'<time datetime="2026-03-0{number}T10:00:00Z">March {number}</time></footer>'
            f'<div class="comment-content"><p>{text}</p></div></article></li>')


def article(title: str, comments: str, older: str | None) -> bytes:
    nav = (f'<nav class="navigation comment-navigation"><div class="nav-previous"><a href="{older}#comments">'
           "Older comments</a></div></nav>") if older else ""
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{title} was the talk "
            "of the town on Monday, and the council said more would follow before the summer season began in "
            f'earnest.</p></article><div id="comments" class="comments-area"><ol class="comment-list">{comments}'
            f"</ol>{nav}</div></body></html>").encode()


class Site(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}
    asked: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self.asked.append((self.path, self.headers.get("Referer")))
        if self.path == MOVED + "?cpage=1":
            self.send_response(301)
            self.send_header("Location", MOVED + "comment-page-1/")
            self.end_headers()
            return
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        kind = "application/rss+xml" if self.path == "/feed" else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    base = f"http://127.0.0.1:{server.server_port}"
    items = "".join(f"<item><title>{path}</title><link>{base}{path}</link></item>" for path in (FINE, BROKEN, MOVED))
    Site.pages = {
        "/feed": f'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>{items}</channel></rss>'.encode(),
        FINE: article("Harbour reopens", comment(3, "Cleo", "Third") + comment(4, "Dan", "Fourth"),
                      base + FINE + "comment-page-1/"),
        FINE + "comment-page-1/": article("Harbour reopens", comment(1, "Ann", "First") + comment(2, "Bert", "Second"),
                                          None),
        BROKEN: article("Ferry timetable", comment(5, "Eve", "Only this one") + comment(6, "Finn", "And this"),
                        base + BROKEN + "comment-page-1/"),
        MOVED: article("Bridge repairs", comment(7, "Gus", "Newest") + comment(8, "Hal", "Newer"),
                       base + MOVED + "?cpage=1"),
        MOVED + "comment-page-1/": article("Bridge repairs", comment(1, "Ida", "Oldest") + comment(2, "Jo", "Older"),
                                           None),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled(site: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    source = {"name": "quay", "feeds": [site + "/feed"], "allowed_domains": ["127.0.0.1"]}
    config = write_config(tmp_path_factory.mktemp("comment-pages"), [source])
    (run,) = monitor_json("crawl", "quay", config=config)["runs"]
    threads = threads_json([site + path for path in (FINE, BROKEN, MOVED)], config=config)
    return {"run": run, "threads": dict(zip((FINE, BROKEN, MOVED), threads, strict=True)), "base": site}


def texts(thread: Any) -> list[str]:
    return [c["text"] for c in thread["comments"]]


def test_an_articles_older_comment_page_is_fetched_and_its_comments_come_first(crawled: dict[str, Any]) -> None:
    assert texts(crawled["threads"][FINE]) == ["First", "Second", "Third", "Fourth"]
    # asked for as the article page would have linked it
    assert (FINE + "comment-page-1/", crawled["base"] + FINE) in Site.asked


def test_a_comment_page_that_fails_costs_only_its_comments_and_is_counted(crawled: dict[str, Any]) -> None:
    assert texts(crawled["threads"][BROKEN]) == ["Only this one", "And this"]
    assert crawled["run"]["status"] == "finished" and crawled["run"]["articles_new"] == 3
    assert crawled["run"]["errors"].get("comments_http_404") == 1


def test_a_comment_page_that_redirects_is_followed(crawled: dict[str, Any]) -> None:
    assert texts(crawled["threads"][MOVED]) == ["Oldest", "Older", "Newest", "Newer"]
