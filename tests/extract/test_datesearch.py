"""The one-pass quick-then-extensive date search gives htmldate's own answer (its two find_date calls)."""
from __future__ import annotations

import gzip
import json
import re

import htmldate
import htmldate.core
import htmldate.utils
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.article import datesearch
from monitor.extract.article.fallbacks import _dates_in, _htmldate
from monitor.extract.page import parse_html
from tests.extract.corpus import DATA


def _library(html: str | bytes, url: str | None, language: str | None) -> str | None:
    tree = parse_html(html)
    with _dates_in(language):
        for extensive in (False, True):
            found = htmldate.core.find_date(tree, url=url, original_date=True, extensive_search=extensive)
            if found:
                return found
    return None


def _ours(html: str | bytes, url: str | None, language: str | None) -> str | None:
    tree = parse_html(html)
    with _dates_in(language):
        return datesearch.find_date_quick_then_extensive(tree, url, original=True)


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>A page</title>{head}</head><body>{body}</body></html>"


# Each found by a different step of the two searches (the comment says which), or by none.
PAGES = [
    (_page("<p>nothing here</p>"), None, "en"),  # none
    (_page("<p>x</p>", '<meta name="date" content="2021-04-05">'), None, "en"),  # quick: header
    (_page('<div class="date">5. April 2021</div>'), None, "de"),  # quick: a date candidate
    (_page("<h1>News of 2021-04-05 12:00:00</h1>"), None, "en"),  # quick: title/h1
    (_page('<b>text 2021-04-05T10:11:12 more</b>'), None, "en"),  # quick: timestamp in the serialised page
    (_page("<b>it was 2021-03-04, a Thursday</b>"), None, "en"),  # quick: the bare date in the text (last resort)
    (_page("<b>it was 2021-03-<script>var a = 1;</script>04, a Thursday</b>"), None, "en"),  # the same, joined
    (_page('<script>var path = "/2019/05/06/";</script><p>no date</p>'), None, "en"),  # extensive: search_page
    (_page("<p>Opublikowano 3 marca 2020 r.</p>"), None, "pl"),  # extensive: free text through dateparser
    (_page('<div class="meta">3 marca 2020</div>'), None, "pl"),  # extensive: a date candidate via dateparser
    (_page("<footer>© 2018 Example</footer>"), None, "en"),  # extensive: the copyright year
    (_page("<p>x</p>", '<link rel="canonical" href="https://example.org/2020/01/02/story">'), None, "en"),  # URL
    (_page("<p>x</p>"), "https://example.org/2020/01/02/story", "en"),  # the URL given
    (_page('<div id="wm-ipp-base">2022-02-02</div><iframe>2023-03-03</iframe><p>no date</p>'), None, "en"),
]


@pytest.mark.parametrize(("html", "url", "language"), PAGES)
def test_each_step_gives_what_htmldates_two_searches_give(html: str, url: str | None, language: str) -> None:
    assert _ours(html, url, language) == _library(html, url, language)


def _real_pages() -> list[tuple[str, str]]:
    truth = json.loads((DATA / "trafilatura-eval" / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(truth)[::6]:
        raw = gzip.decompress((DATA / "trafilatura-eval" / "html" / f"{truth[url]['file']}.gz").read_bytes())
        pages.append((raw.decode("utf-8", "replace"), url))
    return pages


def test_real_pages_get_htmldates_own_date_with_and_without_their_urls() -> None:
    assert datesearch.pinned(), f"htmldate {htmldate.__version__} is not {datesearch.PINNED_VERSION}"
    pages = _real_pages()
    assert len(pages) > 40  # the shared corpus is required, as for the other corpus tests
    for html, url in pages:
        for as_given in (url, None):
            assert _ours(html, as_given, "en") == _library(html, as_given, "en"), as_given


def test_another_htmldate_version_runs_the_two_library_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def find_date(tree: object, **kwargs: object) -> None:
        calls.append(bool(kwargs["extensive_search"]))

    monkeypatch.setattr(htmldate, "__version__", "0.0")
    monkeypatch.setattr(htmldate.core, "find_date", find_date)
    assert datesearch.find_date_quick_then_extensive(parse_html(PAGES[1][0]), None) is None
    assert calls == [False, True]


def test_the_fallback_date_is_the_day_htmldate_finds() -> None:
    assert _htmldate(parse_html(PAGES[1][0]), "", original=True, language="en") == "2021-04-05"


# --- search_page's patterns from their anchors -----------------------------------------------------------------

def test_every_search_page_pattern_of_htmldate_1_11_0_runs_from_its_anchor() -> None:
    assert datesearch.ANCHORS_INSTALLED
    for name in datesearch.ANCHORS:
        assert isinstance(getattr(htmldate.core, name), datesearch.AnchoredPattern), name
    assert htmldate.core.THREE_COMP_PATTERNS[1] is htmldate.core.THREE_LOOSE_PATTERN


def _anchored() -> list[datesearch.AnchoredPattern]:
    return [getattr(htmldate.core, name) for name in datesearch.ANCHORS]


# digits, the patterns' separators, a non-ASCII digit (\d, not [0-9]), letters and the w3.org of SIMPLE_PATTERN
PIECES = st.sampled_from(["0", "1", "2", "3", "9", "19", "20", "199", "203", "12", "/", ".", "-", " ", "a",
                          "\u0663", "w3.org", "<p>", "2021-03-04", "04.03.21", "3/4/2021", "20210304"])


@given(st.lists(PIECES, max_size=30).map("".join))
def test_each_anchored_findall_is_the_patterns_findall(text: str) -> None:
    for pattern in _anchored():
        assert pattern.anchored_findall(text) == pattern.pattern.findall(text), pattern.pattern.pattern


def test_each_anchored_findall_is_the_patterns_findall_on_real_pages() -> None:
    for html, _ in _real_pages():
        for pattern in _anchored():
            assert pattern.anchored_findall(html) == pattern.pattern.findall(html), pattern.pattern.pattern


def test_the_anchors_apply_to_our_calls_only() -> None:
    pattern = htmldate.core.SELECT_YMD_PATTERN
    calls: list[str] = []
    original = pattern.anchored_findall

    def spy(string: str) -> list[str]:
        calls.append(string)
        return original(string)

    pattern.anchored_findall = spy  # type: ignore[method-assign]
    try:
        assert pattern.findall(" 04.03.2021 ") == ["04.03.2021"]
        assert calls == []
        with datesearch.anchored():
            assert pattern.findall(" 04.03.2021 ") == ["04.03.2021"]
        assert calls == [" 04.03.2021 "]
    finally:
        del pattern.anchored_findall


def test_a_pattern_whose_text_changed_keeps_re(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = re.compile(r"\D([0-3]?[0-9][/.-][0-1]?[0-9][/.-][0-9]{2,4})\D")
    monkeypatch.setattr(htmldate.core, "SELECT_YMD_PATTERN", changed)
    assert datesearch._install_anchors()
    assert htmldate.core.SELECT_YMD_PATTERN is changed


def _quick_options() -> htmldate.utils.Extractor:
    from htmldate.validators import get_max_date, get_min_date
    return htmldate.utils.Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")


@pytest.mark.parametrize("candidates", [0, 3, 999, 1000, 1001, 1500])
def test_the_quick_candidates_stop_early_only_below_htmldates_limit(candidates: int) -> None:
    # the one date last: htmldate finds it below 1000 candidates and gives up above
    cells = "".join(f'<span class="meta">item {i}</span>' for i in range(max(candidates - 1, 0)))
    tree = parse_html(_page(cells + ('<span class="date">5. April 2021</span>' if candidates else "")))
    options = _quick_options()
    expected = htmldate.core.examine_elements(htmldate.core.date_candidates(tree, False), options)
    assert datesearch.examine_quick_candidates(tree, options) == expected
    assert (expected is not None) == (0 < candidates <= 1000)


def test_the_quick_candidates_give_htmldates_answer_on_real_pages() -> None:
    options = _quick_options()
    for html, _ in _real_pages():
        tree = parse_html(html)
        expected = htmldate.core.examine_elements(htmldate.core.date_candidates(tree, False), options)
        assert datesearch.examine_quick_candidates(tree, options) == expected
