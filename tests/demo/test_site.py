"""The demo news site: discovery surfaces, markups, conditional GETs, admin changes, lab pages, shutdown."""
from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from html import escape
from pathlib import Path
from typing import Any

import extruct
import feedparser
import lxml.etree
import lxml.html
import pytest

from monitor.demo.server import DemoServer, DemoSite, demo_sources, serve, stop, truth
from monitor.urls import canonicalize_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
LARGE_PAGE_BYTES = 200_000


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, headers: dict[str, str] | None = None, *, timeout: float = 10,
          follow: bool = True) -> tuple[int, Message, bytes]:
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post(base: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(base + path, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[DemoSite, str]]:
    """One read-only site with the lab pages, shared by the tests that do not change content."""
    site = DemoSite(with_test_pages=True, slow_seconds=3, large_page_bytes=LARGE_PAGE_BYTES)
    server, base = serve(site)
    yield site, base
    stop(server)


@pytest.fixture()
def fresh() -> Iterator[tuple[DemoSite, str]]:
    """A site of its own, for tests that add articles or comments."""
    site = DemoSite()
    server, base = serve(site)
    yield site, base
    stop(server)


def sources_by_name(base: str) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in demo_sources(base, with_test_pages=True)}


# --- discovery surfaces ------------------------------------------------------------------------

def test_robots_txt_disallows_the_private_section_and_lists_the_sitemaps(served: tuple[DemoSite, str]) -> None:
    _site, base = served
    status, headers, body = fetch(base + "/robots.txt")
    assert status == 200 and headers.get_content_type() == "text/plain"
    lines = body.decode().splitlines()
    assert "Disallow: /harbor-times/private/" in lines
    sitemaps = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap: ")]
    assert {s for src in demo_sources(base) for s in src["sitemaps"]} == set(sitemaps)
    for url in sitemaps:
        assert fetch(url)[0] == 200


@pytest.mark.parametrize("name", ["harbor-times", "northern-ledger", "lab"])
def test_xml_feeds_parse_and_every_entry_links_to_an_article(served: tuple[DemoSite, str], name: str) -> None:
    _site, base = served
    source = sources_by_name(base)[name]
    status, _headers, body = fetch(source["feeds"][0])
    parsed = feedparser.parse(body)
    assert status == 200 and not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if name == "northern-ledger" else "rss20")
    expected = {t["url"] for t in truth(_site, base_url=base) if t["source"] == name}
    links = [entry.link for entry in parsed.entries]
    assert {canonicalize_url(link) for link in links} == expected
    assert any("utm_source=" in link for link in links), "some feed links carry tracking parameters"
    for entry in parsed.entries:
        assert re.match(source["article_url_pattern"], canonicalize_url(entry.link))
        assert entry.title and entry.published_parsed


def test_json_feed_lists_every_valley_post_article(served: tuple[DemoSite, str]) -> None:
    site, base = served
    status, headers, body = fetch(sources_by_name(base)["valley-post"]["feeds"][0])
    feed = json.loads(body)
    assert status == 200 and headers.get_content_type() == "application/feed+json"
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    expected = {t["url"]: t for t in truth(site, base_url=base) if t["source"] == "valley-post"}
    assert {canonicalize_url(item["url"]) for item in feed["items"]} == set(expected)
    for item in feed["items"]:
        assert datetime.fromisoformat(item["date_published"]).utcoffset() == timedelta(hours=-5)
        assert item["title"] == expected[canonicalize_url(item["url"])]["title"]


def test_sitemaps_are_valid_xml_and_list_every_article(served: tuple[DemoSite, str]) -> None:
    site, base = served
    by_source: dict[str, set[str]] = {}
    for entry in truth(site, base_url=base):
        by_source.setdefault(entry["source"], set()).add(entry["url"])

    index = lxml.etree.fromstring(fetch(base + "/harbor-times/wp-sitemap.xml")[2])
    assert index.tag == f"{SM}sitemapindex"
    children = [loc.text for loc in index.iter(f"{SM}loc")]
    harbor_urls = set()
    for child in children:
        harbor_urls |= {loc.text for loc in lxml.etree.fromstring(fetch(child)[2]).iter(f"{SM}loc")}
    assert by_source["harbor-times"] <= harbor_urls

    news = lxml.etree.fromstring(fetch(base + "/northern-ledger/sitemap-news.xml")[2])
    urls = news.findall(f"{SM}url")
    assert {u.findtext(f"{SM}loc") for u in urls} == by_source["northern-ledger"]
    for url in urls:
        assert url.findtext(f"{NEWS}news/{NEWS}title")
        assert datetime.fromisoformat(url.findtext(f"{NEWS}news/{NEWS}publication_date") or "").tzinfo

    plain = lxml.etree.fromstring(fetch(base + "/valley-post/sitemap.xml")[2])
    assert {loc.text for loc in plain.iter(f"{SM}loc")} == by_source["valley-post"]


def test_the_robots_disallowed_article_is_linked_from_home_feed_and_sitemap(served: tuple[DemoSite, str]) -> None:
    site, base = served
    private = [t for t in truth(site, base_url=base) if t["robots_disallowed"]]
    assert len(private) == 1 and private[0]["expect"] == "robots_disallowed"
    path = private[0]["url"].removeprefix(base)
    assert path.startswith("/harbor-times/private/")
    for surface in ("/harbor-times/", "/harbor-times/feed/", "/harbor-times/wp-sitemap-posts-post-1.xml"):
        assert path.encode() in fetch(base + surface)[2], surface
    assert re.match(sources_by_name(base)["harbor-times"]["article_url_pattern"], private[0]["url"])


def test_article_patterns_tell_articles_from_section_pages(served: tuple[DemoSite, str]) -> None:
    site, base = served
    sources = sources_by_name(base)
    for entry in truth(site, base_url=base):
        own = sources[entry["source"]]["article_url_pattern"]
        assert re.match(own, entry["url"]), entry["url"]
        others = [s["article_url_pattern"] for n, s in sources.items() if n != entry["source"]]
        assert not any(re.match(p, entry["url"]) for p in others)
    section_pages = ["/harbor-times/", "/harbor-times/category/city/", "/harbor-times/feed/",
                     "/northern-ledger/news/politics/", "/valley-post/topics/sport", "/valley-post/feed.json"]
    for path in section_pages:
        assert fetch(base + path)[0] == 200
        assert not any(re.match(s["article_url_pattern"], base + path) for s in sources.values()), path


def test_home_and_section_pages_link_articles_with_and_without_tracking(served: tuple[DemoSite, str]) -> None:
    site, base = served
    for name, section in [("harbor-times", "category/sport/"), ("northern-ledger", "news/sport/"),
                          ("valley-post", "topics/sport")]:
        pattern = sources_by_name(base)[name]["article_url_pattern"]
        for path in (f"/{name}/", f"/{name}/{section}"):
            page = lxml.html.fromstring(fetch(base + path)[2], base_url=base + path)
            page.make_links_absolute()
            links = [a.get("href") for a in page.iter("a")]
            articles = {canonicalize_url(link) for link in links if re.match(pattern, canonicalize_url(link))}
            assert articles, path
            if path == f"/{name}/":
                expected = {t["url"] for t in truth(site, base_url=base) if t["source"] == name}
                assert articles == expected
                assert any("utm_source=home" in link for link in links)


# --- article markup ----------------------------------------------------------------------------

def test_wordpress_comments_use_the_wordpress_markup_and_nest_replies(served: tuple[DemoSite, str]) -> None:
    site, base = served
    entry = next(t for t in truth(site, base_url=base)
                 if t["source"] == "harbor-times" and max((c["depth"] for c in t["comments"]), default=0) >= 2)
    page = lxml.html.fromstring(fetch(entry["url"])[2])
    items = page.cssselect("ol.commentlist li.comment")
    assert [li.get("id") for li in items] == [f"comment-{c['native_id']}" for c in entry["comments"]]
    for li, expected in zip(items, entry["comments"]):
        body = li.cssselect(":scope > article.comment-body")[0]
        assert body.cssselect("footer.comment-meta .comment-author .fn")[0].text_content() == expected["author"]
        time = body.cssselect(".comment-metadata time")[0]
        assert time.get("datetime") == expected["published"]
        assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d [ap]m", time.text_content())
        assert body.cssselect(".comment-content p")[0].text_content() == expected["text"]
        assert body.cssselect(".reply a.comment-reply-link")[0].text_content() == "Reply"
        parent_li = li.getparent().getparent()
        if expected["parent"] is None:
            assert li.getparent().tag == "ol"
        else:
            assert li.getparent().get("class") == "children"
            assert parent_li.get("id") == f"comment-{entry['comments'][expected['parent']]['native_id']}"


def test_microdata_article_carries_nested_comments_with_likes(served: tuple[DemoSite, str]) -> None:
    site, base = served
    entry = next(t for t in truth(site, base_url=base)
                 if t["source"] == "northern-ledger" and max((c["depth"] for c in t["comments"]), default=0) >= 2)
    data = extruct.extract(fetch(entry["url"])[2].decode(), base_url=entry["url"], syntaxes=["microdata"])
    article = data["microdata"][0]
    assert article["type"] == "https://schema.org/NewsArticle"
    assert article["properties"]["headline"] == entry["title"]
    assert article["properties"]["datePublished"] == entry["published"]

    flat: list[tuple[dict[str, Any], int]] = []

    def walk(comments: Any, depth: int) -> None:
        for comment in comments if isinstance(comments, list) else [comments]:
            flat.append((comment, depth))
            walk(comment["properties"].get("comment", []), depth + 1)

    walk(article["properties"]["comment"], 1)
    assert [(c["properties"]["author"]["properties"]["name"], d) for c, d in flat] == \
        [(c["author"], c["depth"]) for c in entry["comments"]]
    for (comment, _depth), expected in zip(flat, entry["comments"]):
        assert comment["type"] == "https://schema.org/Comment"
        assert comment["properties"]["dateCreated"] == expected["published"]
        assert comment["properties"]["text"].strip() == expected["text"]
        assert int(comment["properties"]["upvoteCount"]) == expected["likes"]


def test_json_ld_article_carries_the_comment_tree_and_a_visible_copy(served: tuple[DemoSite, str]) -> None:
    site, base = served
    entry = next(t for t in truth(site, base_url=base)
                 if t["source"] == "valley-post" and max((c["depth"] for c in t["comments"]), default=0) >= 2)
    html = fetch(entry["url"])[2].decode()
    article = next(d for d in extruct.extract(html, syntaxes=["json-ld"])["json-ld"] if d["@type"] == "NewsArticle")
    assert article["datePublished"] == entry["published"] and article["datePublished"].endswith("-05:00")
    assert [a["name"] for a in article["author"]] == entry["authors"]

    flat: list[tuple[dict[str, Any], int]] = []

    def walk(comments: list[dict[str, Any]], depth: int) -> None:
        for comment in comments:
            flat.append((comment, depth))
            walk(comment.get("comment", []), depth + 1)

    walk(article["comment"], 1)
    assert [(c["text"], c["author"]["name"], c["dateCreated"], d) for c, d in flat] == \
        [(c["text"], c["author"], c["published"], c["depth"]) for c in entry["comments"]]
    visible = lxml.html.fromstring(html).cssselect("section.vp-comments li.vp-comment p.vp-comment__body")
    assert [p.text_content() for p in visible] == [c["text"] for c in entry["comments"]]


def test_articles_carry_boilerplate_around_the_body(served: tuple[DemoSite, str]) -> None:
    site, base = served
    for name in ("harbor-times", "northern-ledger", "valley-post"):
        entry = next(t for t in truth(site, base_url=base) if t["source"] == name)
        page = fetch(entry["url"])[2].decode()
        assert "We use cookies" in page
        assert "<nav" in page or 'class="vp-nav"' in page
        assert "<footer" in page
        for paragraph in entry["text"]:
            assert f"<p>{escape(paragraph)}</p>" in page
        assert fetch(entry["image"])[1].get_content_type() == "image/png"


def test_content_is_deterministic_and_spans_outlets_and_themes() -> None:
    first, second = truth(DemoSite(), base_url="http://x"), truth(DemoSite(), base_url="http://x")
    assert first == second
    counts = {name: sum(1 for t in first if t["source"] == name)
              for name in ("harbor-times", "northern-ledger", "valley-post")}
    assert all(10 <= n <= 14 for n in counts.values()), counts
    depths = [c["depth"] for t in first for c in t["comments"]]
    assert max(depths) == 3 and all(0 <= len(t["comments"]) <= 8 for t in first)
    assert any(t["modified"] for t in first) and any(not t["modified"] for t in first)
    text = " ".join(" ".join(t["text"]) for t in first)
    for word in ("café", "Zürich", "naïve", "Kyiv"):
        assert word in text


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


def test_some_words_occur_in_one_article_only_and_some_in_comments_only() -> None:
    entries = truth(DemoSite(), base_url="http://x")
    bodies = [t["title"] + " " + " ".join(t["text"]) for t in entries]
    comments = " ".join(c["text"] for t in entries for c in t["comments"])
    for word in ("pelican", "edelweiss", "periscope", "moonlighting", "cupcakes", "weathervane"):
        assert sum(_word_in(word, body) for body in bodies) == 1, word
        assert not _word_in(word, comments), word
    for word in ("bagpipes", "marmalade", "zeppelin", "jukebox", "lullaby"):
        assert not any(_word_in(word, body) for body in bodies), word
        assert _word_in(word, comments), word


# --- conditional requests and changes ------------------------------------------------------------

def test_conditional_get_answers_304_until_the_page_changes(fresh: tuple[DemoSite, str]) -> None:
    site, base = fresh
    entry = next(t for t in truth(site) if t["source"] == "harbor-times" and t["comments"])
    for url in (entry["url"], base + "/harbor-times/feed/", base + "/valley-post/sitemap.xml", base + "/robots.txt"):
        status, headers, _body = fetch(url)
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
        assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
        assert fetch(url, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200

    _status, before, _body = fetch(entry["url"])
    assert post(base, "/_admin/comments", {"article": entry["url"], "author": "Late Reader",
                                           "text": "A new comment changes the page."})[0] == 201
    status, after, body = fetch(entry["url"], {"If-None-Match": before["ETag"]})
    assert status == 200 and b"A new comment changes the page." in body and after["ETag"] != before["ETag"]
    assert fetch(entry["url"], {"If-Modified-Since": before["Last-Modified"]})[0] == 200


def test_admin_article_shows_up_on_home_feed_and_sitemap(fresh: tuple[DemoSite, str]) -> None:
    site, base = fresh
    status, created = post(base, "/_admin/articles", {
        "outlet": "northern-ledger", "title": "Ferry strike called off at the last minute",
        "body": "The ferry crews reached a deal overnight.\n\nSailings resume on Monday.",
        "authors": ["Callum Reid"], "tags": ["ferry"], "section": "city",
    })
    assert status == 201
    url = created["url"]
    assert re.match(sources_by_name(base)["northern-ledger"]["article_url_pattern"], url)
    feed = feedparser.parse(fetch(base + "/northern-ledger/atom.xml")[2])
    assert canonicalize_url(feed.entries[0].link) == url  # newest first
    assert url.removeprefix(base).encode() in fetch(base + "/northern-ledger/")[2]
    assert url.encode() in fetch(base + "/northern-ledger/sitemap-news.xml")[2]
    page = fetch(url)[2].decode()
    assert "Sailings resume on Monday." in page and "Callum Reid" in page
    assert any(t["url"] == url for t in truth(site))
    assert post(base, "/_admin/articles", {"outlet": "nowhere", "title": "x", "body": "y"})[0] == 400


def test_admin_comment_reply_joins_the_thread(fresh: tuple[DemoSite, str]) -> None:
    site, base = fresh
    entry = next(t for t in truth(site) if t["source"] == "valley-post" and t["comments"])
    parent = entry["comments"][0]
    status, created = post(base, "/_admin/comments", {"article": entry["url"], "author": "Replier",
                                                      "text": "Answering the first comment.",
                                                      "parent": int(parent["native_id"])})
    assert status == 201 and created["url"].endswith(f"#cmt-{created['id']}")
    after = next(t for t in truth(site) if t["url"] == entry["url"])
    reply = next(c for c in after["comments"] if c["text"] == "Answering the first comment.")
    assert reply["parent"] == 0 and reply["depth"] == 2
    assert b"Answering the first comment." in fetch(entry["url"])[2]
    assert post(base, "/_admin/comments", {"article": "/nope", "text": "x"})[0] == 400


def test_request_log_counts_requests_per_path(fresh: tuple[DemoSite, str]) -> None:
    _site, base = fresh
    fetch(base + "/harbor-times/")
    fetch(base + "/harbor-times/?utm_source=x")
    fetch(base + "/valley-post/feed.json")
    counts = json.loads(fetch(base + "/_admin/requests")[2])
    assert counts == {"/harbor-times/": 2, "/valley-post/feed.json": 1}
    request = urllib.request.Request(base + "/_admin/requests", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    assert json.loads(fetch(base + "/_admin/requests")[2]) == {}


# --- lab pages ------------------------------------------------------------------------------------

def lab_url(site: DemoSite, base: str, kind: str) -> str:
    return next(t["url"] for t in truth(site, base_url=base) if t.get("lab_kind") == kind)


def test_test_pages_are_off_unless_asked_for(fresh: tuple[DemoSite, str]) -> None:
    site, base = fresh
    assert fetch(base + "/lab/")[0] == 404
    assert [s["name"] for s in demo_sources(base)] == ["harbor-times", "northern-ledger", "valley-post"]
    assert not any("lab_kind" in t for t in truth(site))


def test_lab_home_and_feed_link_every_lab_page(served: tuple[DemoSite, str]) -> None:
    site, base = served
    urls = {t["url"] for t in truth(site, base_url=base) if "lab_kind" in t}
    assert len(urls) == 14
    feed = feedparser.parse(fetch(base + "/lab/feed.xml")[2])
    assert {canonicalize_url(e.link) for e in feed.entries} == urls
    home = fetch(base + "/lab/")[2].decode()
    assert all(url in home for url in urls)


def test_cp1251_pages_are_really_cp1251(served: tuple[DemoSite, str]) -> None:
    site, base = served
    status, headers, body = fetch(lab_url(site, base, "cp1251-header"))
    assert status == 200 and headers.get_content_charset() == "windows-1251"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Сили протиповітряної оборони працювали над Києвом" in body.decode("cp1251")
    assert b"charset" not in body.lower()  # declared in the header only

    status, headers, body = fetch(lab_url(site, base, "cp1251-meta"))
    assert status == 200 and headers.get_content_charset() is None
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1251")
    assert "Силы противовоздушной обороны" in text and "Волонтёры" in text
    assert 'charset=windows-1251' in text[:400]  # in <meta>, early enough for a browser's prescan


def test_latin1_page_is_latin1(served: tuple[DemoSite, str]) -> None:
    site, base = served
    _status, headers, body = fetch(lab_url(site, base, "latin1"))
    assert headers.get_content_charset() == "iso-8859-1"
    assert "Zürich" in body.decode("latin-1") and "Zürich".encode("latin-1") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_broken_lab_pages_misbehave_as_labelled(served: tuple[DemoSite, str]) -> None:
    site, base = served
    assert fetch(lab_url(site, base, "server-error"))[0] == 500
    assert fetch(lab_url(site, base, "not-found"))[0] == 404
    _status, headers, body = fetch(lab_url(site, base, "pdf"))
    assert headers.get_content_type() == "application/pdf" and body.startswith(b"%PDF-")
    _status, _headers, body = fetch(lab_url(site, base, "oversized"))
    assert len(body) > LARGE_PAGE_BYTES
    _status, _headers, body = fetch(lab_url(site, base, "truncated"))
    assert b"</html>" not in body and not body.rstrip().endswith(b">")

    loop = lab_url(site, base, "redirect-loop")
    seen = [loop]
    for _ in range(4):
        status, headers, _body = fetch(seen[-1], follow=False)
        assert status == 302
        seen.append(headers["Location"])
    assert seen[0] == seen[2] == seen[4] and seen[1] != seen[0]
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(loop, timeout=10)


def test_slow_page_outlasts_a_shorter_client_timeout(served: tuple[DemoSite, str]) -> None:
    site, base = served
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(lab_url(site, base, "slow"), timeout=0.5)


def test_hostile_comments_are_served_raw_with_their_safe_text_in_the_truth(served: tuple[DemoSite, str]) -> None:
    site, base = served
    entry = next(t for t in truth(site, base_url=base) if t.get("lab_kind") == "hostile")
    body = fetch(entry["url"])[2].decode()
    assert "<script>alert(1)</script>" in body
    assert "<img src=x onerror=alert(1)>" in body
    assert 'href="javascript:alert(1)"' in body
    texts = [c["text"] for c in entry["comments"]]
    assert "Great article! The tolls are a scandal." in texts
    assert not any("alert" in t or "<" in t for t in texts)
    assert max(c["depth"] for c in entry["comments"]) == 3


# --- the server stops ------------------------------------------------------------------------------

def test_stop_frees_the_port_and_wakes_the_slow_page() -> None:
    site = DemoSite(with_test_pages=True, slow_seconds=120)
    server, base = serve(site)
    assert isinstance(server, DemoServer) and base.startswith("http://127.0.0.1:")
    port = server.server_address[1]
    stop(server)
    assert site.stopping.is_set()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def _start_subprocess(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.demo.server", "--port", "0", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    base = process.stdout.readline().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base), base
    return process, base


def test_command_line_server_serves_and_exits_on_sigterm() -> None:
    process, base = _start_subprocess("--test-pages", "--slow-seconds", "60")
    try:
        assert fetch(base + "/lab/")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


def test_command_line_server_exits_when_its_stdin_closes() -> None:
    process, base = _start_subprocess()
    try:
        assert fetch(base + "/robots.txt")[0] == 200
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


def test_demo_sources_use_the_config_schema_keys(served: tuple[DemoSite, str]) -> None:
    _site, base = served
    for source in demo_sources(base, with_test_pages=True):
        extra = {"comments_api", "selectors"} if source["name"] == "lab" else set()
        assert set(source) == {"name", "feeds", "sitemaps", "start_urls", "follow_depth",
                               "allowed_domains", "article_url_pattern", *extra}
        assert source["allowed_domains"] == ["127.0.0.1"]
        assert all(u.startswith(base) for u in source["feeds"] + source["sitemaps"] + source["start_urls"])


def test_published_dates_carry_their_outlet_offset() -> None:
    offsets = {"harbor-times": timedelta(hours=1), "northern-ledger": timedelta(hours=2),
               "valley-post": timedelta(hours=-5)}
    for entry in truth(DemoSite(), base_url="http://x"):
        published = datetime.fromisoformat(entry["published"])
        assert published.utcoffset() == offsets[entry["source"]]
        assert published < datetime(2025, 4, 1, tzinfo=UTC)
