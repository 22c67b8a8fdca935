"""Paginated comments: finding the other comment pages, ordering them, and merging them into one thread."""
from __future__ import annotations

import lxml.html
from hypothesis import given
from hypothesis import strategies as st
from lxml.html import HtmlElement

from monitor.extract import extract_html
from monitor.extract.comments.html import classes
from monitor.extract.comments.pages import (
    _AREA_IDS,
    _AREA_WORDS,
    _URL_MARKS,
    _has_url_mark,
    _in_comment_area,
    _is_area,
    _Navigation,
    comment_page_urls,
    order_pages,
    page_number,
)
from monitor.items import CommentPayload

ARTICLE = "https://blog.example/2024/05/bridge-reopens/"


def wp_page(comments: str, nav: str = "", extra: str = "") -> str:
    return f"""<html><head><title>Bridge reopens</title></head><body>
<article><h1>Bridge reopens</h1><p>The bridge reopened on Monday after two years of repairs.</p></article>
<nav class="navigation post-navigation"><a href="https://blog.example/2024/05/older-post/" rel="prev">Older post</a></nav>
{extra}
<div id="comments" class="comments-area"><ol class="comment-list">{comments}</ol>{nav}</div>
</body></html>"""


def wp_comment(number: int, author: str, text: str, *, depth: int = 1, reply_to: int | None = None,
               children: str = "") -> str:
    answers = (f'<p class="comment-in-reply-to">In reply to <a href="{ARTICLE}#comment-{reply_to}">x</a></p>'
               if reply_to else "")
    kids = f'<ol class="children">{children}</ol>' if children else ""
    return f"""<li id="comment-{number}" class="comment depth-{depth}"><article class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{author}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{ARTICLE}#comment-{number}"><time datetime="2024-05-0{number % 9 + 1}T10:00:00+00:00">May</time></a></div>{answers}</footer>
<div class="comment-content"><p>{text}</p></div>
<div class="reply"><a class="comment-reply-link" href="{ARTICLE}?replytocom={number}#respond">Reply</a></div>
</article>{kids}</li>"""


def nav(older: str | None = None, newer: str | None = None) -> str:
    links = ""
    if older:
        links += f'<div class="nav-previous"><a href="{older}#comments">Older comments</a></div>'
    if newer:
        links += f'<div class="nav-next"><a href="{newer}#comments">Newer comments</a></div>'
    return f'<nav class="navigation comment-navigation"><div class="nav-links">{links}</div></nav>'


def test_wordpress_comment_page_links_are_found_and_post_navigation_is_not() -> None:
    html = wp_page(wp_comment(1, "Ann", "First"), nav(older=ARTICLE + "comment-page-2/"))
    assert comment_page_urls(html, ARTICLE) == [ARTICLE + "comment-page-2/"]


def test_cpage_and_comment_page_links_of_other_articles_are_told_apart() -> None:
    widget = ('<aside class="widget"><a href="https://blog.example/2024/04/other/comment-page-3/#comment-9">x</a>'
              f'<a href="{ARTICLE}?cpage=2#comments">2</a></aside>')
    assert comment_page_urls(wp_page("", extra=widget), ARTICLE) == [ARTICLE + "?cpage=2"]


def test_rel_next_and_load_more_links_inside_the_comment_area_count() -> None:
    html = """<html><body><a rel="next" href="/page/2/">Next posts</a>
<section id="comments"><div class="comment">Hi</div>
<a class="load-more-comments" href="/api/thread/5?offset=20">Load more comments</a>
<a rel="next" href="/story/5/comments/2">›</a><a class="load-more" href="javascript:void(0)">More</a>
<a href="#respond">Reply</a></section></body></html>"""
    assert comment_page_urls(html, "https://news.example/story/5") == [
        "https://news.example/api/thread/5?offset=20", "https://news.example/story/5/comments/2"]


def test_a_page_without_comment_pagination_links_none() -> None:
    assert comment_page_urls(wp_page(wp_comment(1, "Ann", "Hi")), ARTICLE) == []


def test_page_numbers_from_the_url() -> None:
    assert page_number(ARTICLE + "comment-page-12/") == 12
    assert page_number(ARTICLE + "?cpage=3") == 3
    assert page_number("https://b.example/p.html?commentPage=2") == 2
    assert page_number(ARTICLE) is None


def test_newest_first_the_article_page_is_the_last_page() -> None:
    others = [ARTICLE + "comment-page-2/", ARTICLE + "comment-page-1/"]
    assert order_pages(ARTICLE, "<html><body></body></html>", others) == [2, 1, 0]


def test_oldest_first_the_article_page_is_page_one() -> None:
    others = [ARTICLE + "comment-page-3/", ARTICLE + "comment-page-2/"]
    assert order_pages(ARTICLE, "<html><body></body></html>", others) == [0, 2, 1]


def test_the_current_page_marker_says_which_page_the_article_shows() -> None:
    page = ('<html><body><div id="comments"><nav class="comments-pagination"><a href="x/comment-page-1/">1</a>'
            '<span aria-current="page" class="page-numbers current">2</span><a href="x/comment-page-3/">3</a>'
            '</nav></div></body></html>')
    assert order_pages(ARTICLE, page, [ARTICLE + "comment-page-1/", ARTICLE + "comment-page-3/"]) == [1, 0, 2]


def test_comment_pages_merge_into_one_thread_with_replies_across_pages() -> None:
    # WordPress' default: the article shows the newest page; pages fetched going backwards.
    page3 = wp_page(wp_comment(5, "Erin", "Third page"), nav(older=ARTICLE + "comment-page-2/"))
    page2 = wp_page(wp_comment(3, "Dmitri", "Answering Carla", depth=2, reply_to=2) + wp_comment(4, "Ann", "Again"),
                    nav(older=ARTICLE + "comment-page-1/", newer=ARTICLE))
    page1 = wp_page(wp_comment(1, "Ann", "First", children=wp_comment(6, "Bert", "Reply", depth=2))
                    + wp_comment(2, "Carla", "Question"), nav(newer=ARTICLE + "comment-page-2/"))
    payloads = [CommentPayload(ARTICLE + "comment-page-2/", page2.encode(), "text/html"),
                CommentPayload(ARTICLE + "comment-page-1/", page1.encode(), "text/html"),
                CommentPayload(ARTICLE + "comment-page-1/?dup", page1.encode(), "text/html")]
    article = extract_html(page3, ARTICLE, payloads=payloads)
    assert [c.text for c in article.comments] == ["First", "Reply", "Question", "Answering Carla", "Again",
                                                  "Third page"]
    by_text = {c.text: c for c in article.comments}
    assert by_text["Answering Carla"].parent_id == by_text["Question"].id
    assert by_text["Answering Carla"].depth == 2
    assert by_text["Reply"].parent_id == by_text["First"].id
    assert by_text["Again"].parent_id is None
    assert article.comment_count == 6


def test_a_single_page_keeps_an_unresolved_reply_at_top_level() -> None:
    page = wp_page(wp_comment(3, "Dmitri", "Answering Carla", depth=2, reply_to=2))
    (comment,) = extract_html(page, ARTICLE).comments
    assert comment.parent_id is None and comment.depth == 1


def test_an_xhtml_page_with_an_xml_encoding_declaration_still_gives_its_comment_pages() -> None:
    # lxml refuses a str carrying an encoding declaration; 16 of 3,000 real pages were lost so (issue 17)
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
             + wp_page(wp_comment(1, "Ann", "First"), nav(older=ARTICLE + "comment-page-2/"))
             .replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">'))
    assert comment_page_urls(xhtml, ARTICLE) == [ARTICLE + "comment-page-2/"]
    assert comment_page_urls(xhtml.encode("utf-8"), ARTICLE) == [ARTICLE + "comment-page-2/"]


def test_a_link_with_a_malformed_bracketed_host_costs_only_that_link() -> None:
    # urlsplit raises ValueError on "http://[…" (an unclosed IPv6 host): 2 of 3,000 real pages (issue 17)
    broken = '<a href="http://[2001:db8::1/comment-page-3/">x</a><a href="https://[oops]x/?cpage=2">y</a>'
    html = wp_page(wp_comment(1, "Ann", "First"), nav(older=ARTICLE + "comment-page-2/") + broken)
    assert comment_page_urls(html, ARTICLE) == [ARTICLE + "comment-page-2/"]


def test_pages_that_link_comment_pages_pass_the_marker_check_and_plain_pages_do_not() -> None:
    from monitor.extract.comments.pages import may_link_comment_pages

    linked = [wp_page(wp_comment(1, "Ann", "First"), nav(older=ARTICLE + "comment-page-2/")),
              wp_page("", extra=f'<aside class="widget"><a href="{ARTICLE}?CPAGE=2">2</a></aside>'),
              '<html><body><div id="Disqus_Thread"><a rel="next" href="/t/5?page=2">more</a></div></body></html>']
    assert [bool(comment_page_urls(html, "https://blog.example/2024/05/bridge-reopens/")) for html in linked] == [
        True, True, True]
    assert [may_link_comment_pages(html.encode()) for html in linked] == [True, True, True]
    plain = "<html><body><article><p>The bridge reopened.</p></article><a rel='next' href='/p/2'>Next</a></body></html>"
    assert may_link_comment_pages(plain.encode()) is False
    assert comment_page_urls(plain, ARTICLE) == []
    # A page in UTF-16 cannot be read byte-wise: it is always parsed.
    assert may_link_comment_pages(wp_page("").encode("utf-16")) is True


_AREA_PIECES = st.sampled_from(["comment", "Comments", "-comments", "_COMMENTS", "disqus", "DSQ-", "dsq", "thread",
                                "comment-respond", "comment-form", "nav", "İ", "\u212a", " ", "\t", "-", "x"])
_ATTRIBUTE = st.one_of(st.none(), st.lists(_AREA_PIECES, max_size=6).map("".join),
                       st.sampled_from(["comments", "disqus_thread", "respond-area", "Discussion", "comment-nav-x"]))


def _is_area_plainly(node: HtmlElement) -> bool:
    """_is_area without its shortcuts: the id, then every class word tested."""
    ident = (node.get("id") or "").lower()
    if ident in _AREA_IDS or ident.startswith(("comments", "comment-nav", "dsq-")):
        return True
    words = classes(node)
    return any(w.startswith(_AREA_WORDS) or w.endswith(("-comments", "_comments")) for w in words) and not (
        "comment-respond" in words or "comment-form" in words)


@given(_ATTRIBUTE, _ATTRIBUTE)
def test_the_comment_area_test_decides_as_the_plain_one(ident: str | None, cls: str | None) -> None:
    node = lxml.html.Element("div")
    if ident is not None:
        node.set("id", ident)
    if cls is not None:
        node.set("class", cls)
    assert _is_area(node) == _is_area_plainly(node)


@given(st.lists(st.sampled_from([*_URL_MARKS, "PAGE", "Cpage=", "comment", "page", "=", "/", "İ", "x"]),
                max_size=6).map("".join))
def test_the_url_mark_test_finds_what_a_search_for_each_mark_finds(href: str) -> None:
    assert _has_url_mark(href) == any(mark in href.lower() for mark in _URL_MARKS)


def test_the_navigation_memo_answers_as_the_plain_ancestor_walk() -> None:
    html = wp_page(wp_comment(1, "Ann", "Hi", children=wp_comment(2, "Bo", "Yes", depth=2)),
                   nav(older=ARTICLE + "comment-page-1/"), extra='<div class="sidebar"><a href="/x">x</a></div>')
    navigation = _Navigation()
    links = list(lxml.html.fromstring(html).iter("a"))
    assert [navigation.in_area(a) for a in links] == [_in_comment_area(a) for a in links]
    assert any(navigation.in_area(a) for a in links) and not all(navigation.in_area(a) for a in links)
