"""Per-source selectors: CSS (with ::text and ::attr(name)) or XPath, compiled once and run on lxml trees."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement
from parsel.csstranslator import css2xpath

from monitor.extract.comments.html import collect_text

__all__ = ["compile_selector", "is_xpath", "select", "select_first", "select_text", "skip_code"]


def is_xpath(expression: str) -> bool:
    """An expression starting with "/", "(" or "./" is XPath; anything else is CSS."""
    return expression.lstrip().startswith(("/", "(", "./"))


@lru_cache(maxsize=512)
def compile_selector(expression: str) -> etree.XPath:
    """The expression as a compiled XPath relative to the element it runs on; ValueError when it is neither."""
    expression = expression.strip()
    try:
        xpath = expression if is_xpath(expression) else css2xpath(expression)
        return etree.XPath(xpath)
    except Exception as exc:  # cssselect and lxml raise several unrelated types for a bad expression
        raise ValueError(str(exc) or type(exc).__name__) from None


def skip_code(el: HtmlElement) -> bool:
    """Elements whose text is code or markup, not what a reader sees."""
    return el.tag in ("script", "style", "noscript", "template")


def select(el: HtmlElement, expression: str) -> list[HtmlElement | str]:
    """Matches in document order: elements, or strings for ::text / ::attr() / @attr / text() selectors."""
    result = compile_selector(expression)(el)
    if not isinstance(result, list):  # count(), string(), boolean XPath expressions
        return [str(result)] if result not in ("", None) else []
    return [r if isinstance(r, HtmlElement) else str(r) for r in result]


def select_first(el: HtmlElement, expression: str) -> HtmlElement | str | None:
    found = select(el, expression)
    return found[0] if found else None


def select_text(el: HtmlElement, expression: str) -> str | None:
    """The text of the first match: an element's readable text (paragraphs kept), or the matched string."""
    for found in select(el, expression):
        if isinstance(found, str):
            text = " ".join(found.split())
        else:
            text = collect_text(found, skip_code)
        if text:
            return text
    return None
