"""sniff_kind: what a fetched body is, from its first bytes."""
from __future__ import annotations

import gzip
import random

import pytest

from monitor.discovery import looks_binary, sniff_kind

CASES = [
    (b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', "", "feed"),
    (b'\xef\xbb\xbf  <?xml version="1.0"?><!-- generator --><feed xmlns="http://www.w3.org/2005/Atom"/>', "", "feed"),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "", "feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", "feed"),
    (b'{"status": "ok"}', "application/json", "other"),
    (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', "", "sitemap"),
    (b'<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><sitemapindex/>', "text/xml", "sitemap"),
    (b"https://example.test/a\nhttps://example.test/b\n", "text/plain", "sitemap"),
    (b"User-agent: *\nDisallow: /private\n", "text/plain", "robots"),
    (b"# robots\n\nSitemap: https://example.test/s.xml\n", "", "robots"),
    (b"<!DOCTYPE html><html><head><title>x</title></head></html>", "", "html"),
    (b'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><html/>', "", "html"),
    (b"<div>fragment</div>", "text/html; charset=utf-8", "html"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", "other"),
    (b"", "text/html", "other"),
    (b'<?xml version="1.0"?><catalog><book/></catalog>', "", "other"),
]


@pytest.mark.parametrize(("body", "content_type", "kind"), CASES)
def test_kind_is_sniffed_from_the_body(body: bytes, content_type: str, kind: str) -> None:
    assert sniff_kind(body, content_type) == kind


def test_a_feed_served_as_text_html_is_still_a_feed() -> None:
    assert sniff_kind(b'<?xml version="1.0"?><rss version="2.0"/>', "text/html") == "feed"


def test_gzip_bodies_are_sniffed_by_their_content() -> None:
    sitemap = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    assert sniff_kind(gzip.compress(sitemap), "application/x-gzip") == "sitemap"
    assert sniff_kind(gzip.compress(b"<rss version='2.0'/>")) == "feed"
    assert sniff_kind(b"\x1f\x8bnot really gzip") == "other"


def test_random_bytes_and_images_look_binary_text_in_any_encoding_does_not() -> None:
    noise = random.Random(7).randbytes(1_000_000)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise[:2000]
    assert looks_binary(noise) and looks_binary(png)
    page = "<html><body><p>Brücke über den Fluss — Київ, ночь</p></body></html>"
    for body in (page.encode("utf-8"), page.encode("cp1251", errors="replace"), page.encode("utf-16"), b""):
        assert not looks_binary(body)
