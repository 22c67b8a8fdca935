"""A page decoded and parsed once: its text, its lxml tree, its JSON-LD objects and its <meta> values."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import lxml.etree
import lxml.html
import numpy as np
from lxml.html import HtmlElement
from trafilatura.utils import is_dubious_html, repair_faulty_html
from w3lib.encoding import html_to_unicode, read_bom

from monitor.errors import ExtractionError
from monitor.extract.markers import markup_bytes

__all__ = ["ParsedPage", "as_tree", "decode_html", "elements", "parse_html", "parse_page"]

logger = logging.getLogger(__name__)
# trafilatura's parser (trafilatura.utils.HTML_PARSER) with libxml2's nesting limit raised from 256 elements
# to 2048 (huge_tree), so a 500-deep comment thread is not cut at its 124th reply. huge_tree also lifts the
# 10 MB limit on one text node: pages are already capped by DOWNLOAD_MAXSIZE (settings.py).
_PARSER = lxml.html.HTMLParser(  # type: ignore[call-arg]  # lxml-stubs lack default_doctype
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
# lxml.html's own lookup is a Python method run for every element proxy made (1.5 million on 300 pages, a tenth of
# an extraction); this one is libxml2-side. What it gives up, lxml.html's form classes (FormElement.fields,
# InputElement.value...), nothing here or in trafilatura uses: every element is an HtmlElement, as before.
_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
_LEADING_SPACE = re.compile(r"\s+")
MAX_DEPTH = 2048  # libxml2's nesting limit with huge_tree


@dataclass(frozen=True)
class ParsedPage:
    """One page as every extractor reads it; JSON-LD and meta are read on first use, then kept."""

    url: str
    html: str
    tree: HtmlElement

    @cached_property
    def utf8(self) -> bytes:
        """The markup as bytes, for marker searches (monitor.extract.markers)."""
        return markup_bytes(self.html)

    @cached_property
    def jsonld(self) -> tuple[dict[str, Any], ...]:
        """Every JSON object in the page's ld+json scripts, @graph members and mainEntity included."""
        scripts = [script for script in self._head_tags["script"]
                   if script is not self.tree and script.get("type") == "application/ld+json"]
        return tuple(_jsonld_nodes(scripts, self.url))

    @cached_property
    def links(self) -> list[HtmlElement]:
        """The page's <link> elements, in page order."""
        return self._head_tags["link"]

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """All <meta> contents keyed by lower-cased property/name/itemprop/http-equiv, in page order."""
        values: dict[str, list[str]] = {}
        for element in self._head_tags["meta"]:
            content = element.get("content")
            if content is None or not content.strip():
                continue
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                key = element.get(attribute)
                if key:
                    values.setdefault(key.strip().lower(), []).append(content.strip())
        return values

    @cached_property
    def _head_tags(self) -> dict[str, list[HtmlElement]]:
        """The page's <meta>, <script> and <link> elements by tag, in page order: one walk over the tree for
        ``meta``, ``jsonld`` and ``links``."""
        found: dict[str, list[HtmlElement]] = {"meta": [], "script": [], "link": []}
        for element in self.tree.iter("meta", "script", "link"):
            found[element.tag].append(element)
        return found


def decode_html(body: bytes, *, encoding: str | None = None, content_type: str | None = None) -> str:
    """Bytes to text: a BOM first, then UTF-8 when the bytes are valid UTF-8, else the encoding the crawler
    decided, else the HTTP header, <meta> or detection."""
    return _decoded(body, encoding=encoding, content_type=content_type)[0]


def _decoded(body: bytes, *, encoding: str | None = None, content_type: str | None = None) -> tuple[str, bool]:
    """``decode_html``'s text, and whether it is ``body`` read as UTF-8 (so ``markup_bytes`` of it is ``body``)."""
    bom, mark = read_bom(body)
    if bom and mark:
        return body[len(mark):].decode(bom, errors="replace"), False
    try:
        # Markup that is valid UTF-8 is UTF-8, whatever a header (charset=utf-16 on a UTF-8 page) or a stale
        # <meta charset> says: multi-byte UTF-8 sequences almost never form by chance in legacy encodings.
        return body.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    if encoding:
        try:
            return body.decode(encoding, errors="replace"), False
        except LookupError:
            logger.warning("unknown encoding %s; detecting instead", encoding)
    header = f"text/html; charset={content_type}" if content_type and "=" not in content_type else content_type
    _, text = html_to_unicode(header, body)
    return text, False


def _xml_clean(utf8: bytes) -> bool:
    """Whether the markup holds none of the characters trafilatura's INVALID_XML_CHARS removes (C0 controls but
    tab, newline and carriage return; U+FFFE, U+FFFF), from its UTF-8: numpy's pass over the bytes costs a
    sixth of re's over the text. A control is one byte of its own in UTF-8, U+FFFE/U+FFFF are EF BF BE/BF."""
    data = np.frombuffer(utf8, dtype=np.uint8)
    if np.any((data < 32) & (data != 9) & (data != 10) & (data != 13)):
        return False
    return not (np.any(data == 0xEF) and (b"\xef\xbf\xbe" in utf8 or b"\xef\xbf\xbf" in utf8))


def _repaired(html: str, beginning: str, utf8: bytes | None) -> str:
    """``repair_faulty_html(html, beginning)``: when the markup holds no invalid XML character, its two other
    repairs only touch the first line (a DOCTYPE) or a self-closing <html/> in the first 4096 characters, so
    when they leave a head past both unchanged they leave the page unchanged (each, once it applies, changes
    the head: it removes a "/"). ``utf8``: the markup's UTF-8, when at hand."""
    if utf8 is None or not _xml_clean(utf8):
        return repair_faulty_html(html, beginning)
    end = html.find("\n") + 4098  # the first line, its newline and 4096 characters more
    if end == 4097 or end >= len(html):  # no newline, or the page is short
        return repair_faulty_html(html, beginning)
    head = html[:end]
    return html if repair_faulty_html(head, beginning) == head else repair_faulty_html(html, beginning)


def parse_html(html: str, url: str = "", *, utf8: bytes | None = None, utf8_valid: bool = False) -> HtmlElement:
    """The page's tree; ExtractionError when the markup is empty or cannot be parsed at all. ``utf8``: the
    markup's UTF-8 (``markup_bytes``), when at hand, for a faster repair step; ``utf8_valid``: it is valid
    UTF-8 (no lone surrogates), so libxml2 can read it as it is."""
    if not html.strip():
        raise ExtractionError(f"empty page: {url}")
    # The steps of trafilatura's load_html, so the article sees the tree plain trafilatura would (HTML comments
    # dropped, faulty markup repaired), but with a parser that keeps deep threads (see _PARSER).
    beginning = html[:50].lower()
    repaired = _repaired(html, beginning, utf8)
    markup: str | bytes = repaired
    if utf8 is not None and utf8_valid and repaired is html and _parses_alike_as_bytes(html):
        markup = utf8  # the same tree without the conversion of a str lxml makes for libxml2
    tree: HtmlElement | None = None
    try:
        tree = lxml.html.fromstring(markup, parser=_PARSER)
    except ValueError:  # a str with an <?xml encoding=...?> declaration: lxml wants bytes
        pass
    except lxml.etree.ParserError as exc:
        raise ExtractionError(f"cannot parse HTML of {url}: {exc}") from None
    if isinstance(markup, str) and (tree is None or len(tree) < 1):
        try:
            tree = lxml.html.fromstring(repaired.encode("utf-8", "surrogatepass"), parser=_PARSER)
        except (lxml.etree.ParserError, ValueError) as exc:
            raise ExtractionError(f"cannot parse HTML of {url}: {exc}") from None
    if any("Excessive depth" in error.message for error in _PARSER.error_log):
        logger.warning("page nested deeper than %d elements, cut there: comments below are lost url=%s",
                       MAX_DEPTH, url)
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        raise ExtractionError(f"not an HTML page: {url}")
    return tree


def _parses_alike_as_bytes(html: str) -> bool:
    """Whether lxml.html.fromstring takes the page's UTF-8 for a whole document exactly when it takes the str
    for one: it looks for <html or <!doctype after leading spaces, Unicode ones in a str, ASCII ones in bytes."""
    spaces = _LEADING_SPACE.match(html)
    return spaces is None or spaces.group().isascii()


def parse_page(
    body: str | bytes, url: str, *, encoding: str | None = None, content_type: str | None = None
) -> ParsedPage:
    """Decode (bytes) and parse a page once; ExtractionError when there is nothing to parse."""
    if isinstance(body, str):
        html, utf8, as_utf8 = body, markup_bytes(body), False
    else:
        html, as_utf8 = _decoded(body, encoding=encoding, content_type=content_type)
        utf8 = body if as_utf8 else markup_bytes(html)
    page = ParsedPage(url=url, html=html, tree=parse_html(html, url, utf8=utf8, utf8_valid=as_utf8))
    page.__dict__["utf8"] = utf8  # the cached property's value: the extractors' marker searches read it
    return page


def as_tree(page: str | bytes | HtmlElement) -> HtmlElement:
    """A tree already in hand as it is; markup parsed (an empty tree when there is none to parse)."""
    if isinstance(page, HtmlElement):
        return page
    html = page if isinstance(page, str) else decode_html(page)
    try:
        return parse_html(html)
    except ExtractionError:
        return lxml.html.document_fromstring("<html><body></body></html>")


def elements(node: HtmlElement, expression: str | lxml.etree.XPath) -> list[HtmlElement]:
    """The elements an XPath finds from ``node``; strings, numbers and comment nodes it finds are left out."""
    found = node.xpath(expression) if isinstance(expression, str) else expression(node)
    return [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []


def _jsonld_nodes(scripts: list[HtmlElement], url: str) -> Iterator[dict[str, Any]]:
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except RecursionError:
            logger.warning("JSON-LD block nested too deep to read, cut: its metadata and comments are lost url=%s", url)
            continue
        except ValueError:
            # CMSes emit raw control characters and trailing commas; one lenient retry is enough
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ").replace("\t", " ")),
                                  strict=False)
            except ValueError:
                logger.debug("unreadable JSON-LD block skipped")
                continue
        yield from _walk(data)


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _walk(graph, depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _walk(main, depth + 1)
