"""parse_page's shortcuts: its cheaper repair step gives trafilatura's repair_faulty_html text, its UTF-8 is the
markup's, valid UTF-8 parses from its bytes as from its text, one walk finds the meta, JSON-LD and links."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement
from trafilatura.utils import repair_faulty_html

from monitor.extract.markers import markup_bytes
from monitor.extract.page import _jsonld_nodes, _repaired, parse_page

_PIECES = st.sampled_from([
    "<!DOCTYPE html>", "<!doctype html PUBLIC '-//W3C//DTD XHTML 1.0//EN' '/x.dtd'>", "< ! DOCTYPE x/y>", "\n", "\r\n",
    "\r", "<html/>", "<HTML lang='en' />", "<html>", "<html\n/>", "<head></head>", "<body><p>text</p></body>", "</html>",
    "\x00", "\x08", "\x0b", "\x1f", "\t", "\ufffe", "\uffff", "\ufffd", "\uff01", "é", "日本", "\ud800", "\u2028", "/>",
    " " * 1500, "x" * 4000])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_the_repair_is_trafilatura_s(html: str) -> None:
    beginning = html[:50].lower()
    assert _repaired(html, beginning, markup_bytes(html)) == repair_faulty_html(html, beginning)
    assert _repaired(html, beginning, None) == repair_faulty_html(html, beginning)


def test_a_self_closing_html_tag_past_the_first_line_is_still_repaired() -> None:
    html = "<!DOCTYPE html>\n" + "\n" * 2 + "<html lang='en'/>\n" + "<p>x</p>\n" * 2000
    assert _repaired(html, html[:50].lower(), markup_bytes(html)) == repair_faulty_html(html, html[:50].lower())
    assert "<html lang='en'>" in _repaired(html, html[:50].lower(), markup_bytes(html))


def test_the_page_s_bytes_are_its_markup_s_utf8() -> None:
    html = "<html><body><p>Café ’quoted’ \U0001f600 text</p>\n" + "<p>x</p>" * 900 + "</body></html>"
    for body in (html, html.encode("utf-8"), b"\xef\xbb\xbf" + html.encode("utf-8"), html.encode("cp1252", "ignore")):
        page = parse_page(body, "https://news.example/a")
        assert page.utf8 == markup_bytes(page.html)


_MARKUP = st.sampled_from([
    "<!DOCTYPE html>", "<html lang='uk'>", "<HTML>", "<head>", "<meta charset='windows-1251'>", "<meta charset=utf-16>",
    "<meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>", "<?xml version='1.0' encoding='utf-8'?>",
    "<title>Новини</title>", "</head>", "<body>", "<p>Café ’quoted’ \U0001f600 日本</p>", "<div>x", "</div>", "text",
    "é", "ß", "</body>", "</html>", " ", "\n", "\t", "\u00a0", "\u3000", "\u2028", "\x85", "<br/>", "&amp;", "&nbsp;"])


def _tree_of(body: str | bytes) -> tuple[str, str] | str:
    from lxml.etree import tostring

    from monitor.errors import ExtractionError

    try:
        tree = parse_page(body, "https://news.example/a").tree
    except ExtractionError as exc:
        return str(exc)
    return tree.tag, tostring(tree, encoding="unicode")


@settings(max_examples=400, deadline=None)
@given(st.lists(_MARKUP, max_size=14).map("".join))
def test_a_page_of_valid_utf8_parses_from_its_bytes_as_from_its_text(html: str) -> None:
    assert _tree_of(html.encode("utf-8")) == _tree_of(html)


_HEAD_PIECES = st.sampled_from([
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A"}</script>',
    '<script type="application/ld+json">{"html": 1}</script>',
    '<script type="application/ld+json">[{"@type": "Person", "name": "B"}]</script>', "<script>var x = 1;</script>",
    '<script type="text/json">{"a": 1}</script>', '<meta property="og:title" content="T">', '<meta name="author" content="C">',
    '<link rel="canonical" href="/c">', '<link rel="stylesheet" href="/s.css">', "<div>", "</div>", "<p>text</p>", "<html>",
    "<head>", "</head>", "<body>"])


def _meta_plainly(tree: HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is not None and content.strip():
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                if element.get(attribute):
                    values.setdefault(element.get(attribute, "").strip().lower(), []).append(content.strip())
    return values


@settings(max_examples=300, deadline=None)
@given(st.lists(_HEAD_PIECES, min_size=1, max_size=10).map("".join))
@example('<body><script type="application/ld+json">{"html": 1}</script></body>')  # the tree is the script
def test_meta_jsonld_and_links_from_one_walk_are_what_a_walk_for_each_finds(html: str) -> None:
    from monitor.errors import ExtractionError

    try:
        page = parse_page(html, "https://news.example/a")
    except ExtractionError:
        return
    scripts = list(page.tree.iterfind('.//script[@type="application/ld+json"]'))  # below the root only
    assert page.jsonld == tuple(_jsonld_nodes(scripts, page.url))
    assert page.meta == _meta_plainly(page.tree)
    assert page.links == list(page.tree.iter("link"))
