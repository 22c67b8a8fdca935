"""The Sitemap: lines of a robots.txt."""
from __future__ import annotations

from monitor.discovery.links import absolute_url

__all__ = ["robots_sitemaps"]


def robots_sitemaps(body: bytes) -> list[str]:
    """Sitemap URLs a robots.txt declares, in file order, each once; relative or non-http(s) ones dropped."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    found: list[str] = []
    for line in text.splitlines():
        field, sep, value = line.partition(":")
        if not sep or field.strip().lower() != "sitemap":
            continue
        # A comment runs from "#" to the end of the line; a URL's own fragment would be dropped anyway.
        url = absolute_url(value.split("#", 1)[0])
        if url is not None and url not in found:
            found.append(url)
    return found
