"""The negative gate: repeated blocks that look like comments but are navigation, teasers, products or tags."""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from monitor.extract.comments.evidence import Signs
from monitor.extract.comments.html import Element

_CHROME_TAGS = frozenset({"nav", "aside", "header", "menu", "select"})
# Class/id words of page chrome; a word that also names comments ("recent-comments" aside) stays chrome.
_CHROME_RE = re.compile(
    r"(?i)(?:^|[-_\s])(?:side-?bar|widget|related|nav|navigation|menu|breadcrumbs?|tag-?cloud|tags|popular|trending|"
    r"recent|most-?read|most-?viewed|more-?stories|teasers?|promo|adverts?|ads|sponsored|shop|products?|"
    r"signature|share|social|yarpp|jp-relatedposts|outbrain|taboola|footer|masthead|archives?|blogroll|pagination)"
    r"(?:$|[-_\s\d])"
)
# What still vetoes records that call themselves comments: widgets of recent or popular comments, teasers.
_LISTING_RE = re.compile(
    r"(?i)(?:^|[-_\s])(?:widget|related|recent|popular|trending|most-?read|most-?viewed|nav|navigation|menu|promo|"
    r"teasers?|yarpp|jp-relatedposts|outbrain|taboola)(?:$|[-_\s\d])"
)
_CHROME_LOWER_RE = re.compile(_CHROME_RE.pattern.removeprefix("(?i)"))
_LISTING_LOWER_RE = re.compile(_LISTING_RE.pattern.removeprefix("(?i)"))
_PRICE_RE = re.compile(r"[$€£¥]\s?\d|\d[\d.,]*\s?(?:€|eur|usd|zł|kr)\b", re.IGNORECASE)
# A forum member's panel beside each post: the page is a forum thread, whose posts are the page, not comments.
_MEMBER_PANEL_RE = re.compile(
    r"(?i)private (?:nachricht|message)|beiträge anzeigen|view (?:public )?profile|find (?:all|more) posts|"
    r"registriert seit|mitglied seit|join(?:ed)? date|member since|inscrit le|registrado desde|iscritto dal|"
    r"lid sinds|dołączył|(?:beiträge|posts|messages|mensajes|berichten|postów)\s*:\s*\d"
)
# The same, for lower-cased text (a case-insensitive search costs several times more); text holding a letter
# that IGNORECASE matches otherwise than lower() maps it (İ and ı match "i", ſ "s", the Kelvin sign K "k") goes
# to the IGNORECASE search. Over every code point, these are the only ones for the pattern's letters (and k).
_MEMBER_PANEL_LOWER_RE = re.compile(_MEMBER_PANEL_RE.pattern.removeprefix("(?i)"))
_FOLDS_APART = ("\u0130", "\u0131", "\u017f", "\u212a")
_HEAD = etree.XPath("substring(normalize-space(.), 1, 800)")  # a record's first words, in libxml2
MAX_LINK_SHARE = 0.5  # of a record's text inside links: above it, a list of links (related posts, navigation)
MIN_WORDS = 4  # median words per record: below it, tags, buttons or menu entries
MAX_PRODUCT_CHARS = 200  # of a record's text where a price makes it a product tile


def chrome_ancestor(el: Element, *, labelled: bool = False) -> str | None:
    """Why ``el`` sits in page chrome (a nav, an aside, a sidebar or related-posts box), or None.

    ``labelled``: the records call themselves comments; then a layout word (sidebar, footer, share) around
    them is no veto, only listings (recent or popular comments widgets, teasers, navigation) are.
    """
    for anc in el.iterancestors():
        if anc.tag in _CHROME_TAGS and (not labelled or anc.tag in ("nav", "menu", "select")):
            return f"inside <{anc.tag}>"
        ident, klass = anc.get("id"), anc.get("class")
        if (ident or klass) and _chrome_label(ident or "", klass or "", labelled):
            label = " ".join(f"{ident or ''} {klass or ''}".split())
            return f"inside {label!r}"
    return None


@lru_cache(maxsize=8192)
def _chrome_label(ident: str, klass: str, labelled: bool) -> bool:
    """An id and class that name page chrome (see chrome_ancestor): cached, as every candidate group asks it
    of the same ancestors, and searched lower-cased (a case-insensitive search costs several times more)."""
    label = f"{ident} {klass}".lower()
    words = _LISTING_LOWER_RE if labelled else _CHROME_LOWER_RE
    return bool(label.strip() and words.search(label) and (labelled or "omment" not in label))


def member_panel(text: str) -> bool:
    """``text`` shows a forum member's panel ("Member since", "Posts: 12"), as _MEMBER_PANEL_RE finds it."""
    if any(c in text for c in _FOLDS_APART):
        return bool(_MEMBER_PANEL_RE.search(text))
    return bool(_MEMBER_PANEL_LOWER_RE.search(text.lower()))


def rejects(records: list[list[Element]], found: list[Signs], *, labelled: bool = False) -> str | None:
    """Why these records are not a comment thread, or None when nothing speaks against one."""
    if not records:
        return "no records"
    reason = chrome_ancestor(records[0][0], labelled=labelled)
    if reason:
        return reason
    chars = sum(s.chars for s in found) or 1
    if sum(s.link_chars for s in found) / chars > MAX_LINK_SHARE:
        return "mostly links"
    words = sorted(s.words for s in found if s.words)  # collapsed comments, shown without text, count for nothing
    if not words or words[len(words) // 2] < MIN_WORDS:
        return "too short"
    heads = [str(_HEAD(r[0])) for r in records[:20]]
    # a product tile is short; a reader's comment on a car or a market may name prices too
    if sum(1 for h in heads if len(h) < MAX_PRODUCT_CHARS and _PRICE_RE.search(h)) > 0.5 * len(heads):
        return "prices"
    if sum(1 for h in heads if member_panel(h)) >= 0.5 * len(heads):
        return "forum posts"
    return None
