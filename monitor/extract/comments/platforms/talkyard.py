"""Talkyard: the embedded-comments page the blog embed loads, with the whole discussion in its page JSON."""
from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import lxml.html

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
    scalar,
    threaded,
)

# The read path, from Talkyard's public source (github debiki/talkyard): the blog embed
# (client/embedded-comments/blog-comments.ts, intCommentIframe) loads
# ``{server}/-/embedded-comments?discussionId=…&embeddingUrl={origin}{path}``, anonymously;
# appsv/server/controllers/EmbeddedTopicsController.scala (showTopic) looks the discussion up by its
# discussion id, or else by the embedding URL and then its path, and answers the page HTML, or an empty
# not-yet-created page (200) when nobody has commented. appsv/server/views/templates/page.scala.html puts
# the React store, HTML-encoded (OWASP Encode.forHtmlContent), in <script id="thePageJson">;
# appsv/server/debiki/ReactJson.scala (pageToJsonImpl, postToJsonNoDbAccess) fills it with every post
# of the page: pagesById[currentPageId].postsByNr[nr] = {nr, parentNr, postType, authorId, createdAtMs,
# numLikeVotes, isPostDeleted, isTreeDeleted, isApproved, isBodyHidden, sanitizedHtml (null when deleted,
# hidden or not approved)}, and usersByIdBrief[id] = {id, username, fullName}. Post 0 is the title and
# post 1 the page body (a dummy root for embedded comments), so replies are posts 2 and up and parentNr 1
# means top level. The whole discussion comes in one answer: there is no paging to follow.
NAME = "talkyard"
FIRST_REPLY_NR = 2
BODY_NR = 1
META_MESSAGE = 31  # "topic closed"-style system posts: not readers' comments
MAX_STORE = 20_000_000  # characters of page JSON read at most: a hostile page cannot make us parse more

logger = logging.getLogger(__name__)


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    server = settings.url.rstrip("/") or thread.api
    if not server:
        raise PlatformUnavailable("the page names no talkyardServerUrl; set platforms.talkyard.url")
    parts = urlsplit(thread.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PlatformUnavailable("Talkyard keys a discussion by the article's URL, and this page has none")
    path = parts.path or "/"
    # As the embed does: the query string is left out of the embedding URL.
    query = {"embeddingUrl": f"{parts.scheme}://{parts.netloc}{path}"}
    # Detection falls back to the page's path when the page gives no data-discussion-id; sending that as a
    # discussion id would ask for a discussion that does not exist (Talkyard then ignores the URL).
    if thread.thread and thread.thread != path:
        query = {"discussionId": thread.thread, **query}
    return [PlatformRequest(f"{server}/-/embedded-comments?{urlencode(query)}",
                            headers={"Accept": "text/html,application/xhtml+xml"})]


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    return []  # one answer holds the whole discussion


def page_store(body: bytes | str) -> dict[str, Any] | None:
    """The page JSON of an embedded-comments answer; None when the answer has none."""
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return None
    found = tree.xpath("//script[@id='thePageJson']/text()")
    raw = "".join(str(part) for part in found)[:MAX_STORE] if isinstance(found, list) else ""
    if not raw.strip():
        return None
    try:
        store = json.loads(html.unescape(raw))  # undoes Encode.forHtmlContent, as the page's own script does
    except ValueError:
        logger.warning("talkyard page JSON is not JSON; skipped")
        return None
    return store if isinstance(store, dict) else None


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        store = page_store(body)
        if store is None:
            continue
        users = store.get("usersByIdBrief")
        users = users if isinstance(users, dict) else {}
        for post in sorted(_posts(store), key=lambda p: p["nr"]):
            raw = _comment(post, users)
            if raw is not None:
                found.append(raw)
    return threaded(found)


def _posts(store: dict[str, Any]) -> Iterator[dict[str, Any]]:
    pages, current = store.get("pagesById"), store.get("currentPageId")
    page = pages.get(current) if isinstance(pages, dict) and isinstance(current, str) else None
    posts = page.get("postsByNr") if isinstance(page, dict) else None
    for post in posts.values() if isinstance(posts, dict) else ():
        if isinstance(post, dict) and isinstance(post.get("nr"), int) and not isinstance(post.get("nr"), bool):
            yield post


def _comment(post: dict[str, Any], users: dict[str, Any]) -> RawComment | None:
    if (post["nr"] < FIRST_REPLY_NR or post.get("postType") == META_MESSAGE or post.get("isPostDeleted") is True
            or post.get("isTreeDeleted") is True or post.get("isApproved") is False
            or post.get("isBodyHidden") is True):
        return None
    author = users.get(str(scalar(post.get("authorId"))))
    name = None
    if isinstance(author, dict):
        name = author.get("fullName") or author.get("username")
    parent = post.get("parentNr")
    return comment(NAME, key=post["nr"], parent=None if parent == BODY_NR else parent, author=name,
                   published=epoch_date(post.get("createdAtMs")), text=html_text(post.get("sanitizedHtml")),
                   likes=post.get("numLikeVotes"))
