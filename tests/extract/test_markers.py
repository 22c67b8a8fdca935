"""The one-pass marker search answers exactly what a substring test of each marker would."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.comments import EXTRACTORS, FALLBACKS
from monitor.extract.comments.platforms.detect import _DETECTORS
from monitor.extract.markers import MarkerSet

MARKERS = sorted({m for _, _, ms in EXTRACTORS + FALLBACKS for m in ms} | {m for _, ms, _ in _DETECTORS for m in ms})
MARKER_SET = MarkerSet(MARKERS)
# Page text made of pieces of markers, non-ASCII letters and lone surrogates, so that near misses and overlaps are common.
PIECES = st.sampled_from([*(m[: len(m) // 2] for m in MARKERS), *(m[len(m) // 2:] for m in MARKERS), *MARKERS,
                          "é", "ü", "日本", "\ud800", "\udfff", "<div class='", "'>", " ", "-"])


@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_markers_found_are_exactly_those_the_markup_holds(markup: str) -> None:
    expected = {m for m in MARKERS if m in markup}
    assert MARKER_SET.found_in(markup) == expected
    assert MARKER_SET.found_in(markup.encode("utf-8", "surrogatepass")) == expected


def test_overlapping_and_nested_markers_are_all_found() -> None:
    found = MarkerSet(["omment", "comment-", "Comment", "isso", "embed.min.js"]).found_in(
        '<li class="comment-1">Comment</li><script src="/isso/js/embed.min.js"></script>')
    assert found == {"omment", "comment-", "Comment", "isso", "embed.min.js"}


def test_a_marker_that_is_not_ascii_is_refused() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        MarkerSet(["kommentär"])


@given(st.lists(st.sampled_from(["a", "b", "ab", "ba", "aab", "abba", "bab", "aaa", "b-a"]), min_size=1, max_size=8),
       st.text(alphabet="ab-", max_size=60))
def test_markers_that_overlap_each_other_anywhere_are_all_found(markers: list[str], markup: str) -> None:
    # Markers that share bytes go to separate automata (each search skips what overlaps a match it reports).
    assert MarkerSet(markers).found_in(markup) == {m for m in markers if m in markup}
