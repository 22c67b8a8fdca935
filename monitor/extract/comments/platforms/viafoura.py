"""Viafoura: the public Live Comments API (v4): the site's section, the page's container, its comments and replies."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote, urlencode

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
    scalar,
    threaded,
    whole_number,
)

# The API has no published reference; its shapes come from public code that reads it anonymously, as the embed
# does: ``POST api.viafoura.co/v2/{domain}/bootstrap/v2`` (result.settings.site_uuid, the section), ``GET
# livecomments.viafoura.co/v4/livecomments/{section}/contentcontainer/id?container_id=`` (content_container_uuid,
# total_visible_content), ``GET …/{section}/{container}/comments?limit&reply_limit&sorted_by[&starting_from]``
# ({more_available, contents[]}: content_uuid, parent_uuid (the container at top level), thread_uuid, content,
# date_created in epoch ms, state, actor.name, total_likes, total_replies; replies inline, as replies.contents or
# after their parent) and ``GET …/comments/{thread_uuid}?limit`` (the replies of one thread). At most 100 a page;
# the cursor is the last top-level comment's uuid. Comments whose actor is not embedded carry only an actor_uuid:
# their author is left unknown (names would cost a request per reader to Viafoura's identity service).
NAME = "viafoura"
BOOTSTRAP = "https://api.viafoura.co"
LIVECOMMENTS = "https://livecomments.viafoura.co"
MAX_LIMIT = 100
REPLY_LIMIT = 5  # replies the comments page carries inline per comment; the rest are asked for by thread
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JSON = {"Accept": "application/json"}


def _bases(settings: PlatformSettings) -> tuple[str, str]:
    """(bootstrap host, live comments host); a source's url stands for both (a proxy, or a local stand-in)."""
    own = settings.url.rstrip("/")
    return (own or BOOTSTRAP, own or LIVECOMMENTS)


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    if not thread.thread:
        raise PlatformUnavailable("the page names no Viafoura container (meta vf:container_id); "
                                  "force the platform only on pages that embed one")
    site = settings.site or thread.site or ""
    bootstrap, live = _bases(settings)
    context = {"live": live, "container": thread.thread, "size": str(min(settings.page_size, MAX_LIMIT))}
    if _UUID.fullmatch(site):  # the section itself: no bootstrap needed
        return [_container(dict(context, section=site))]
    if not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", site):
        raise PlatformUnavailable("no Viafoura site: set platforms.viafoura.site to the site's domain or section uuid")
    return [PlatformRequest(f"{bootstrap}/v2/{site}/bootstrap/v2?session=false", method="POST", body=b"{}",
                            headers={**_JSON, "Content-Type": "application/json"},
                            context=dict(context, step="bootstrap"))]


def _container(context: dict[str, str]) -> PlatformRequest:
    query = urlencode({"container_id": context["container"]})
    return PlatformRequest(f"{context['live']}/v4/livecomments/{context['section']}/contentcontainer/id?{query}",
                           headers=_JSON, context=dict(context, step="container"))


def _page(context: dict[str, str], after: str | None = None) -> PlatformRequest:
    query: dict[str, Any] = {"limit": context["size"], "reply_limit": REPLY_LIMIT, "sorted_by": "newest"}
    if after:
        query["starting_from"] = after
    url = f"{context['live']}/v4/livecomments/{context['section']}/{context['uuid']}/comments?{urlencode(query)}"
    return PlatformRequest(url, headers=_JSON, context=dict(context, step="page", after=after or ""))


def _replies(context: dict[str, str], thread_uuid: str) -> PlatformRequest:
    url = (f"{context['live']}/v4/livecomments/{context['section']}/{context['uuid']}/comments/"
           f"{quote(thread_uuid, safe='')}?{urlencode({'limit': MAX_LIMIT})}")
    return PlatformRequest(url, headers=_JSON, context=dict(context, step="replies"))


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    data = load_json(answer.body)
    if not isinstance(data, dict):
        return []
    context, step = dict(request.context), request.context.get("step")
    if step == "bootstrap":
        result = data.get("result")
        found = result.get("settings") if isinstance(result, dict) else None
        section = scalar(found.get("site_uuid")) if isinstance(found, dict) else None
        return [_container(dict(context, section=section))] if section and _UUID.fullmatch(section) else []
    if step == "container":
        uuid = scalar(data.get("content_container_uuid"))
        return [_page(dict(context, uuid=uuid))] if uuid and _UUID.fullmatch(uuid) else []
    if step != "page":
        return []  # one answer holds a thread's replies
    tops = [c for c in _contents(data) if _is_top(c)]
    more: list[PlatformRequest] = []
    for top in tops:
        inline = [r for r in _contents(top.get("replies")) if isinstance(r, dict)]
        shown = len(inline) + sum(1 for c in _contents(data) if not _is_top(c) and c.get("thread_uuid") == top.get(
            "content_uuid"))
        key = scalar(top.get("content_uuid"))
        if key and (whole_number(top.get("total_replies")) or 0) > shown:
            more.append(_replies(context, key))
    last = scalar(tops[-1].get("content_uuid")) if tops else None
    # An unknown cursor is answered with the first page again: a cursor that does not move ends the walk.
    if data.get("more_available") is True and last and last != context.get("after"):
        more.insert(0, _page(context, last))
    return more


def _contents(data: Any) -> Iterator[dict[str, Any]]:
    items = data.get("contents") if isinstance(data, dict) else None
    yield from (c for c in items if isinstance(c, dict)) if isinstance(items, list) else ()


def _is_top(item: dict[str, Any]) -> bool:
    parent = item.get("parent_uuid")
    return not parent or parent == item.get("content_container_uuid")


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    seen: set[str] = set()
    for body in bodies:
        for item in _walk(load_json(body)):
            key = scalar(item.get("content_uuid"))
            if key is None or key in seen or item.get("state", "visible") != "visible":
                continue
            seen.add(key)
            actor = item.get("actor")
            raw = comment(NAME, key=key, parent=None if _is_top(item) else item.get("parent_uuid"),
                          author=actor.get("name") if isinstance(actor, dict) else None,
                          published=epoch_date(item.get("date_created")), text=html_text(item.get("content")),
                          likes=item.get("total_likes"))
            if raw is not None:
                found.append(raw)
    return threaded(found)


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every comment of an answer, each followed by the replies it carries inline."""
    for item in _contents(data):
        yield item
        yield from _contents(item.get("replies"))
