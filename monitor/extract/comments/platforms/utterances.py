"""utterances: the GitHub issue titled by the page's term (search API), then its comments (REST, Link-paged)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
    plain_text,
    whole_number,
)

# The API: https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests and
# https://docs.github.com/en/rest/issues/comments#list-issue-comments (per_page ≤ 100, Link rel="next").
# Without a token GitHub allows 60 requests an hour (10 searches a minute); a token raises that to 5,000.
NAME = "utterances"
API = "https://api.github.com"
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def _headers(settings: PlatformSettings) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github.full+json", "X-GitHub-Api-Version": "2022-11-28"}
    if settings.token:
        headers["Authorization"] = f"Bearer {settings.token}"
    return headers


def start(thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]:
    repo = settings.site or thread.site
    if not repo or "/" not in repo or not thread.thread:
        raise PlatformUnavailable("the embed names no repository (repo=owner/name) or no issue term")
    api = settings.url.rstrip("/") or API
    if thread.thread.isdigit():  # issue-number mapping
        return [_comments_request(api, repo, thread.thread, settings)]
    query = f'"{thread.thread}" type:issue in:title repo:{repo}'
    return [PlatformRequest(f"{api}/search/issues?{urlencode({'q': query})}", headers=_headers(settings),
                            context={"api": api, "repo": repo, "term": thread.thread, "step": "search"})]


def _comments_request(api: str, repo: str, number: str, settings: PlatformSettings) -> PlatformRequest:
    return PlatformRequest(f"{api}/repos/{repo}/issues/{number}/comments?per_page={min(settings.page_size, 100)}",
                           headers=_headers(settings), context={"api": api, "repo": repo, "step": "comments"})


def follow(request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]:
    if request.context.get("step") == "search":
        data = load_json(answer.body)
        items = data.get("items") if isinstance(data, dict) else None
        # The issue whose title is the term: search matches words, utterances titles its issues with the term.
        issue = next((i for i in items or [] if isinstance(i, dict) and i.get("title") == request.context["term"]),
                     None)
        number = whole_number(issue.get("number")) if issue else None
        return [] if number is None else [
            _comments_request(request.context["api"], request.context["repo"], str(number), settings)]
    following = _link_next(answer.headers)
    return [] if following is None else [PlatformRequest(following, headers=request.headers, context=request.context)]


def _link_next(headers: Mapping[str, str]) -> str | None:
    link = next((v for k, v in headers.items() if k.lower() == "link"), "")
    match = _NEXT.search(link)
    return match.group(1) if match else None


def comments(bodies: Sequence[bytes]) -> list[RawComment]:
    found: list[RawComment] = []
    for body in bodies:
        data = load_json(body)
        for item in data if isinstance(data, list) else []:  # the search answer is an object: skipped
            if not isinstance(item, dict):
                continue
            user = item.get("user")
            reactions = item.get("reactions")
            raw = comment(NAME, key=item.get("id"), parent=None,
                          author=user.get("login") if isinstance(user, dict) else None,
                          published=iso_date(item.get("created_at")),
                          text=html_text(item.get("body_html")) or plain_text(item.get("body")),
                          likes=reactions.get("+1") if isinstance(reactions, dict) else None)
            if raw is not None:
                found.append(raw)
    return found
