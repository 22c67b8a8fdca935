"""The negative gate: repeated blocks that look like comments but are navigation, teasers, products or tags."""
from __future__ import annotations

import re

from monitor.extract.comments.evidence import Signs
from monitor.extract.comments.html import Element, classes

_CHROME_TAGS = frozenset({"nav", "aside", "header", "menu", "select"})
# Class/id words of page chrome; a word that also names comments ("recent-comments" aside) stays chrome.
_CHROME_RE = re.compile(
    r"(?i)(?:^|[-_\s])(?:side-?bar|widget|related|nav|navigation|menu|breadcrumbs?|tag-?cloud|tags|popular|trending|"
    r"recent|most-?read|most-?viewed|more-?stories|teasers?|promo|adverts?|ads|sponsored|shop|products?|"
    r"signature|share|social|yarpp|jp-relatedposts|outbrain|taboola|footer|masthead|archives?|blogroll|pagination)"
    r"(?:$|[-_\s\d])"
)
_PRICE_RE = re.compile(r"[$€£¥]\s?\d|\d[\d.,]*\s?(?:€|eur|usd|zł|kr)\b", re.I)
MAX_LINK_SHARE = 0.5  # of a record's text inside links: above it, a list of links (related posts, navigation)
MIN_WORDS = 4  # median words per record: below it, tags, buttons or menu entries


def chrome_ancestor(el: Element) -> str | None:
    """Why ``el`` sits in page chrome (a nav, an aside, a sidebar or related-posts box), or None."""
    for anc in el.iterancestors():
        if anc.tag in _CHROME_TAGS:
            return f"inside <{anc.tag}>"
        label = f"{anc.get('id') or ''} {' '.join(classes(anc))}"
        if label.strip() and _CHROME_RE.search(label) and "omment" not in label:
            return f"inside {label.strip()!r}"
    return None


def rejects(records: list[list[Element]], found: list[Signs]) -> str | None:
    """Why these records are not a comment thread, or None when nothing speaks against one."""
    if not records:
        return "no records"
    reason = chrome_ancestor(records[0][0])
    if reason:
        return reason
    chars = sum(s.chars for s in found) or 1
    if sum(s.link_chars for s in found) / chars > MAX_LINK_SHARE:
        return "mostly links"
    words = sorted(s.words for s in found)
    if words[len(words) // 2] < MIN_WORDS:
        return "too short"
    if sum(1 for r in records if _PRICE_RE.search(" ".join(r[0].itertext())[:400])) >= 0.5 * len(records):
        return "prices"
    return None
