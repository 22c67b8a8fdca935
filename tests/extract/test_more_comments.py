"""The comment part alone, for payloads fetched after extraction: the same article as one extraction of it all."""
from __future__ import annotations

import dataclasses
import json

import pytest

from monitor.extract import extract_more_comments, extract_page
from monitor.items import CommentPayload, PageItem
from tests.wordpress import comment

ARTICLE = "https://gazette.example/2026/03/barrier-vote/"


def page(comments: str, extra: str = "") -> bytes:
    return ("<html lang='en'><head><title>Barrier vote</title></head><body><article><h1>Barrier vote</h1><p>The "
            "council voted on the flood barrier on Monday after a long debate about its cost and its route.</p>"
            f"</article><div id='comments' class='comments-area'><ol class='comment-list'>{comments}</ol></div>{extra}"
            "</body></html>").encode()


DISQUS = ("<div id='disqus_thread'></div><script>var disqus_shortname = 'gazette'; "
          "var disqus_identifier = 'post-881';</script>")


def disqus_answer(*texts: str) -> bytes:
    posts = [{"id": str(n), "parent": None, "message": f"<p>{t}</p>", "createdAt": "2026-03-02T09:00:00",
              "author": {"name": f"author {n}"}, "likes": 0, "isDeleted": False} for n, t in enumerate(texts, 1)]
    return json.dumps({"code": 0, "cursor": {"hasNext": False}, "response": posts}).encode()


@pytest.mark.parametrize("payloads, status", [
    ([CommentPayload(url=ARTICLE + "comment-page-1/", body=page(comment(1, "First") + comment(2, "Second")),
                     content_type="text/html; charset=utf-8")], None),
    ([CommentPayload(url="https://disqus.com/api/3.0/threads/listPosts.json", body=disqus_answer("Hello", "Hi"),
                     content_type="application/json", platform="disqus")], "read"),
])
def test_the_payloads_comments_read_alone_give_what_one_whole_extraction_gives(
        payloads: list[CommentPayload], status: str | None) -> None:
    first = PageItem(url=ARTICLE, html=page(comment(3, "Third"), DISQUS if status else ""), source="gazette",
                     headers={"Content-Type": "text/html; charset=utf-8"}, fetched_at="2026-03-04T08:00:00+00:00")
    alone = extract_page(first)
    fetched = dataclasses.replace(first, comment_payloads=payloads, platform_status=status)
    whole = extract_page(fetched)
    assert len(whole.comments) == 3
    assert dataclasses.asdict(extract_more_comments(fetched, alone)) == dataclasses.asdict(whole)
    assert [c.text for c in alone.comments] == ["Third"]  # the first extraction's article is left as it was
