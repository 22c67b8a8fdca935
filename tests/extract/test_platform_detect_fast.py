"""Platform detection's cheaper steps answer what the straightforward ones did: the lookbehind searches, the
one-walk Isso XPath, the wpDiscuz test on bytes, and on every real page the whole detection."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract.comments.platforms import detect
from monitor.extract.comments.platforms.base import PlatformThread
from monitor.extract.markers import markup_bytes
from monitor.extract.page import ParsedPage, parse_page

ROOT = Path(__file__).resolve().parents[2]
URL = "https://news.example/2026/03/barrier-vote/"


def _slow_find(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.S)
    return match.group(1) if match else None


def _slow_isso(page: ParsedPage) -> PlatformThread | None:
    tree = page.tree
    src = detect._attr(tree, "//script[@data-isso or contains(@src, '/js/embed.min.js') or contains(@src, "
                             "'/js/embed.dev.js')]/@data-isso")
    script = detect._attr(tree, "//script[contains(@src, '/js/embed.min.js') or contains(@src, '/js/embed.dev.js')]/@src")
    if src is None and (script is None or not tree.xpath("//*[@id='isso-thread']")):
        return None
    api = (detect._base(src, page.url)
           or detect._base(re.sub(r"/js/embed\.(?:min|dev)\.js.*$", "", script or ""), page.url))
    thread = detect._attr(tree, "//*[@id='isso-thread']/@data-isso-id") or detect._path(page.url)
    return PlatformThread("isso", api=api, thread=thread, url=page.url)


def _slow_wordpress(page: ParsedPage) -> PlatformThread | None:
    tree, html = page.tree, page.html
    api = detect._attr(tree, "//link[@rel='https://api.w.org/']/@href")
    discuz = "wpdiscuz" in html.lower()
    if api is None and not discuz:
        return None
    post = (_slow_find(r"/wp/v2/posts/(\d{1,12})", html)
            or _slow_find(r"[?&]p=(\d{1,12})\b", detect._attr(tree, "//link[@rel='shortlink']/@href") or "")
            or _slow_find(r"\bpostid-(\d{1,12})\b", " ".join(tree.xpath("//body/@class")))
            or _slow_find(detect._WPDISCUZ_POST, html) or _slow_find(r"(?<![\w$])postId" + detect._VALUE, html))
    if api is None:
        api = urljoin(page.url, "/wp-json/")
    return PlatformThread("wpdiscuz" if discuz else "wordpress", api=detect._base(api, page.url), thread=post,
                          url=page.url)


_PATTERNS = [rf"(?<![\w$]){name}{detect._VALUE}" for name in (
    "disqus_shortname", r"(?:this\.page\.identifier|disqus_identifier)", r"wc_post_id|postId", "apiKey")]
_PATTERNS.append(r"(?<![\w$])HYVOR_TALK_WEBSITE\s*=\s*[\"']?(\d{1,20})\b")
_SCRIPT_PIECES = st.sampled_from([
    "disqus_shortname", "this.page.identifier", "disqus_identifier", "wc_post_id", "postId", "apiKey",
    "HYVOR_TALK_WEBSITE", "this.page.url", "disqus_url", "x", "$", "_", ".", " ", "\n", ":", "=", " = ", "'", '"', "abc", "12", "é", "<", "\U0001f600", " = 'abc'", ':"12"', "x.this.page.url='u' "])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_PATTERNS), st.lists(_SCRIPT_PIECES, max_size=40).map("".join))
def test_a_lookbehind_search_finds_what_re_search_finds(pattern: str, text: str) -> None:
    assert detect._find(pattern, text) == _slow_find(pattern, text)


_NAMES = ["disqus_shortname", r"(?:this\.page\.identifier|disqus_identifier)", r"wc_post_id|postId", "apiKey",
          r"(?:this\.page\.url|disqus_url)"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_NAMES), st.lists(_SCRIPT_PIECES, max_size=40).map("".join))
def test_a_config_value_is_the_one_re_search_finds(name: str, text: str) -> None:
    assert detect._config_pattern(name) is not None  # the fast path, not the fallback
    assert detect._config_value(name, text) == _slow_find(rf"(?<![\w$]){name}{detect._VALUE}", text)


def test_the_name_met_first_in_the_page_gives_the_value() -> None:
    text = "var $disqus_url = 'no'; disqus_url = 'first'; this.page.url = 'second'; disqus_url: 'third'"
    assert detect._config_value(r"(?:this\.page\.url|disqus_url)", text) == "first"
    text = "xthis.page.url = 'no'; this.page.url = 'first'; disqus_url = 'second'"
    assert detect._config_value(r"(?:this\.page\.url|disqus_url)", text) == "first"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["wpdiscuz", "WPDISCUZ", "wpd", "iscuz", "İ", "\u212a", "ſ", "ı", "é", "s", "I",
                                 "\ud800", " "]), max_size=12).map("".join))
def test_the_wpdiscuz_byte_test_is_the_lowered_text_s(text: str) -> None:
    assert (b"wpdiscuz" in markup_bytes(text).lower()) == ("wpdiscuz" in text.lower())


def test_no_other_character_lowers_to_ascii_but_the_two_known() -> None:
    # What the byte test relies on (detect._wordpress): İ lowers to "i" + U+0307, the Kelvin sign to "k".
    lowering = {hex(c): chr(c).lower() for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000
                and any(x.isascii() for x in chr(c).lower())}
    assert lowering == {"0x130": "i\u0307", "0x212a": "k"}


_ISSO_PIECES = st.sampled_from([
    '<script src="/js/embed.min.js"></script>', '<script data-isso="//c.example/"></script>',
    '<script data-isso=" " src="//c.example/js/embed.dev.js"></script>', '<script src="/other.js"></script>',
    '<script data-isso="" src="/x/js/embed.min.js?v=2"></script>', '<section id="isso-thread"></section>',
    '<section id="isso-thread" data-isso-id="t-1"></section>', '<p>isso</p>'])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ISSO_PIECES, min_size=1, max_size=6).map("".join))
def test_the_one_walk_isso_detection_is_the_three_walk_one(body: str) -> None:
    page = ParsedPage(url=URL, html=body, tree=lxml.html.document_fromstring(f"<html><body>{body}</body></html>"))
    assert detect._isso(page) == _slow_isso(page)


@pytest.mark.e2e
def test_every_real_page_gets_the_platform_the_straightforward_detection_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import realsite  # bench/realsite.py

    pages = []
    for i, body in enumerate(realsite.real_pages()):
        try:
            pages.append(parse_page(body, f"http://127.0.0.1/news/{i}.html"))
        except Exception:  # noqa: BLE001 - a page extraction refuses is not detected either
            continue
    fast = [detect.detect_platform(page) for page in pages]
    monkeypatch.setattr(detect, "_find", _slow_find)
    monkeypatch.setattr(detect, "_config_value", lambda name, text: _slow_find(rf"(?<![\w$]){name}{detect._VALUE}", text))
    monkeypatch.setattr(detect, "_DETECTORS", tuple(
        (name, markers, {detect._isso: _slow_isso, detect._wordpress: _slow_wordpress}.get(detector, detector))
        for name, markers, detector in detect._DETECTORS))
    slow = [detect.detect_platform(page) for page in pages]
    assert sum(found is not None for found in slow) > 400
    assert fast == slow
    assert all(detect._MARKERS.found_in(page.utf8) == {m for m in detect._MARKERS.markers if m in page.html}
               for page in pages)


_WP_PIECES = st.sampled_from([
    '<link rel="https://api.w.org/" href="https://news.example/wp-json/">', '<link rel="https://api.w.org/" href=" ">',
    '<link rel="https://api.w.org/">', '<link rel="shortlink" href="https://news.example/?p=881">',
    '<link rel="shortlink" href="">', '<link rel="alternate" href="/feed/">', '<p class="x">wpDiscuz</p>',
    "<script>var postId = '12';</script>", '<a href="/wp/v2/posts/77">api</a>', "<p>text</p>"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_WP_PIECES, min_size=1, max_size=6).map("".join), st.sampled_from(["", "postid-9 single"]))
def test_the_one_walk_wordpress_detection_is_the_xpath_one(body: str, body_class: str) -> None:
    html = f'<html><head></head><body class="{body_class}">{body}</body></html>'
    page = ParsedPage(url=URL, html=html, tree=lxml.html.document_fromstring(html))
    assert detect._wordpress(page) == _slow_wordpress(page)
