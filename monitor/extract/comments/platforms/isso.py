"""Isso (self-hosted): ``GET /?uri=`` on the Isso server gives the thread, replies nested one level, paged by offset."""
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
    epoch_date,
    html_text,
    load_json,
    whole_number,
)

# The API: isso/views/comments.py, API.fetch (docstring "Get comments": uri, parent, limit, nested_limit, offset).
NAME = "isso"
DELETED = 4  # Isso's ``mode`` of a deleted comment that still has replies: its text and author are gone


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    if not api:
        raise PlatformUnavailable("the page names no Isso server (data-isso); set the source's platforms.isso.url")
    return [_request(api, thread.thread or "/", settings.page_size, offset=0)]


def _request(api: str, uri: str, size: int, *, offset: int, parent: str = "") -> PlatformRequest:
    query: dict[str, Any] = {"uri": uri, "limit": size, "offset": offset}
    if parent:
        query["parent"] = parent
    else:
        query["nested_limit"] = size
    return PlatformRequest(f"{api}/?{urlencode(query)}", headers={"Accept": "application/json"},
                           context={"api": api, "uri": uri, "offset": str(offset), "parent": parent})


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    """The next page of this list, and the rest of every comment's replies that the answer left out."""
    data = load_json(answer.body)
    if not isinstance(data, dict):
        return []
    api, uri, parent = request.context["api"], request.context["uri"], request.context["parent"]
    replies = [r for r in data.get("replies") or [] if isinstance(r, dict)]
    more: list[PlatformRequest] = []
    if replies and (whole_number(data.get("hidden_replies")) or 0) > 0:
        offset = int(request.context["offset"]) + len(replies)
        more.append(_request(api, uri, settings.page_size, offset=offset, parent=parent))
    if not parent:
        for reply in replies:
            shown = len([r for r in reply.get("replies") or [] if isinstance(r, dict)])
            if (whole_number(reply.get("hidden_replies")) or 0) > 0 and whole_number(reply.get("id")) is not None:
                more.append(_request(api, uri, settings.page_size, offset=shown, parent=str(reply["id"])))
    return more


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        if isinstance(data, dict):
            _walk(data.get("replies"), found)
    return found


def _walk(replies: Any, found: list[RawComment]) -> None:
    for item in replies if isinstance(replies, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("mode") != DELETED:
            raw = comment(NAME, key=item.get("id"), parent=item.get("parent"), author=item.get("author"),
                          published=epoch_date(item.get("created")), text=html_text(item.get("text")),
                          likes=item.get("likes"))
            if raw is not None:
                found.append(raw)
        _walk(item.get("replies"), found)
