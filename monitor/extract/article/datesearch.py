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

Pinned to htmldate 1.11.0 (its ``find_date`` body is what is mirrored): another version runs the two
``find_date`` calls.
"""
from __future__ import annotations

import logging
from copy import deepcopy

import htmldate
import htmldate.core as hc
import htmldate.extractors as hx
from htmldate.settings import CLEANING_LIST, MAX_SEGMENT_LEN, MIN_SEGMENT_LEN
from htmldate.utils import Extractor, clean_html
from htmldate.validators import check_extracted_reference, get_max_date, get_min_date
from lxml.html import HtmlElement

__all__ = ["PINNED_VERSION", "find_date_quick_then_extensive", "pinned"]

logger = logging.getLogger(__name__)

PINNED_VERSION = "1.11.0"
_FORMAT = "%Y-%m-%d"


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

    result = (hc.examine_elements(hc.date_candidates(search_tree, False), quick)
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
    return check_extracted_reference(reference, extensive) or hc.search_page(htmlstring, extensive) or None
