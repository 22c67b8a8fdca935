"""Saved searches and feed tokens in the state store, and Atom feeds of hostile text, without a server."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from monitor.errors import ConfigError, MonitorError
from monitor.web.feeds import ATOM, atom
from monitor.web.saved import SavedSearches


def test_a_saved_search_keeps_its_filters_and_a_name_is_taken_once(state_url: Path | str) -> None:
    store = SavedSearches(state_url)
    store.add("ferries", {"q": "ferry", "source": ["a", "b"], "since": "7d", "type": None, "bogus": 1}, origin="web")
    assert [(s.name, s.params, s.origin) for s in SavedSearches(state_url).list()] == [
        ("ferries", {"q": "ferry", "source": ["a", "b"], "since": "7d"}, "web")]
    with pytest.raises(MonitorError, match="exists"):
        store.add("ferries", {"q": "x"}, origin="api")
    with pytest.raises(ConfigError, match="letters, digits"):
        store.add("../etc", {"q": "x"}, origin="api")
    assert store.remove("ferries") and not store.remove("ferries") and store.list() == []


def test_each_feed_has_its_own_lasting_token_that_opens_only_that_feed(state_url: Path | str) -> None:
    store = SavedSearches(state_url)
    token = store.feed_token("alert", "ferry")
    assert store.feed_token("alert", "ferry") == token and len(token) >= 24
    assert store.feed_token("search", "ferry") != token
    assert store.token_ok("alert", "ferry", token)
    assert not store.token_ok("search", "ferry", token) and not store.token_ok("alert", "other", token)
    assert not store.token_ok("alert", "ferry", "") and not store.token_ok("alert", "ferry", token + "x")
    store.forget_feed("alert", "ferry")
    assert not store.token_ok("alert", "ferry", token) and store.feed_token("alert", "ferry") != token


def test_a_feed_of_hostile_text_is_well_formed_and_links_only_http() -> None:
    hits = [{"type": "comment", "id": "c1", "author": "Mallory <b>\x07</b>", "article_title": "T & <i>",
             "published": "2026-11-24T09:30:00+02:00", "url": "javascript:alert(1)", "snippet": "a «bridge» ]]>",
             "source": "lab"},
            {"type": "article", "id": "a1", "title": None, "url": "https://news.example.org/a", "text": "body",
             "first_seen": "2026-11-25T00:00:00Z", "source": "lab"}]
    feed = ElementTree.fromstring(atom(title="Alert <x>", feed_id="monitor:alert:x", self_url="http://h/f",
                                       page_url="http://h/alerts/x", hits=hits))
    entries = feed.findall(f"{{{ATOM}}}entry")
    assert len(entries) == 2
    assert entries[0].findtext(f"{{{ATOM}}}title") == "Mallory <b></b> on “T & <i>”"
    assert entries[0].findtext(f"{{{ATOM}}}summary") == "a bridge ]]>"
    assert entries[0].findtext(f"{{{ATOM}}}updated") == "2026-11-24T07:30:00Z"
    assert entries[0].find(f"{{{ATOM}}}link") is None  # javascript: is not a link
    assert entries[1].find(f"{{{ATOM}}}link").get("href") == "https://news.example.org/a"  # type: ignore[union-attr]
    assert feed.findtext(f"{{{ATOM}}}updated") == "2026-11-25T00:00:00Z"
