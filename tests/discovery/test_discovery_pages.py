"""page_links: the links of a section page, absolute, in page order, each once."""
from __future__ import annotations

from monitor.discovery import Link, page_links

PAGE_URL = "https://news.example.test/world/"


def test_links_are_absolute_in_page_order_and_titled_by_anchor_text() -> None:
    html = """<html><body>
      <a href="/world/2024/05/01/first-story">First   story</a>
      <a href="second-story.html"><span>Second</span> <b>story</b></a>
      <a href="//cdn.example.test/x">Protocol-relative</a>
    </body></html>"""
    assert page_links(html, PAGE_URL) == [
        Link(url="https://news.example.test/world/2024/05/01/first-story", title="First story"),
        Link(url="https://news.example.test/world/second-story.html", title="Second story"),
        Link(url="https://cdn.example.test/x", title="Protocol-relative"),
    ]


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://static.example.test/en/"></head><body><a href="a/b">x</a></body></html>'
    assert [link.url for link in page_links(html, PAGE_URL)] == ["https://static.example.test/en/a/b"]


def test_relative_base_href_is_resolved_against_the_page() -> None:
    html = '<html><head><base href="/archive/"></head><body><a href="story-1">x</a></body></html>'
    assert [link.url for link in page_links(html, PAGE_URL)] == ["https://news.example.test/archive/story-1"]


def test_fragments_are_dropped_and_the_repeats_they_make_collapse() -> None:
    html = """<a href="/a#comments">A</a><a href="/b">B</a><a href="/a#top">A again</a><a href="#main">skip</a>"""
    links = page_links(html, PAGE_URL)
    assert [link.url for link in links] == ["https://news.example.test/a", "https://news.example.test/b"]
    assert links[0].title == "A"


def test_non_http_links_are_dropped() -> None:
    html = """<a href="javascript:void(0)">js</a><a href="mailto:desk@example.test">mail</a>
      <a href="tel:+4912345">tel</a><a href="ftp://files.example.test/x">ftp</a><a href="data:text/plain,x">d</a>
      <a>no href</a><a href="   ">blank</a><a href="/ok">ok</a>"""
    assert [link.url for link in page_links(html, PAGE_URL)] == ["https://news.example.test/ok"]


def test_an_image_link_takes_its_title_from_a_later_text_link_to_the_same_url() -> None:
    html = '<a href="/story"><img src="t.jpg"></a><a href="/story">The story</a>'
    assert page_links(html, PAGE_URL) == [Link(url="https://news.example.test/story", title="The story")]


def test_a_page_with_an_xml_declaration_and_an_empty_page_parse() -> None:
    xhtml = '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/x">Ünïcode</a></body></html>'
    assert page_links(xhtml, PAGE_URL) == [Link(url="https://news.example.test/x", title="Ünïcode")]
    assert page_links("", PAGE_URL) == []
