"""Markup helpers shared by the comment extractors: class tokens, noise tests and readable text."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement as Element

BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 table tr section article header footer "
    "aside figure figcaption address hr".split()
)
SKIP_TAGS = frozenset(
    "script style noscript button form input textarea select option svg iframe template object embed "
    "head title meta link img video audio canvas nav label".split()
)
# Class/id words of controls and chrome around a comment's text (reply, vote, report, share, avatar ...).
NOISE_WORDS = frozenset(
    """reply replies respond reply-link comment-reply-link report flag abuse vote votes voting upvote downvote
    like likes liking share sharing social edit delete moderate moderation permalink avatar photo gravatar
    meta metadata commentmetadata comment-meta cm-meta header footer byline actions action toolbar tools
    buttons button btn controls control item-control rating ratings trigger expanding-formatter-trigger
    links inline-links comment-links signature sig postedby posted-by posted submitted comment-author
    author vcard says comment-header comment-footer comment-info info details screen-reader-text
    sr-only visually-hidden element-invisible element-hidden hidden rdf-meta collapse toggle
    jc_comment_panel jc_comment_title comment-title comment_title title count menu dropdown""".split()
)
# Parts of compound class words ("post-footer-report", "comment_reply_link") that mark controls.
NOISE_PARTS = frozenset(
    """reply report vote votes voting flag share sharing like likes permalink avatar gravatar actions toolbar
    footer meta edit delete moderate moderation rating button btn buttons links readmore hellip number toggle""".split()
)
HIDDEN_WORDS = frozenset("screen-reader-text sr-only visually-hidden element-invisible element-hidden hidden".split())
_SPLIT = re.compile(r"\s+")
_PART_SPLIT = re.compile(r"[-_]+")


def classes(el: Element) -> list[str]:
    """The element's class words, lower-cased."""
    value = el.get("class")
    return _SPLIT.split(value.strip().lower()) if value else []


def is_element(node: object) -> bool:
    return isinstance(getattr(node, "tag", None), str)


def is_noise(el: Element) -> bool:
    """A control, the chrome around a comment or an invisible element: never comment text."""
    if el.tag in SKIP_TAGS:
        return True
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and re.search(r"display\s*:\s*none", style):
        return True
    words = classes(el)
    if words and NOISE_WORDS.intersection(words):
        return True
    if any(NOISE_PARTS.intersection(_PART_SPLIT.split(w)) for w in words if "-" in w or "_" in w):
        return True
    role = el.get("role")
    return role in ("button", "toolbar", "menu", "navigation")


def is_hidden(el: Element, stop: Element) -> bool:
    """``el`` or an ancestor below ``stop`` is visually hidden (screen-reader only)."""
    node: Element | None = el
    while node is not None and node is not stop:
        if HIDDEN_WORDS.intersection(classes(node)) or node.get("hidden") is not None:
            return True
        node = node.getparent()
    return False


def collect_text(root: Element, skip: Callable[[Element], bool] | None = None) -> str:
    """Readable text of ``root``: paragraphs and line breaks kept as newlines, skipped subtrees left out."""
    parts: list[str] = []
    if root.text:
        parts.append(root.text)
    # A stack of open elements, not recursion: a hostile page nests thousands deep.
    stack: list[tuple[Element, Iterator[Element]]] = [(root, iter(root))]
    while stack:
        el, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if el is not root:
                if el.tag in BLOCK_TAGS:
                    parts.append("\n")
                if el.tail:
                    parts.append(el.tail)
            continue
        if not is_element(child) or child.tag == "br" or (skip is not None and skip(child)):
            if is_element(child) and child.tag == "br":
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)
            continue
        if child.tag in BLOCK_TAGS:
            parts.append("\n")
        if child.text:
            parts.append(child.text)
        stack.append((child, iter(child)))
    return tidy("".join(parts))


def tidy(text: str) -> str:
    """Spaces collapsed within lines, blank lines dropped."""
    lines = (" ".join(line.split()) for line in text.replace("\xa0", " ").splitlines())
    return "\n".join(line for line in lines if line)


def text_of(el: Element) -> str:
    """The element's whole visible text on one line (scripts and styles left out)."""
    return " ".join(collect_text(el, lambda e: e.tag in ("script", "style", "noscript")).split())


def owners_of_attributes(tree: Element, attributes: tuple[str, ...], parts: tuple[str, ...]) -> list[Element]:
    """Elements, in page order, one of whose ``attributes`` holds one of ``parts`` in lower or UPPER case;
    a part without its first letter ("omment") also finds Title case ("comments", "userComments", "COMMENTS").

    The attribute values are filtered inside libxml2: lxml.html builds a Python proxy per node it returns,
    which makes a Python filter over every element (or every attribute) several times slower.
    """
    found: list[Element] = []
    values: Any = _attribute_xpath(attributes, parts)(tree)  # attribute results ("smart strings")
    for value in values:
        owner = value.getparent()
        if not found or found[-1] is not owner:
            found.append(owner)
    return found


@lru_cache(maxsize=32)
def _attribute_xpath(attributes: tuple[str, ...], parts: tuple[str, ...]) -> XPath:
    tests = " or ".join(f"contains(., '{variant}')" for part in parts for variant in dict.fromkeys((part, part.upper())))
    return XPath(" | ".join(f"//@{name}[{tests}]" for name in attributes))


_CLASS_TEST = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses, and no other space


def class_xpath(*names: str) -> str:
    """An XPath predicate true when the element has one of the class words."""
    return " or ".join(_CLASS_TEST.format(n) for n in names)
