"""Canonical URLs and stable ids: the same article is one document however it is linked."""
from __future__ import annotations

from monitor.urls import article_id, canonicalize_url, comment_id, lookup_forms


def test_tracking_parameters_fragments_and_default_ports_are_dropped() -> None:
    url = "HTTPS://News.Example.org:443/2024/05/01/story/?utm_source=rss&utm_medium=feed&fbclid=x&id=7#comments"
    assert canonicalize_url(url) == "https://news.example.org/2024/05/01/story/?id=7"


def test_remaining_parameters_are_sorted_so_order_does_not_matter() -> None:
    assert canonicalize_url("http://a.example/p?b=2&a=1") == canonicalize_url("http://a.example/p?a=1&b=2")


def test_article_id_is_stable_across_tracking_variants() -> None:
    assert article_id("https://a.example/x?utm_campaign=y") == article_id("https://a.example/x")
    assert article_id("https://a.example/x") != article_id("https://a.example/y")


def test_comment_id_prefers_the_site_id_and_ignores_position() -> None:
    by_site_id = comment_id("a1", native_id="comment-5", author="Ann", text="Hi")
    assert by_site_id == comment_id("a1", native_id="comment-5", author="Ann", text="Hi, edited")
    without = comment_id("a1", native_id=None, author="Ann", text="Same  text")
    assert without == comment_id("a1", native_id=None, author="Ann", text="Same text")
    assert without != comment_id("a1", native_id=None, author="Ann", text="Same text", occurrence=1)
    assert without != comment_id("a2", native_id=None, author="Ann", text="Same text")


def test_lookup_forms_of_a_comment_link_reach_the_article_under_the_urls_sites_redirect_between() -> None:
    forms = lookup_forms("http://News.example/2026/11/ferry/?utm_source=rss#comment-12")
    assert forms[0] == "http://News.example/2026/11/ferry/?utm_source=rss#comment-12"
    assert "http://news.example/2026/11/ferry/" in forms[:3]  # canonical, before any guess
    assert {"http://news.example/2026/11/ferry", "https://news.example/2026/11/ferry/",
            "http://www.news.example/2026/11/ferry/"} <= set(forms)
    assert not [form for form in forms if "#" in form and form != forms[0]]
