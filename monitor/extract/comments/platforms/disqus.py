"""Disqus: ``threads/listPosts`` of the public API (a public API key; 1,000 requests an hour per key), cursor-paged."""
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
    plain_text,
)

# The API: https://disqus.com/api/docs/threads/listPosts/ (forum + thread:ident or thread:link, limit ≤ 100,
# cursor, order), https://disqus.com/api/docs/cursors/, rate limits https://help.disqus.com/ "API rate limits".
NAME = "disqus"
API = "https://disqus.com/api/3.0"
MAX_LIMIT = 100


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    if not settings.api_key:
        raise PlatformUnavailable('Disqus needs a public API key: set platforms.disqus.api_key: "{env:DISQUS_API_KEY}"')
    forum = settings.site or thread.site
    if not forum:
        raise PlatformUnavailable("the page names no Disqus forum (disqus_shortname); set platforms.disqus.site")
    query = {"api_key": settings.api_key, "forum": forum, "limit": min(settings.page_size, MAX_LIMIT), "order": "asc"}
    if thread.thread:
        query["thread:ident"] = thread.thread
    else:
        query["thread:link"] = thread.url
    base = f"{(settings.url or API).rstrip('/')}/threads/listPosts.json?{urlencode(query)}"
    return [PlatformRequest(base, headers={"Accept": "application/json"}, context={"base": base})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    data = load_json(answer.body)
    cursor = data.get("cursor") if isinstance(data, dict) else None
    if not isinstance(cursor, dict) or cursor.get("hasNext") is not True or not isinstance(cursor.get("next"), str):
        return []
    if not data.get("response"):
        return []
    base = request.context["base"]
    return [PlatformRequest(f"{base}&{urlencode({'cursor': cursor['next']})}", headers=request.headers,
                            context=request.context)]


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        posts = data.get("response") if isinstance(data, dict) else None
        for post in posts if isinstance(posts, list) else []:
            raw = _post(post)
            if raw is not None:
                found.append(raw)
    return found


def _post(post: Any) -> RawComment | None:
    if not isinstance(post, dict) or post.get("isDeleted") or post.get("isSpam"):
        return None
    author = post.get("author")
    name = author.get("name") if isinstance(author, dict) and not author.get("isAnonymous") else None
    created = post.get("createdAt")
    # Disqus writes createdAt in UTC without an offset.
    published = iso_date(f"{created}+00:00") if isinstance(created, str) and len(created) == 19 else iso_date(created)
    return comment(NAME, key=post.get("id"), parent=post.get("parent"), author=name, published=published,
                   text=html_text(post.get("message")) or plain_text(post.get("raw_message")), likes=post.get("likes"))
