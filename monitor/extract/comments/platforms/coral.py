"""Coral Talk: the GraphQL API on the site's own Coral host (``/api/graphql``), story comments and their replies."""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

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
    threaded,
    whole_number,
)

# The API: coral's server/src/core/server/graph/schema/schema.graphql (Query.story(id, url), Query.comment(id),
# Story.comments / Comment.replies (first, orderBy: CREATED_AT_ASC, after) → CommentsConnection {nodes, pageInfo},
# Comment {id, body, createdAt, author {username}, parent {id}, replyCount, deleted, actionCounts.reaction.total}).
NAME = "coral"
_FIELDS = "id body createdAt deleted replyCount author { username } parent { id } actionCounts { reaction { total } }"
_PAGE = "nodes { " + _FIELDS + " } pageInfo { hasNextPage endCursor }"
STORY = ("query MonitorStory($story: ID, $url: String, $first: Int!, $after: Cursor) { story(id: $story, url: $url) "
         "{ id comments(first: $first, orderBy: CREATED_AT_ASC, after: $after) { " + _PAGE + " } } }")
REPLIES = ("query MonitorReplies($comment: ID!, $first: Int!, $after: Cursor) { comment(id: $comment) "
           "{ id replies(first: $first, orderBy: CREATED_AT_ASC, after: $after) { " + _PAGE + " } } }")


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    api = settings.url.rstrip("/") or thread.api
    if not api:
        raise PlatformUnavailable("the page's Coral.createStreamEmbed names no rootURL; set platforms.coral.url")
    variables = {"story": thread.thread, "url": None if thread.thread else thread.url}
    return [_request(api, STORY, {**variables, "first": settings.page_size, "after": None})]


def _request(api: str, query: str, variables: dict[str, Any]) -> PlatformRequest:
    body = json.dumps({"query": query, "variables": variables}).encode()
    return PlatformRequest(f"{api}/api/graphql", method="POST", body=body,
                           headers={"Content-Type": "application/json", "Accept": "application/json"},
                           context={"api": api, "variables": json.dumps(variables)})


def _connection(data: Any) -> tuple[str, dict[str, Any]] | None:
    """("story" | "comment", its comments connection) of an answer."""
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return None
    for kind, field in (("story", "comments"), ("comment", "replies")):
        node = inner.get(kind)
        if isinstance(node, dict) and isinstance(node.get(field), dict):
            return kind, node[field]
    return None


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    found = _connection(load_json(answer.body))
    if found is None:
        return []
    kind, connection = found
    api, variables = request.context["api"], json.loads(request.context["variables"])
    more: list[PlatformRequest] = []
    page = connection.get("pageInfo")
    if isinstance(page, dict) and page.get("hasNextPage") is True and isinstance(page.get("endCursor"), str):
        more.append(_request(api, STORY if kind == "story" else REPLIES, {**variables, "after": page["endCursor"]}))
    for node in _nodes(connection):
        if (whole_number(node.get("replyCount")) or 0) > 0 and isinstance(node.get("id"), str):
            more.append(_request(api, REPLIES, {"comment": node["id"], "first": settings.page_size, "after": None}))
    return more


def _nodes(connection: dict[str, Any]) -> Iterator[dict[str, Any]]:
    nodes = connection.get("nodes")
    yield from (n for n in nodes if isinstance(n, dict)) if isinstance(nodes, list) else ()


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        connection = _connection(load_json(body))
        for node in _nodes(connection[1]) if connection else ():
            if node.get("deleted"):
                continue
            author, parent, counts = node.get("author"), node.get("parent"), node.get("actionCounts")
            reaction = counts.get("reaction") if isinstance(counts, dict) else None
            raw = comment(NAME, key=node.get("id"), parent=parent.get("id") if isinstance(parent, dict) else None,
                          author=author.get("username") if isinstance(author, dict) else None,
                          published=iso_date(node.get("createdAt")), text=html_text(node.get("body")),
                          likes=reaction.get("total") if isinstance(reaction, dict) else None)
            if raw is not None:
                found.append(raw)
    return threaded(found)

