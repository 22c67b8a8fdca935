"""Class-word XPaths answered from class attributes give what libxml2 gives for the same XPath."""
from __future__ import annotations

import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.comments.engine import HEADER_XPATH
from monitor.extract.comments.fields import AUTHOR_XPATHS, DATE_TEXT_XPATHS
from monitor.extract.comments.html import class_words, class_xpath
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


def test_only_class_word_xpaths_with_plain_tag_unions_take_the_fast_path() -> None:
    assert class_words(f".//*[{class_xpath('a', 'b')}]") == (frozenset({"a", "b"}), frozenset())
    assert class_words(f".//*[{class_xpath('a')}] | .//cite") == (frozenset({"a"}), frozenset({"cite"}))
    assert class_words(f".//*[{class_xpath('a')}]//*[{class_xpath('b')}]") is None
    assert class_words(f".//*[{class_xpath('a')}][1]") is None
    assert class_words(f".//*[{class_xpath('a')}] | .//*[@id]") is None
    assert class_words(".//*[contains(@class, 'a')]") is None


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
