"""Every sitemap in the shared corpus parsed and compared with its expected entries."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from discovery_corpus import SITEMAPS, dates_match

from monitor.discovery import parse_sitemap, sniff_kind

CASES = sorted(SITEMAPS.glob("*.xml"))


def _expected(path: Path) -> list[dict]:
    """The expected <url> entries, repeats of a loc dropped keeping the first (our contract)."""
    entries = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry["loc"] not in seen:
            seen.add(entry["loc"])
            unique.append(entry)
    return unique


def _mismatches(body: bytes, path: Path) -> list[str]:
    page = parse_sitemap(body, f"https://example.test/{path.name}")
    expected = _expected(path)
    problems = []
    if [link.url for link in page.links] != [entry["loc"] for entry in expected]:
        problems.append("locs differ")
    for link, entry in zip(page.links, expected):
        if link.title != entry["news_title"]:
            problems.append(f"title {link.title!r} != {entry['news_title']!r}")
        if not dates_match(entry["news_publication_date"] or entry["lastmod"], link.published):
            problems.append(f"published {link.published!r} for {entry['loc']}")
        if not dates_match(entry["lastmod"], link.lastmod):
            problems.append(f"lastmod {link.lastmod!r} for {entry['loc']}")
    if page.sitemaps:
        problems.append("a urlset has no child sitemaps")
    return problems


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_sitemap_gives_the_expected_locs_titles_and_dates(path: Path) -> None:
    assert _mismatches(path.read_bytes(), path) == []


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_gzipped_sitemap_gives_the_same_entries(path: Path) -> None:
    body = gzip.compress(path.read_bytes())
    assert sniff_kind(body) == "sitemap"
    assert _mismatches(body, path) == []


def test_messy_sitemap_keeps_padded_locs_rfc822_dates_and_first_duplicates() -> None:
    path = SITEMAPS / "hukumonline-sitemap_news.xml"
    raw_count = path.read_bytes().count(b"<loc>")
    page = parse_sitemap(path.read_bytes(), "http://hukumonline.dev/sitemap_news.xml")
    assert raw_count == 50 and len(page.links) == 47
    first = page.links[0]
    assert first.url == "http://hukumonline.dev/berita/baca/lt50f901630e6d0/ky-diminta-terapkan-sistem-gugur-seleksi-cha"
    assert first.published == "2013-01-18T02:52:48+07:00"


def test_image_loc_inside_a_url_entry_is_not_taken_for_the_page() -> None:
    path = SITEMAPS / "hebdenbridgetimes-articles-sitemap.xml"
    page = parse_sitemap(path.read_bytes(), "http://www.hebdenbridgetimes.co.uk/sitemap.xml")
    assert not any("/webimage/" in link.url for link in page.links)
    assert page.links[0].lastmod == "2015-05-03T18:51:50+01:00"


def test_every_corpus_sitemap_is_sniffed_as_a_sitemap() -> None:
    assert [path.name for path in CASES if sniff_kind(path.read_bytes()) != "sitemap"] == []
