"""Article URL discovery: pure functions from feeds, sitemaps, robots.txt and section pages to links."""
from __future__ import annotations

from monitor.discovery.articles import looks_like_article
from monitor.discovery.feeds import parse_feed
from monitor.discovery.links import Link
from monitor.discovery.pages import page_links
from monitor.discovery.robots import robots_sitemaps
from monitor.discovery.sitemaps import MAX_INDEX_DEPTH, MAX_INFLATED_BYTES, SitemapPage, parse_sitemap
from monitor.discovery.sniff import Kind, looks_binary, sniff_kind

__all__ = [
    "MAX_INDEX_DEPTH",
    "MAX_INFLATED_BYTES",
    "Kind",
    "Link",
    "SitemapPage",
    "looks_binary",
    "looks_like_article",
    "page_links",
    "parse_feed",
    "parse_sitemap",
    "robots_sitemaps",
    "sniff_kind",
]
