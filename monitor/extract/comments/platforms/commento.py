"""Commento (hosted or self-hosted): ``POST /api/comment/list`` with the page's domain and path, anonymously."""
from __future__ import annotations

import json
from collections.abc import Sequence

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

# The API: commento's api/comment_list.go (commenterToken "anonymous", domain, path → comments[], commenters{}),
# api/comment.go (commentHex, parentHex "root" at top level, html, markdown, score, creationDate, deleted, state).
NAME = "commento"
TOP = "root"


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    domain = settings.site or thread.site
    if not api or not domain:
        raise PlatformUnavailable("no Commento server or domain; set platforms.commento.url and .site")
    body = json.dumps({"commenterToken": "anonymous", "domain": domain, "path": thread.thread or "/"}).encode()
    return [PlatformRequest(f"{api}/api/comment/list", method="POST", body=body,
                            headers={"Content-Type": "application/json", "Accept": "application/json"})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    return []  # one answer holds the whole thread


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        if not isinstance(data, dict) or data.get("success") is not True:
            continue
        people = data.get("commenters")
        people = people if isinstance(people, dict) else {}
        for item in data.get("comments") or []:
            if not isinstance(item, dict) or item.get("deleted") or item.get("state", "approved") != "approved":
                continue
            person = people.get(item.get("commenterHex")) if isinstance(item.get("commenterHex"), str) else None
            parent = item.get("parentHex")
            raw = comment(NAME, key=item.get("commentHex"), parent=None if parent == TOP else parent,
                          author=person.get("name") if isinstance(person, dict) else None,
                          published=iso_date(item.get("creationDate")),
                          text=html_text(item.get("html")) or plain_text(item.get("markdown")), likes=item.get("score"))
            if raw is not None:
                found.append(raw)
    return found
