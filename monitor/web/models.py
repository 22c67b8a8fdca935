"""The JSON shapes of the API, as its OpenAPI description shows them."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """Documents carry more fields than listed (see the README's JSON shapes); they are passed through."""

    model_config = ConfigDict(extra="allow")


class Hit(_Open):
    id: str
    type: Literal["article", "comment"]
    url: str | None = None
    source: str
    title: str | None = None
    published: str | None = None
    snippet: str | None = Field(None, description="Matched words marked «like this».")
    score: float | None = None


class SearchResponse(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] | None = Field(
        None, description="Counts per source, type, language and day (when facets=true).")
    next_cursor: str | None = Field(None, description="Pass as `after` for the next page (deep paging).")


class Article(_Open):
    id: str
    type: Literal["article"] = "article"
    url: str | None = None
    source: str
    title: str | None = None


class ThreadComment(BaseModel):
    id: str
    parent_id: str | None = None
    depth: int | None = None
    position: int | None = None
    author: str | None = None
    published: str | None = None
    text: str | None = None
    likes: int | None = None


class ThreadResponse(BaseModel):
    article: Article
    comments: list[ThreadComment] = Field(description="In page order; parent_id is null at top level.")


class Series(BaseModel):
    name: str
    total: int
    counts: list[int]


class CoverageResponse(BaseModel):
    query: str
    split: Literal["source", "topic", "none"]
    total: int
    interval: Literal["day", "week", "month"] = Field(
        description="The bucket size, chosen from the range: days up to about a quarter, weeks up to two years, months beyond.")
    days: list[str] = Field(description="Each bucket's first day (YYYY-MM-DD; weeks start on Monday), from the first "
                                        "to the last with a match.")
    counts: list[int] = Field(description="All matching documents per bucket, aligned with days.")
    series: list[Series]


class AlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Letters, digits, - _ .")
    query: str
    notify: list[str] = Field(description="Apprise URLs; {env:NAME} takes a secret from the environment.")
    types: list[Literal["article", "comment"]] = ["article", "comment"]
    sources: list[str] = []
    topics: list[str] = []
    languages: list[str] = []
    mode: Literal["immediate", "digest"] = "immediate"
    digest_schedule: str | None = Field(None, description="Cron, e.g. \"0 8 * * *\" (digest mode).")


class AlertChanges(BaseModel):
    """What to change; fields left out stay as they are (so masked notify URLs need not be sent back)."""

    model_config = ConfigDict(extra="forbid")

    query: str | None = None
    notify: list[str] | None = None
    types: list[Literal["article", "comment"]] | None = None
    sources: list[str] | None = None
    topics: list[str] | None = None
    languages: list[str] | None = None
    mode: Literal["immediate", "digest"] | None = None
    digest_schedule: str | None = None


class AlertOut(_Open):
    name: str
    query: str
    notify: list[str] = Field(description="Masked: secrets are never shown.")
    types: list[str]
    mode: str
    origin: str = Field(description="Where it was made: config (monitor.yaml), cli, web (the UI) or api.")
    feed: str | None = Field(None, description="Its Atom feed (30 days of matches), with the feed's own read-only token.")
    paused: str | None = Field(None, description="When it was paused (nothing matches or is sent meanwhile); null: active.")


class AlertList(BaseModel):
    alerts: list[AlertOut]


class AlertTest(BaseModel):
    alert: AlertOut
    since: str
    total: int
    hits: list[Hit]


class NotificationTest(BaseModel):
    url: str = Field(description="Masked.")
    sent: bool
    error: str | None = None


class NotificationTests(BaseModel):
    results: list[NotificationTest]


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Letters, digits, - _ . (up to 80).")
    q: str = ""
    type: Literal["all", "article", "comment"] = "all"
    source: list[str] = []
    topic: list[str] = []
    language: list[str] = []
    since: str | None = Field(None, description="ISO 8601, or relative: 7d, 24h, yesterday, this week…")
    until: str | None = None
    sort: Literal["relevance", "date"] = "relevance"


class SavedSearchOut(BaseModel):
    name: str
    params: dict[str, Any]
    origin: str
    created: str
    feed: str = Field(description="Its Atom feed (the newest hits), with the feed's own read-only token.")


class SavedSearchList(BaseModel):
    searches: list[SavedSearchOut]


class Message(_Open):
    id: int
    alert: str
    status: str
    attempts: int


class AlertHistory(BaseModel):
    messages: list[Message]


class Run(_Open):
    id: int
    source: str
    status: str
    started: str | None = None
    ended: str | None = None


class RunList(BaseModel):
    runs: list[Run]


class SourceStatus(_Open):
    name: str
    schedule: str | None = None
    last_run: dict[str, Any] | None = None
    next_run: str | None = None
    health: str
    reason: str | None = None


class SourcesResponse(BaseModel):
    server: dict[str, Any]
    sources: list[SourceStatus]


class CrawlStarted(BaseModel):
    source: str
    status: Literal["queued", "started"]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    index: dict[str, Any]


class Problem(BaseModel):
    detail: str
    position: int | None = Field(None, description="For a query that does not parse: where it breaks.")
