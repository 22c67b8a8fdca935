"""Which of a fixed set of marker strings a page's markup holds, all of them found in one pass."""
from __future__ import annotations

from collections.abc import Iterable

from ahocorasick_rs import BytesAhoCorasick, MatchKind

__all__ = ["MarkerSet", "ascii_spelled", "markup_bytes"]


def markup_bytes(html: str) -> bytes:
    """The markup as UTF-8 (lone surrogates kept as bytes): an ASCII marker is in it exactly where it is in ``html``."""
    return html.encode("utf-8", "surrogatepass")


def ascii_spelled(body: bytes) -> bool:
    """Whether an ASCII word in ``body``'s text is spelled in its bytes as ASCII: False for UTF-16 and UTF-32
    (a byte-order mark, or NULs early on), where a byte search for a marker would miss it."""
    return not (body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:1024])


class MarkerSet:
    """ASCII markers looked for together: one Aho-Corasick pass over the page's bytes costs about what one
    ``marker in html`` does, where the extractors and platform detectors ask about some forty of them."""

    def __init__(self, markers: Iterable[str]) -> None:
        self.markers = tuple(dict.fromkeys(markers))
        if not all(marker.isascii() and marker for marker in self.markers):
            raise ValueError("markers must be non-empty ASCII strings")
        self._automaton = BytesAhoCorasick([m.encode("ascii") for m in self.markers], matchkind=MatchKind.Standard)

    def found_in(self, markup: str | bytes) -> frozenset[str]:
        """The markers ``markup`` holds (overlapping ones too)."""
        data = markup_bytes(markup) if isinstance(markup, str) else markup
        return frozenset(self.markers[i] for i, _, _ in self._automaton.find_matches_as_indexes(data, overlapping=True))
