"""What the spider's callbacks ask of a response: its type, whether it is an HTML page, its parsed tree."""
from __future__ import annotations

import scrapy
from lxml.html import HtmlElement
from scrapy.http import Response, TextResponse

from monitor.discovery import looks_binary

__all__ = ["HTML_TYPES", "content_type", "is_html", "parsed", "request_of"]

HTML_TYPES = ("text/html", "application/xhtml+xml")


def parsed(response: TextResponse) -> HtmlElement | str:
    """The lxml tree Scrapy parsed the page into (``response.selector``, parsed once and kept), else its text."""
    root = response.selector.root
    return root if isinstance(root, HtmlElement) else response.text


def request_of(response: Response) -> scrapy.Request:
    assert response.request is not None  # a response the engine hands to a callback has its request
    return response.request


def content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def is_html(response: Response) -> bool:
    if looks_binary(response.body):
        return False
    kind = content_type(response).lower()
    if kind:
        return any(t in kind for t in HTML_TYPES) and isinstance(response, TextResponse)
    return isinstance(response, TextResponse) and b"<html" in response.body[:2048].lower()
