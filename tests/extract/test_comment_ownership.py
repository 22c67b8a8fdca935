"""XPaths answered from one walk (matches.Table) and per comment (Ownership) give what libxml2 gives."""
from __future__ import annotations

import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.comments import disqus, joomla, livefyre, reddit, schemaorg, typepad, wordpress
from monitor.extract.comments.engine import BYLINE_XPATH, HEADER_XPATH, META_XPATH
from monitor.extract.comments.fields import (
    AUTHOR_XPATHS,
    DATE_ATTR_XPATHS,
    DATE_TEXT_XPATHS,
    LIKES_XPATHS,
    TEXT_XPATHS,
)
from monitor.extract.comments.html import class_xpath
from monitor.extract.comments.matches import Table, parse
from monitor.extract.comments.ownership import Ownership

WORDS = ["comment-date", "Comment-Date", "date", "meta", "small", "comment-date-x", "x"]
SPACES = [" ", "\t", "\n", "\r", "\xa0", "\u2003", "  "]
CLASSES = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=4).map(
    lambda parts: "".join(w + s for w, s in parts))
TAGS = st.sampled_from(["div", "span", "header", "footer", "cite", "p"])


def _page(shape: list[tuple[str, str, int]]) -> str:
    """A comment (div#c1) holding elements of the given tags and classes, each closed or left open (nested)."""
    html = ["<html><body><div class='c' id='c1'>"]
    for tag, klass, nested in shape:
        html.append(f"<{tag} class='{klass}'>text" + ("" if nested else f"</{tag}>"))
    html.append("</div></body></html>")
    return "".join(html)


@given(st.lists(st.tuples(TAGS, CLASSES, st.integers(0, 1)), max_size=12))
def test_a_class_word_xpath_matches_what_libxml2_finds(shape: list[tuple[str, str, int]]) -> None:
    tree = lxml.html.document_fromstring(_page(shape))
    item = tree.get_element_by_id("c1")
    for xpath in (HEADER_XPATH, f".//*[{class_xpath('comment-date', 'date')}]", *DATE_TEXT_XPATHS, *AUTHOR_XPATHS):
        assert Ownership([item]).own(item, xpath) == item.xpath(xpath)


SPEC_XPATHS = tuple(x for m in (wordpress, joomla, typepad, reddit, disqus, livefyre) for spec in m.SPECS
                    for x in spec.author + spec.date + spec.text) + schemaorg.SPEC.author + schemaorg.SPEC.date
READER_XPATHS = (*AUTHOR_XPATHS, *DATE_ATTR_XPATHS, *DATE_TEXT_XPATHS, *TEXT_XPATHS, *LIKES_XPATHS, *SPEC_XPATHS,
                 HEADER_XPATH, META_XPATH, BYLINE_XPATH, ".//b | .//strong", ".//*[not(*)]", ".//p | .//blockquote | .//pre",
                 ".//*[@id or @name][position() < 4]", ".//*[@data-like-count or @data-likes or @data-score]",
                 ".//*[contains(@rel, 'reply_of') or @itemprop='parentItem']", ".//h3 | .//h4 | .//h5 | .//h6")
ATTRIBUTES = st.sampled_from([
    ("itemprop", "author"), ("itemprop", "name"), ("itemprop", "dateCreated"), ("itemprop", "text"),
    ("property", "schema:author"), ("property", "foaf:name x"), ("property", "dc:date"), ("rel", "nofollow ugc"),
    ("rel", "author"), ("rel", "x reply_of"), ("id", "dsq-author-user-1"), ("id", "c-2"), ("name", "n"),
    ("href", "#comment-2"), ("href", "/x"), ("title", "2 May"), ("datetime", "2012-05-02"), ("data-date", "x"),
    ("data-likes", "3"), ("class", "comment-author fn"), ("class", "date meta"), ("class", "usertext-body"),
    ("class", "md"), ("class", "comment-content"), ("class", "lf_comment_date"), ("data-test-id", "comment")])
ELEMENT = st.tuples(st.sampled_from(["div", "span", "a", "p", "time", "abbr", "cite", "b", "small", "footer", "h4"]),
                    st.lists(ATTRIBUTES, max_size=3, unique_by=lambda a: a[0]), st.integers(0, 2))


def _nested(shape: list[tuple[str, list[tuple[str, str]], int]]) -> str:
    """Elements each closed at once, holding the next (1) or closed around everything that follows (2)."""
    html, closing = [], []
    for tag, attributes, nested in shape:
        attrs = "".join(f" {k}='{v}'" for k, v in attributes)
        html.append(f"<{tag}{attrs}>t")
        if nested:
            closing.append(f"</{tag}>")
        else:
            html.append(f"</{tag}>")
    return "<html><body><div id='top'>" + "".join(html) + "".join(reversed(closing)) + "</div></body></html>"


@given(st.lists(ELEMENT, max_size=14))
def test_a_table_answers_each_reader_xpath_as_libxml2_does(shape: list[tuple[str, list[tuple[str, str]], int]]) -> None:
    top = lxml.html.document_fromstring(_nested(shape)).get_element_by_id("top")
    table = Table(top)
    for xpath in READER_XPATHS:
        query = parse(xpath)
        if query is not None:
            assert table.find(query) == top.xpath(xpath), xpath


def test_the_subset_holds_the_tag_and_attribute_xpaths_and_leaves_the_rest_to_libxml2() -> None:
    assert [x for x in READER_XPATHS if parse(x) is None] == [".//cite[not(.//cite)]"]
    assert parse(f".//*[{class_xpath('a')}]//*[{class_xpath('b')}] | .//cite") is not None
    for other in (".//text()[normalize-space()]", ".//cite[not(.//cite)]", ".//*[a[contains(@href, '#')]]",
                  f".//*[{class_xpath('a')}][1]", ".//*[@a][position() < 1]", ".//*[@a and @b]", "//div",
                  ".//*[contains(@href, 'http://x')]", ".//*[contains(@a, '')]", ".//*[@xml:lang]"):
        assert parse(other) is None, other


REPLY = st.recursive(st.just([]), lambda kids: st.lists(kids, max_size=3), max_leaves=8)
XPATHS = (*AUTHOR_XPATHS, *DATE_TEXT_XPATHS, ".//text()[normalize-space()]", ".//*[@id or @name][position() < 4]",
          ".//*[not(*)]", ".//div | .//p | .//span")


def _thread(comments: list[list], extras: int) -> str:
    """An ol of comments (li.c, each with an author, a date, text and its nested replies) and, beside them in
    the ol, ``extras`` items that are no comment."""
    counter = iter(range(1, 1000))

    def comment(replies: list[list]) -> str:
        n = next(counter)
        nested = "".join(comment(r) for r in replies)
        return (f"<li class='c' id='c{n}'><span class='comment-author'>A{n}</span> <span class='date'>{n} May</span>"
                f"<p>text {n}</p>" + (f"<ul>{nested}</ul>" if nested else "") + "</li>")

    items = "".join(comment(c) for c in comments) + "<li><span class='date'>ad</span><p>no comment</p></li>" * extras
    return f"<html><body><h2 id='h'>Comments</h2><ol>{items}</ol><form name='f'><p>Reply</p></form></body></html>"


@given(st.lists(REPLY, min_size=1, max_size=6), st.integers(0, 3))
def test_a_thread_read_as_a_whole_gives_each_comment_its_own_matches(comments: list[list], extras: int) -> None:
    tree = lxml.html.document_fromstring(_thread(comments, extras))
    items = tree.xpath("//li[@class='c']")
    owner = Ownership(items)

    def holder(node: object) -> object:
        el = node if isinstance(getattr(node, "tag", None), str) else node.getparent()  # type: ignore[attr-defined]
        return next((a for a in (el, *el.iterancestors()) if a in owner.items), None)

    assert items
    for item in items:
        for xpath in XPATHS:
            expected = [n for n in item.xpath(xpath) if n is not item and holder(n) is item]
            assert owner.own(item, xpath) == expected, (item.get("id"), xpath)
