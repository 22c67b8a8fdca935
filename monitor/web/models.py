"""The JSON shapes of the API, as its OpenAPI description shows them."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """Documents carry more fields than listed (see the README's JSON shapes); they are passed through."""

    model_config = ConfigDict(extra="allow")


class Hit(_Open):
    id: str
    type: Literal["article", "comment"]
    url: Optional[str] = None
    source: str
    title: Optional[str] = None
    published: Optional[str] = None
    snippet: Optional[str] = Field(None, description="Matched words marked «like this».")
    score: Optional[float] = None


class SearchResponse(BaseModel):
    total: int
    hits: list[Hit]
    facets: Optional[dict[str, dict[str, int]]] = Field(
        None, description="Counts per source, type, language and day (when facets=true).")
    next_cursor: Optional[str] = Field(None, description="Pass as `after` for the next page (deep paging).")


class Article(_Open):
    id: str
    type: Literal["article"] = "article"
    url: Optional[str] = None
    source: str
    title: Optional[str] = None


class ThreadComment(BaseModel):
    id: str
    parent_id: Optional[str] = None
    depth: Optional[int] = None
    position: Optional[int] = None
    author: Optional[str] = None
    published: Optional[str] = None
    text: Optional[str] = None
    likes: Optional[int] = None


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
    days: list[str] = Field(description="Every day from the first to the last with a match (YYYY-MM-DD).")
    counts: list[int] = Field(description="All matching documents per day, aligned with days.")
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
    digest_schedule: Optional[str] = Field(None, description="Cron, e.g. \"0 8 * * *\" (digest mode).")


class AlertChanges(BaseModel):
    """What to change; fields left out stay as they are (so masked notify URLs need not be sent back)."""

    model_config = ConfigDict(extra="forbid")

    query: Optional[str] = None
    notify: Optional[list[str]] = None
    types: Optional[list[Literal["article", "comment"]]] = None
    sources: Optional[list[str]] = None
    topics: Optional[list[str]] = None
    languages: Optional[list[str]] = None
    mode: Optional[Literal["immediate", "digest"]] = None
    digest_schedule: Optional[str] = None


class AlertOut(_Open):
    name: str
    query: str
    notify: list[str] = Field(description="Masked: secrets are never shown.")
    types: list[str]
    mode: str
    origin: str = Field(description="config (monitor.yaml) or cli (made from the CLI or the API).")


class AlertList(BaseModel):
    alerts: list[AlertOut]


class AlertTest(BaseModel):
    alert: AlertOut
    since: str
    total: int
    hits: list[Hit]


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
    started: Optional[str] = None
    ended: Optional[str] = None


class RunList(BaseModel):
    runs: list[Run]


class SourceStatus(_Open):
    name: str
    schedule: Optional[str] = None
    last_run: Optional[dict[str, Any]] = None
    next_run: Optional[str] = None
    health: str
    reason: Optional[str] = None


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
    position: Optional[int] = Field(None, description="For a query that does not parse: where it breaks.")
