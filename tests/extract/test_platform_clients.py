"""Each platform client against a stand-in answering with its documented payloads, into the one comment model."""
from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.demo.platforms import DISQUS_KEY, TALKYARD_FORUM_TOPIC, VUUKLE_KEY, PlatformArticle, PlatformSite
from monitor.extract.comments.model import RawComment
from monitor.extract.comments.platforms import (
    CLIENTS,
    PLATFORM_NAMES,
    UNREAD,
    Answer,
    PlatformRequest,
    PlatformSettings,
    PlatformThread,
    PlatformUnavailable,
    client,
    detect_platform,
)
from monitor.extract.page import parse_page

# Where each payload shape comes from (the stand-ins live in monitor/demo/platforms.py):
# - Isso: isso/views/comments.py, ``API.fetch`` docstring (the real server is in tests/e2e/test_platforms_crawl_e2e.py).
# - Disqus: https://disqus.com/api/docs/threads/listPosts/, https://disqus.com/api/docs/cursors/,
#   https://disqus.com/api/docs/errors/ (code 5 with 403 for a bad key, code 13 with 429 over the hourly limit).
# - WordPress: https://developer.wordpress.org/rest-api/reference/comments/ and the REST handbook's Pagination page.
# - Remark42: the remark42 README, "Public API" (``GET /api/v1/find``), and backend/app/store/comment.go.
# - Commento: commento's api/comment_list.go and api/comment.go.
# - Comentario: comentario's resources/swagger/swagger.yml (EmbedCommentList, definitions comment and commenter).
# - Discourse: https://docs.discourse.org/ (Topics: get a single topic; Posts: ``/t/{id}/posts.json?post_ids[]``).
# - utterances: https://docs.github.com/en/rest/search/search and https://docs.github.com/en/rest/issues/comments.
# - Coral: coral's server/src/core/server/graph/schema/schema.graphql (Query.story, Query.comment, CommentsConnection).
# - giscus: https://docs.github.com/en/graphql/reference/queries#search, objects Discussion and DiscussionComment.
# - Viafoura: no published reference; public code that reads its v4 Live Comments API anonymously, as the embed does
#   (bootstrap → section uuid, contentcontainer/id → container uuid, comments with ``more_available``/``contents``,
#   ``starting_from`` cursor, replies inline or by thread), as listed in monitor/extract/comments/platforms/viafoura.py.
# - Talkyard: its public source, github debiki/talkyard: client/embedded-comments/blog-comments.ts (the iframe URL
#   ``/-/embedded-comments?discussionId=&embeddingUrl=``), appsv/server/controllers/EmbeddedTopicsController.scala
#   (showTopic: lookup by discussion id, else URL, else path; 403 for a page that is not embedded comments),
#   appsv/server/views/templates/page.scala.html (#thePageJson, HTML-encoded) and appsv/server/debiki/ReactJson.scala
#   (pagesById[currentPageId].postsByNr: nr, parentNr, authorId, createdAtMs, numLikeVotes, isPostDeleted,
#   sanitizedHtml; usersByIdBrief: fullName, username).
# - Vuukle: no published read API; public code that reads ``/api/v1/Comments/getCommentFeedBySort`` anonymously, as
#   listed in monitor/extract/comments/platforms/vuukle.py (Vuukle's widget source: services/apis.ts,
#   modules/CommentList/store.ts and CommentItem.ts; a public scraper, vuukle.py): ``data.comments.items`` with
#   ``replies`` nested, ``id``, ``parentId``, ``name``, ``commentText``, ``createdTimestamp``, ``likeCount``,
#   paged by ``start``. The 403 and 429 answers are the statuses the crawler handles, with the widget's
#   ``success``/``errors`` body; Vuukle's own error statuses are not published.

BASE = "http://platforms.test"


@pytest.fixture
def site() -> PlatformSite:
    return PlatformSite(isso="http://isso.test", base_url=BASE)


def settings_for(platform: str, **given: object) -> PlatformSettings:
    own: dict[str, object] = {"page_size": 3}
    if platform == "disqus":
        own.update(url=f"{BASE}/disqus/api/3.0", api_key=DISQUS_KEY)
    if platform == "utterances":
        own.update(url=f"{BASE}/github", page_size=2)
    if platform == "giscus":
        own.update(url=f"{BASE}/github", token="test-token")
    if platform == "viafoura":
        own.update(url=f"{BASE}/viafoura")
    if platform == "vuukle":
        own.update(url=f"{BASE}/vuukle")
    return PlatformSettings(**{**own, **given})  # type: ignore[arg-type]


def thread_of(site: PlatformSite, article: PlatformArticle) -> PlatformThread:
    found = detect_platform(parse_page(site.page(article), BASE + article.path))
    assert found is not None and found.platform == article.platform
    return found


def read(site: PlatformSite, thread: PlatformThread, settings: PlatformSettings) -> tuple[list[RawComment], list[int]]:
    """What the crawler does with a client, minus Scrapy: every request answered by the stand-in, in order."""
    reader = client(thread.platform)
    assert reader is not None
    queue, bodies, statuses = reader.start(thread, settings), [], []
    while queue:
        wanted = queue.pop(0)
        parts = urlsplit(wanted.url)
        assert wanted.url.startswith(BASE), wanted.url
        status, _, body, headers = site.handle(parts.path, parse_qs(parts.query), wanted.body or b"")
        statuses.append(status)
        if status >= 400:
            break
        bodies.append(body)
        queue += reader.follow(wanted, Answer(url=wanted.url, status=status, headers=headers, body=body), settings)
    return reader.comments(bodies), statuses


def shown(comments: Sequence[RawComment]) -> list[tuple[str | None, str, str | None]]:
    """(author, text, the parent's author) of each comment, in thread order."""
    by_key = {c.key: c for c in comments}
    return [(c.author, c.text, by_key[c.parent_key].author if c.parent_key in by_key else None) for c in comments]


@pytest.mark.parametrize("platform", ["disqus", "wordpress", "remark42", "commento", "comentario", "discourse",
                                      "utterances", "coral", "giscus", "viafoura", "talkyard", "vuukle"])
def test_each_client_reads_the_whole_thread_with_parents_and_without_deleted_comments(
        site: PlatformSite, platform: str) -> None:
    article = site.of(platform)
    comments, statuses = read(site, thread_of(site, article), settings_for(platform))
    assert len(article.thread) >= 4
    # In the platform's order; Coral's answers come level by level, and the client puts replies under parents.
    assert sorted(shown(comments)) == sorted(article.as_readers_see_it())
    assert all(c.parent_key in {p.key for p in comments[:n]} for n, c in enumerate(comments) if c.parent_key
               and c.parent_key in {p.key for p in comments})
    assert {c.platform for c in comments} == {platform}
    assert all(c.published and c.published.startswith("2026-03-02T") for c in comments)
    assert set(statuses) == {200}


@pytest.mark.parametrize(("platform", "requests"), [
    ("disqus", 3),  # 7 comments, 3 a page: cursors
    ("wordpress", 2),  # 5 comments, 3 a page: X-WP-TotalPages
    ("discourse", 2),  # 25 posts + the article: the topic's first 20, then the rest by id
    ("utterances", 4),  # the issue search, then 5 comments 2 a page: Link rel="next"
    ("coral", 6),  # 4 top-level comments 3 a page (2), and one replies request per comment with replies (4)
    ("giscus", 2),  # 4 top-level comments 3 a page, replies inline
    ("viafoura", 5),  # bootstrap, container, 5 top-level comments 3 a page (2), the replies beyond the 5 inline (1)
    ("vuukle", 3),  # 6 top-level comments 3 a page (2 full pages, then an empty one), replies nested
    ("talkyard", 1),  # the embedded-comments page holds every post of the discussion: nothing to page through
])
def test_paged_platforms_are_followed_to_their_last_page(site: PlatformSite, platform: str, requests: int) -> None:
    article = site.of(platform)
    _, statuses = read(site, thread_of(site, article), settings_for(platform))
    assert statuses == [200] * requests


def test_likes_and_native_ids_come_from_the_platform(site: PlatformSite) -> None:
    article = site.of("disqus")
    comments, _ = read(site, thread_of(site, article), settings_for("disqus"))
    assert [c.key for c in comments] == [str(1000 + i) for i, c in enumerate(article.thread) if not c.deleted]
    assert [c.likes for c in comments] == [c.likes for c in article.thread if not c.deleted]
    assert comments[0].published == "2026-03-02T09:00:00+00:00"  # Disqus' createdAt is UTC without an offset


def test_a_bad_disqus_key_is_refused_with_403_and_gives_no_comments(site: PlatformSite) -> None:
    comments, statuses = read(site, thread_of(site, site.of("disqus")), settings_for("disqus", api_key="wrong"))
    assert (comments, statuses) == ([], [403])


def test_a_rate_limited_disqus_key_answers_429(site: PlatformSite) -> None:
    article = site.of("disqus")
    site.rate_limited.add(article.key)
    comments, statuses = read(site, thread_of(site, article), settings_for("disqus"))
    assert (comments, statuses) == ([], [429])


def test_disqus_without_a_key_is_unavailable_and_says_how_to_give_one(site: PlatformSite) -> None:
    reader = client("disqus")
    assert reader is not None
    with pytest.raises(PlatformUnavailable, match=r"platforms\.disqus\.api_key"):
        reader.start(thread_of(site, site.of("disqus")), PlatformSettings())


def test_an_empty_thread_gives_no_comments_and_no_second_request(site: PlatformSite) -> None:
    quiet = site.by_slug("disqus-quiet-corner")
    assert quiet is not None
    comments, statuses = read(site, thread_of(site, quiet), settings_for("disqus"))
    assert (comments, statuses) == ([], [200])


def test_an_empty_viafoura_thread_gives_no_comments_after_its_container(site: PlatformSite) -> None:
    quiet = site.by_slug("viafoura-quiet-corner")
    assert quiet is not None
    comments, statuses = read(site, thread_of(site, quiet), settings_for("viafoura"))
    assert (comments, statuses) == ([], [200, 200, 200])  # bootstrap, container, an empty first page


def test_a_viafoura_cursor_that_does_not_move_ends_the_walk() -> None:
    # Viafoura answers an unknown cursor with the first page again: following it would never end.
    reader = client("viafoura")
    assert reader is not None
    holder = "00000000-0000-7000-8000-000000000999"
    context = {"live": BASE, "section": "s", "uuid": holder, "container": "c", "size": "3", "step": "page"}
    page = json.dumps({"more_available": True, "contents": [
        {"content_uuid": "t1", "parent_uuid": holder, "content_container_uuid": holder, "content": "x"}]}).encode()
    first = reader.follow(PlatformRequest(BASE, context={**context, "after": ""}),
                          Answer(url=BASE, status=200, headers={}, body=page), PlatformSettings())
    assert [parse_qs(urlsplit(r.url).query)["starting_from"] for r in first] == [["t1"]]
    again = reader.follow(first[0], Answer(url=first[0].url, status=200, headers={}, body=page), PlatformSettings())
    assert again == []


def test_giscus_without_a_token_is_unavailable_and_says_how_to_give_one(site: PlatformSite) -> None:
    reader = client("giscus")
    assert reader is not None
    with pytest.raises(PlatformUnavailable, match=r"platforms\.giscus\.token"):
        reader.start(thread_of(site, site.of("giscus")), PlatformSettings())


def test_a_discourse_embed_without_a_topic_id_is_unavailable_and_says_why() -> None:
    reader = client("discourse")
    assert reader is not None
    with pytest.raises(PlatformUnavailable, match="topicId"):
        reader.start(PlatformThread("discourse", api="http://forum.test"), PlatformSettings())


def test_hostile_payloads_cost_their_comments_only() -> None:
    for name in ("disqus", "wordpress", "remark42", "commento", "discourse", "utterances", "isso", "coral", "giscus",
                 "comentario", "viafoura", "talkyard", "vuukle"):
        reader = client(name)
        assert reader is not None
        assert reader.comments([b"<html>not json", b"[1, null, \"x\"]", b'{"response": {"a": 1}}']) == [], name


def test_scripts_in_comment_html_are_not_comment_text() -> None:
    reader = client("wordpress")
    assert reader is not None
    body = (b'[{"id": 5, "parent": 0, "author_name": "Eve", "date_gmt": "2026-03-02T09:00:00", "status": "approved",'
            b' "content": {"rendered": "<p>Hello<script>steal()</script></p>"}}]')
    assert [c.text for c in reader.comments([body])] == ["Hello"]


def test_coral_replies_follow_their_parents_and_a_parent_cycle_loses_no_comment() -> None:
    reader = client("coral")
    assert reader is not None

    def answer(nodes: list[tuple[str, str | None]]) -> bytes:
        return json.dumps({"data": {"story": {"comments": {"nodes": [
            {"id": i, "body": f"<p>text {i}</p>", "author": {"username": f"u{i}"},
             "parent": None if p is None else {"id": p}, "createdAt": "2026-03-02T09:00:00Z"} for i, p in nodes],
            "pageInfo": {"hasNextPage": False}}}}}).encode()

    ordered = reader.comments([answer([("a", None), ("b", None)]), answer([("c", "a"), ("d", "c")]),
                               answer([("x", "y"), ("y", "x")])])
    assert [c.key for c in ordered] == ["a", "c", "d", "b", "x", "y"]


def test_viafoura_reads_a_readers_name_only_where_the_answer_embeds_it_and_keeps_replies_under_parents() -> None:
    reader = client("viafoura")
    assert reader is not None
    holder = "00000000-0000-7000-8000-000000000999"

    def item(key: str, parent: str, actor: dict[str, str] | None, state: str = "visible") -> dict[str, object]:
        return {"content_uuid": key, "parent_uuid": parent, "content_container_uuid": holder, "state": state,
                "content": f"<p>text {key}</p>", "date_created": 1772442000000, "actor": actor, "actor_uuid": "a-1"}

    page = {"more_available": False, "contents": [
        {**item("t1", holder, {"name": "Olena"}), "replies": {"contents": [item("r1", "t1", None)]}},
        item("t2", holder, None, state="deleted"), item("t3", holder, {"name": "Dan"})]}
    later = {"more_available": False, "contents": [item("r2", "t3", {"name": "Ana"})]}
    found = reader.comments([json.dumps(page).encode(), json.dumps(later).encode()])
    assert [(c.key, c.parent_key, c.author) for c in found] == [
        ("t1", None, "Olena"), ("r1", "t1", None), ("t3", None, "Dan"), ("r2", "t3", "Ana")]
    assert found[0].published == "2026-03-02T09:00:00+00:00"  # epoch milliseconds


def test_viafoura_without_a_container_or_site_is_unavailable_and_says_what_to_set() -> None:
    reader = client("viafoura")
    assert reader is not None
    with pytest.raises(PlatformUnavailable, match="vf:container_id"):
        reader.start(PlatformThread("viafoura", site="news.example"), PlatformSettings())
    with pytest.raises(PlatformUnavailable, match=r"platforms\.viafoura\.site"):
        reader.start(PlatformThread("viafoura", site="<bad site>", thread="881"), PlatformSettings())


def test_every_detected_platform_is_either_read_or_says_why_it_is_not() -> None:
    assert set(CLIENTS) | set(UNREAD) == set(PLATFORM_NAMES)
    assert not set(CLIENTS) & set(UNREAD)


def test_talkyard_reads_the_discussion_named_by_its_id_with_post_numbers_as_ids(site: PlatformSite) -> None:
    article = site.of("talkyard")
    thread = thread_of(site, article)
    reader = client("talkyard")
    assert reader is not None
    [request] = reader.start(thread, settings_for("talkyard"))
    asked = parse_qs(urlsplit(request.url).query)
    assert asked == {"discussionId": [article.key], "embeddingUrl": [BASE + article.path]}
    comments, _ = read(site, thread, settings_for("talkyard"))
    # Post nr i + 2 is comment i (0 is the title, 1 the page body); the deleted one (with replies) is left out.
    assert [c.key for c in comments if c.parent_key is None][:2] == ["2", "3"]
    assert [c.likes for c in sorted(comments, key=lambda c: int(c.key))] == [
        c.likes for c in article.thread if not c.deleted]
    assert comments[0].published == "2026-03-02T09:00:00+00:00"  # createdAtMs, epoch milliseconds


def test_a_talkyard_page_without_a_discussion_id_is_looked_up_by_its_url_and_an_empty_one_gives_nothing(
        site: PlatformSite) -> None:
    quiet = site.by_slug("talkyard-quiet-corner")
    assert quiet is not None
    thread = thread_of(site, quiet)
    reader = client("talkyard")
    assert reader is not None
    [request] = reader.start(thread, settings_for("talkyard"))
    # Detection keys the thread by the path; Talkyard must not be asked for a discussion id the page never gave.
    assert parse_qs(urlsplit(request.url).query) == {"embeddingUrl": [BASE + quiet.path]}
    assert read(site, thread, settings_for("talkyard")) == ([], [200])


def test_a_rate_limited_talkyard_server_answers_429_and_a_forum_topic_403(site: PlatformSite) -> None:
    article = site.of("talkyard")
    site.rate_limited.add(article.key)
    assert read(site, thread_of(site, article), settings_for("talkyard")) == ([], [429])
    topic = PlatformThread("talkyard", api=f"{BASE}/talkyard", thread=TALKYARD_FORUM_TOPIC, url=BASE + article.path)
    assert read(site, topic, settings_for("talkyard")) == ([], [403])


def test_talkyard_page_json_is_html_decoded_and_hidden_unapproved_and_meta_posts_are_not_comments() -> None:
    reader = client("talkyard")
    assert reader is not None

    def post(nr: int, parent: int | None, text: str | None, **more: object) -> dict[str, object]:
        return {"nr": nr, "parentNr": parent, "postType": 1, "authorId": 7, "createdAtMs": 1772442000000,
                "isApproved": True, "sanitizedHtml": text, "numLikeVotes": 2, **more}

    store = {"currentPageId": "9", "usersByIdBrief": {"7": {"id": 7, "username": "olena_k", "fullName": None}},
             "pagesById": {"9": {"postsByNr": {
                 "0": post(0, None, "<p>Title</p>"), "1": post(1, None, "<p>Body</p>"),
                 "2": post(2, 1, "<p>Salt &amp; pepper <b>&lt;3</b></p><script>steal()</script>"),
                 "3": post(3, 2, "<p>reply</p>"),
                 "4": post(4, 1, None, isApproved=False), "5": post(5, 1, "<p>x</p>", isBodyHidden=True),
                 "6": post(6, 1, "<p>Olena closed this topic</p>", postType=31),
                 "7": post(7, 3, "<p>gone</p>", isPostDeleted=True)}}}}
    page = ('<html><body><script id="thePageJson" type="application/json">'
            + json.dumps(store).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + "</script></body></html>").encode()
    found = reader.comments([page])
    assert [(c.key, c.parent_key, c.author, c.text) for c in found] == [
        ("2", None, "olena_k", "Salt & pepper <3"), ("3", "2", "olena_k", "reply")]


def test_vuukle_asks_with_the_pages_public_key_article_and_host_and_keeps_vuukles_comment_ids(
        site: PlatformSite) -> None:
    article = site.of("vuukle")
    thread = thread_of(site, article)
    reader = client("vuukle")
    assert reader is not None
    [first] = reader.start(thread, settings_for("vuukle"))
    asked = {k: v[0] for k, v in parse_qs(urlsplit(first.url).query).items()}
    assert (asked["apiKey"], asked["articleId"], asked["host"], asked["start"]) == (VUUKLE_KEY, "881", "platforms.test",
                                                                                     "0")
    comments, _ = read(site, thread, settings_for("vuukle"))
    assert sorted(int(c.key) for c in comments) == [74000 + i for i, c in enumerate(article.thread) if not c.deleted]
    assert {c.author for c in comments} >= {"Reader 1", "Reader 13"}  # the feed's URI-encoded names, decoded
    assert min(c.published or "" for c in comments) == "2026-03-02T09:00:00+00:00"  # createdTimestamp, epoch ms


def test_an_empty_vuukle_thread_a_bad_key_and_a_rate_limit_cost_one_request_each(site: PlatformSite) -> None:
    quiet = site.by_slug("vuukle-quiet-corner")
    assert quiet is not None
    assert read(site, thread_of(site, quiet), settings_for("vuukle")) == ([], [200])
    article = site.of("vuukle")
    assert read(site, thread_of(site, article), settings_for("vuukle", api_key="not-the-key")) == ([], [403])
    site.rate_limited.add(article.key)
    assert read(site, thread_of(site, article), settings_for("vuukle")) == ([], [429])


def test_vuukle_without_an_article_id_or_key_is_unavailable_and_says_what_to_set() -> None:
    reader = client("vuukle")
    assert reader is not None
    with pytest.raises(PlatformUnavailable, match="articleId"):
        reader.start(PlatformThread("vuukle", site="k", url="https://news.example/a/"), PlatformSettings())
    with pytest.raises(PlatformUnavailable, match=r"platforms\.vuukle\.api_key"):
        reader.start(PlatformThread("vuukle", thread="881", url="https://news.example/a/"), PlatformSettings())


def test_vuukle_replies_nest_held_and_deleted_comments_are_left_out_and_a_start_that_does_not_move_ends() -> None:
    reader = client("vuukle")
    assert reader is not None

    def item(key: int, parent: int, text: str, replies: list[dict[str, object]] | None = None,
             **more: object) -> dict[str, object]:
        return {"id": key, "parentId": parent, "name": "Ana&#39;s%20desk", "commentText": text, "likeCount": 4,
                "createdTimestamp": 1772442000, "replies": replies or [], **more}

    page = {"success": True, "data": {"comments": {"items": [
        item(1, 0, "<p>top</p>", [item(2, 1, "<p>reply</p>", [item(3, 2, "<p>deeper</p>")]),
                                  item(4, 1, "<p>held</p>", state=2)]),
        item(5, 0, "[Comment deleted by user]", [item(6, 5, "<p>orphan</p>")])]}}}
    found = reader.comments([json.dumps(page).encode()])
    assert [(c.key, c.parent_key, c.text) for c in found] == [
        ("1", None, "top"), ("2", "1", "reply"), ("3", "2", "deeper"), ("6", "5", "orphan")]
    assert (found[0].author, found[0].likes, found[0].published) == ("Ana's desk", 4, "2026-03-02T09:00:00+00:00")
    [first] = reader.start(PlatformThread("vuukle", site="k", thread="9", url="https://www.news.example/a/"),
                           PlatformSettings(page_size=2))
    assert parse_qs(urlsplit(first.url).query)["host"] == ["news.example"]
    full = json.dumps({"data": {"comments": {"items": [item(1, 0, "a"), item(5, 0, "b")]}}}).encode()
    [second] = reader.follow(first, Answer(url=first.url, status=200, headers={}, body=full), PlatformSettings())
    assert parse_qs(urlsplit(second.url).query)["start"] == ["2"]
    assert reader.follow(second, Answer(url=second.url, status=200, headers={}, body=full), PlatformSettings()) == []
