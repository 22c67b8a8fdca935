"""The generic record finder on small made-up pages: markup no per-CMS extractor knows, read from its structure."""
from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.comments import RawComment, extract_comments
from monitor.extract.comments.evidence import in_article_year, lacks_year, signs
from monitor.extract.comments.ownership import Ownership
from monitor.extract.comments.records import _footers
from tests.conftest import run_monitor

ARTICLE = "<h1>Bridge opens</h1><p>" + "The new bridge across the river opened on Monday morning. " * 6 + "</p>"


def comments_of(body: str, **kwargs: object) -> list[RawComment]:
    tree = lxml.html.document_fromstring(f"<html><body><div id='post'>{ARTICLE}</div>{body}</body></html>")
    return extract_comments(tree, "https://post.example/article", **kwargs)  # type: ignore[arg-type]


def sibling_pairs(names: list[tuple[str, str, str]], reply: str = "") -> str:
    """A dl of dt (author, date) + dd (text) pairs, the first one answered inside its dd."""
    rows = []
    for i, (name, day, text) in enumerate(names):
        nested = f"<dl class='children'>{reply}</dl>" if i == 0 and reply else ""
        rows.append(f"<dt class='entry' id='c-{i + 10}'><span class='who'>{name}</span> <span>{day}</span></dt>"
                    f"<dd class='entry'><div class='words'><p>{text}</p></div>{nested}</dd>")
    return f"<div id='discussion'><dl>{''.join(rows)}</dl></div>"


READERS = [
    ("Ann Walker", "May 3, 2024 at 9:15 am", "Finally open, I walked across it this morning and loved it."),
    ("Bob Stone", "May 3, 2024 at 10:02 am", "The traffic on the old road should get much better now."),
    ("Carla Diaz", "May 4, 2024 at 8:40 pm", "Does anyone know whether bicycles are allowed on the deck?"),
]


def test_dt_dd_pairs_give_author_and_date_from_the_dt_and_text_from_the_dd() -> None:
    comments = comments_of(sibling_pairs(READERS))
    assert [(c.author, c.published) for c in comments] == [
        ("Ann Walker", "2024-05-03T09:15:00"), ("Bob Stone", "2024-05-03T10:02:00"), ("Carla Diaz", "2024-05-04T20:40:00")]
    assert comments[1].text == READERS[1][2]


def test_a_reply_nested_in_its_parents_dd_is_linked_to_it() -> None:
    reply = ("<dt class='entry' id='c-99'><span class='who'>Dan Lee</span> <span>May 3, 2024 at 11:00 am</span></dt>"
             "<dd class='entry'><div class='words'><p>Yes, there is a lane for them on the east side.</p></div></dd>")
    comments = comments_of(sibling_pairs(READERS, reply))
    by_author = {c.author: c for c in comments}
    assert by_author["Dan Lee"].parent_key == by_author["Ann Walker"].key
    assert "east side" not in by_author["Ann Walker"].text


def test_posted_by_line_after_the_paragraphs_gives_the_author_of_a_flat_comment() -> None:
    runs = "".join(
        f"<a id='c{100 + i}'></a><p>{text}</p><p>Second thought number {i} on this.</p>"
        f"<p class='byline-x'>Posted by: <a href='/u/{i}'>{name}</a> | {day}</p>"
        for i, (name, day, text) in enumerate(READERS)
    )
    comments = comments_of(f"<div class='content'><h2>Comments</h2>{runs}<h2>Post a comment</h2></div>")
    assert [c.author for c in comments] == ["Ann Walker", "Bob Stone", "Carla Diaz"]
    assert comments[0].published == "2024-05-03T09:15:00"
    assert comments[0].text == f"{READERS[0][2]}\nSecond thought number 0 on this."
    assert comments[0].key == "c100"


def test_a_date_without_year_takes_the_articles_year() -> None:
    rows = "".join(
        f"<li class='note' id='n{i}'><span>by <a href='/~{name}'>{name}</a></span>"
        f"<span class='when'>on Tuesday July {24 + i}, @11:3{i}AM</span><div><p>{text}</p></div></li>"
        for i, (name, _, text) in enumerate(READERS)
    )
    comments = comments_of(f"<ul class='comment-list'>{rows}</ul>", article_published="2012-07-22")
    assert [c.published for c in comments] == ["2012-07-24T11:30:00", "2012-07-25T11:31:00", "2012-07-26T11:32:00"]
    assert [c.author for c in comments] == ["Ann Walker", "Bob Stone", "Carla Diaz"]


def test_a_year_less_date_before_the_article_falls_in_the_next_year() -> None:
    assert lacks_year("January 2, 10:15 PM") and not lacks_year("January 2, 2013") and not lacks_year("2 days ago")
    assert in_article_year("January 2, 10:15 PM", "2012-12-30T08:00:00", None) == "2013-01-02T22:15:00"
    assert in_article_year("December 31", "2012-12-30", None) == "2012-12-31"


def test_a_comment_list_carried_twice_gives_each_comment_once() -> None:
    once = sibling_pairs(READERS)
    comments = comments_of(f"<div class='tab'>{once}</div><div class='tab'>{once}</div>")
    assert [c.author for c in comments] == ["Ann Walker", "Bob Stone", "Carla Diaz"]


def test_related_articles_with_bylines_and_dates_are_not_comments() -> None:
    teasers = "".join(
        f"<li class='teaser'><h3><a href='/story/{i}'>Story number {i} about the city council budget</a></h3>"
        f"<p>By <a href='/staff/{i}'>Staff Writer {i}</a> | April {i + 1}, 2024</p>"
        f"<p>The council met again to discuss the budget and the new bridge plans for the river.</p></li>"
        for i in range(5)
    )
    assert comments_of(f"<div class='related-stories'><ul>{teasers}</ul></div>", article_published="2024-05-02") == []


def test_forum_posts_with_member_panels_are_not_comments() -> None:
    posts = "".join(
        f"<div class='post-row' id='post{i}'><div class='userinfo'><a href='/member/{i}'>user{i}</a>"
        f"<span>Registriert seit: 03.2011</span><span>Beiträge: {i * 40}</span></div>"
        f"<div class='when'>03.03.2011, 14:1{i}</div><div class='msg'><p>{text}</p></div>"
        f"<a class='reply' href='#r'>Reply</a></div>"
        for i, (_, _, text) in enumerate(READERS)
    )
    assert comments_of(f"<div class='thread-replies'>{posts}</div>") == []


def test_a_list_per_comment_with_a_bold_numbered_name_gives_each_author() -> None:
    lists = "".join(
        f"<a name='c{i}'></a><ol class='commentlist'><li class='commentpost'><strong>{i + 1}&nbsp; {name}</strong>"
        f" | <small class='commentmetadata'>{day}</small><p>{text}</p></li></ol>"
        for i, (name, day, text) in enumerate(READERS)
    )
    comments = comments_of(f"<div class='commentsblock'><h3>Post a Comment</h3>{lists}</div>")
    assert [c.author for c in comments] == ["Ann Walker", "Bob Stone", "Carla Diaz"]
    assert [c.text for c in comments] == [text for _, _, text in READERS]
    assert comments[2].published == "2024-05-04T20:40:00"


def test_numbered_lists_each_holding_one_comment_are_read_as_a_thread() -> None:
    lists = "".join(
        f"<ul class='comment b2' id='comment-{900 + i}'><li class='comment-author'><div class='profile'>"
        f"<a href='/user/{i}'>{name}</a><p class='date'>{day}</p></div><div class='comment-body'><p>{text}</p></div>"
        f"</li><li class='comment-tools'><a class='report'>Report</a></li></ul>"
        for i, (name, day, text) in enumerate(READERS)
    )
    comments = comments_of(f"<div id='discussion-comments'>{lists}</div>")
    assert [(c.author, c.text) for c in comments] == [(name, text) for name, _, text in READERS]


def test_collapsed_comments_without_text_do_not_hide_the_thread() -> None:
    shown = [f"<li id='tree_{i}' class='comment oneline'><div class='title'><h4><a href='#c{i}'>Title {i}</a></h4>"
             f"<span class='by'>by {name}</span></div><div class='commentBody'><p>{text}</p></div></li>"
             for i, (name, _, text) in enumerate(READERS)]
    collapsed = [f"<li id='tree_{50 + i}' class='comment hidden'><div class='cw'></div></li>" for i in range(4)]
    rows = "".join(x for pair in zip(shown + [""], collapsed) for x in pair)
    comments = comments_of(f"<ul id='commentlisting'>{rows}</ul>")
    assert [c.author for c in comments] == ["Ann Walker", "Bob Stone", "Carla Diaz"]


def test_a_livefyre_stream_left_in_the_page_is_read() -> None:
    stream = (
        "<div id='livefyre'><div id='lf_comments'><div class='lf_comment_container lf_level_1' id='lf_comment_4339'>"
        "<div class='lf_comment_user'><a class='lf_user'><img class='lf_main_avatar' src='/a.jpg'></a></div>"
        "<div class='lf_comment'><div class='lf_comment_body'><a class='lf_comment_user_nick'>xdwyer</a>"
        "<span class='lf_comment_user_rating'>5 pts</span><div class='lf_body'><p>Correction: it is ten, not "
        "twelve, over the last four games.</p></div></div><div class='lf_comment_footer'>"
        "<label class='lf_comment_date'></label><a class='lf_like'>Like</a></div></div></div></div></div>"
    )
    comments = comments_of(stream)
    assert [(c.author, c.text) for c in comments] == [
        ("xdwyer", "Correction: it is ten, not twelve, over the last four games.")]


def test_two_comments_shown_with_relative_dates_on_a_page_saved_without_fetch_time() -> None:
    rows = "".join(
        f"<div id='aol-comments-{i}X' class='comment'><div class='comment-body'><b class='display-name'> {name} </b>"
        f"<p>{text}</p><b class='comment-meta'><b class='date'>{i + 2} hours ago</b>"
        f"<a class='permalink' href='#c{i}'>Permalink</a></b></div></div>"
        for i, (name, _, text) in enumerate(READERS[:2])
    )
    form = "<h4>Add a Comment</h4><div class='mini-profile'><b class='avatar'></b></div><form><textarea></textarea></form>"
    comments = comments_of(f"<div id='aol-comments'>{form}<div class='comments-meta'><h4>2 Comments</h4></div>{rows}</div>")
    assert [(c.author, c.text) for c in comments] == [(name, text) for name, _, text in READERS[:2]]


def test_reader_comments_that_name_prices_are_still_comments_but_product_tiles_are_not() -> None:
    talk = [("Ann Walker", "May 3, 2024 at 9:15 am", "At $30,000 for a small car with that range, nobody will buy it."),
            ("Bob Stone", "May 3, 2024 at 10:02 am", "Even with the 7,000 EUR credit they are not selling at all.")]
    assert [c.author for c in comments_of(sibling_pairs([*talk, READERS[2]]))] == ["Ann Walker", "Bob Stone", "Carla Diaz"]
    tiles = "".join(
        f"<li class='comment-product' id='p{i}'><a href='/p/{i}'>Lamp {i}</a> <b>Shop Team</b>"
        f"<span>May {i + 1}, 2024</span> <span>Now only $ {19 + i}.99 with free delivery</span></li>"
        for i in range(4)
    )
    assert comments_of(f"<ul class='comments'>{tiles}</ul>") == []


def test_a_lone_short_comment_in_a_definition_list_takes_its_text_from_the_dd() -> None:
    lone = ("<div id='comments'><dl id='comment_list'><dt class='comment depth-1' id='comment-188733'>"
            "<span class='comment_num'><a href='#comment-188733'>1</a></span> <span class='comment_author'>"
            "<a href='http://ann.example' rel='external nofollow'>Ann Walker</a></span> "
            "<span class='comment_time'>November 12, 2012 at 1:43 pm</span></dt><dd class='comment depth-1'>"
            "<div class='format_text'><p>The video is blocked here.</p><p class='reply'>"
            "<a class='comment-reply-link' href='#respond'>Reply</a></p></div></dd></dl></div>")
    comments = comments_of(lone, article_published="2012-11-12")
    assert [(c.author, c.published, c.text) for c in comments] == [
        ("Ann Walker", "2012-11-12T13:43:00", "The video is blocked here.")]


def test_two_alike_columns_of_which_one_has_text_are_no_lone_comment() -> None:
    columns = (
        "<div class='row'><div class='column' id='tdi_91'><a class='comment-reply' href='#r'>Reply</a></div>"
        f"<div class='column' id='tdi_92'><p>Home World Gas transit stopped today.</p><p>By <a href='/a/v'>Victor Cas"
        f"tellanos</a> May 10, 2022</p><p>{'The ministry said the pipeline through the east would stay shut. ' * 3}"
        "</p><img class='avatar' src='/v.jpg'></div></div>"
    )
    assert comments_of(f"<div class='comments-row'>{columns}</div>", article_published="2022-05-10") == []


def test_ownership_gives_each_comment_its_own_matches_not_its_replies() -> None:
    tree = lxml.html.fromstring(
        "<div><div class='c' id='a'><b>one</b><div class='c' id='b'><b>two</b>"
        "<div class='c' id='c'><b>three</b></div></div></div></div>"
    )
    items = tree.xpath("//div[@class='c']")
    owner = Ownership(items)
    assert [[b.text for b in owner.own(item, ".//b")] for item in items] == [["one"], ["two"], ["three"]]
    assert [str(t) for t in owner.own(items[1], ".//text()")] == ["two"]


@pytest.fixture()
def saved_pages(tmp_path: Path) -> Path:
    page = f"<html><body><div id='post'>{ARTICLE}</div>{sibling_pairs(READERS)}</body></html>"
    (tmp_path / "one.html").write_text(page, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "two.html").write_text(page.replace("Ann Walker", "Ann Other"), encoding="utf-8")
    return tmp_path


def test_monitor_extract_jsonl_prints_one_object_per_page_with_its_file(saved_pages: Path) -> None:
    lone = saved_pages / "lone.html"
    lone.write_text((saved_pages / "one.html").read_text(encoding="utf-8"), encoding="utf-8")
    printed = run_monitor("extract", "--jsonl", str(saved_pages / "nested"), str(lone)).stdout.splitlines()
    rows = [json.loads(line) for line in printed]
    assert [Path(r["file"]).name for r in rows] == ["two.html", "lone.html"]
    assert [c["author"] for c in rows[0]["comments"]] == ["Ann Other", "Bob Stone", "Carla Diaz"]
    assert all(r["article"]["comment_count"] == 3 for r in rows)


FOOTER_LINES = ["Posted by: Ann Walker | May 3, 2024 09:15", "Bob Stone says: 3 days ago", "<a href='/u/9'>Carla</a> 12.05.2024",
                "Just a plain line of talk", "x" * 230 + " May 3, 2024", "by Dan on 2024-05-03", ""]


@given(st.lists(st.sampled_from(FOOTER_LINES), min_size=1, max_size=12))
def test_footers_answers_as_the_signs_of_every_footer_do(lines: list[str]) -> None:
    footers = [lxml.html.fragment_fromstring(f"<p>{line}</p>") for line in lines]
    found = [signs([f]) for f in footers]
    every = not (any(f.chars > 200 for f in found)
                 or sum(f.dated and (f.bylined or f.named) for f in found) < 0.8 * len(found))
    assert _footers(footers) == every
