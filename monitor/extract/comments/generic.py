"""Fallbacks for unknown markup: elements classed "comment", then repeated blocks inside a comment section."""
from __future__ import annotations

import re
from collections import defaultdict

from monitor.extract.comments.engine import Spec, drop_wrapped, read_items, run
from monitor.extract.comments.html import (
    Element,
    classes,
    is_element,
    owners_of_attributes,
)
from monitor.extract.comments.model import Context, RawComment

ITEM_WORDS = frozenset(
    "comment comment-item comment_item commentitem single-comment user-comment js-comment comment-entry "
    "commentbox comment-box comment-container reader-comment kommentar".split()
)
_SECTION_RE = re.compile(
    r"(?:^|[\s_-])(?:comments?|commentlist|comment-?list|comments-?list|comments?-?(?:area|section|container|wrapper|block|thread|content|holder)"
    r"|kommentare?|discussion|reader-?comments|user-?comments|коментар\w*|комментари\w*|komentarze|commentaires)(?:$|[\s_-])",
    re.I,
)
_NOT_SECTION_RE = re.compile(r"(?i)count|link|form|respond|closed|number|num|icon|button|btn|meta|policy|rules|teaser|widget|recent")
_VARIABLE_WORD_RE = re.compile(r"\d|^(odd|even|alt|first|last|thread-\w+|depth-\d+|byuser|bypostauthor|highlight\S*|is-\S+|has-\S+|parent|clearfix)$")
_CONTAINER_TAGS = frozenset({"div", "li", "article", "section", "dd", "blockquote"})
# Share of items that must show a date (resp. an author) before repeated blocks count as a comment thread;
# tuned on trafilatura-eval pages without comments (false positives) against comments-dev (recall).
MIN_DATED = 0.7
MIN_AUTHORED = 0.5
MIN_ITEMS = 2

# Every ITEM_WORDS word holds "omment" and every _SECTION_RE word one of SECTION_PARTS, in any case;
# the page's markup must hold one of the MARKERS (the common casings) before either fallback looks.
ITEM_PARTS = ("omment",)
SECTION_PARTS = ("omment", "iscussion", "omentarz", "оментар", "омментари")
ITEM_MARKERS = ("omment", "OMMENT")
SECTION_MARKERS = (*SECTION_PARTS, *(part.upper() for part in SECTION_PARTS))
_ITEM_TAGS = frozenset({"div", "li", "article", "section"})

CLASSED = Spec(
    name="classed-comment",
    items="//*[self::div or self::li or self::article or self::section][@class]",  # what classed() scans faster
    keep=lambda el: bool(ITEM_WORDS.intersection(classes(el))),
)


def classed(tree: Element, ctx: Context) -> list[RawComment]:
    """Elements with a class such as "comment", when most of them read like comments."""
    candidates = [el for el in owners_of_attributes(tree, ("class",), ITEM_PARTS) if el.tag in _ITEM_TAGS]
    comments = run(tree, CLASSED, ctx, candidates=candidates)
    return comments if _plausible(comments, strict=len(comments) < MIN_ITEMS) else []


def structural(tree: Element, ctx: Context) -> list[RawComment]:
    """The largest group of alike blocks inside a comment section whose members have a date and an author."""
    best: list[RawComment] = []
    for section in _sections(tree):
        for group in _groups(section):
            comments = read_items(group, ctx)
            if len(comments) > len(best) and _plausible(comments, strict=False):
                best = comments
    return best


def _plausible(comments: list[RawComment], *, strict: bool) -> bool:
    if not comments:
        return False
    n = len(comments)
    if strict:
        return all(c.published and c.author and len(c.text) >= 10 for c in comments)
    dated = sum(1 for c in comments if c.published) / n
    authored = sum(1 for c in comments if c.author) / n
    texts = {c.text for c in comments}
    return n >= MIN_ITEMS and dated >= MIN_DATED and authored >= MIN_AUTHORED and len(texts) == n


def _sections(tree: Element) -> list[Element]:
    sections: list[Element] = []
    for el in owners_of_attributes(tree, ("id", "class"), SECTION_PARTS):
        label = f"{el.get('id') or ''} {el.get('class') or ''}"
        if el.tag in ("form", "a", "span", "script", "style", "input", "textarea", "button", "img"):
            continue
        if _SECTION_RE.search(label) and not _NOT_SECTION_RE.search(el.get("id") or "x") and not any(
            s in el.iterancestors() for s in sections
        ):
            sections.append(el)
    return sections


def _signature(el: Element) -> tuple[str, tuple[str, ...]]:
    return el.tag, tuple(sorted(w for w in classes(el) if not _VARIABLE_WORD_RE.search(w)))


def _groups(section: Element) -> list[list[Element]]:
    by_sig: dict[tuple[str, tuple[str, ...]], list[Element]] = defaultdict(list)
    for el in section.iterdescendants():
        if is_element(el) and el.tag in _CONTAINER_TAGS and not el.xpath("ancestor::form"):
            by_sig[_signature(el)].append(el)
    groups = [drop_wrapped(g) for g in by_sig.values() if MIN_ITEMS <= len(g) <= 2000]
    groups.sort(key=len, reverse=True)
    return groups[:12]
