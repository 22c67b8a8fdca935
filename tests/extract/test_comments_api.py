"""Comments from a JSON endpoint: values for its URL from the page, JSON paths, paging, merging with the page's."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from monitor.extract import extract_html
from monitor.extract.comments.api import (
    ApiPage,
    api_page,
    json_path,
    page_values,
    parse_api_comments,
)
from monitor.items import CommentPayload

OPTIONS = {
    "items": "response.comments",
    "fields": {"id": "id", "parent": "parent", "author": "author.name", "date": "createdAt",
               "text": "raw_message", "likes": "likes"},
    "next": "cursor.next",
    "html_text": True,
}
ARTICLE = "https://news.example/2024/05/toll-vote"
PAGE = """<html><head><title>Toll vote</title><meta name="thread" content="t-77"></head><body>
<article><h1>Toll vote</h1><p>The council votes on the bridge toll on Thursday.</p></article>
<div id="app" data-thread-id="4711"></div>
<div id="comments"><div class="comment" id="comment-1"><span class="comment-author">Jonas</span>
<div class="comment-content"><p>The toll should go to ferry subsidies.</p></div></div>
<div class="comment" id="comment-9"><span class="comment-author">Old Timer</span>
<div class="comment-content"><p>Only on the page.</p></div></div></div></body></html>"""


def answer(comments: list[dict[str, object]], following: str | None = None) -> bytes:
    return json.dumps({"response": {"comments": comments}, "cursor": {"next": following}}).encode()


def comment(cid: int, parent: int | None, name: str, text: str, **extra: object) -> dict[str, object]:
    return {"id": cid, "parent": parent, "author": {"name": name}, "createdAt": "2024-05-03T10:00:00Z",
            "raw_message": text, **extra}


def test_json_paths_walk_objects_and_lists() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert json_path(data, "a.b.1.c") == 2
    assert json_path(data, "a.x.c") is None
    assert json_path(data, "") is data


def test_values_come_from_regex_css_or_xpath_and_none_when_one_is_missing() -> None:
    rules = {"thread_id": {"regex": r'data-thread-id="(\d+)"'},
             "key": {"css": "meta[name=thread]::attr(content)"},
             "title": {"xpath": "//h1/text()"}}
    assert page_values(PAGE, rules) == {"thread_id": "4711", "key": "t-77", "title": "Toll vote"}
    assert page_values(PAGE, {"x": {"regex": r'data-missing="(\d+)"'}}) is None


def test_answer_fields_html_text_dates_likes_and_parents() -> None:
    body = answer([comment(1, None, "Jonas", "<p>Ferry <b>first</b>.</p><p>Then roads.</p>", likes=3),
                   comment(2, 1, "Kira", "<p>Agreed &amp; soon.<script>x()</script></p>", likes=0)])
    first, reply = parse_api_comments(body, OPTIONS, fetched_at=datetime(2024, 5, 4, tzinfo=UTC))
    assert (first.key, first.parent_key, first.author) == ("1", None, "Jonas")
    assert first.text == "Ferry first.\nThen roads."
    assert first.published == "2024-05-03T10:00:00+00:00"
    assert first.likes == 3
    assert (reply.parent_key, reply.text, reply.likes) == ("1", "Agreed & soon.", 0)


def test_plain_text_field_epoch_dates_and_a_top_level_parent_of_zero() -> None:
    options = {"items": "", "fields": {"id": "pk", "parent": "reply_to", "author": "user", "date": "ts", "text": "body"}}
    body = json.dumps([{"pk": "a1", "reply_to": 0, "user": "Liam", "ts": 1714730400, "body": "  Tolls   never fall. "}])
    (only,) = parse_api_comments(body.encode(), options)
    assert (only.key, only.parent_key, only.text) == ("a1", None, "Tolls never fall.")
    assert only.published == "2024-05-03T10:00:00+00:00"


def test_paging_information_of_an_answer() -> None:
    assert api_page(answer([comment(1, None, "A", "x")], "c3"), OPTIONS) == ApiPage(count=1, next="c3")
    assert api_page(answer([], None), OPTIONS).count == 0
    assert api_page(b"not json", OPTIONS).next is None


def test_api_comments_win_over_the_pages_copies_and_pages_merge_in_order() -> None:
    payloads = [
        CommentPayload("https://api.example/c?page=1", answer([comment(1, None, "Jonas", "<p>From the API.</p>")]),
                       "application/json"),
        CommentPayload("https://api.example/c?page=2", answer([comment(2, 1, "Kira", "<p>Second page reply.</p>")]),
                       "application/json"),
    ]
    article = extract_html(PAGE, ARTICLE, payloads=payloads, options={"comments_api": OPTIONS})
    assert [(c.author, c.text) for c in article.comments] == [
        ("Jonas", "From the API."), ("Kira", "Second page reply."), ("Old Timer", "Only on the page.")]
    assert article.comments[1].parent_id == article.comments[0].id
    assert article.comments[1].depth == 2


def test_newest_first_answers_still_put_replies_after_their_parents() -> None:
    payloads = [CommentPayload("https://api.example/c", answer([comment(2, 1, "Kira", "Reply"),
                                                                 comment(1, None, "Jonas", "Root")]),
                               "application/json")]
    options = {"comments_api": {**OPTIONS, "html_text": False}}
    article = extract_html("<html><body><p>Text of the article.</p></body></html>", ARTICLE, payloads=payloads,
                           options=options)
    assert [c.text for c in article.comments] == ["Root", "Reply"]
    assert article.comments[1].parent_id == article.comments[0].id


def test_without_api_options_json_payloads_are_ignored() -> None:
    payloads = [CommentPayload("https://api.example/c", answer([comment(5, None, "Z", "zzz")]), "application/json")]
    article = extract_html(PAGE, ARTICLE, payloads=payloads)
    assert "zzz" not in [c.text for c in article.comments]
