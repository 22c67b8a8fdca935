"""What every comment-platform client shares: the thread found on a page, requests, answers and payload readers."""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import lxml.html

from monitor.extract.comments.html import collect_text, tidy
from monitor.extract.comments.model import RawComment
from monitor.timestamps import from_epoch, utc_z

__all__ = ["Answer", "Client", "PlatformRequest", "PlatformSettings", "PlatformThread", "PlatformUnavailable",
           "epoch_date", "html_text", "iso_date", "load_json", "plain_text", "scalar", "threaded", "whole_number"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlatformThread:
    """A comment platform's thread as an article page embeds it."""

    platform: str  # the client's name: "disqus", "isso", …
    site: str | None = None  # forum shortname, site id, repository, …: who hosts the thread on the platform
    thread: str | None = None  # the thread's key on the platform: identifier, uri, post or topic id
    api: str | None = None  # the platform's base URL, for self-hosted ones (Isso, Remark42, Coral, Discourse)
    url: str = ""  # the article page's URL (platforms that key threads by it)
    expected: int | None = None  # the comment count the page promises, where it shows one


@dataclass(frozen=True)
class PlatformSettings:
    """A source's settings for one platform (secrets already filled in by the crawler)."""

    api_key: str = ""
    token: str = ""
    url: str = ""  # the API's base URL, over the one the page names
    site: str = ""  # the site or forum id, over the one the page names
    page_size: int = 50


@dataclass(frozen=True)
class PlatformRequest:
    """One request a client asks the crawler to make; ``context`` is the client's own, handed back with the answer."""

    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """A platform's answer to one request, as the crawler got it."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


class PlatformUnavailable(Exception):
    """A thread this client cannot read with what the source gives it (no API key, no thread key)."""


class Client(Protocol):
    """A platform client: a module with these names (see isso.py)."""

    NAME: str

    def start(self, thread: PlatformThread, settings: PlatformSettings) -> list[PlatformRequest]: ...

    def follow(self, request: PlatformRequest, answer: Answer, settings: PlatformSettings) -> list[PlatformRequest]: ...

    def comments(self, bodies: Sequence[bytes]) -> list[RawComment]: ...


def load_json(body: bytes | str) -> Any:
    """The JSON of an answer; None (and a warning) when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        logger.warning("comment platform answer is not JSON; skipped")
        return None


def scalar(value: Any) -> str | None:
    """A JSON id as text; null, false, 0, "" and objects are "none" (top-level comments say parent 0 or null)."""
    if value is None or isinstance(value, (bool, dict, list)) or value == 0:
        return None
    text = str(value).strip()
    return text or None


def whole_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def html_text(value: Any) -> str:
    """The reader's text of an HTML fragment (platforms hand out rendered comments); scripts and styles dropped."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return tidy(value)
    return collect_text(fragment, lambda el: el.tag in ("script", "style", "noscript", "template", "iframe"))


def plain_text(value: Any) -> str:
    return tidy(value) if isinstance(value, str) else ""


def iso_date(value: Any) -> str | None:
    """An ISO 8601 timestamp as the platform gives it, normalised; None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    stamp = utc_z(value.strip())
    return stamp.replace("Z", "+00:00") if stamp else None


def epoch_date(value: Any) -> str | None:
    """Epoch seconds (Isso's float ``created``) as ISO 8601 UTC."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return from_epoch(str(int(value)))


def comment(platform: str, *, key: Any, parent: Any, author: Any, published: str | None, text: str,
            likes: Any = None) -> RawComment | None:
    """A RawComment from one platform record; None when it has no id or no text (deleted, or not a comment)."""
    native = scalar(key)
    if native is None or not text:
        return None
    parent_key = scalar(parent)
    name = author.strip() if isinstance(author, str) and author.strip() else None
    return RawComment(key=native, parent_key=parent_key if parent_key != native else None, author=name,
                      published=published, text=text, likes=whole_number(likes), platform=platform)


def threaded(found: list[RawComment]) -> list[RawComment]:
    """Each comment followed by its replies, for platforms whose answers come level by level (top comments, then
    the replies of each)."""
    keys = {c.key for c in found}
    children: dict[str | None, list[RawComment]] = {}
    for c in found:
        children.setdefault(c.parent_key if c.parent_key in keys else None, []).append(c)
    ordered: list[RawComment] = []
    placed: set[int] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        current = stack.pop()
        if id(current) in placed:  # hostile answers: the same key twice
            continue
        placed.add(id(current))
        ordered.append(current)
        stack += reversed(children.get(current.key, []))
    # Comments whose parents answer each other (a cycle) hang from no top comment: kept, at the end.
    return ordered + [c for c in found if id(c) not in placed]
