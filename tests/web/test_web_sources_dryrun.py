"""Testing a source (the dry run): its own hosts only, robots.txt obeyed, bounded, hostile pages kept as plain text."""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from monitor.config import CrawlConfig
from monitor.runs.dryrun import dry_run
from monitor.web.sources import validate_source

pytestmark = pytest.mark.e2e  # a real HTTP server on 127.0.0.1

HOSTILE_TITLE = '<script>alert("dry-run")</script>Tolls <b>rise</b>'
CRAWL = CrawlConfig(download_timeout=5)
SLOW_SECONDS = 3


class Site:
    """A small site on 127.0.0.1 that counts the requests per host name it was asked for."""

    def __init__(self) -> None:
        self.hosts: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                site.hosts[self.headers.get("Host", "").split(":")[0]] += 1
                site.paths[self.path] += 1
                status, kind, body, headers = site.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[int, str, bytes, dict[str, str]]:
        if path == "/robots.txt":
            return 200, "text/plain", f"User-agent: *\nDisallow: /private/\nSitemap: {self.base}/extra.xml\n".encode(), {}
        if path == "/feed.xml":
            items = "".join(f"<item><title>Story {n}</title><link>{self.base}/news/2025/03/story-{n}/</link></item>"
                            for n in range(1, 4))
            items += f"<item><title>Secret</title><link>{self.base}/private/2025/03/memo/</link></item>"
            rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
            return 200, "application/rss+xml", rss.encode(), {}
        if path == "/slow.xml":  # answers after the dry run's time is up
            time.sleep(SLOW_SECONDS)
            return 200, "application/rss+xml", b"<rss/>", {}
        if path == "/moved.xml":  # a feed that moved to another host: not followed
            return 301, "text/plain", b"", {"Location": f"http://localhost:{self.port}/feed.xml"}
        if path.startswith(("/news/", "/private/")):
            escaped = HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;")
            body = (f"<html><head><title>{escaped}</title><meta property='og:title' content='{escaped}'></head>"
                    f"<body><article><h1>{HOSTILE_TITLE}</h1>"
                    + "<p>The harbour bridge toll rises again this spring, the council said on Monday. " * 8
                    + "</p></article></body></html>")
            return 200, "text/html; charset=utf-8", body.encode(), {}
        if path == "/":
            page = (f'<html><head><link rel="alternate" type="application/rss+xml" href="{self.base}/other.rss">'
                    f'</head><body><a href="/news/2025/03/ferry-fares-rise-again/">Ferry</a> <a href="/about/">About</a></body></html>')
            return 200, "text/html", page.encode(), {}
        return 404, "text/plain", b"not here", {}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


def test_a_dry_run_finds_the_feed_its_article_urls_and_extracts_one_without_robots_disallowed_pages(
        site: Site) -> None:
    source = validate_source({"name": "t", "feeds": [f"{site.base}/feed.xml"], "start_urls": [f"{site.base}/"]})
    result = dry_run(source, crawl=CRAWL)
    feed = result["feeds"][0]
    assert (feed["ok"], feed["kind"], feed["links"]) == (True, "feed", 4)
    assert result["article_urls"] == 5  # three stories and the private memo from the feed, one from the home page
    assert result["sample"]["title"] == HOSTILE_TITLE  # plain text: escaped where it is shown, never markup here
    assert "harbour bridge toll" in result["sample"]["text"]
    assert result["suggested"] == {"feeds": [f"{site.base}/other.rss"], "sitemaps": [f"{site.base}/extra.xml"]}
    assert result["stopped"] is None
    assert site.paths["/extra.xml"] == 0  # suggestions are listed, not fetched
    assert not any(p.startswith("/private/") for p in site.paths)


def test_a_dry_run_fetches_only_the_sources_own_hosts_and_refuses_redirects_elsewhere(site: Site) -> None:
    source = validate_source({"name": "t", "feeds": [f"{site.base}/moved.xml", f"http://localhost:{site.port}/feed.xml"],
                              "allowed_domains": ["127.0.0.1"]})
    result = dry_run(source, crawl=CRAWL)
    moved, elsewhere = result["feeds"]
    assert not moved["ok"] and "outside the source's hosts" in moved["error"]
    assert not elsewhere["ok"] and "not on the source's hosts" in elsewhere["error"]
    assert site.hosts["localhost"] == 0 and site.hosts["127.0.0.1"] > 0
    assert result["article_urls"] == 0 and result["sample"]["url"] is None


def test_a_dry_run_stops_at_its_number_of_fetches_and_says_so(site: Site) -> None:
    source = validate_source({"name": "t", "feeds": [f"{site.base}/feed.xml"], "start_urls": [f"{site.base}/"]})
    result = dry_run(source, crawl=CRAWL, max_fetches=2)  # robots.txt and the feed
    assert result["fetches"] == 2
    assert result["stopped"] == "the dry run's 2 fetches were used up"
    assert sum(site.paths.values()) == 2
    assert result["feeds"][0]["ok"] and result["start_urls"][0]["error"] == result["stopped"]


def test_a_dry_run_says_what_it_left_out_of_a_crawl() -> None:
    source = validate_source({"name": "t", "start_urls": ["http://127.0.0.1:9/"], "follow_depth": 2,
                              "search_urls": ["http://127.0.0.1:9/search?q={query}"]})
    result = dry_run(source, crawl=CrawlConfig(download_timeout=1))
    assert any("follow_depth 2" in line for line in result["not_tried"])
    assert any("topic search pages" in line for line in result["not_tried"])
    assert result["start_urls"][0]["ok"] is False  # nothing listens on port 9


def test_a_dry_run_stops_at_its_deadline_and_says_so(site: Site) -> None:
    source = validate_source({"name": "t", "feeds": [f"{site.base}/slow.xml", f"{site.base}/feed.xml"]})
    # robots.txt off: the slow feed is the first fetch, so it is the one that runs into the deadline
    result = dry_run(source, crawl=CrawlConfig(download_timeout=5, obey_robots=False), max_seconds=1)
    slow, after = result["feeds"]
    assert not slow["ok"] and "timed out" in slow["error"]
    assert result["stopped"] == "the dry run's 1 s were used up"
    assert after["error"] == result["stopped"] and site.paths["/feed.xml"] == 0
