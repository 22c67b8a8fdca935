"""Remark42 (self-hosted): ``GET /api/v1/find?site=&url=&format=plain`` gives a thread's comments at once."""
from __future__ import annotations

from collections.abc import Sequence
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
)

# The API: remark42's README "Public API" (GET /api/v1/find?site=site-id&url=post-url&sort=fld&format=tree|plain)
# and backend/app/store/comment.go (id, pid, text, user.name, time, score, delete).
NAME = "remark42"


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    if not api:
        raise PlatformUnavailable("the page's remark_config names no host; set platforms.remark42.url")
    query = {"site": settings.site or thread.site or "remark", "url": thread.thread or thread.url, "sort": "+time",
             "format": "plain"}
    return [PlatformRequest(f"{api}/api/v1/find?{urlencode(query)}", headers={"Accept": "application/json"})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    return []  # one answer holds the whole thread


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        items = data.get("comments") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("delete"):
                continue
            user = item.get("user")
            raw = comment(NAME, key=item.get("id"), parent=item.get("pid"),
                          author=user.get("name") if isinstance(user, dict) else None,
                          published=iso_date(item.get("time")), text=html_text(item.get("text")),
                          likes=item.get("score"))
            if raw is not None:
                found.append(raw)
    return found
