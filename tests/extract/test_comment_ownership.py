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
