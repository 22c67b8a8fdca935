"""Comentario (Commento's successor): ``POST /api/embed/comments`` with the page's host and path, anonymously."""
from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlsplit

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

# The API: comentario's resources/swagger/swagger.yml, operation EmbedCommentList (POST /embed/comments under
# basePath /api: body {host, path} → comments[] {id, parentId, html, markdown, score, isApproved, isDeleted,
# createdTime, userCreated, authorName}, commenters[] {id, name}).
NAME = "comentario"


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    host = settings.site or urlsplit(thread.url).netloc
    if not api or not host:
        raise PlatformUnavailable("the page names no Comentario script; set platforms.comentario.url (…/api)")
    body = json.dumps({"host": host, "path": thread.thread or "/"}).encode()
    return [PlatformRequest(f"{api}/embed/comments", method="POST", body=body,
                            headers={"Content-Type": "application/json", "Accept": "application/json"})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    return []  # one answer holds the page's comments


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        if not isinstance(data, dict):
            continue
        people = {p.get("id"): p.get("name") for p in data.get("commenters") or [] if isinstance(p, dict)}
        for item in data.get("comments") or []:
            if not isinstance(item, dict) or item.get("isDeleted") or item.get("isApproved") is False:
                continue
            author = people.get(item.get("userCreated")) or item.get("authorName")
            raw = comment(NAME, key=item.get("id"), parent=item.get("parentId"), author=author,
                          published=iso_date(item.get("createdTime")),
                          text=html_text(item.get("html")) or plain_text(item.get("markdown")), likes=item.get("score"))
            if raw is not None:
                found.append(raw)
    return found
