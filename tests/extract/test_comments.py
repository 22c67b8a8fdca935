"""Comment threads from small made-up pages, one per kind of markup."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from monitor.extract.comments import RawComment, extract_comments

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "comments"
FETCHED = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


def comments_of(name: str, **kwargs: object) -> list[RawComment]:
    tree = lxml.html.document_fromstring((PAGES / name).read_bytes())
    return extract_comments(tree, "https://post.example/article", **kwargs)  # type: ignore[arg-type]


def test_wordpress_thread_keeps_replies_under_their_parent() -> None:
    comments = comments_of("wordpress_threaded.html")
    assert [c.key for c in comments] == ["comment-101", "comment-102", "comment-103"]
    assert [c.parent_key for c in comments] == [None, "comment-101", None]
    assert [c.depth for c in comments] == [1, 2, 1]


def test_wordpress_fields_without_buttons_or_header() -> None:
    first, reply, _ = comments_of("wordpress_threaded.html")
    assert first.author == "Ann Walker"
    assert first.published == "2012-10-29T13:24:00+02:00"
    assert first.text == "Finally! I walked across it this morning.\nThe view of the river is lovely."
    assert reply.text == "Was it crowded? I want to go at the weekend."
    for word in ("Reply", "Report", "Edit", "says", "likes", "October"):
        assert word not in first.text + reply.text
    assert reply.likes == 12


def test_author_keeps_initials() -> None:
    assert comments_of("wordpress_threaded.html")[2].author == "Carla M."


def test_schema_org_microdata_nested_comments() -> None:
    comments = comments_of("microdata.html")
    assert [(c.author, c.published) for c in comments] == [
        ("Petra Schulz", "2023-03-02T09:15:00+01:00"),
        ("Jörg", "2023-03-02T10:40:00"),
    ]
    assert comments[1].parent_key == comments[0].key
    assert comments[0].text == "Endlich wird die Schule saniert."
    assert comments[1].likes == 4


def test_json_ld_comment_tree() -> None:
    comments = comments_of("jsonld.html")
    assert [(c.key, c.parent_key, c.author) for c in comments] == [
        ("c1", None, "lockpick"),
        ("c2", "c1", "rider42"),
        ("c3", None, "skeptic"),
    ]
    assert comments[0].published == "2024-05-01T18:30:00+00:00"
    assert comments[2].published == "2024-05-02"
    assert comments[0].likes == 7


def test_drupal_indented_replies_follow_their_parent() -> None:
    comments = comments_of("drupal_indented.html")
    assert [(c.key, c.parent_key) for c in comments] == [
        ("comment-11", None),
        ("comment-12", "comment-11"),
        ("comment-13", None),
    ]
    assert [c.author for c in comments] == ["Heike", "Tom", "Ilse"]
    assert comments[1].published == "2023-10-24T08:10:00"
    assert "Antworten" not in " ".join(c.text for c in comments)


def test_page_without_comments_yields_none() -> None:
    assert comments_of("no_comments.html") == []


def test_relative_dates_resolved_against_fetch_time() -> None:
    comments = comments_of("relative_dates.html", fetched_at=FETCHED)
    assert [c.published for c in comments] == [
        "2024-05-03T10:00:00+00:00",  # vor 2 Stunden
        "2024-05-02T10:15:00+00:00",  # вчора о 10:15
        "2024-05-03T09:00:00+00:00",  # 3 часа назад
    ]
    assert [c.author for c in comments] == ["Luna", "Marek", "Oleg"]
    assert comments[0].text == "Endlich! Ich habe so lange gewartet."
    assert comments[0].likes == 3


def test_relative_dates_stay_unknown_without_fetch_time() -> None:
    assert all(c.published is None for c in comments_of("relative_dates.html")[::2])


def test_keys_are_unique_and_parents_point_backwards() -> None:
    for name in ("wordpress_threaded.html", "microdata.html", "jsonld.html", "drupal_indented.html"):
        comments = comments_of(name)
        keys = [c.key for c in comments]
        assert len(set(keys)) == len(keys)
        for i, c in enumerate(comments):
            assert c.parent_key is None or c.parent_key in keys[:i]


def test_blogger_classic_markup() -> None:
    html = """<html><body><div class='comments' id='comments'><dl id='comments-block'>
    <dt class='comment-author' id='c111'><a name='c111'></a><a href='/p/1'>Mia</a> said...</dt>
    <dd class='comment-body'><p>Lovely colours!</p></dd>
    <dd class='comment-footer'><span class='comment-timestamp'><a href='#c111'>September 10, 2012 4:45 AM</a></span></dd>
    </dl></div></body></html>"""
    (comment,) = extract_comments(lxml.html.document_fromstring(html), "https://b.example/p")
    assert (comment.key, comment.author, comment.published, comment.text) == (
        "c111", "Mia", "2012-09-10T04:45:00", "Lovely colours!"
    )
