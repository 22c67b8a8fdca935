"""Per-source selectors: CSS (with ::text and ::attr(name)) or XPath, compiled once and run on lxml trees."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree
from parsel.csstranslator import css2xpath

from monitor.extract.comments.html import Element, collect_text, is_element

__all__ = ["compile_selector", "is_xpath", "select", "select_first", "select_text"]


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


def select(el: Element, expression: str) -> list[Element | str]:
    """Matches in document order: elements, or strings for ::text / ::attr() / @attr / text() selectors."""
    result = compile_selector(expression)(el)
    if not isinstance(result, list):  # count(), string(), boolean XPath expressions
        return [str(result)] if result not in ("", None) else []
    return [r if is_element(r) else str(r) for r in result]


def select_first(el: Element, expression: str) -> Element | str | None:
    found = select(el, expression)
    return found[0] if found else None


def select_text(el: Element, expression: str) -> str | None:
    """The text of the first match: an element's readable text (paragraphs kept), or the matched string."""
    for found in select(el, expression):
        if isinstance(found, str):
            text = " ".join(found.split())
        else:
            text = collect_text(found, lambda e: e.tag in ("script", "style", "noscript", "template"))
        if text:
            return text
    return None
