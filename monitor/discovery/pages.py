"""The <a href> links of an HTML page (a section, tag or search page) as absolute URLs."""
from __future__ import annotations

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from monitor.discovery.links import Link, absolute_url, clean_text, dedupe

__all__ = ["page_links"]


def page_links(page: str | HtmlElement, url: str) -> list[Link]:
    """http(s) links of the page (its markup, or its tree parsed already) in page order, each once, titled by
    their anchor text."""
    root = page if isinstance(page, HtmlElement) else _parse(page)
    if root is None:
        return []
    base = url
    for base_href in root.xpath("//base/@href"):
        resolved = absolute_url(str(base_href), url)
        if resolved:
            base = resolved
            break
    links = []
    for anchor in root.iter("a"):
        if not isinstance(anchor, HtmlElement):
            continue
        link = absolute_url(anchor.get("href"), base)
        if link is None:
            continue
        title = clean_text(anchor.text_content()) or clean_text(anchor.get("title"))
        links.append(Link(url=link, title=title))
    return dedupe(links)


def _parse(html: str) -> HtmlElement | None:
    if not html.strip():
        return None
    # Encoded with an explicit parser encoding so that a page keeping its <?xml encoding=...?> still parses.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
