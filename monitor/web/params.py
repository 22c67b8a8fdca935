"""Search parameters from a query string (API and pages alike) to a SearchRequest."""
from __future__ import annotations

import json
from typing import Any

from fastapi import Query

from monitor import timeranges
from monitor.errors import QueryError
from monitor.index import SearchRequest
from monitor.query.syntax import MAX_QUERY_LENGTH

TYPES: dict[str, tuple[Any, ...]] = {"all": ("article", "comment"), "article": ("article",), "comment": ("comment",)}
MAX_LIMIT = 500
MAX_OFFSET = 10_000
MAX_DATE_LENGTH = 40
DATE_HELP = "ISO 8601, a span back from now (24h, 7d, 2w) or a period (today, yesterday, this week, last month…)"


class SearchParams:
    """A FastAPI dependency: the filters every search-like endpoint takes."""

    def __init__(
        self,
        q: str = Query("", max_length=MAX_QUERY_LENGTH, description="Query in the monitor's query language ('' = everything)."),
        type: str = Query("all", pattern="^(all|article|comment)?$", description="all, article or comment."),
        source: list[str] = Query([], description="Only these sources (repeatable)."),
        topic: list[str] = Query([], description="Only documents tagged with these topics (repeatable)."),
        language: list[str] = Query([], description="Only these languages (repeatable)."),
        since: str | None = Query(None, max_length=MAX_DATE_LENGTH, description=f"Published on or after: {DATE_HELP}."),
        until: str | None = Query(None, max_length=MAX_DATE_LENGTH, description=f"Published on or before: {DATE_HELP}."),
    ) -> None:
        self.q = q
        self.type = type or "all"  # an HTML form sends "" for its "all" choice
        self.source = [s for s in source if s]
        self.topic = [t for t in topic if t]
        self.language = [lang for lang in language if lang]
        self.since = since.strip() if since and since.strip() else None  # a form's blank field: no bound
        self.until = until.strip() if until and until.strip() else None
        timeranges.check(self.since, name="since")
        timeranges.check(self.until, name="until")

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> SearchParams:
        """A saved search's parameters (as ``as_dict`` gave them) checked again, as a request would be."""
        def listed(key: str) -> list[str]:
            value = saved.get(key) or []
            return [str(v) for v in (value if isinstance(value, list) else [value])]

        return cls(q=str(saved.get("q") or ""), type=str(saved.get("type") or "all"), source=listed("source"),
                   topic=listed("topic"), language=listed("language"), since=saved.get("since"),
                   until=saved.get("until"))

    def request(self, **extra: Any) -> SearchRequest:
        return SearchRequest(query=self.q, types=TYPES[self.type], sources=tuple(self.source),
                             topics=tuple(self.topic), languages=tuple(self.language), since=self.since,
                             until=self.until, **extra)

    def as_dict(self) -> dict[str, Any]:
        return {"q": self.q, "type": None if self.type == "all" else self.type, "source": self.source,
                "topic": self.topic, "language": self.language, "since": self.since, "until": self.until}


def decode_cursor(text: str | None) -> list[Any] | None:
    """The ``after`` parameter: the next_cursor of the previous page, a JSON list of scalars."""
    if not text:
        return None
    try:
        cursor = json.loads(text)
    except json.JSONDecodeError:
        cursor = None
    if not isinstance(cursor, list) or not cursor or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in cursor):
        raise QueryError("after takes the next_cursor of the previous page of results")
    return cursor


def encode_cursor(cursor: list[Any] | None) -> str | None:
    return json.dumps(cursor, separators=(",", ":")) if cursor is not None else None
