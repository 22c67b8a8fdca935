"""htmldate 1.11.0's quick search, then its extensive one where the quick finds nothing, in one pass: the same
date as ``find_date(extensive_search=False) or find_date(extensive_search=True)``, with less work.

Both ``find_date`` calls copy the tree, clean the copy (CLEANING_LIST, the archive.org banner) and serialise it;
the cleaned copy and its serialisation are the same in both, so they are made once here. The extensive call then
repeats steps whose answer cannot change once the quick one found nothing, and they are left out:

- the URL date and ``json_search``, ``pattern_search`` (TIMESTAMP_PATTERN), ``img_search`` and
  ``idiosyncrasies_search``: none of them reads ``options.extensive`` (no ``try_date_expr`` call), so they
  answer None again;
- the canonical-URL probe (its answer is the same).

Steps that call ``try_date_expr`` (the header's meta elements, abbr and time elements, date candidates, title
and h1) run again with the extensive options, since dateparser may read a string the quick parse could not.
The quick search's last resort drops script and style from its cleaned tree in place; here it runs on a copy of
the cleaned tree, which stays whole for the extensive steps.

The extensive search's last step, ``search_page``, runs seven patterns of the shape ``\\D(date)\\D`` over the
whole serialised page with ``findall``; Python's re tries each of them at every character. Here (in our calls
only) each ``findall`` starts from the hits of an anchor: a separator or first digit that every match holds at a
fixed distance from its start, followed by the rest of the match as a lookahead. re finds those hits with its
fast scan for a first character; the pattern itself is then tried at the few positions they give, in order, a
match not overlapping the one before, which is the list ``findall`` returns (about five times faster).

Pinned to htmldate 1.11.0 (its ``find_date`` body is what is mirrored): another version runs the two
``find_date`` calls.
"""
from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager
from contextvars import ContextVar
from copy import deepcopy
from typing import Any

import htmldate
import htmldate.core as hc
import htmldate.extractors as hx
from htmldate.settings import CLEANING_LIST, MAX_POSSIBLE_CANDIDATES, MAX_SEGMENT_LEN, MIN_SEGMENT_LEN
from htmldate.utils import Extractor, clean_html
from htmldate.validators import check_extracted_reference, get_max_date, get_min_date
from lxml.html import HtmlElement

from monitor.extract.article.scoped import scoped

__all__ = ["PINNED_VERSION", "find_date_quick_then_extensive", "pinned"]

logger = logging.getLogger(__name__)

PINNED_VERSION = "1.11.0"
_FORMAT = "%Y-%m-%d"


# htmldate 1.11.0's search_page patterns → (anchor, the distances from a match's start to its anchor hit)
ANCHORS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "THREE_LOOSE_PATTERN": (r"\D([0-9]{4}[/.-][0-9]{2}[/.-][0-9]{2})\D",
                            r"[/.-](?=[0-9]{2}[/.-][0-9]{2}\D)", (5,)),
    "SELECT_YMD_PATTERN": (r"\D([0-3]?[0-9][/.-][0-1]?[0-9][/.-][0-9]{4})\D",
                           r"[/.-](?=[0-1]?[0-9][/.-][0-9]{4}\D)", (2, 3)),
    "DATESTRINGS_PATTERN": (r"(\D19[0-9]{2}[01][0-9][0-3][0-9]\D|\D20[0-9]{2}[01][0-9][0-3][0-9]\D)",
                            r"[12](?=[09][0-9]{2}[01][0-9][0-3][0-9]\D)", (1,)),
    "SLASHES_PATTERN": (r"\D([0-3]?[0-9]/[0-1]?[0-9]/[0129][0-9]|[0-3][0-9]\.[01][0-9]\.[0129][0-9])\D",
                        r"[/.](?=[0-1]?[0-9][/.][0129][0-9]\D)", (2, 3)),
    "YYYYMM_PATTERN": (r"\D([12][0-9]{3}[/.-](?:1[0-2]|0[1-9]))\D", r"[/.-](?=(?:1[0-2]|0[1-9])\D)", (5,)),
    "MMYYYY_PATTERN": (r"\D([0-1]?[0-9][/.-][12][0-9]{3})\D", r"[/.-](?=[12][0-9]{3}\D)", (2, 3)),
    "SIMPLE_PATTERN": (r"(?<!w3.org)\D((?:199[0-9]|20[0-3][0-9]))\D", r"[12](?=[09][0-9]{2}\D)", (1,)),
}
_ANCHORED: ContextVar[bool] = ContextVar("htmldate_anchored", default=False)


class AnchoredPattern:
    """One of htmldate's compiled patterns whose ``findall`` (the one method search_page calls on it) starts
    from an anchor's hits inside ``anchored()``; everything else is the pattern's own."""

    def __init__(self, pattern: re.Pattern[str], anchor: str, offsets: tuple[int, ...]) -> None:
        self.pattern, self.anchor, self.offsets = pattern, re.compile(anchor), offsets

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)

    def findall(self, string: str, *args: Any) -> list[Any]:
        if args or not _ANCHORED.get():
            return self.pattern.findall(string, *args)
        return self.anchored_findall(string)

    def anchored_findall(self, string: str) -> list[str]:
        match, offsets = self.pattern.match, self.offsets
        starts = sorted({hit.start() - offset for hit in self.anchor.finditer(string) for offset in offsets})
        found: list[str] = []
        end = 0
        for start in starts:
            if start < end or start < 0:
                continue
            matched = match(string, start)
            if matched is not None:
                found.append(matched.group(1))
                end = matched.end()
        return found


def _install_anchors() -> bool:
    if not pinned():
        return False
    for name, (text, anchor, offsets) in ANCHORS.items():
        pattern = getattr(hc, name, None)
        if isinstance(pattern, AnchoredPattern):
            continue
        if not isinstance(pattern, re.Pattern) or pattern.pattern != text or pattern.flags != re.UNICODE:
            logger.debug("htmldate's %s is not the pattern anchored here: left as it is", name)
            continue
        setattr(hc, name, AnchoredPattern(pattern, anchor, offsets))
    hc.THREE_COMP_PATTERNS = (hc.THREE_PATTERN, hc.THREE_LOOSE_PATTERN)
    return True


def anchored(enabled: bool = True) -> AbstractContextManager[None]:
    """htmldate's search_page patterns run from their anchors inside (``enabled=False``: as re runs them)."""
    return scoped(_ANCHORED, enabled)


def examine_quick_candidates(tree: HtmlElement, options: Extractor) -> str | None:
    """``examine_elements(date_candidates(tree, False), options)``, stopping at the first candidate that gives a
    date: htmldate examines its candidates in document order and gives up on more than MAX_POSSIBLE_CANDIDATES,
    which cannot happen where the elements of the candidate tags are no more than that."""
    elements = list(tree.iterdescendants(*hx.FAST_TAGS, *hc.ALWAYS_TAGS))
    if len(elements) > MAX_POSSIBLE_CANDIDATES:
        return hc.examine_elements(hc.date_candidates(tree, False), options)
    always, test, examine = hc.ALWAYS_TAGS, hc.is_date_candidate, hc.examine_elements
    for element in elements:
        if element.tag in always or test(element):
            result = examine([element], options)
            if result:
                return result
    return None


def pinned() -> bool:
    """Whether the installed htmldate is the one mirrored here."""
    return getattr(htmldate, "__version__", None) == PINNED_VERSION


def _library(tree: HtmlElement, url: str | None, original: bool) -> str | None:
    for extensive in (False, True):
        found = hc.find_date(tree, url=url, original_date=original, extensive_search=extensive,
                             outputformat=_FORMAT)
        if found:
            return found
    return None


def find_date_quick_then_extensive(tree: HtmlElement, url: str | None, *, original: bool = True) -> str | None:
    """``find_date(tree, url=url, original_date=original, extensive_search=False)`` or, where that finds
    nothing, the same with ``extensive_search=True`` (output format %Y-%m-%d)."""
    if not pinned():
        return _library(tree, url, original)
    latest, earliest = get_max_date(None), get_min_date(None)
    quick = Extractor(False, latest, earliest, original, _FORMAT)
    extensive = Extractor(True, latest, earliest, original, _FORMAT)

    # find_date up to the tree copy: the URL, the header, JSON-LD, abbr elements
    if url is None:
        canonical = tree.find('.//link[@rel="canonical"]')
        if canonical is not None:
            url = canonical.get("href")
    result = hx.extract_url_date(url, quick)
    if result is not None:
        return result
    result = hc.examine_header(tree, quick) or hx.json_search(tree, quick)
    if result is not None:
        return result
    result = hc.examine_abbr_elements(tree, quick)
    if result is not None:
        return result

    # the copy, cleaned once for both searches
    search_tree = deepcopy(tree)
    try:
        search_tree = hx.discard_unwanted(clean_html(search_tree, CLEANING_LIST))
    except ValueError:  # pragma: no cover - htmldate's own rescue: the partly cleaned copy
        logger.debug("lxml cleaner error")

    result = (examine_quick_candidates(search_tree, quick)
              or hc.examine_elements(search_tree.xpath(".//title|.//h1"), quick)
              or hc.examine_time_elements(search_tree, quick))
    if result is not None:
        return result
    htmlstring = hc.serialize(search_tree)
    result = (hx.pattern_search(htmlstring, hc.TIMESTAMP_PATTERN, quick)
              or hx.img_search(search_tree, quick)
              or hx.idiosyncrasies_search(htmlstring, quick))
    if result is not None:
        return result
    # the quick search's last resort, on a copy: htmldate strips its own tree in place
    stripped = clean_html(deepcopy(search_tree), ["script", "style"])
    result = hx.pattern_search(" ".join(stripped.itertext()), hc.TIMESTAMP_LOOSE_PATTERN, quick)
    if result:
        return result

    # the extensive search: the steps whose answer can differ with dateparser
    result = hc.examine_header(tree, extensive)
    if result is not None:
        return result
    result = hc.examine_abbr_elements(tree, extensive)
    if result is not None:
        return result
    result = (hc.examine_elements(hc.date_candidates(search_tree, True), extensive)
              or hc.examine_elements(search_tree.xpath(".//title|.//h1"), extensive)
              or hc.examine_time_elements(search_tree, extensive))
    if result is not None:
        return result
    reference = None
    for text in hx.FREE_TEXT_EXPRESSIONS(search_tree):  # type: ignore[union-attr]  # text nodes: strings
        segment = str(text).strip()
        if not MIN_SEGMENT_LEN < len(segment) < MAX_SEGMENT_LEN:
            continue
        reference = hc.compare_reference(reference, segment, extensive)
    converted = check_extracted_reference(reference, extensive)
    if converted:
        return converted
    with anchored():
        return hc.search_page(htmlstring, extensive) or None


ANCHORS_INSTALLED = _install_anchors()
