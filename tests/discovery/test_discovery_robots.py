"""robots_sitemaps: the Sitemap: lines of a robots.txt."""
from __future__ import annotations

from monitor.discovery import robots_sitemaps


def test_sitemap_lines_are_found_in_any_case_in_order_and_once() -> None:
    body = b"""\xef\xbb\xbfUser-agent: *
Disallow: /search
# Sitemap: https://news.example.test/commented-out.xml
Sitemap: https://news.example.test/sitemap-news.xml
SITEMAP:https://news.example.test/sitemap-index.xml.gz   # the full archive
User-agent: GPTBot
Disallow: /
sitemap: https://news.example.test/sitemap-news.xml
Sitemap: /relative-is-invalid.xml
Sitemap:
"""
    assert robots_sitemaps(body) == [
        "https://news.example.test/sitemap-news.xml",
        "https://news.example.test/sitemap-index.xml.gz",
    ]


def test_crlf_and_undecodable_bytes_do_not_hide_sitemaps() -> None:
    body = b"User-agent: *\r\nDisallow: /caf\xe9\r\nSitemap: https://example.test/s.xml\r\n"
    assert robots_sitemaps(body) == ["https://example.test/s.xml"]


def test_a_robots_txt_without_sitemaps_gives_none() -> None:
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n") == []
    assert robots_sitemaps(b"") == []
