"""Discourse embeds: the topic's JSON (``/t/ID.json``), then the posts it only lists (``/t/ID/posts.json``)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from monitor.extract.comments.model import RawComment
from monitor.extract.comments.platforms.base import (
    Answer,
    PlatformRequest,
    PlatformSettings,
    PlatformThread,
    PlatformUnavailable,
    comment,
    html_text,
    iso_date,
    load_json,
    whole_number,
)

# The API: https://docs.discourse.org/#tag/Topics/operation/getTopic (post_stream.posts: the first 20, and
# post_stream.stream: every post id) and #tag/Posts "get specific posts from a topic" (post_ids[]).
NAME = "discourse"
CHUNK = 20  # post ids per posts.json request, as Discourse's own client asks
LIKE = 2  # the post action type of a like (actions_summary)


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    if not api:
        raise PlatformUnavailable("the page's DiscourseEmbed names no discourseUrl; set platforms.discourse.url")
    if not thread.thread:
        raise PlatformUnavailable("the embed gives no topicId: Discourse finds a topic by its embed URL only for "
                                  "an API key, which read access does not use")
    return [PlatformRequest(f"{api}/t/{thread.thread}.json", headers={"Accept": "application/json"},
                            context={"api": api, "topic": thread.thread})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    if request.context.get("more"):
        return []
    data = load_json(answer.body)
    stream = data.get("post_stream") if isinstance(data, dict) else None
    if not isinstance(stream, dict):
        return []
    have = {p.get("id") for p in stream.get("posts") or [] if isinstance(p, dict)}
    rest = [i for i in stream.get("stream") or [] if isinstance(i, int) and i not in have]
    api, topic = request.context["api"], request.context["topic"]
    return [PlatformRequest(f"{api}/t/{topic}/posts.json?{urlencode([('post_ids[]', i) for i in rest[n:n + CHUNK]])}",
                            headers=request.headers, context={**request.context, "more": "1"})
            for n in range(0, len(rest), CHUNK)]


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    posts: list[dict[str, Any]] = []
    for body in bodies:
        data = load_json(body)
        stream = data.get("post_stream") if isinstance(data, dict) else None
        posts += [p for p in (stream.get("posts") or [] if isinstance(stream, dict) else []) if isinstance(p, dict)]
    # Replies name their parent by its number in the topic; the comment's id is the post's id.
    by_number = {p.get("post_number"): p.get("id") for p in posts}
    found: list[RawComment] = []
    seen: set[Any] = set()
    for post in sorted(posts, key=lambda p: whole_number(p.get("post_number")) or 0):
        # Post 1 is the article as the embed imported it, not a comment.
        if post.get("post_number") == 1 or post.get("id") in seen or post.get("deleted_at") or post.get("hidden"):
            continue
        seen.add(post.get("id"))
        parent = by_number.get(post.get("reply_to_post_number"))
        raw = comment(NAME, key=post.get("id"), parent=parent, author=post.get("name") or post.get("username"),
                      published=iso_date(post.get("created_at")), text=html_text(post.get("cooked")),
                      likes=_likes(post))
        if raw is not None:
            found.append(raw)
    return found


def _likes(post: dict[str, Any]) -> int | None:
    if whole_number(post.get("like_count")) is not None:
        return whole_number(post.get("like_count"))
    for action in post.get("actions_summary") or []:
        if isinstance(action, dict) and action.get("id") == LIKE:
            return whole_number(action.get("count"))
    return None
