"""JSON-LD comments: links that resolve to the comment on the article page, and one read of the page's JSON-LD."""
from __future__ import annotations

import json
from typing import Any

import pytest

from monitor.extract import extract_html
from monitor.urls import comment_id

URL = "http://news.example/politics/okafor-wins-mayor"


def _page(comments: list[dict[str, object]]) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Okafor wins the mayoral race",
            "datePublished": "2025-03-09T08:00:00-05:00", "comment": comments}
    body = " ".join(["Okafor won the race for mayor by a wide margin on Sunday night."] * 12)
    return (f'<html><head><title>Okafor wins</title><script type="application/ld+json">{json.dumps(data)}</script>'
            f"</head><body><article><h1>Okafor wins the mayoral race</h1><p>{body}</p></article></body></html>")


def _comment(anchor_url: str, author: str, text: str, replies: list[dict[str, object]] = ()) -> dict[str, object]:
    return {"@type": "Comment", "url": anchor_url, "author": {"@type": "Person", "name": author},
            "dateCreated": "2025-03-09T09:00:00-05:00", "text": text, "comment": list(replies)}


def test_a_comment_url_is_the_article_url_with_the_comment_anchor_once() -> None:
    reply = _comment(f"{URL}#cmt-162", "Ngozi", "Congratulations to her team.")
    article = extract_html(_page([_comment(f"{URL}#cmt-161", "Dev", "A fair result.", [reply])]), URL)
    assert [c.url for c in article.comments] == [f"{URL}#cmt-161", f"{URL}#cmt-162"]
    assert article.comments[1].parent_id == article.comments[0].id


def test_comment_ids_given_as_plain_names_stay_the_anchor() -> None:
    article = extract_html(_page([{**_comment("", "Dev", "A fair result."), "url": None, "@id": "c-9"}]), URL)
    assert [c.url for c in article.comments] == [f"{URL}#c-9"]


def test_the_page_json_ld_is_read_once_for_article_and_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    original = json.loads

    def counted(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if "Okafor wins the mayoral race" in str(text):
            reads.append("ld+json")
        return original(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counted)  # every JSON-LD reader of ours calls json.loads
    article = extract_html(_page([_comment(f"{URL}#cmt-161", "Dev", "A fair result.")]), URL)
    assert article.title == "Okafor wins the mayoral race" and len(article.comments) == 1
    assert reads == ["ld+json"]


def test_a_comment_whose_site_id_is_a_url_keeps_the_id_it_was_indexed_under() -> None:
    # Indexes built before the links were fixed hold these ids; a new id would index each comment twice.
    article = extract_html(_page([_comment(f"{URL}#cmt-161", "Dev", "A fair result.")]), URL)
    (comment,) = article.comments
    assert comment.native_id == f"{URL}#cmt-161"
    assert comment.id == comment_id(article.id, native_id=f"{URL}#cmt-161", author="Dev", text="A fair result.",
                                    occurrence=0)


def test_a_comment_url_never_points_at_another_page() -> None:
    article = extract_html(_page([_comment("https://elsewhere.example/page#cmt-7", "Dev", "A fair result.")]), URL)
    assert [c.url for c in article.comments] == [f"{URL}#cmt-7"]
