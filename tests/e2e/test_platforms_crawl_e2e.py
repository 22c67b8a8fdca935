"""Crawls of articles on comment platforms: a real Isso server, and stand-ins for the others."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo.platforms import DISQUS_KEY, PlatformSite, serve_platform_site
from monitor.index import open_index
from monitor.index.engine import open_engine_index
from tests.conftest import run_monitor, write_config

# Payload shapes of the stand-ins (monitor/demo/platforms.py), read from the platforms' own documentation:
# - Disqus: https://disqus.com/api/docs/threads/listPosts/ (``cursor.hasNext``/``cursor.next``, ``response[]`` with
#   ``id``, ``parent``, ``message``, ``createdAt`` in UTC without an offset, ``author.name``, ``likes``,
#   ``isDeleted``), errors https://disqus.com/api/docs/errors/ (code 5 "Invalid API key" with 403, code 13 with 429).
# - WordPress: https://developer.wordpress.org/rest-api/reference/comments/ and .../using-the-rest-api/pagination/
#   (``parent`` 0 at top level, ``content.rendered``, ``date_gmt``, ``X-WP-TotalPages``,
#   ``rest_post_invalid_page_number`` past the last page).
# - Remark42, Commento, Discourse, utterances (GitHub), Coral, Viafoura, Talkyard, Vuukle: as listed in
#   tests/extract/test_platform_clients.py.

pytestmark = pytest.mark.e2e  # real Isso server, real crawls through the CLI

ISSO_PATH = "/articles/isso-barrier-vote/"
DISQUS_KEY_ENV = "MONITOR_TEST_DISQUS_KEY"
GITHUB_TOKEN_ENV = "MONITOR_TEST_GITHUB_TOKEN"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Isso:
    url: str
    origin: str

    def post(self, uri: str, author: str, text: str, parent: int | None = None) -> tuple[int, str]:
        """A comment through Isso's public API, as its embed posts one: (its id, the cookie that may delete it)."""
        body = json.dumps({"text": text, "author": author, "parent": parent}).encode()
        request = urllib.request.Request(f"{self.url}/new?uri={uri}", data=body, method="POST", headers={
            "Content-Type": "application/json", "Origin": self.origin, "Referer": self.origin + uri})
        with urllib.request.urlopen(request, timeout=10) as response:
            cookie = response.headers.get("Set-Cookie", "").split(";", 1)[0]
            return int(json.load(response)["id"]), cookie

    def delete(self, comment_id: int, cookie: str) -> None:
        request = urllib.request.Request(f"{self.url}/id/{comment_id}", method="DELETE", headers={
            "Cookie": cookie, "Origin": self.origin, "Referer": self.origin + ISSO_PATH})
        urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture(scope="module")
def platform_site() -> Iterator[PlatformSite]:
    site = PlatformSite()
    server: ThreadingHTTPServer
    server, _ = serve_platform_site(site)
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def isso(platform_site: PlatformSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Isso]:
    """A real Isso server on 127.0.0.1 with a fresh database, serving the platform site's threads."""
    home = tmp_path_factory.mktemp("isso")
    port = _free_port()
    (home / "isso.cfg").write_text(f"""[general]
dbpath = {home / "comments.db"}
host = {platform_site.base_url}/
[server]
listen = http://127.0.0.1:{port}/
[guard]
enabled = false
[moderation]
enabled = false
""", encoding="utf-8")
    log = (home / "isso.log").open("w")
    process = subprocess.Popen([sys.executable, "-c", "from isso import main; main()", "-c", str(home / "isso.cfg"),
                                "run"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/config", timeout=2).close()
            break
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"isso did not start: {(home / 'isso.log').read_text()}") from None
            time.sleep(0.2)
    platform_site.isso = url
    yield Isso(url=url, origin=platform_site.base_url)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def isso_thread(isso: Isso) -> list[dict[str, Any]]:
    """A threaded discussion seeded through Isso's POST API; what a reader of the page sees, in Isso's terms.

    Isso keeps threads two levels deep (a reply to a reply answers the top comment), and a deleted comment
    with replies stays as an empty placeholder, which is not a comment: its replies stand at the top.
    """
    seeded: list[dict[str, Any]] = []

    def post(author: str, text: str, parent: int | None = None, *, isso_parent: int | None = None) -> int:
        cid, cookie = isso.post(ISSO_PATH, author, text, parent)
        seeded.append({"id": cid, "author": author, "text": text, "parent": isso_parent, "cookie": cookie})
        return cid

    first = post("Olena", "The barrier should have come years ago.")
    second = post("Dan", "Agreed, the spring floods were a warning.", first, isso_parent=first)
    post("Maria", "A reply to Dan, which Isso files under Olena.", second, isso_parent=first)
    post("Taras", "Who pays for it is the real question.", first, isso_parent=first)
    doomed = post("Ghost", "I will delete this.")
    post("Ivan", "An answer to a comment that was deleted.", doomed, isso_parent=None)
    post("Lea", "Late to the debate: the vote was close.")
    post("Ana", "Last one on the page.")
    cookie = next(c["cookie"] for c in seeded if c["id"] == doomed)
    isso.delete(doomed, cookie)
    return [c for c in seeded if c["id"] != doomed]


def _config(directory: Path, site: PlatformSite, **extra: Any) -> Path:
    source = {"name": "platforms", "feeds": [f"{site.base_url}/feed.xml"], "follow_depth": 0,
              "platforms": {"isso": {"page_size": 2},
                            "disqus": {"url": f"{site.base_url}/disqus/api/3.0", "api_key": f"{{env:{DISQUS_KEY_ENV}}}",
                                       "page_size": 3},
                            "wordpress": {"page_size": 2},
                            "utterances": {"url": f"{site.base_url}/github", "page_size": 2},
                            "giscus": {"url": f"{site.base_url}/github", "token": f"{{env:{GITHUB_TOKEN_ENV}}}"},
                            "viafoura": {"url": f"{site.base_url}/viafoura", "page_size": 3},
                            "vuukle": {"url": f"{site.base_url}/vuukle", "page_size": 3}}}
    return write_config(directory, [source], **extra)


def _crawl(config: Path, *, key: str = DISQUS_KEY, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_monitor("crawl", "--json", config=config,
                         env={DISQUS_KEY_ENV: key, GITHUB_TOKEN_ENV: "stand-in-token", **(env or {})})
    return dict(json.loads(result.stdout))


def _thread_of(index: Any, path: str, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    article = index.get_article(base + path)
    assert article is not None, path
    return article, index.get_comments(article["id"])


def _as_seeded(comments: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    """Each comment as (native id, author, text, its parent's native id), in the index's order."""
    native = {c["id"]: c["native_id"] for c in comments}
    return [(c["native_id"], c["author"], c["text"], native.get(c["parent_id"])) for c in comments]


def _expected(seeded: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((str(c["id"]), c["author"], c["text"], None if c["parent"] is None else str(c["parent"]))
                  for c in seeded)


@pytest.fixture(scope="module")
def sqlite_crawl(platform_site: PlatformSite, isso_thread: list[dict[str, Any]],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("platforms-sqlite")
    config = _config(directory, platform_site)
    return {"config": config, "summary": _crawl(config)}


def test_the_isso_thread_is_read_from_the_real_server_into_sqlite_threads_exact(
        sqlite_crawl: dict[str, Any], platform_site: PlatformSite, isso_thread: list[dict[str, Any]]) -> None:
    assert [run["status"] for run in sqlite_crawl["summary"]["runs"]] == ["finished"]
    with open_index(load_config(sqlite_crawl["config"]).index.url) as index:
        article, comments = _thread_of(index, ISSO_PATH, platform_site.base_url)
    assert (article["comment_platform"], article["comment_platform_status"]) == ("isso", "read")
    assert sorted(_as_seeded(comments)) == _expected(isso_thread)
    assert {c["platform"] for c in comments} == {"isso"}
    assert [c["depth"] for c in comments if c["author"] == "Maria"] == [2]


def test_the_isso_thread_reads_the_same_into_opensearch(
        opensearch_url: str, platform_site: PlatformSite, isso_thread: list[dict[str, Any]],
        sqlite_crawl: dict[str, Any], tmp_path: Path) -> None:
    prefix = f"monitor-test-{uuid.uuid4().hex[:12]}"
    config = _config(tmp_path, platform_site, index={"url": opensearch_url})
    summary = _crawl(config, env={"MONITOR_INDEX_PREFIX": prefix})
    assert [run["status"] for run in summary["runs"]] == ["finished"]
    index = open_engine_index(opensearch_url, prefix=prefix)
    try:
        index.refresh_now()
        article, comments = _thread_of(index, ISSO_PATH, platform_site.base_url)
        assert (article["comment_platform"], article["comment_platform_status"]) == ("isso", "read")
        assert sorted(_as_seeded(comments)) == _expected(isso_thread)
        with open_index(load_config(sqlite_crawl["config"]).index.url) as sqlite:
            _, in_sqlite = _thread_of(sqlite, ISSO_PATH, platform_site.base_url)
        assert [(c["id"], c["parent_id"], c["depth"], c["author"], c["text"]) for c in comments] == [
            (c["id"], c["parent_id"], c["depth"], c["author"], c["text"]) for c in in_sqlite]
    finally:
        index.drop()
        index.close()


def _stand_in_expected(site: PlatformSite, slug: str, first_id: int) -> list[tuple[str, str, str | None, str | None]]:
    """The stand-in's thread as the monitor must index it: deleted comments gone, their replies at the top."""
    article = site.by_slug(slug)
    assert article is not None
    kept = {i for i, c in enumerate(article.thread) if not c.deleted}
    return sorted((str(first_id + i), c.author, c.text,
                   str(first_id + c.parent) if c.parent is not None and c.parent in kept else None)
                  for i, c in enumerate(article.thread) if i in kept)


def test_a_disqus_thread_is_read_page_by_page_with_replies_and_without_its_deleted_comment(
        sqlite_crawl: dict[str, Any], platform_site: PlatformSite) -> None:
    with open_index(load_config(sqlite_crawl["config"]).index.url) as index:
        article, comments = _thread_of(index, "/articles/disqus-barrier-vote/", platform_site.base_url)
    assert (article["comment_platform"], article["comment_platform_site"], article["comment_thread"]) == (
        "disqus", "labforum", "barrier-vote-7")
    assert article["comment_platform_status"] == "read"
    assert sorted(_as_seeded(comments)) == _stand_in_expected(platform_site, "disqus-barrier-vote", 1000)
    assert {c["platform"] for c in comments} == {"disqus"}
    assert [c["likes"] for c in comments] == [i % 4 for i in range(7) if i != 4]
    # The page promised 7; one was deleted: the article says so.
    assert (article["comments_expected"], article["comment_count"]) == (7, 6)


def test_a_wordpress_thread_is_read_from_the_rest_api_across_its_pages(
        sqlite_crawl: dict[str, Any], platform_site: PlatformSite) -> None:
    with open_index(load_config(sqlite_crawl["config"]).index.url) as index:
        article, comments = _thread_of(index, "/articles/wordpress-barrier-vote/", platform_site.base_url)
    assert (article["comment_platform"], article["comment_thread"], article["comment_platform_status"]) == (
        "wordpress", "42", "read")
    assert sorted(_as_seeded(comments)) == _stand_in_expected(platform_site, "wordpress-barrier-vote", 500)
    assert [c["depth"] for c in comments] == [1, 1, 2, 1, 3]


@pytest.mark.parametrize("platform", ["remark42", "commento", "comentario", "discourse", "utterances", "coral",
                                      "giscus", "viafoura", "talkyard", "vuukle"])
def test_each_stand_in_platform_thread_is_crawled_whole_with_its_parents(
        sqlite_crawl: dict[str, Any], platform_site: PlatformSite, platform: str) -> None:
    source = platform_site.of(platform)
    with open_index(load_config(sqlite_crawl["config"]).index.url) as index:
        article, comments = _thread_of(index, source.path, platform_site.base_url)
    assert (article["comment_platform"], article["comment_platform_status"]) == (platform, "read")
    by_id = {c["id"]: c for c in comments}
    assert sorted((c["author"], c["text"], by_id[c["parent_id"]]["author"] if c["parent_id"] else None)
                  for c in comments) == sorted(source.as_readers_see_it())
    assert {c["platform"] for c in comments} == {platform}


def test_an_empty_platform_thread_is_read_and_holds_no_comment(
        sqlite_crawl: dict[str, Any], platform_site: PlatformSite) -> None:
    with open_index(load_config(sqlite_crawl["config"]).index.url) as index:
        article, comments = _thread_of(index, "/articles/disqus-quiet-corner/", platform_site.base_url)
    assert (article["comment_platform_status"], article["comments_expected"], comments) == ("read", 0, [])


def test_the_platform_api_key_never_reaches_the_crawl_log_or_the_index(sqlite_crawl: dict[str, Any]) -> None:
    log = Path(sqlite_crawl["summary"]["runs"][0]["log"]).read_text(encoding="utf-8")
    assert "monitor/requests/platform/disqus" in log  # the crawl asked Disqus
    assert DISQUS_KEY not in log
    database = Path(load_config(sqlite_crawl["config"]).index.url.removeprefix("sqlite:///"))
    assert DISQUS_KEY.encode() not in database.read_bytes()


def test_a_bad_disqus_key_costs_only_the_disqus_comments_and_says_so(
        platform_site: PlatformSite, isso_thread: list[dict[str, Any]], tmp_path: Path) -> None:
    config = _config(tmp_path, platform_site)
    summary = _crawl(config, key="not-the-key")
    assert [run["status"] for run in summary["runs"]] == ["finished"]
    with open_index(load_config(config).index.url) as index:
        disqus, comments = _thread_of(index, "/articles/disqus-barrier-vote/", platform_site.base_url)
        isso_article, isso_comments = _thread_of(index, ISSO_PATH, platform_site.base_url)
    assert (disqus["comment_platform_status"], comments) == ("partial", [])
    assert (isso_article["comment_platform_status"], len(isso_comments)) == ("read", len(isso_thread))
    # `monitor sources` says how many articles of the source had a platform it could not read: both Disqus ones.
    sources = json.loads(run_monitor("sources", "--json", config=config).stdout)["sources"]
    assert [(s["name"], s["platform_unread"]) for s in sources] == [("platforms", 2)]
    table = run_monitor("sources", config=config).stdout
    assert "platform unread" in table and " 2 " in table


def test_a_platform_that_answers_429_costs_that_threads_comments_and_marks_it_partial(
        platform_site: PlatformSite, isso_thread: list[dict[str, Any]], tmp_path: Path) -> None:
    config = _config(tmp_path, platform_site)
    platform_site.rate_limited.add("barrier-vote-7")
    try:
        _crawl(config)
    finally:
        platform_site.rate_limited.clear()
    with open_index(load_config(config).index.url) as index:
        limited, comments = _thread_of(index, "/articles/disqus-barrier-vote/", platform_site.base_url)
        quiet, _ = _thread_of(index, "/articles/disqus-quiet-corner/", platform_site.base_url)
    assert (limited["comment_platform_status"], comments) == ("partial", [])
    # The other Disqus article is read before the 429 or, after it, left unread: never marked read with a gap.
    assert quiet["comment_platform_status"] in ("read", "unread")
    assert platform_site.requests["/disqus/api/3.0/threads/listPosts.json"] > 0


def test_an_unchanged_platform_thread_costs_a_304_on_the_next_crawl_and_keeps_its_comments(
        platform_site: PlatformSite, tmp_path: Path) -> None:
    # The Remark42 stand-in answers with an ETag and a 304 to a request that sends it back, as an HTTP server
    # may; the platform articles are months old, so the source's refresh window is made long enough to fetch
    # them again.
    source = {"name": "platforms", "feeds": [f"{platform_site.base_url}/feed.xml"], "follow_depth": 0,
              "refresh_comments_for": "3650d", "platforms": {"disqus": {"enabled": False}}}
    config = write_config(tmp_path, [source])
    path, remark = "/remark42/api/v1/find", platform_site.of("remark42")
    asked, unchanged = platform_site.requests[path], platform_site.not_modified[path]
    first = _crawl(config)
    with open_index(load_config(config).index.url) as index:
        _, before = _thread_of(index, remark.path, platform_site.base_url)
    second = _crawl(config)
    assert [run["status"] for run in first["runs"] + second["runs"]] == ["finished", "finished"]
    assert platform_site.requests[path] - asked == 2  # asked again on the second crawl
    assert platform_site.not_modified[path] - unchanged == 1  # and answered "not modified"
    with open_index(load_config(config).index.url) as index:
        article, after = _thread_of(index, remark.path, platform_site.base_url)
    assert len(before) == len(remark.as_readers_see_it()) > 0
    assert [(c["id"], c["author"], c["text"], c["parent_id"]) for c in after] == [
        (c["id"], c["author"], c["text"], c["parent_id"]) for c in before]
    assert (article["comment_platform_status"], article["comment_count"]) == ("read", len(before))
