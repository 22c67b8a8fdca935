"""parse_page's cheaper repair step gives trafilatura's repair_faulty_html text, and its UTF-8 is the markup's."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.utils import repair_faulty_html

from monitor.extract.markers import markup_bytes
from monitor.extract.page import _repaired, parse_page

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
