"""trafilatura's cascade with our shortcuts: the prune walks find what its XPaths find, readability is left out
only where it cannot win, and the body comes out as without them."""
from __future__ import annotations

from copy import copy
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import trafilatura
import trafilatura.xpaths
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.etree import tostring
from trafilatura import bare_extraction
from trafilatura.external import try_readability
from trafilatura.utils import trim

from monitor.extract.article import cascade
from monitor.extract.page import parse_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
PRUNE_LISTS = ("RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH", "REMOVE_COMMENTS_XPATH",
               "OVERALL_DISCARD_XPATH")

# Attribute orders and values that the XPaths' string conversions tell apart: @id|@class is the first of the two
# on the element, @id|@style likewise; translate(@role), @aria-hidden, data attributes, lists of comments.
TRICKY = """<html><body>
<div class="cookie-note" id="main"><p>one</p></div>
<div id="main" class="cookie-note"><p>two</p></div>
<span style="color:red" id="hidden-x">three</span>
<span id="x" style="hidden">four</span>
<p class="reply-box" id="r1">five</p><p id="reply-1" class="box">six</p>
<div role="Navigation">seven</div><div role="main">eight</div>
<section data-lp-replacement-content="">nine</section><div data-component="MostPopularStoriesList">ten</div>
<div aria-hidden="true">eleven</div><div aria-hidden="false">twelve</div>
<div class="comments-title">thirteen</div><div class="x comments-title">fourteen</div>
<ol id="comments"><li>a</li></ol><ol class="comment-list"><li>b</li></ol><ul id="disqus_thread"><li>c</li></ul>
<div id="disqus_thread">d</div><div id="commentary">e</div><div class="post-comments">f</div>
<div class="infinite-scroll"><h1>kept: holds the headline</h1></div><aside id="infinitescroll"><p>g</p></aside>
<div class="mvp-post-add-box"><h1>h</h1></div><section class="elementor-share-buttons">i</section>
<div class="top ad-slot">j</div><div class="dfpAd">k</div><div class="breadcrumb">l</div><div class="Footer">m</div>
<div id="" class="">n</div><div style="display: none">o</div><p class="message">p</p>
</body></html>"""


def _pages() -> list[str]:
    pages = [TRICKY]
    pages.extend(path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.html")))
    return pages


def test_the_prune_expressions_of_trafilatura_2_3_1_all_run_as_walks() -> None:
    assert trafilatura.__version__ == cascade.PINNED_VERSION
    assert cascade.INSTALLED
    table = cascade.fast_prunes()
    for name in PRUNE_LISTS:
        assert id(getattr(trafilatura.xpaths, name)) in table, name


@pytest.mark.parametrize("page", range(len(_pages())))
def test_each_walk_finds_the_elements_its_xpath_finds_in_the_same_order(page: int) -> None:
    tree = parse_html(_pages()[page])
    for name in PRUNE_LISTS:
        for fast in cascade.fast_prunes()[id(getattr(trafilatura.xpaths, name))]:
            for node in (tree, *tree.iter("body", "div")):
                assert fast(node) == fast.xpath(node), (name, fast.xpath.path[:60])


def test_an_expression_whose_text_changed_keeps_its_xpath(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = [trafilatura.xpaths.XPath(".//*[self::div][contains(@class, 'elementor-share-buttons')]")]
    monkeypatch.setattr(trafilatura.xpaths, "RAW_TREE_PRUNE_XPATH", changed)
    assert id(changed) not in cascade.fast_prunes()


# The first body expression's tests: exact @class/@itemprop/@id values, the id and class patterns, a missing
# attribute, a nested match (the outer one comes first), the tags it names and one it does not.
BODIES = """<html><body>
<aside class="post">not a named tag</aside><div class="posts">no</div><div class="entry2">no</div>
<section><div id="x"><div itemprop="articleBody">itemprop</div></div></section>
<main id="articleContent">id</main><div id="my-entry-content">id pattern</div>
<article class="a post-body b"><div class="articleBody">inner</div></article><div class="entry">class</div>
</body></html>"""


def _body_pages() -> list[str]:
    return [BODIES, *(BODIES.replace(f'{attribute}="', f'data-{attribute}="', 1)
                      for attribute in ("itemprop", "id", "class")), *_pages()]


@pytest.mark.parametrize("page", range(len(_body_pages())))
def test_the_first_body_walk_finds_the_element_its_xpath_finds_first(page: int) -> None:
    walk = cascade.fast_body()
    assert walk is not None
    tree = parse_html(_body_pages()[page])
    with cascade.shortcuts():
        for node in (tree, *tree.iter("body", "div", "section")):
            assert walk(node) == walk.xpath(node)[:1], lxml.etree.tostring(node)[:80]


def test_the_first_body_walk_finds_each_kind_of_match_in_document_order() -> None:
    walk = cascade.fast_body()
    assert walk is not None
    tree = parse_html(BODIES)
    found = []
    with cascade.shortcuts():
        while (first := walk(tree)):
            found.append(first[0].text_content())
            first[0].drop_tree()
    # the article (its text is its inner div's) comes before the div inside it, and goes with it
    assert found == ["itemprop", "id", "id pattern", "inner", "class"]


def test_a_changed_first_body_expression_keeps_its_xpath(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = [trafilatura.xpaths.XPath(".//*[self::div][@class='post'][1]")]
    monkeypatch.setattr(trafilatura.xpaths, "BODY_XPATH", changed)
    assert cascade.fast_body() is None


def _readability_length(tree: lxml.html.HtmlElement) -> int:
    summary = try_readability(copy(tree))
    return len(trim(tostring(summary, method="text", encoding="utf-8").decode("utf-8")))


@pytest.mark.parametrize("page", range(len(_pages())))
def test_readability_never_finds_more_text_than_the_bound(page: int) -> None:
    tree = parse_html(_pages()[page])
    bound = cascade.readability_text_bound(tree)
    assert bound is not None and _readability_length(tree) <= bound


def test_the_bound_counts_video_iframes_and_control_characters() -> None:
    text = "word " * 40
    video = f'<html><body><div><p>{text}</p><iframe src="https://www.youtube.com/embed/x"></iframe></div></body></html>'
    assert _readability_length(parse_html(video)) == len(trim(text)) + len(" VIDEO")
    assert cascade.readability_text_bound(parse_html(video)) == len(trim(text)) + len(" VIDEO")
    # &#12; is whitespace to Python's split() but comes back from readability's XML round trip as U+FFFD
    controls = f"<html><body><div><p>{'a &#12; b &#12; ' * 20}</p></div></body></html>"
    assert _readability_length(parse_html(controls)) <= (cascade.readability_text_bound(parse_html(controls)) or 0)


_SCRIPT_FREE_TEXT = lxml.etree.XPath("//text()[not(parent::script or parent::style)]", smart_strings=False)
# Text that tells the ways of folding whitespace apart: XML's four, Python's others (no-break, ideographic,
# controls), words that run on across an element's edge.
_PIECE = st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\n", "\xa0", "\u3000", "\x0c", "\x85", "é"]),
                 max_size=12)
_PART = st.one_of(
    _PIECE.map(lambda t: ("text", t)),
    st.tuples(st.sampled_from(["script", "style", "p", "span", "div"]), _PIECE),
)


def _page_of(parts: list[tuple[str, str]]) -> str:
    from html import escape
    body = "".join(escape(text) if tag == "text" else f"<{tag}>{text if tag in ('script', 'style') else escape(text)}"
                   f"</{tag}>" for tag, text in parts)
    return f"<html><head><style>b {{ x: y }}</style></head><body><div>{body}</div></body></html>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_PART, max_size=12))
def test_the_bound_is_never_below_the_pages_script_free_text(parts: list[tuple[str, str]]) -> None:
    tree = parse_html(_page_of(parts))
    text = "".join(_SCRIPT_FREE_TEXT(tree))  # type: ignore[arg-type]
    exact = len(" ".join(text.split()))
    assert (cascade.readability_text_bound(tree) or 0) >= exact


def test_the_bound_leaves_out_script_and_style_text() -> None:
    words = "word " * 40
    script = "var a = 1; " * 200
    page = f"<html><head><style>p {{ color: red }}</style></head><body><p>{words}</p><script>{script}</script></body></html>"
    bound = cascade.readability_text_bound(parse_html(page)) or 0
    assert len(trim(words)) <= bound <= len(trim(words)) + 2 * 2  # within two a script or style text


def test_a_page_with_raw_text_elements_gets_no_bound() -> None:
    page = "<html><body><div><p>text</p><xmp>a < b &amp; c</xmp></div></body></html>"
    assert cascade.readability_text_bound(parse_html(page)) is None


def _article(paragraphs: int, boilerplate: int) -> str:
    body = "".join(f"<p>Paragraph {i} of the story, with enough words in it to count as text.</p>" for i in range(paragraphs))
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(boilerplate))
    return (f"<html><head><title>T</title></head><body><nav><ul>{menu}</ul></nav>"
            f"<article><h1>Headline</h1>{body}</article><footer>{menu}</footer></body></html>")


@pytest.mark.parametrize("precision", [True, False])
@pytest.mark.parametrize(("paragraphs", "boilerplate"), [(12, 2), (2, 60), (0, 5), (30, 0)])
def test_bare_extraction_gives_the_same_body_with_and_without_the_shortcuts(
        precision: bool, paragraphs: int, boilerplate: int) -> None:
    for html in (_article(paragraphs, boilerplate), *_pages()):
        results = []
        for enabled in (False, True):
            with cascade.shortcuts(enabled):
                document = bare_extraction(parse_html(html), include_comments=False, favor_precision=precision)
            results.append((getattr(document, "text", None), tostring(document.body) if document else None))
        assert results[0] == results[1]


def test_a_page_mostly_article_skips_readability_and_one_mostly_menu_does_not() -> None:
    article, menu = parse_html(_article(12, 2)), parse_html(_article(2, 60))
    options = trafilatura.settings.Extractor(precision=True, comments=False)
    body = lxml.etree.fromstring("<body><p>" + "x" * 800 + "</p></body>")
    assert cascade.readability_cannot_win(article, body, "x" * 800, options)
    assert not cascade.readability_cannot_win(menu, body, "x" * 200, options)
    assert not cascade.readability_cannot_win(article, body, "", options)  # an empty text: readability may win


def test_plain_trafilatura_calls_run_without_the_shortcuts() -> None:
    assert not cascade.active()
    with cascade.shortcuts():
        assert cascade.active()
    assert not cascade.active()
