"""Atom feeds of search hits (a saved search's newest, an alert's matches), built with ElementTree so text is escaped."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from monitor import service
from monitor.alerts import service as alerts
from monitor.documents import utc_iso
from monitor.web.deps import web_state
from monitor.web.params import SearchParams
from monitor.web.present import http_url, query_string
from monitor.web.saved import FeedKind

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_ENTRIES = 50
# Characters XML 1.0 cannot hold at all (scraped text can): dropped, since no escape exists for them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HIGHLIGHT = re.compile("[«»]")


ALERT_FEED_DAYS = 30
router = APIRouter(prefix="/feeds", tags=["feeds"])


@router.get("/searches/{name}.atom", response_class=Response, summary="A saved search's newest hits as Atom",
            responses={200: {"content": {"application/atom+xml": {}}}, 404: {"description": "No such feed, or a wrong token."}})
async def search_feed(request: Request, name: str, token: str = Query("", description="The feed's own read-only token.")
                      ) -> Response:
    web = web_state(request)
    saved = _opened(request, "search", name, token)
    search = saved.get(name)
    if search is None:
        raise HTTPException(404, "no such feed, or a wrong token")
    newest = SearchParams.from_saved(search.params).request(sort="date", limit=FEED_ENTRIES)
    result = await run_in_threadpool(lambda: service.search(web.config, newest, index=web.index()))
    return _answer(request, f"Saved search {name}", f"monitor:search:{name}", "/" + query_string(search.params),
                   result.hits)


@router.get("/alerts/{name}.atom", response_class=Response, summary="What an alert matched in the last 30 days, as Atom",
            responses={200: {"content": {"application/atom+xml": {}}}, 404: {"description": "No such feed, or a wrong token."}})
async def alert_feed(request: Request, name: str, token: str = Query("", description="The feed's own read-only token.")
                     ) -> Response:
    web = web_state(request)
    _opened(request, "alert", name, token)
    if name not in {a["name"] for a in alerts.list_alerts(web.config)}:
        raise HTTPException(404, "no such feed, or a wrong token")
    tested = await run_in_threadpool(lambda: alerts.test_alert(web.config, name, days=ALERT_FEED_DAYS,
                                                               limit=FEED_ENTRIES))
    return _answer(request, f"Alert {name}", f"monitor:alert:{name}", f"/alerts/{name}", tested["hits"])


def feed_path(kind: FeedKind, name: str, token: str) -> str:
    folder = "searches" if kind == "search" else "alerts"
    return f"/feeds/{folder}/{quote(name, safe='')}.atom?token={token}"


def _opened(request: Request, kind: FeedKind, name: str, token: str) -> Any:
    """The feed's token opens it, whether or not reads are open; the API token does not (never in a URL)."""
    saved = web_state(request).saved()
    if not saved.token_ok(kind, name, token):
        raise HTTPException(404, "no such feed, or a wrong token")
    return saved


def _answer(request: Request, title: str, feed_id: str, page: str, hits: list[dict[str, Any]]) -> Response:
    base = str(request.base_url).rstrip("/")
    body = atom(title=title, feed_id=feed_id, self_url=str(request.url), page_url=base + page, hits=hits)
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "private, max-age=60"})


def atom(*, title: str, feed_id: str, self_url: str, page_url: str, hits: Iterable[dict[str, Any]]) -> bytes:
    """The feed document; each hit's link goes to its page in this UI (and the original when it is http)."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", feed_id)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url)
    updated = _text(feed, "updated", _now())
    newest = ""
    for hit in hits:
        stamp = utc_iso(hit.get("published")) or utc_iso(hit.get("first_seen")) or _now()
        newest = max(newest, stamp)
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        if hit.get("type") == "comment":
            name = f"{hit.get('author') or 'anonymous'} on “{hit.get('article_title') or '(untitled)'}”"
        else:
            name = hit.get("title") or "(untitled)"
        _text(entry, "title", name)
        _text(entry, "id", f"{feed_id}:{hit.get('id')}")
        _text(entry, "updated", stamp)
        original = http_url(hit.get("url"))
        if original:
            ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=original)
        author = ElementTree.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", hit.get("author") or ", ".join(hit.get("authors") or []) or str(hit.get("source") or ""))
        _text(entry, "summary", _HIGHLIGHT.sub("", hit.get("snippet") or (hit.get("text") or "")[:500]))
        _text(entry, "category", "").set("term", str(hit.get("source") or ""))
    if newest:
        updated.text = newest
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="utf-8")


def _text(parent: ElementTree.Element, tag: str, value: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _NOT_XML.sub("", str(value))
    return element


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
