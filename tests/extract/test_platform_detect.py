"""Which comment platform an article page embeds, its site id and thread key, from the embed codes platforms publish."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.extract import extract_html
from monitor.extract.comments.platforms import detect_platform
from monitor.extract.page import parse_page
from tests.conftest import run_monitor

URL = "https://news.example/2026/03/barrier-vote/"
# Embed codes as each platform's install guide gives them (trimmed to what detection reads).
EMBEDS = {
    "disqus": ("""<div id="disqus_thread"></div><script>var disqus_config = function () {
        this.page.url = 'https://news.example/2026/03/barrier-vote/'; this.page.identifier = 'post-881'; };
        (function() { var s = document.createElement('script'); s.src = 'https://harbortimes.disqus.com/embed.js';
        (document.head || document.body).appendChild(s); })();</script>""",
               ("disqus", "harbortimes", "post-881", None)),
    "isso": ("""<script data-isso="//comments.news.example/" src="//comments.news.example/js/embed.min.js"></script>
        <section id="isso-thread"></section>""",
             ("isso", None, "/2026/03/barrier-vote/", "https://comments.news.example")),
    "coral": ("""<div id="coral_thread"></div><script>Coral.createStreamEmbed({ id: "coral_thread",
        autoRender: true, rootURL: 'https://coral.news.example', storyID: 'story-42',
        storyURL: 'https://news.example/2026/03/barrier-vote/' });</script>""",
              ("coral", None, "story-42", "https://coral.news.example")),
    "giscus": ("""<script src="https://giscus.app/client.js" data-repo="newsorg/comments" data-repo-id="R_1"
        data-category="Announcements" data-mapping="pathname" crossorigin="anonymous" async></script>""",
               ("giscus", "newsorg/comments", "2026/03/barrier-vote/", None)),
    "utterances": ("""<script src="https://utteranc.es/client.js" repo="newsorg/comments" issue-term="pathname"
        theme="github-light" crossorigin="anonymous" async></script>""",
                   ("utterances", "newsorg/comments", "2026/03/barrier-vote/", None)),
    "discourse": ("""<div id="discourse-comments"></div><script type="text/javascript">
        DiscourseEmbed = { discourseUrl: 'https://forum.news.example/', topicId: 1234 };</script>""",
                  ("discourse", None, "1234", "https://forum.news.example")),
    "remark42": ("""<script>var remark_config = { host: 'https://remark.news.example', site_id: 'harbor',
        components: ['embed'] };</script><div id="remark42"></div>""",
                 ("remark42", "harbor", URL, "https://remark.news.example")),
    "commento": ("""<script defer src="https://cdn.commento.io/js/commento.js"></script><div id="commento"></div>""",
                 ("commento", "news.example", "/2026/03/barrier-vote/", "https://commento.io")),
    "comentario": ("""<script defer src="https://comments.news.example/comentario.js"></script>
        <comentario-comments></comentario-comments>""",
                   ("comentario", None, "/2026/03/barrier-vote/", "https://comments.news.example/api")),
    "hyvor": ("""<script async src="https://talk.hyvor.com/embed/embed.js" type="module"></script>
        <hyvor-talk-comments website-id="7001" page-id="barrier-vote"></hyvor-talk-comments>""",
              ("hyvor", "7001", "barrier-vote", None)),
    "talkyard": ("""<script>talkyardServerUrl='https://site-abc.talkyard.net';</script>
        <div class="talkyard-comments" data-discussion-id="barrier-vote"></div>""",
                 ("talkyard", None, "barrier-vote", "https://site-abc.talkyard.net")),
    "viafoura": ("""<meta name="vf:container_id" content="barrier-vote-881">
        <div class="viafoura"><vf-conversations></vf-conversations></div>""",
                 ("viafoura", "news.example", "barrier-vote-881", None)),
    "vuukle": ("""<div id="vuukle-comments"></div><script>var VUUKLE_CONFIG = { apiKey: "aaaa-bbbb",
        articleId: "881" };</script>""",
               ("vuukle", "aaaa-bbbb", "881", None)),
    "openweb": ("""<script async src="https://launcher.spot.im/spot/sp_AbC123" data-spotim-module="spotim-launcher"
        data-post-url="https://news.example/2026/03/barrier-vote/" data-post-id="881"></script>""",
                ("openweb", "sp_AbC123", "881", None)),
    "wordpress": ("""<link rel="https://api.w.org/" href="https://news.example/wp-json/">
        <link rel="alternate" type="application/json" href="https://news.example/wp-json/wp/v2/posts/881">""",
                  ("wordpress", None, "881", "https://news.example/wp-json")),
    "wpdiscuz": ("""<link rel="https://api.w.org/" href="https://news.example/wp-json/">
        <link rel="shortlink" href="https://news.example/?p=881"><div id="wpdcom" class="wpdiscuz_unauth"></div>""",
                 ("wpdiscuz", None, "881", "https://news.example/wp-json")),
}


def page(embed: str, *, head: str = "") -> str:
    return (f"<html><head><title>Barrier vote</title>{head}</head><body><article><h1>Barrier vote</h1>"
            f"<p>The council voted on the flood barrier.</p></article>{embed}</body></html>")


@pytest.mark.parametrize("name", sorted(EMBEDS))
def test_each_platform_is_told_by_its_embed_code_with_its_site_and_thread(name: str) -> None:
    embed, expected = EMBEDS[name]
    found = detect_platform(parse_page(page(embed), URL))
    assert found is not None
    assert (found.platform, found.site, found.thread, found.api) == expected


def test_a_page_without_a_platform_has_none() -> None:
    plain = page('<div id="comments"><p>No comments yet.</p></div><script>var config = {host: "x"};</script>')
    assert detect_platform(parse_page(plain, URL)) is None


def test_a_forced_platform_is_the_only_one_looked_for() -> None:
    both = page(EMBEDS["disqus"][0] + EMBEDS["isso"][0])
    assert detect_platform(parse_page(both, URL)).platform == "disqus"  # type: ignore[union-attr]
    assert detect_platform(parse_page(both, URL), only="isso").platform == "isso"  # type: ignore[union-attr]
    assert detect_platform(parse_page(both, URL), only="coral") is None


def test_hostile_config_values_are_not_taken_for_ids() -> None:
    hostile = page("""<div id="disqus_thread"></div><script>var disqus_shortname = '<img src=x onerror=alert(1)>';
        this.page.identifier = '""" + "x" * 5000 + "';</script>")
    found = detect_platform(parse_page(hostile, URL))
    assert found is not None and found.platform == "disqus"
    assert (found.site, found.thread) == (None, None)


# Hyvor Talk's embed codes: v3's web component and script (the gist of a v3 install, and hyvor/hyvor-talk-comments
# src/App.tsx: website id, page identifier and url the embed sends), v2's variables and container (hyvor/hyvor-talk-react
# README, deprecated v2 library). With no page id, Hyvor uses the canonical URL, else the page URL without its query
# (the same README, on ``id``).
HYVOR_V2 = """<div id="hyvor-talk-view"></div><script type="text/javascript">
    var HYVOR_TALK_WEBSITE = 7001; var HYVOR_TALK_CONFIG = { url: 'https://news.example/2026/03/barrier-vote/',
    id: 'post-881' };</script>"""


def test_hyvor_v2_variables_give_the_website_and_page_id() -> None:
    found = detect_platform(parse_page(page(HYVOR_V2), URL))
    assert found is not None
    assert (found.platform, found.site, found.thread) == ("hyvor", "7001", "post-881")


def test_hyvor_v2_numeric_page_id_and_false_id() -> None:
    numeric = HYVOR_V2.replace("id: 'post-881'", "id: 881")
    found = detect_platform(parse_page(page(numeric), URL))
    assert found is not None and found.thread == "881"
    none = HYVOR_V2.replace("id: 'post-881'", "id: false")
    found = detect_platform(parse_page(page(none), URL + "?utm_source=x#c"))
    assert found is not None and (found.site, found.thread) == ("7001", URL)


def test_hyvor_without_page_id_uses_the_canonical_url_else_the_url_without_query() -> None:
    embed = """<script async src="https://talk.hyvor.com/embed/embed.js" type="module"></script>
        <hyvor-talk-comments website-id="7001"></hyvor-talk-comments>"""
    found = detect_platform(parse_page(page(embed), URL + "?page=2&utm_source=x"))
    assert found is not None and (found.site, found.thread) == ("7001", URL)
    canonical = '<link rel="canonical" href="/2026/03/barrier-vote-final/">'
    found = detect_platform(parse_page(page(embed, head=canonical), URL + "?page=2"))
    assert found is not None and found.thread == "https://news.example/2026/03/barrier-vote-final/"


def test_hyvor_script_alone_is_detected_and_unrelated_ids_are_not_its_page_id() -> None:
    embed = """<script>var player = { id: 'video-9' };</script>
        <script async src="https://talk.hyvor.com/embed/embed.js" type="module"></script>"""
    found = detect_platform(parse_page(page(embed), URL))
    assert found is not None
    assert (found.platform, found.site, found.thread) == ("hyvor", None, URL)


def test_the_article_records_the_platform_and_the_count_its_page_promises() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Barrier vote", "commentCount": 12}</script>'
    article = extract_html(page(EMBEDS["disqus"][0], head=ld), URL)
    assert (article.comment_platform, article.comment_platform_site, article.comment_thread) == (
        "disqus", "harbortimes", "post-881")
    assert (article.comments_expected, article.comment_count) == (12, 0)
    assert article.comment_platform_status is None  # nothing was fetched: `monitor extract` does not fetch


def test_a_count_from_a_comment_count_element_is_taken_and_an_absurd_one_is_not() -> None:
    shown = extract_html(page('<a class="comment-count" href="#comments">34 comments</a>'), URL)
    assert shown.comments_expected == 34
    absurd = extract_html(page('<span data-comment-count="99999999999">many</span>'), URL)
    assert absurd.comments_expected is None


@pytest.mark.e2e  # runs the real `monitor` command
def test_monitor_extract_json_shows_the_platform_it_found(tmp_path: Path) -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "commentCount": 12}</script>'
    saved = tmp_path / "page.html"
    saved.write_text(page(EMBEDS["remark42"][0], head=ld), encoding="utf-8")
    shown = json.loads(run_monitor("extract", str(saved), "--url", URL, "--json").stdout)["article"]
    assert {k: shown[k] for k in ("comment_platform", "comment_platform_site", "comment_thread", "comments_expected",
                                  "comment_platform_status")} == {
        "comment_platform": "remark42", "comment_platform_site": "harbor", "comment_thread": URL,
        "comments_expected": 12, "comment_platform_status": None}


def test_a_wpdiscuz_page_that_names_its_post_only_in_the_plugin_config_gives_that_thread() -> None:
    # wpDiscuz writes its options as JSON: a quoted name and an unquoted number.
    embed = ('<div id="wpdcom" class="wpdiscuz_unauth"></div><script type="text/javascript">var wpdiscuzAjaxObj = '
             '{"wpdiscuz_options":{"version":"4.0.8","wc_post_id":33,"loadLastCommentId":null}};</script>')
    found = detect_platform(parse_page(page(embed), URL))
    assert found is not None
    assert (found.platform, found.thread) == ("wpdiscuz", "33")
