"""parse_sitemap: index files, plain-text and gzip sitemaps, hostile and broken XML."""
from __future__ import annotations

import gzip
import logging
import zlib

import pytest

from monitor.discovery import MAX_INFLATED_BYTES, Link, parse_sitemap

SITEMAP_URL = "https://news.example.test/sitemap.xml"


def test_a_sitemap_index_lists_its_child_sitemaps_once() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc> https://news.example.test/sitemap-news.xml </loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>https://news.example.test/sitemap-2024-05.xml.gz</loc></sitemap>
  <sitemap><loc>https://news.example.test/sitemap-news.xml</loc></sitemap>
</sitemapindex>"""
    page = parse_sitemap(body, SITEMAP_URL)
    assert page.sitemaps == [
        "https://news.example.test/sitemap-news.xml",
        "https://news.example.test/sitemap-2024-05.xml.gz",
    ]
    assert page.links == []


def test_a_gzip_compressed_news_sitemap_is_read_by_its_magic_bytes() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example.test/2024/05/01/kyiv-air-defence</loc><lastmod>2024-05-01T12:00:00+03:00</lastmod>
    <news:news><news:publication><news:name>Example</news:name><news:language>uk</news:language></news:publication>
      <news:publication_date>2024-05-01T10:15:00+03:00</news:publication_date>
      <news:title>Київ: ППО збила ракети</news:title></news:news></url>
</urlset>"""
    page = parse_sitemap(gzip.compress(xml.encode("utf-8")), SITEMAP_URL + ".gz")
    assert page.links == [
        Link(
            url="https://news.example.test/2024/05/01/kyiv-air-defence",
            title="Київ: ППО збила ракети",
            published="2024-05-01T10:15:00+03:00",
            lastmod="2024-05-01T12:00:00+03:00",
        )
    ]


def test_published_falls_back_to_lastmod_without_news_markup() -> None:
    body = b"<urlset><url><loc>https://e.test/a</loc><lastmod>2015-05-03T18:51:50+01:00</lastmod></url></urlset>"
    [link] = parse_sitemap(body, SITEMAP_URL).links
    assert link.published == link.lastmod == "2015-05-03T18:51:50+01:00"
    assert link.title is None


def test_plain_text_sitemaps_give_one_link_per_url_line() -> None:
    body = b"https://news.example.test/a\r\n\r\n  https://news.example.test/b  \nnot a url\nhttps://news.example.test/a\n"
    expected = ["https://news.example.test/a", "https://news.example.test/b"]
    assert [link.url for link in parse_sitemap(body, SITEMAP_URL).links] == expected
    assert [link.url for link in parse_sitemap(gzip.compress(body), SITEMAP_URL).links] == expected


def test_entities_are_not_expanded_and_nothing_is_fetched() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lollollollollollollollollollollollollollollollollollollollollollollollollollollol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<urlset><url><loc>https://e.test/&secret;</loc></url><url><loc>https://e.test/&lol2;</loc></url>
<url><loc>https://e.test/safe</loc></url></urlset>"""
    urls = [link.url for link in parse_sitemap(body, SITEMAP_URL).links]
    assert "https://e.test/safe" in urls
    assert not any("root:" in url or "lollol" in url for url in urls)


def test_a_truncated_sitemap_keeps_the_entries_before_the_break() -> None:
    body = b"<urlset><url><loc>https://e.test/1</loc></url><url><loc>https://e.test/2</loc></url><url><loc>https://e"
    assert [link.url for link in parse_sitemap(body, SITEMAP_URL).links] == ["https://e.test/1", "https://e.test/2"]
    complete = body.rpartition(b"<url>")[0]  # cut between entries: the last whole one stays
    assert [link.url for link in parse_sitemap(complete, SITEMAP_URL).links] == ["https://e.test/1", "https://e.test/2"]


def test_a_bare_ampersand_in_one_loc_does_not_lose_the_rest() -> None:
    body = b"<urlset><url><loc>https://e.test/?a=1&b=2</loc></url><url><loc>https://e.test/next</loc></url></urlset>"
    urls = [link.url for link in parse_sitemap(body, SITEMAP_URL).links]
    assert urls[-1] == "https://e.test/next" and len(urls) == 2



def test_a_truncated_gzip_sitemap_keeps_the_entries_before_the_break() -> None:
    entries = b"".join(b"<url><loc>https://e.test/%d</loc></url>" % n for n in range(5_000))
    compressed = gzip.compress(b"<urlset>" + entries + b"</urlset>")
    urls = [link.url for link in parse_sitemap(compressed[: len(compressed) // 2], SITEMAP_URL).links]
    assert 0 < len(urls) < 5_000
    assert urls == [f"https://e.test/{n}" for n in range(len(urls))]


def test_a_large_sitemap_is_read_entry_by_entry() -> None:
    entries = b"".join(b"<url><loc>https://e.test/story-%d</loc></url>" % n for n in range(50_000))
    body = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + entries + b"</urlset>"
    links = parse_sitemap(gzip.compress(body), SITEMAP_URL).links
    assert len(links) == 50_000
    assert links[-1].url == "https://e.test/story-49999"


def test_empty_and_relative_locs_are_skipped_and_relative_ones_resolved() -> None:
    body = b"<urlset><url><loc></loc></url><url><loc>/relative</loc></url><url><lastmod>2024</lastmod></url></urlset>"
    assert [link.url for link in parse_sitemap(body, SITEMAP_URL).links] == ["https://news.example.test/relative"]
    assert parse_sitemap(b"", SITEMAP_URL).links == []


def test_ampersands_are_read_right_across_read_boundaries() -> None:
    entries = b"".join(b"<url><loc>https://e.test/s?id=%d&amp;x=1&y=%d</loc></url>" % (n, n) for n in range(5_000))
    links = parse_sitemap(b"<urlset>" + entries + b"</urlset>", SITEMAP_URL).links
    assert [link.url for link in links] == [f"https://e.test/s?id={n}&x=1&y={n}" for n in range(5_000)]


def _bomb(urls: int, padding: int) -> bytes:
    head = "".join(f"<url><loc>https://news.example.test/a/{n}</loc></url>" for n in range(urls))
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(f'<?xml version="1.0"?><urlset xmlns="{NS}">{head}'.encode())]
    chunk = b" " * (1 << 20)
    parts += [compressor.compress(chunk) for _ in range(padding >> 20)]
    parts.append(compressor.compress(b"</urlset>") + compressor.flush())
    return b"".join(parts)


NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def test_a_gzip_bomb_inflates_only_to_the_cap_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    body = _bomb(3, 64 << 20)
    assert len(body) < 200_000
    with caplog.at_level(logging.WARNING):
        page = parse_sitemap(body, SITEMAP_URL, max_inflated=4 << 20)
    assert page.capped
    assert [link.url for link in page.links] == [f"https://news.example.test/a/{n}" for n in range(3)]
    assert any("inflates past" in r.getMessage() and SITEMAP_URL in r.getMessage() for r in caplog.records)
    assert MAX_INFLATED_BYTES == 50 * 1024 * 1024


def test_a_gzip_sitemap_below_the_cap_is_read_whole() -> None:
    page = parse_sitemap(_bomb(2, 1 << 20), SITEMAP_URL, max_inflated=4 << 20)
    assert not page.capped and len(page.links) == 2
