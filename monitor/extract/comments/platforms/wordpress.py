"""WordPress: the REST API's ``wp/v2/comments?post=`` (approved comments, public), paged by ``X-WP-TotalPages``."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
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
)

# The API: https://developer.wordpress.org/rest-api/reference/comments/ (post, per_page ≤ 100, page, orderby,
# order) and https://developer.wordpress.org/rest-api/using-the-rest-api/pagination/ (X-WP-Total, X-WP-TotalPages).
NAME = "wordpress"
MAX_PER_PAGE = 100


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = (settings.url or thread.api or "").rstrip("/")
    if not api or not thread.thread:
        raise PlatformUnavailable("the page names no REST API root (rel=https://api.w.org/) or no post id")
    return [_request(api, thread.thread, min(settings.page_size, MAX_PER_PAGE), 1)]


def _request(api: str, post: str, size: int, page: int) -> PlatformRequest:
    query = {"post": post, "per_page": size, "page": page, "orderby": "date_gmt", "order": "asc"}
    return PlatformRequest(f"{api}/wp/v2/comments?{urlencode(query)}", headers={"Accept": "application/json"},
                           context={"api": api, "post": post, "size": str(size), "page": str(page)})


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    pages = _header(answer.headers, "x-wp-totalpages")
    page = int(request.context["page"])
    if pages is None or not pages.isdigit() or page >= int(pages) or not isinstance(load_json(answer.body), list):
        return []
    return [_request(request.context["api"], request.context["post"], int(request.context["size"]), page + 1)]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v.strip() for k, v in headers.items() if k.lower() == name), None)


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    return read_comments(bodies, NAME)


def read_comments(bodies: Sequence[bytes], platform: str) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        for item in data if isinstance(data, list) else []:
            raw = _comment(item, platform)
            if raw is not None:
                found.append(raw)
    return found


def _comment(item: Any, platform: str) -> RawComment | None:
    if not isinstance(item, dict) or item.get("status", "approved") != "approved":
        return None
    content = item.get("content")
    gmt = item.get("date_gmt")
    return comment(platform, key=item.get("id"), parent=item.get("parent"), author=item.get("author_name"),
                   published=iso_date(f"{gmt}+00:00") if isinstance(gmt, str) and len(gmt) == 19 else iso_date(gmt),
                   text=html_text(content.get("rendered") if isinstance(content, dict) else None))
