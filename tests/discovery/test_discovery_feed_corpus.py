"""Every feed in the shared corpus parsed and compared with the reference parsers' expected output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from discovery_corpus import FEEDS, dates_match, find_link, title_matches

from monitor.discovery import Link, parse_feed, sniff_kind

# The URL each feed is parsed as: feed-rs keeps relative links as written, we resolve them against it.
FEED_URL = "https://feeds.example.test/feed.xml"


def _feed_rs_cases() -> list[Path]:
    return sorted(
        path for path in (FEEDS / "feed-rs").glob("*/*")
        if not path.name.endswith(".serde.json") and path.with_name(path.stem + ".serde.json").exists()
    )


def _rss_parser_cases() -> list[Path]:
    return sorted((FEEDS / "rss-parser" / "input").iterdir())


def _load_json(path: Path) -> dict:
    raw = path.read_bytes()
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:  # rss-parser saved its Latin-1 expectation as Latin-1
        return json.loads(raw.decode("latin-1"))


def _feed_rs_expected(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(link, title, date) of each entry that has a link; feed-rs gives the date in UTC."""
    expected = json.loads(path.with_name(path.stem + ".serde.json").read_text(encoding="utf-8"))
    entries = []
    for entry in expected["entries"]:
        links = [link for link in entry["links"] if link.get("rel") in (None, "alternate")] or entry["links"]
        if not links:
            continue
        title = (entry.get("title") or {}).get("content")
        entries.append((links[0]["href"], title, entry.get("published") or entry.get("updated")))
    return entries


def _mismatches(links: list[Link], expected: list[tuple[str, str | None, str | None]]) -> list[str]:
    problems = []
    for want_url, want_title, want_date in expected:
        link = find_link(links, _resolve(want_url))
        if link is None and "/~r/" in want_url:
            # FeedBurner redirect in the reference; we return the entry's feedburner:origLink instead.
            link = next((got for got in links if title_matches(want_title, got.title)), None)
        if link is None:
            problems.append(f"missing {want_url}")
            continue
        if want_title is not None and not title_matches(want_title, link.title):
            problems.append(f"title {link.title!r} != {want_title!r}")
        if not dates_match(want_date, link.published):
            problems.append(f"date {link.published!r} != {want_date!r} ({want_url})")
    return problems


def _resolve(url: str) -> str:
    from urllib.parse import urldefrag, urljoin

    return urldefrag(urljoin(FEED_URL, url.strip())).url


@pytest.mark.parametrize("path", _feed_rs_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_feed_rs_feed_gives_the_expected_links_titles_and_dates(path: Path) -> None:
    expected = _feed_rs_expected(path)
    links = parse_feed(path.read_bytes(), FEED_URL)
    assert _mismatches(links, expected) == []
    assert len(links) >= len({_resolve(url) for url, _, _ in expected})


@pytest.mark.parametrize("path", _rss_parser_cases(), ids=lambda p: p.name)
def test_rss_parser_feed_gives_the_expected_links_titles_and_dates(path: Path) -> None:
    items = _load_json(FEEDS / "rss-parser" / "output" / f"{path.stem}.json")["feed"]["items"]
    expected = [(item["link"], item.get("title"), item.get("isoDate")) for item in items if item.get("link")]
    links = parse_feed(path.read_bytes(), FEED_URL)
    assert _mismatches(links, expected) == []


def test_json_feed_items_become_links_with_offsets_kept() -> None:
    path = FEEDS / "misc" / "npr-technology-jsonfeed.json"
    items = json.loads(path.read_text(encoding="utf-8"))["items"]
    links = parse_feed(path.read_bytes(), "https://feeds.npr.org/1019/feed.json")
    assert [link.url for link in links] == [item["url"] for item in items]
    assert [link.title for link in links] == [item["title"] for item in items]
    assert all(dates_match(item["date_published"], link.published) for item, link in zip(items, links))
    assert links[0].published.endswith("-04:00")


def test_latin1_feed_without_xml_declaration_is_decoded_right() -> None:
    body = (FEEDS / "rss-parser" / "input" / "uolNoticias.rss").read_bytes()
    assert not body.lstrip().startswith(b"<?xml")
    links = parse_feed(body, FEED_URL, content_type="text/xml")
    assert links[0].title == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    # "Seg, 24 Set 2018" is a Portuguese RFC-822 date: parsed, offset kept.
    assert links[0].published == "2018-09-24T19:42:40-03:00"


def test_documents_that_are_not_feeds_give_no_links() -> None:
    for path in sorted((FEEDS / "feed-rs" / "xml").glob("xml_sample_*.xml")):
        assert parse_feed(path.read_bytes(), FEED_URL) == []
        assert sniff_kind(path.read_bytes()) == "other"


def test_a_feed_cut_off_mid_channel_gives_no_links_and_no_error() -> None:
    body = (FEEDS / "feed-rs" / "rss2" / "rss_2.0_invalid_1.xml").read_bytes()
    assert parse_feed(body, FEED_URL) == []


def test_every_corpus_feed_is_sniffed_as_a_feed() -> None:
    paths = _feed_rs_cases() + _rss_parser_cases() + [FEEDS / "misc" / "npr-technology-jsonfeed.json"]
    assert [path.name for path in paths if sniff_kind(path.read_bytes()) != "feed"] == []
