"""A site no one on the team wrote: the 12 real comments-dev pages served by a plain http.server, crawled end to end.

The pages are read from ../shared/data (never copied into the repo) and served as articles of one small
site with an RSS 2.0 feed, a home page and a robots.txt; the crawl goes through the real `monitor` CLI, first
into SQLite, then into OpenSearch, and the threads it stores are scored against the pages' truth.
"""
from __future__ import annotations

import gzip
import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from monitor.index.engine import open_engine_index
from tests.conftest import monitor_json, run_monitor, threads_json, write_config
from tests.extract.corpus import (
    COMMENTS_DEV,
    comments_dev_truths,
    prefixed,
    scorer,
    scorer_rows,
)

pytestmark = pytest.mark.e2e  # Crawls of real pages served on 127.0.0.1.

SOURCE = "real-pages"
# Per page and over all pages: the floors the extraction corpus test holds for these pages (it reaches ~0.997).
MIN_PAGE_F1, MIN_PAGE_PARENT, MIN_MICRO_F1 = 0.9, 0.9, 0.95
# Listed by the feed and the home page, disallowed by robots.txt: must never be requested.
DISALLOWED_PATH = "/2024/05/20/members-only-preview/"
DISALLOWED_WORD = "quixotically"


class RealPagesSite:
    """The comments-dev pages as one news site on 127.0.0.1; counts the requests per path."""

    def __init__(self) -> None:
        self.truths = comments_dev_truths()
        assert len(self.truths) == 12, [t["name"] for t in self.truths]
        self.pages: dict[str, bytes] = {}
        self.paths: dict[str, str] = {}  # page name -> path
        for day, truth in enumerate(self.truths, start=1):
            path = f"/2024/05/{day:02d}/{truth['name']}/"
            self.paths[truth["name"]] = path
            self.pages[path] = gzip.decompress((COMMENTS_DEV / truth["html"]).read_bytes())
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="real-pages-site", daemon=True)

    def url(self, name: str) -> str:
        return self.base_url + self.paths[name]

    def requests(self) -> dict[str, int]:
        with self._lock:
            return dict(self.hits)

    def _listed(self) -> list[tuple[str, str, datetime]]:
        """(path, title, published) of every article the feed and home page list, the disallowed one included."""
        listed = [(self.paths[t["name"]], t["name"], datetime(2024, 5, day, 8, 0, tzinfo=UTC))
                  for day, t in enumerate(self.truths, start=1)]
        listed.append((DISALLOWED_PATH, "Members only preview", datetime(2024, 5, 20, 8, 0, tzinfo=UTC)))
        return listed

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{escape(self.base_url + path)}</link>"
            f"<guid isPermaLink=\"true\">{escape(self.base_url + path)}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate></item>\n"
            for path, title, published in self._listed())
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>Real pages</title><link>{self.base_url}/</link><description>Pages with comments</description>\n"
                f"{items}</channel></rss>\n").encode()

    def home(self) -> bytes:
        links = "".join(f'<li><a href="{path}">{escape(title)}</a></li>' for path, title, _ in self._listed())
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Real pages</title>'
                f'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
                f"<body><h1>Real pages</h1><ul>{links}</ul></body></html>").encode()

    def respond(self, path: str) -> tuple[int, str, bytes]:
        if path == "/":
            return 200, "text/html; charset=utf-8", self.home()
        if path == "/feed.xml":
            return 200, "application/rss+xml; charset=utf-8", self.feed()
        if path == "/robots.txt":
            return 200, "text/plain", f"User-agent: *\nDisallow: {DISALLOWED_PATH}\n".encode()
        if path == DISALLOWED_PATH:
            body = (f"<html><head><title>Members only</title></head><body><article><h1>Members only</h1>"
                    f"<p>{DISALLOWED_WORD} " * 40 + "</p></article></body></html>")
            return 200, "text/html; charset=utf-8", body.encode()
        if path in self.pages:
            return 200, "text/html", self.pages[path]  # no charset: the page's own declaration decides
        return 404, "text/html; charset=utf-8", b"<html><body>not found</body></html>"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                status, content_type, body = site.respond(path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def site() -> Iterator[RealPagesSite]:
    served = RealPagesSite()
    served.start()
    try:
        yield served
    finally:
        served.stop()


def site_sources(site: RealPagesSite) -> list[dict[str, Any]]:
    return [{
        "name": SOURCE,
        "feeds": [f"{site.base_url}/feed.xml"],
        "start_urls": [f"{site.base_url}/"],
        "follow_depth": 0,
        "allowed_domains": ["127.0.0.1"],
        "article_url_pattern": "^" + re.escape(site.base_url) + r"/2024/05/\d\d/[^/]+/$",
    }]


def threads(site: RealPagesSite, config: Path, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Page name -> `monitor thread URL --json` of its article: the first page's through the command line, the
    others' through the same call in this process."""
    first, *others = site.truths
    result = run_monitor("thread", site.url(first["name"]), "--json", config=config, env=env)
    read = [json.loads(result.stdout), *threads_json([site.url(t["name"]) for t in others], config=config, env=env)]
    return {truth["name"]: thread for truth, thread in zip(site.truths, read, strict=True)}


def structure(threads_by_page: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What both engines must agree on: per page the article id and every comment's id and parent, in order."""
    return {name: {"article": t["article"]["id"],
                   "comments": [(c["id"], c["parent_id"]) for c in t["comments"]]}
            for name, t in threads_by_page.items()}


@pytest.fixture(scope="module")
def sqlite_crawl(site: RealPagesSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("real-pages-sqlite")
    config = write_config(directory, site_sources(site))
    summary = monitor_json("crawl", config=config)
    requests = site.requests()
    return {"config": config, "summary": summary, "requests": requests, "threads": threads(site, config)}


def test_real_pages_crawled_into_sqlite_give_their_true_threads(site: RealPagesSite,
                                                                 sqlite_crawl: dict[str, Any]) -> None:
    config, summary, requests = sqlite_crawl["config"], sqlite_crawl["summary"], sqlite_crawl["requests"]
    run = summary["runs"][0]
    assert run["status"] == "finished", summary
    assert run["articles_new"] == len(site.truths), summary

    # Every page fetched once and indexed once; the disallowed one never fetched nor indexed.
    for truth in site.truths:
        assert requests.get(site.paths[truth["name"]]) == 1, (truth["name"], requests)
    assert DISALLOWED_PATH not in requests, requests
    assert run["skipped"].get("robots") == 1, summary
    everything = monitor_json("search", "", "--type", "article", "--limit", "1000", config=config)
    assert everything["total"] == len(site.truths), everything
    assert monitor_json("search", DISALLOWED_WORD, config=config)["total"] == 0

    scores: dict[str, dict[str, Any]] = {}
    gold: list[dict[str, Any]] = []
    pred: list[dict[str, Any]] = []
    article_ids = set()
    for truth in site.truths:
        thread = sqlite_crawl["threads"][truth["name"]]
        article_ids.add(thread["article"]["id"])
        rows = scorer_rows(thread["comments"])
        scores[truth["name"]] = scorer().score_comments(truth["comments"], rows)
        gold += prefixed(truth["comments"], truth["name"])
        pred += prefixed(rows, truth["name"])
    assert len(article_ids) == len(site.truths)
    low = {name: {k: s[k] for k in ("gold", "pred", "matched", "f1", "parent_acc")}
           for name, s in scores.items()
           if s["f1"] < MIN_PAGE_F1 or (s["parent_acc"] is not None and s["parent_acc"] < MIN_PAGE_PARENT)}
    assert not low, low
    pooled = scorer().score_comments(gold, pred)
    assert pooled["f1"] >= MIN_MICRO_F1, pooled


@pytest.fixture(scope="module")
def recrawl(site: RealPagesSite, sqlite_crawl: dict[str, Any]) -> dict[str, Any]:
    """The same crawl once more into the same SQLite index, with the pages it requested this time."""
    config = sqlite_crawl["config"]
    comments_before = monitor_json("search", "", "--type", "comment", "--limit", "1", config=config)["total"]
    requests_before = site.requests()
    summary = monitor_json("crawl", config=config)
    requests_after = site.requests()
    fetched = {path: n - requests_before.get(path, 0) for path, n in requests_after.items()
               if n > requests_before.get(path, 0)}
    return {"summary": summary, "fetched": fetched, "comments_before": comments_before}


def test_a_recrawl_of_the_real_pages_adds_no_comment(site: RealPagesSite, sqlite_crawl: dict[str, Any],
                                                      recrawl: dict[str, Any]) -> None:
    config = sqlite_crawl["config"]
    run = recrawl["summary"]["runs"][0]
    assert run["status"] == "finished", recrawl["summary"]
    assert run["articles_new"] == 0 and run["comments_new"] == 0, recrawl["summary"]
    comments = monitor_json("search", "", "--type", "comment", "--limit", "1", config=config)["total"]
    assert comments == recrawl["comments_before"]
    assert monitor_json("search", "", "--type", "article", "--limit", "1", config=config)["total"] == len(site.truths)
    assert DISALLOWED_PATH not in site.requests()


def test_a_recrawl_fetches_no_article_older_than_the_refresh_window_again(
        site: RealPagesSite, recrawl: dict[str, Any]) -> None:
    # Every page is listed as published in May 2024, far outside refresh_comments_for (3 days); most pages name
    # another URL as rel=canonical, so they are stored under that URL's id and must be found by their own URL.
    refetched = sorted(name for name, path in site.paths.items() if path in recrawl["fetched"])
    assert refetched == [], refetched


def test_real_pages_crawled_into_opensearch_give_the_same_threads_as_sqlite(
        site: RealPagesSite, sqlite_crawl: dict[str, Any], opensearch_url: str, tmp_path: Path) -> None:
    prefix = f"monitor-test-{uuid.uuid4().hex[:12]}"
    env = {"MONITOR_INDEX_PREFIX": prefix}
    config = write_config(tmp_path, site_sources(site), index={"url": opensearch_url})
    index = open_engine_index(opensearch_url, prefix=prefix)
    try:
        summary = json.loads(run_monitor("crawl", "--json", config=config, env=env).stdout)
        run = summary["runs"][0]
        assert run["status"] == "finished", summary
        assert run["articles_new"] == len(site.truths), summary
        index.refresh_now()  # crawls write without refresh; make every write visible to the reads below
        assert index.count() == {"article": len(site.truths),
                                 "comment": sum(len(t["comments"]) for t in sqlite_crawl["threads"].values())}
        on_engine = threads(site, config, env)
        assert structure(on_engine) == structure(sqlite_crawl["threads"])
        assert DISALLOWED_PATH not in site.requests()
    finally:
        try:
            index.drop()
        finally:
            index.close()
