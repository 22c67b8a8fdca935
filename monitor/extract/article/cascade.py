"""trafilatura 2.3.1's extraction cascade, run for our calls with exact shortcuts: the same output, less work.

Three kinds of shortcut, all only inside ``shortcuts()`` (plain trafilatura calls in the same process, such as
bench/extraction.py's baseline, run unchanged):

- Prune XPaths evaluated in Python. trafilatura's prune expressions test ``@id``/``@class`` with EXSLT
  ``re:test``, a call back into Python per element and test (its precision-mode prune of a copy of the raw
  tree, OVERALL_DISCARD_XPATH, cost more than its readability run). Here each expression is one walk over the
  elements of the tags it names, the same regular expressions applied to the same strings, cached per distinct
  attribute list. The regexes are read out of trafilatura's own XPath text, whose shape is pinned below: an
  expression whose text is not the one written here keeps its XPath.
- The first body expression (``BODY_XPATH[0]``, the same ``re:test`` calls, run on every page) as a walk that
  stops at the first element it finds: trafilatura uses no other.
- The readability comparison skipped where readability cannot win. After its own extraction trafilatura runs
  readability on a copy of the raw tree (pruned first in precision mode) and takes its text only when
  ``external._prefer_readability`` says so: for focus other than recall that needs a readability text over
  twice ours, or ours without ``<p>`` text or table-dominated and readability's over twice
  ``min_extracted_size``. Readability's output is drawn from the raw tree's text (see
  ``readability_text_bound``), so where that bound already fails both tests the copy, the prune and readability
  are left out, and trafilatura's own comparison runs on an empty page (readability finding nothing loses, as
  it loses here), which keeps the justext rescue exactly as it is.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from copy import copy
from typing import Any, cast

import lxml.html
import trafilatura
import trafilatura.core
import trafilatura.external
import trafilatura.htmlprocessing
import trafilatura.main_extractor
import trafilatura.xpaths
from lxml import etree
from lxml.html import HtmlElement

from monitor.extract.article.scoped import scoped

__all__ = ["PINNED_VERSION", "FirstBody", "active", "fast_body", "fast_prunes", "readability_cannot_win",
           "readability_text_bound", "shortcuts"]

logger = logging.getLogger(__name__)

PINNED_VERSION = "2.3.1"
_ACTIVE: ContextVar[bool] = ContextVar("trafilatura_shortcuts", default=False)

Verdict = Callable[[str, tuple[tuple[str, str], ...]], bool | None]  # None: decided per element (see _RAW0)


# --- prune expressions ---------------------------------------------------------------------------------------
# Each skeleton is trafilatura 2.3.1's XPath text, whitespace collapsed, its quoted literals as '…'; the literals
# are taken from trafilatura's text in order. ``@id|@class`` is the string of whichever of the two attributes
# comes first on the element (XPath's string of a node-set is its first node in document order), as is
# ``@id|@style``; a missing attribute is the empty string, as in XPath.


def _first(items: tuple[tuple[str, str], ...], a: str, b: str) -> str:
    for key, value in items:
        if key == a or key == b:
            return value
    return ""


def _raw0(lit: list[str]) -> Verdict:
    either, strong = re.compile(lit[0]), re.compile(lit[2])

    def verdict(tag: str, items: tuple[tuple[str, str], ...]) -> bool | None:
        attrs = dict(items)
        ident, cls = attrs.get("id", ""), attrs.get("class", "")
        if not (either.search(ident) or either.search(cls)):
            return False
        return True if strong.search(ident) or strong.search(cls) else None  # None: kept unless it holds an h1

    return verdict


def _raw1(lit: list[str]) -> Verdict:
    token = lit[0]
    return lambda tag, items: token in dict(items).get("class", "")


def _comments(lit: list[str], *, lists: bool) -> Verdict:
    ident, cls = re.compile(lit[0]), re.compile(lit[1])
    list_ident, list_cls = (re.compile(lit[2]), re.compile(lit[3])) if lists else (ident, cls)

    def verdict(tag: str, items: tuple[tuple[str, str], ...]) -> bool:
        attrs = dict(items)
        i, c = attrs.get("id", ""), attrs.get("class", "")
        if not (ident.search(i) or cls.search(c)):
            return False
        return tag not in ("ol", "ul") or bool(list_ident.search(i) or list_cls.search(c))

    return verdict


def _overall0(lit: list[str]) -> Verdict:
    upper, lower, nav, component = lit[0], lit[1], lit[2], lit[3]
    first, ident, cls = re.compile(lit[4]), re.compile(lit[5]), re.compile(lit[6])

    def verdict(tag: str, items: tuple[tuple[str, str], ...]) -> bool:
        attrs = dict(items)
        return bool("data-lp-replacement-content" in attrs
                    or nav in attrs.get("role", "").replace(upper, lower)
                    or component in attrs.get("data-component", "")
                    or first.search(_first(items, "id", "class"))
                    or ident.search(attrs.get("id", ""))
                    or cls.search(attrs.get("class", "")))

    return verdict


def _overall1(lit: list[str]) -> Verdict:
    title, reply, hidden, none1, none2 = lit[0], lit[1], re.compile(lit[2]), lit[3], lit[4]
    ident, cls, aria = re.compile(lit[5]), re.compile(lit[6]), lit[7]

    def verdict(tag: str, items: tuple[tuple[str, str], ...]) -> bool:
        attrs = dict(items)
        style = attrs.get("style", "")
        return bool(attrs.get("class") == title
                    or _first(items, "id", "class").startswith(reply)
                    or hidden.search(_first(items, "id", "style"))
                    or none1 in style or none2 in style
                    or ident.search(attrs.get("id", ""))
                    or cls.search(attrs.get("class", ""))
                    or attrs.get("aria-hidden") == aria)

    return verdict


_SPECS: dict[tuple[str, int], tuple[str, tuple[str, ...] | None, Callable[[list[str]], Verdict]]] = {
    ("RAW_TREE_PRUNE_XPATH", 0): (
        ".//*[self::div or self::section or self::aside][ re:test(@id, '…') or re:test(@class, '…')][ not(.//h1) or"
        " re:test(@id, '…') or re:test(@class, '…')]", ("div", "section", "aside"), _raw0),
    ("RAW_TREE_PRUNE_XPATH", 1): (
        ".//*[self::div or self::section or self::aside][contains(@class, '…')]", ("div", "section", "aside"), _raw1),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0): (
        ".//*[self::div or self::list or self::section or self::details or self::ol or self::ul][ re:test(@id, '…') or"
        " re:test(@class, '…')][ not(self::ol or self::ul) or re:test(@id, '…') or re:test(@class, '…')]",
        ("div", "list", "section", "details", "ol", "ul"), lambda lit: _comments(lit, lists=True)),
    ("REMOVE_COMMENTS_XPATH", 0): (
        ".//*[self::div or self::list or self::section or self::details][ re:test(@id, '…') or re:test(@class, '…')]",
        ("div", "list", "section", "details"), lambda lit: _comments(lit, lists=False)),
    ("OVERALL_DISCARD_XPATH", 0): (
        ".//*[self::div or self::item or self::list or self::p or self::section or self::span][ "
        "@data-lp-replacement-content or contains(translate(@role, '…', '…'), '…') or contains(@data-component, '…')"
        " or re:test(@id|@class, '…') or re:test(@id, '…') or re:test(@class, '…')]",
        ("div", "item", "list", "p", "section", "span"), _overall0),
    ("OVERALL_DISCARD_XPATH", 1): (
        ".//*[@class='…' or starts-with(@id|@class, '…') or re:test(@id|@style, '…') or contains(@style, '…') or"
        " contains(@style, '…') or re:test(@id, '…') or re:test(@class, '…') or @aria-hidden='…']", None, _overall1),
}
_LITERAL = re.compile(r"'([^']*)'")
_H1 = etree.XPath(".//h1")


class FastExpression:
    """One of trafilatura's prune XPaths as a walk over elements: called on a node, the same elements in the
    same (document) order as ``xpath(node)``."""

    def __init__(self, xpath: etree.XPath, tags: tuple[str, ...] | None, verdict: Verdict) -> None:
        self.xpath, self.tags, self.verdict = xpath, tags, verdict

    def __call__(self, node: HtmlElement) -> list[HtmlElement]:
        found: list[HtmlElement] = []
        seen: dict[tuple[Any, ...], bool | None] = {}
        verdict = self.verdict
        walk = node.iterdescendants(*self.tags) if self.tags else node.iterdescendants(etree.Element)
        for element in walk:
            items = element.items()
            if not items:
                continue
            tag = element.tag
            key = (tag, *items)
            try:
                decided = seen[key]
            except KeyError:
                decided = seen[key] = verdict(tag, tuple(items))
            if decided or (decided is None and not _H1(element)):
                found.append(element)
        return found


def _pinned_literals(xpath: Any, skeleton: str | None, name: str, position: int) -> list[str] | None:
    """The quoted literals of trafilatura's ``name[position]``, in order, when its text has the shape
    ``skeleton``; else None (logged: the XPath is kept)."""
    text = " ".join(str(getattr(xpath, "path", "")).split())
    if skeleton is None or _LITERAL.sub("'…'", text) != skeleton:
        logger.debug("trafilatura's %s[%d] is not the expression pinned here: its XPath kept", name, position)
        return None
    return _LITERAL.findall(text)


def _fast_list(name: str) -> list[Any] | None:
    expressions = getattr(trafilatura.xpaths, name, None)
    if not isinstance(expressions, list):
        return None
    fast: list[Any] = []
    for position, xpath in enumerate(expressions):
        spec = _SPECS.get((name, position))
        literals = _pinned_literals(xpath, spec[0] if spec else None, name, position)
        if spec is None or literals is None:
            return None
        _skeleton, tags, build = spec
        fast.append(FastExpression(xpath, tags, build(literals)))
    return fast


def fast_prunes() -> dict[int, list[Any]]:
    """trafilatura's prune lists (by identity) → the same expressions as Python walks."""
    table = {}
    for name in sorted({name for name, _ in _SPECS}):
        fast = _fast_list(name)
        if fast is not None:
            table[id(getattr(trafilatura.xpaths, name))] = fast
    return table


# --- the first body expression ------------------------------------------------------------------------------

_BODY0 = (".//*[self::article or self::div or self::main or self::section][ @class='…' or @class='…' or"
          " @itemprop='…' or @id='…' or re:test(@id, '…') or re:test(@class, '…') ][1]")
_BODY_TAGS = ("article", "div", "main", "section")


class FirstBody:
    """trafilatura's first body expression (``BODY_XPATH[0]``) as a walk that stops at its first element.

    Its ``_extract`` takes only the first element the expression finds (``next``), and with ``[1]`` taken per
    parent the first in document order is the first element of those tags that passes the test.
    """

    def __init__(self, xpath: etree.XPath, literals: list[str]) -> None:
        self.xpath = xpath
        self.classes = (literals[0], literals[1])
        self.itemprop, self.ident = literals[2], literals[3]
        self.id_pattern, self.class_pattern = re.compile(literals[4]), re.compile(literals[5])

    def __call__(self, tree: HtmlElement) -> list[HtmlElement]:
        if not _ACTIVE.get():
            return cast(list[HtmlElement], self.xpath(tree))
        for element in tree.iterdescendants(*_BODY_TAGS):
            get = element.get
            cls, ident = get("class"), get("id")
            if (cls in self.classes or get("itemprop") == self.itemprop or ident == self.ident
                    or self.id_pattern.search(ident or "") or self.class_pattern.search(cls or "")):
                return [element]
        return []


def fast_body() -> FirstBody | None:
    """``BODY_XPATH[0]`` as a ``FirstBody`` walk; None when its text is not the expression pinned here."""
    expressions = getattr(trafilatura.xpaths, "BODY_XPATH", None)
    if not isinstance(expressions, list) or not expressions:
        return None
    literals = _pinned_literals(expressions[0], _BODY0, "BODY_XPATH", 0)
    return FirstBody(expressions[0], literals) if literals is not None else None


# --- the readability comparison --------------------------------------------------------------------------------

# Characters Python's str.split() takes for whitespace that an XML serialisation writes as U+FFFD (readability's
# summary goes through one) are letters to XPath's normalize-space, so the bound holds for text that holds them.
_WHOLE_TEXT_LENGTH = etree.XPath("string-length(normalize-space(string(/)))")
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
# Elements whose text an HTML parser reads raw: their escaped serialisation reads back longer.
_RAW_TEXT = ("xmp", "noembed", "noframes", "plaintext")
_VIDEO = len(" VIDEO")  # readability's sanitize writes "VIDEO" into a video iframe


def readability_text_bound(tree: HtmlElement) -> int | None:
    """An upper bound on the length of readability's text (``trim`` of its summary) on ``tree`` or on any
    pruned copy of it; None when the page holds raw-text elements, whose text could read back longer.

    trafilatura's readability (``readability_lxml.Document.summary``) drops script, style and fencedframe
    elements, removes, moves and re-wraps elements but writes no text of its own except "VIDEO" into video
    iframes: its summary's text is the tree's text fragments in their order with some left out (a tail stays
    in place when its element goes). Left-out fragments never split a word, so the summary has no more words
    and no more letters than the whole text: its trimmed length is at most the tree's trimmed text (script and
    style text left out) plus " VIDEO" per iframe. The summary is serialised as XML and parsed again as HTML,
    which reads every text character back as one character except the ones handled above.
    """
    iframes = 0
    for element in tree.iter("iframe", *_RAW_TEXT):
        if element.tag != "iframe":
            return None
        iframes += 1
    return _text_bound(tree) + _VIDEO * iframes


def _text_bound(tree: HtmlElement) -> int:
    """At least the trimmed length of the document's text with script and style text left out.

    Computed by libxml2: XPath's ``normalize-space`` folds only XML's four whitespace characters, so its length
    of a text is at least that of Python's ``str.split`` trim (which folds those and more, the control characters
    above among them). Leaving out a fragment of ``n`` letters and ``w`` words takes its ``n`` letters and at
    least ``w - 2`` words (the two at its ends may run on outside it) and never adds a word: at least its trimmed
    length less one. So the whole text's trimmed length less that for each script and style text is a bound.
    """
    bound = _length(_WHOLE_TEXT_LENGTH, tree)
    for element in tree.iter("script", "style"):
        if element.text and len(element) == 0:  # its one fragment is its text
            bound -= max(0, _length(_TEXT_LENGTH, element) - 1)
    return bound


def _length(expression: etree.XPath, node: HtmlElement) -> int:
    return int(cast(float, expression(node)))  # string-length() gives XPath's number, a float


def readability_cannot_win(tree: HtmlElement, body: etree._Element, text: str, options: Any) -> bool:
    """True where trafilatura's ``compare_extraction`` would keep ``body`` whatever readability found on
    ``tree``: ``_prefer_readability`` is false for every readability text up to the bound."""
    len_text = len(text)
    if options.focus == "recall" or len_text == 0:
        return False
    bound = readability_text_bound(tree)
    if bound is None or bound > 2 * len_text:
        return False
    deficient = not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p"))
    return not deficient or bound <= 2 * options.min_extracted_size


def _empty_page() -> HtmlElement:
    return lxml.html.document_fromstring("<html><body></body></html>")


# --- the patches ------------------------------------------------------------------------------------------------

_ORIGINAL_PRUNE = trafilatura.htmlprocessing.prune_unwanted_nodes
_ORIGINAL_COMPARE = trafilatura.external.compare_extraction
_ORIGINAL_EXTRACT_AND_COMPARE = getattr(trafilatura.core, "_extract_and_compare", None)
_FAST: dict[int, list[Any]] = {}


def _prune(tree: HtmlElement, nodelist: list[Any], with_backup: bool = False) -> HtmlElement:
    if _ACTIVE.get():
        nodelist = _FAST.get(id(nodelist), nodelist)
    return _ORIGINAL_PRUNE(tree, nodelist, with_backup)


def _extract_and_compare(cleaned_tree: HtmlElement, cleaned_tree_backup: HtmlElement, tree: HtmlElement,
                         options: Any) -> tuple[etree._Element, str]:
    # trafilatura.core._extract_and_compare in 2.3.1, with the copy of the raw tree made only when readability
    # is run on it
    if not _ACTIVE.get():
        assert _ORIGINAL_EXTRACT_AND_COMPARE is not None
        return _ORIGINAL_EXTRACT_AND_COMPARE(cleaned_tree, cleaned_tree_backup, tree, options)
    postbody, temp_text = trafilatura.core.extract_content(cleaned_tree, options)
    if not options.fast:
        raw = _empty_page() if readability_cannot_win(tree, postbody, temp_text, options) else copy(tree)
        postbody, temp_text = _ORIGINAL_COMPARE(cleaned_tree_backup, raw, postbody, temp_text, options)
    return postbody, temp_text


def _install() -> bool:
    if trafilatura.__version__ != PINNED_VERSION or _ORIGINAL_EXTRACT_AND_COMPARE is None:
        logger.warning("trafilatura %s is not %s: extraction runs without its shortcuts",
                       trafilatura.__version__, PINNED_VERSION)
        return False
    _FAST.update(fast_prunes())
    for module in (trafilatura.core, trafilatura.external, trafilatura.main_extractor):
        module.prune_unwanted_nodes = _prune  # type: ignore[attr-defined]
    trafilatura.core._extract_and_compare = _extract_and_compare
    body = fast_body()
    if body is not None:
        trafilatura.main_extractor.BODY_XPATH = [body, *trafilatura.xpaths.BODY_XPATH[1:]]  # type: ignore[list-item]
    return True


INSTALLED = _install()


def active() -> bool:
    """Whether the shortcuts apply to trafilatura calls made here now."""
    return INSTALLED and _ACTIVE.get()


def shortcuts(enabled: bool = True) -> AbstractContextManager[None]:
    """trafilatura calls inside run with the shortcuts (``enabled=False``: without, for comparison)."""
    return scoped(_ACTIVE, enabled)
