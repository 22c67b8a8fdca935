"""Vuukle: the comment feed its widget reads (``getCommentFeedBySort``), paged by ``start``, replies nested."""
from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

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
    iso_date,
    load_json,
    scalar,
)

# Vuukle documents only its comment-count API. The read path and shapes come from public code that reads the
# feed anonymously with the site's public apiKey (the one VUUKLE_CONFIG carries on every article page):
# - Vuukle's own comment widget (TypeScript, held in the public code corpus without a repository name):
#   services/apis.ts (commentsApis.get: GET {api}/api/v1/Comments/getCommentFeedBySort?apiKey&articleId&host
#   &pageSize&sortBy&start, "start: from which comment to start loading"), modules/CommentList/store.ts
#   (CommentsStore: ``data.comments.items``, each item's ``replies`` nested the same way, load more with
#   start = the comments shown so far; sortBy get_latest) and modules/CommentList/CommentItem.ts (Comment: id,
#   parentId, name (HTML-escaped, URI-encoded), commentText (HTML), createdTimestamp, likeCount, dislikeCount,
#   state (2: held for moderation, dropped from the feed), a removed comment's text "[Comment deleted by user]";
#   responses carry ``success`` and ``errors``);
# - a public scraper, vuukle.py by TRHX (itrhx.com, 2021): the same query, host without "www.", start advanced by
#   ``data.comments.pageSize`` until a page comes back empty.
# ``id`` is Vuukle's comment id, the native id. ``createdTimestamp`` is an epoch time, so UTC (seconds or
# milliseconds, told apart by their digits); an older ``createAt`` without a zone is read as UTC, since the
# public code shows no zone for it. The widget shows the replies the feed nests, and so do we.
NAME = "vuukle"
API = "https://api.vuukle.com"
MAX_PAGE = 100  # the widget asks for 25 a page; no maximum is published, so stay modest
SORT = "get_latest"
MODERATION = 2
DELETED_TEXT = "[Comment deleted by user]"


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    key = settings.api_key or thread.site
    if not key:
        raise PlatformUnavailable("the page's VUUKLE_CONFIG names no apiKey; set platforms.vuukle.api_key")
    if not thread.thread:
        raise PlatformUnavailable("the page's VUUKLE_CONFIG names no articleId; Vuukle keys a thread by it")
    host = settings.site or (urlsplit(thread.url).hostname or "").removeprefix("www.")
    if not host:
        raise PlatformUnavailable("Vuukle keys a thread by the site's host; set platforms.vuukle.site")
    context = {"api": settings.url.rstrip("/") or API, "key": key, "article": thread.thread, "host": host,
               "size": str(max(1, min(settings.page_size, MAX_PAGE)))}
    return [_page(context, 0)]


def _page(context: dict[str, str], offset: int, last: str = "") -> PlatformRequest:
    query = {"apiKey": context["key"], "articleId": context["article"], "host": context["host"],
             "pageSize": context["size"], "sortBy": SORT, "start": offset}
    return PlatformRequest(f"{context['api']}/api/v1/Comments/getCommentFeedBySort?{urlencode(query)}",
                           headers={"Accept": "application/json"},
                           context=dict(context, start=str(offset), last=last))


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    items = _items(load_json(answer.body))
    context = dict(request.context)
    size = int(context.get("size") or MAX_PAGE)
    last = scalar(items[-1].get("id")) if items else None
    # A full page may have a next one; a page that ends where the one before did means the start did not move.
    if len(items) < size or last is None or last == context.get("last"):
        return []
    return [_page(context, int(context.get("start") or 0) + len(items), last)]


def _items(data: Any) -> list[dict[str, Any]]:
    feed = data.get("data") if isinstance(data, dict) else None
    found = feed.get("comments") if isinstance(feed, dict) else None
    items = found.get("items") if isinstance(found, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    seen: set[str] = set()
    for body in bodies:
        for item, parent in _walk(_items(load_json(body)), None, 0):
            key = scalar(item.get("id"))
            if key is None or key in seen:
                continue
            seen.add(key)
            if item.get("state") == MODERATION or str(item.get("commentText", "")).strip() == DELETED_TEXT:
                continue
            raw = comment(NAME, key=key, parent=scalar(item.get("parentId")) or parent, author=_name(item.get("name")),
                          published=epoch_date(item.get("createdTimestamp")) or iso_date(item.get("createAt")),
                          text=html_text(item.get("commentText")), likes=item.get("likeCount"))
            if raw is not None:
                found.append(raw)
    return found


def _walk(items: list[dict[str, Any]], parent: str | None, depth: int) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Each comment with the id of the comment it is nested under, its replies after it."""
    if depth > 50:  # hostile nesting
        return
    for item in items:
        yield item, parent
        replies = item.get("replies")
        if isinstance(replies, list):
            yield from _walk([r for r in replies if isinstance(r, dict)], scalar(item.get("id")), depth + 1)


def _name(value: Any) -> str | None:
    """A reader's name as the widget shows it: HTML entities and URI escapes undone."""
    if not isinstance(value, str):
        return None
    return unquote(html.unescape(value)).strip() or None
