"""Per-source selectors (CSS or XPath) for comments and article fields, and their config."""
from __future__ import annotations

import os

import pytest

from monitor.config import config_from_dict, fill_template
from monitor.errors import ConfigError
from monitor.extract import extract_html
from monitor.extract.options import ExtractionOptions
from monitor.extract.selectors import is_xpath, select_text

URL = "https://gazette.example/story/42"
PAGE = """<html><head><title>Gazette</title></head><body>
<div class="story"><h1 class="headline">Harbour lights return</h1>
<p class="byline">By <a href="/people/1">Desk One</a> and <a href="/people/2">Desk Two</a></p>
<time class="published" datetime="2025-03-21T18:00:00+01:00">yesterday</time>
<div class="story-body"><p>The lantern festival is back on the quay.</p><p>It runs for three nights.</p></div></div>
<section id="reader-comments">
<div class="rc-item" data-id="301" data-reply-of=""><span class="rc-name">Quinn</span>
<span class="rc-date">March 21, 2025 at 6:20 pm</span><div class="rc-body"><p>Lovely last year.</p></div>
<a class="rc-answer" href="#">Answer</a> <span class="rc-votes">5</span></div>
<div class="rc-item" data-id="302" data-reply-of="301"><span class="rc-name">Rosa</span>
<span class="rc-date">March 21, 2025 at 6:40 pm</span><div class="rc-body"><p>Brighter now.</p></div></div>
<div class="rc-item" data-id="303" data-reply-of="302"><span class="rc-name">Sami</span>
<span class="rc-date">March 21, 2025 at 7:00 pm</span><div class="rc-body"><p>Who pays?</p></div></div>
</section></body></html>"""
COMMENTS = {"container": "#reader-comments", "item": ".rc-item", "author": ".rc-name", "date": ".rc-date",
            "text": ".rc-body", "id": "::attr(data-id)", "parent": "::attr(data-reply-of)", "likes": ".rc-votes"}


def test_xpath_is_told_from_css_by_its_first_characters() -> None:
    assert is_xpath("//div") and is_xpath("(//a)[1]") and is_xpath("./span")
    assert not is_xpath("div.story > p") and not is_xpath("::attr(data-id)")


def test_comment_selectors_give_the_thread_the_generic_extractors_miss() -> None:
    generic = extract_html(PAGE, URL)
    assert [c.depth for c in generic.comments] != [1, 2, 3]
    article = extract_html(PAGE, URL, options={"selectors": {"comments": COMMENTS}})
    comments = article.comments
    assert [(c.author, c.text, c.depth) for c in comments] == [
        ("Quinn", "Lovely last year.", 1), ("Rosa", "Brighter now.", 2), ("Sami", "Who pays?", 3)]
    assert comments[2].parent_id == comments[1].id
    assert comments[0].native_id == "301" and comments[0].likes == 5
    assert comments[0].published == "2025-03-21T18:20:00"


def test_xpath_comment_selectors_work_the_same() -> None:
    xpaths = {"item": "//section[@id='reader-comments']/div", "author": "./span[@class='rc-name']",
              "text": ".//div[@class='rc-body']", "id": "./@data-id", "parent": "./@data-reply-of"}
    comments = extract_html(PAGE, URL, options={"selectors": {"comments": xpaths}}).comments
    assert [c.depth for c in comments] == [1, 2, 3]


def test_comment_selectors_that_match_nothing_leave_the_generic_extractors_alone() -> None:
    page = """<html><body><p>An article about the quay and its lanterns.</p><div id="comments">
<div class="comment" id="comment-11"><span class="comment-author">Ann</span>
<div class="comment-content"><p>Nice.</p></div></div></div></body></html>"""
    article = extract_html(page, URL, options={"selectors": {"comments": COMMENTS}})
    assert [c.author for c in article.comments] == ["Ann"]


def test_article_selectors_win_for_their_fields() -> None:
    selectors = {"title": "h1.headline", "body": "div.story-body", "author": ".byline a",
                 "date": "time.published::attr(datetime)"}
    article = extract_html(PAGE, URL, options={"selectors": {"article": selectors}})
    assert article.title == "Harbour lights return"
    assert article.text == "The lantern festival is back on the quay.\nIt runs for three nights."
    assert article.authors == ["Desk One", "Desk Two"]
    assert article.published == "2025-03-21T18:00:00+01:00"


def test_select_text_of_attributes_and_elements() -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(PAGE)
    assert select_text(tree, "time.published::attr(datetime)") == "2025-03-21T18:00:00+01:00"
    assert select_text(tree, "//h1/text()") == "Harbour lights return"
    assert select_text(tree, ".nothing") is None


def source(**extra: object) -> dict[str, object]:
    return {"name": "x", "feeds": ["https://x.example/feed"], **extra}


API = {"url": "https://x.example/api?thread={thread_id}&page={page}&key={env:X_TEST_API_KEY}",
       "values": {"thread_id": {"regex": r'data-thread-id="(\d+)"'}}, "items": "response.comments",
       "fields": {"author": "author.name", "text": "raw_message"}, "headers": {"Authorization": "Bearer {env:X_TEST_TOKEN}"}}


def test_config_accepts_comments_api_and_selectors_and_keeps_secrets_out_of_extraction_options() -> None:
    config = config_from_dict({"sources": [source(comments_api=API, selectors={"comments": COMMENTS})]})
    options = config.sources[0].extraction_options()
    assert options["selectors"]["comments"]["item"] == ".rc-item"
    assert options["comments_api"]["fields"]["author"] == "author.name"
    assert "url" not in options["comments_api"] and "headers" not in options["comments_api"]


def test_a_missing_environment_variable_names_the_source_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_TEST_API_KEY", raising=False)
    monkeypatch.setenv("X_TEST_TOKEN", "t0ken")
    config = config_from_dict({"sources": [source(comments_api=API)]})
    with pytest.raises(ConfigError, match=r"source 'x'.*X_TEST_API_KEY"):
        config.source("x")
    monkeypatch.setenv("X_TEST_API_KEY", "s3cret/+")
    secrets = config.source("x").secrets()
    filled = fill_template(API["url"], {"thread_id": "7", "page": "2", **secrets})
    assert filled == "https://x.example/api?thread=7&page=2&key=s3cret%2F%2B"
    assert os.environ["X_TEST_API_KEY"] not in repr(config)


@pytest.mark.parametrize(("bad", "message"), [
    ({"comments_api": {**API, "url": "https://x.example/api?t={thread}"}}, "placeholder {thread}"),
    ({"comments_api": {**API, "values": {"thread_id": {"regex": "(", "css": "a"}}}}, "exactly one"),
    ({"selectors": {"comments": {"item": "div[", "text": "p"}}}, "not a valid CSS or XPath"),
    ({"selectors": {"comments": {"text": "p"}}}, "item is required"),
    ({"selectors": {"article": {"headline": "h1"}}}, "unknown key"),
])
def test_bad_extraction_config_is_a_clear_error(bad: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace("[", r"\[")):
        config_from_dict({"sources": [source(**bad)]})


def test_extraction_options_with_an_unknown_key_say_which() -> None:
    with pytest.raises(ConfigError, match=r"selectors\.comments\.itme"):
        ExtractionOptions.of({"selectors": {"comments": {"itme": ".c"}}})
    options = ExtractionOptions.of(config_from_dict({"sources": [source(selectors={"comments": COMMENTS})]})
                                   .sources[0].extraction_options())
    assert options.comments.given() == COMMENTS
