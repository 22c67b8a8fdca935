"""giscus: GitHub Discussions through GitHub's GraphQL API (a token is required there), comments and replies."""
from __future__ import annotations

import json
from collections.abc import Sequence
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
)

# The API: https://docs.github.com/en/graphql/reference/queries#search (type: DISCUSSION) and the Discussion,
# DiscussionComment objects (comments/replies connections, bodyHTML, upvoteCount, isMinimized). GraphQL wants a
# token (5,000 points an hour); replies beyond the first 100 of a comment are not fetched.
NAME = "giscus"
API = "https://api.github.com"
_COMMENT = "id author { login } bodyHTML createdAt upvoteCount isMinimized"
QUERY = ("query MonitorGiscus($q: String!, $first: Int!, $after: String) { search(type: DISCUSSION, query: $q, "
         "first: 5) { nodes { ... on Discussion { id title comments(first: $first, after: $after) { pageInfo "
         "{ hasNextPage endCursor } nodes { " + _COMMENT + " replies(first: 100) { nodes { " + _COMMENT + " } } } } } } } }")


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    if not settings.token:
        raise PlatformUnavailable('giscus threads live in GitHub Discussions, whose GraphQL API needs a token: set '
                                  'platforms.giscus.token: "{env:GITHUB_TOKEN}"')
    repo = settings.site or thread.site
    if not repo or not thread.thread:
        raise PlatformUnavailable("the giscus embed names no data-repo or no discussion term")
    api = settings.url.rstrip("/") or API
    return [_request(api, settings, {"q": f'repo:{repo} in:title "{thread.thread}"', "first": settings.page_size,
                                     "after": None}, thread.thread)]


def _request(api: str, settings: PlatformSettings, variables: dict[str, Any], term: str) -> PlatformRequest:
    return PlatformRequest(f"{api}/graphql", method="POST",
                           body=json.dumps({"query": QUERY, "variables": variables}).encode(),
                           headers={"Authorization": f"Bearer {settings.token}", "Content-Type": "application/json"},
                           context={"api": api, "term": term, "variables": json.dumps(variables)})


def _discussion(data: Any, term: str) -> dict[str, Any] | None:
    """The discussion titled with the term (search matches words; giscus titles its discussions with the term)."""
    search = (data.get("data") or {}).get("search") if isinstance(data, dict) else None
    nodes = search.get("nodes") if isinstance(search, dict) else None
    return next((n for n in nodes or [] if isinstance(n, dict) and n.get("title") == term), None)


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    found = _discussion(load_json(answer.body), request.context["term"])
    connection = found.get("comments") if found else None
    page = connection.get("pageInfo") if isinstance(connection, dict) else None
    if not isinstance(page, dict) or page.get("hasNextPage") is not True or not isinstance(page.get("endCursor"), str):
        return []
    variables = {**json.loads(request.context["variables"]), "after": page["endCursor"]}
    return [_request(request.context["api"], settings, variables, request.context["term"])]


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        search = (data.get("data") or {}).get("search") if isinstance(data, dict) else None
        for discussion in (search.get("nodes") or []) if isinstance(search, dict) else []:
            connection = discussion.get("comments") if isinstance(discussion, dict) else None
            for node in (connection.get("nodes") or []) if isinstance(connection, dict) else []:
                _add(node, None, found)
                replies = node.get("replies") if isinstance(node, dict) else None
                for reply in (replies.get("nodes") or []) if isinstance(replies, dict) else []:
                    _add(reply, node.get("id"), found)
    return found


def _add(node: Any, parent: Any, found: list[RawComment]) -> None:
    if not isinstance(node, dict) or node.get("isMinimized"):
        return
    author = node.get("author")
    raw = comment(NAME, key=node.get("id"), parent=parent,
                  author=author.get("login") if isinstance(author, dict) else None,
                  published=iso_date(node.get("createdAt")), text=html_text(node.get("bodyHTML")),
                  likes=node.get("upvoteCount"))
    if raw is not None:
        found.append(raw)
