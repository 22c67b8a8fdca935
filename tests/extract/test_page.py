"""Pages as fetched from hostile or careless sites: encodings that lie, threads nested deeper than parsers like."""
from __future__ import annotations

import json
import logging

import pytest

from monitor.extract import decode_html, extract_html, extract_page
from monitor.extract.options import ExtractionOptions
from monitor.items import PageItem
from monitor.urls import article_id

URL = "https://blog.example/2024/05/bridge-reopens/"
STORY = ("Die Brücke über den Fluss ist nach zwei Jahren Reparatur wieder offen, und die erste Fähre der Saison "
         "legte am Mittag ab. Anwohner in Zürich und Köln freuen sich über kürzere Wege. ") * 3


def _article(comments: str = "", head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Brücke offen</title>{head}</head>'
            f"<body><article><h1>Brücke wieder offen</h1><p>{STORY}</p></article>"
            f'<div id="comments" class="comments-area"><ol class="comment-list">{comments}</ol></div></body></html>')


def test_a_valid_utf8_body_is_read_as_utf8_whatever_the_header_or_crawler_says() -> None:
    body = _article().encode("utf-8")
    for encoding in ("utf-16", "cp1251", "latin-1"):
        assert "Brücke über den Fluss" in decode_html(body, encoding=encoding, content_type=f"text/html; charset={encoding}")
    item = PageItem(url=URL, html=body, source="blog", encoding="utf-16",
                    headers={"Content-Type": "text/html; charset=utf-16"})
    article = extract_page(item)
    assert article.title == "Brücke wieder offen"
    assert "Brücke über den Fluss" in article.text


def test_a_legacy_or_utf16_page_still_follows_its_declared_encoding() -> None:
    assert "Brücke" in decode_html(_article().encode("cp1252"), encoding="cp1252")
    utf16 = "\ufeff".encode("utf-16-le") + _article().encode("utf-16-le")
    assert "Brücke über den Fluss" in decode_html(utf16, encoding="utf-16", content_type="text/html; charset=utf-16")


def _wordpress_comment(number: int) -> str:
    return (f'<li id="comment-{number}" class="comment depth-{number}"><article class="comment-body">'
            f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Reader {number}</b></div>'
            f'</footer><div class="comment-content"><p>Reply number {number} to the one above.</p></div></article>')


def _thread(depth: int) -> str:
    return "".join(_wordpress_comment(n) + '<ol class="children">' for n in range(1, depth + 1)) + \
        "</ol></li>" * depth


# e2e: slow (about a minute) while the comment field lookups walk every nested reply of each comment.
@pytest.mark.e2e
def test_a_500_deep_thread_keeps_all_its_comments_and_their_nesting(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        article = extract_html(_article(_thread(500)), URL)
    assert len(article.comments) == 500
    assert [c.depth for c in article.comments] == list(range(1, 501))
    assert article.comments[-1].text == "Reply number 500 to the one above."
    assert not [r for r in caplog.records if "cut" in r.getMessage()]


def test_a_page_nested_past_what_can_be_parsed_is_cut_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    flat = "".join(_wordpress_comment(n) + "</li>" for n in range(1, 4))
    buried = "<div>" * 2100 + "<p>Buried.</p>" + "</div>" * 2100
    with caplog.at_level(logging.WARNING):
        article = extract_html(_article(flat + "<li>" + buried + "</li>"), URL)
    assert [c.text for c in article.comments] == [f"Reply number {n} to the one above." for n in range(1, 4)]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("cut" in message and URL in message for message in warnings), warnings


def test_a_thread_deeper_than_the_old_parser_limit_keeps_its_replies() -> None:
    article = extract_html(_article(_thread(130)), URL)
    assert len(article.comments) == 130
    assert article.comments[-1].depth == 130


def _jsonld_thread(depth: int, *, check: bool = True) -> str:
    # Written out by hand: json.dumps itself recurses.
    opening = "".join(f'{{"@type": "Comment", "text": "Answer {n}", "author": {{"name": "R{n}"}}, "comment": ['
                      for n in range(1, depth + 1))
    data = ('{"@context": "https://schema.org", "@type": "BlogPosting", "headline": "Brücke wieder offen", '
            f'"comment": [{opening}]{"}]" * (depth - 1)}}}]}}')
    if check:
        json.loads(data)
    return f'<script type="application/ld+json">{data}</script>'


def test_a_deep_jsonld_thread_is_walked_without_hitting_the_recursion_limit() -> None:
    article = extract_html(_article(head=_jsonld_thread(400)), URL)
    assert len(article.comments) == 400
    assert article.comments[-1].text == "Answer 400" and article.comments[-1].depth == 400


def test_a_jsonld_thread_too_deep_to_decode_is_cut_with_a_warning_and_the_article_stays(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        article = extract_html(_article(_wordpress_comment(1) + "</li>", head=_jsonld_thread(700, check=False)), URL)
    assert article.title == "Brücke wieder offen"
    assert [c.text for c in article.comments] == ["Reply number 1 to the one above."]
    assert any("cut" in r.getMessage() and URL in r.getMessage() for r in caplog.records)


def test_text_nested_1500_elements_deep_in_a_comment_is_read() -> None:
    deep = "<div>" * 1500 + "Deep words here." + "</div>" * 1500
    body = _wordpress_comment(1).replace("Reply number 1", deep + "Reply number 1") + "</li>"
    article = extract_html(_article(body), URL)
    assert [c.text.split() for c in article.comments] == [["Deep", "words", "here.", "Reply", "number", "1", "to",
                                                           "the", "one", "above."]]


def _claiming(canonical: str) -> str:
    return _article(head=f'<link rel="canonical" href="{canonical}"><meta property="og:url" content="{canonical}">')


def test_a_canonical_url_outside_the_sources_hosts_or_url_shape_does_not_give_the_id() -> None:
    own = ExtractionOptions.of(None, own_hosts=("blog.example",), own_pattern=r"^https://(www\.)?blog\.example/\d{4}/")
    for claimed in ("https://ledger.example/news/bridge-reopens.html", "https://blog.example/about/team/"):
        article = extract_html(_claiming(claimed), URL, options=own)
        assert (article.id, article.canonical_url) == (article_id(URL), URL), claimed
    # the source's own canonical still gives the id (tracking parameters and mirrors fold into one article)
    trusted = extract_html(_claiming("https://www.blog.example/2024/05/bridge-reopens/"), URL + "?utm_source=x",
                           options=own)
    assert trusted.id == article_id("https://www.blog.example/2024/05/bridge-reopens/")


def test_an_article_holding_a_form_reads_its_text_and_every_element_is_an_html_element() -> None:
    from lxml.html import HtmlElement

    from monitor.extract.page import parse_html

    first = "The council voted on Tuesday to close the river crossing for repairs until spring, after two years of delay."
    second = "Ferries will run every twenty minutes from the old harbour, and the bus company adds a night line to the bridge."
    html = (f"<html><body><article><h1>Crossing closed</h1><p>{first}</p>"
            "<form action='/subscribe'><label>Mail</label><input name='mail' value='x'>"
            "<select><option>daily</option></select><textarea>note</textarea></form>"
            f"<p>{second}</p></article></body></html>")
    tree = parse_html(html)
    assert {type(el) for el in tree.iter()} == {HtmlElement}
    assert tree.find(".//form").text_content() == "Maildailynote"
    item = extract_html(html, "https://news.example/crossing")
    assert item.title == "Crossing closed"
    assert first in item.text and second in item.text
