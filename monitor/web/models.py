"""The JSON shapes of the API, as its OpenAPI description shows them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from monitor.documents import ARTICLE_FIELDS, COMMON_FIELDS, FIELDS, THREAD_COMMENT_FIELDS, DocType
from monitor.items import FieldKind


class _Open(BaseModel):
    """Documents carry more fields than listed (see the README's JSON shapes); they are passed through."""

    model_config = ConfigDict(extra="allow")


_PYTHON_TYPES: dict[FieldKind, Any] = {"integer": int, "keywords": list[str]}
# Fields every document of its type has a value for; the rest may be null.
_REQUIRED = frozenset({"id", "type", "source"})


def _field(name: str, doc_type: DocType | None = None) -> tuple[Any, Any]:
    """The pydantic field of a document field (documents.FIELDS): its type, and its default unless required."""
    if name == "type":
        return (Literal[doc_type] if doc_type else Literal["article", "comment"]), (doc_type or ...)
    kind = FIELDS[name].kind
    python_type = _PYTHON_TYPES.get(kind, str)
    if kind == "keywords":
        return python_type, Field(default_factory=list)
    return (python_type, ...) if name in _REQUIRED else (python_type | None, None)


def _model(name: str, fields: dict[str, Any], *, base: type[BaseModel], doc: str) -> Any:
    return create_model(name, __base__=base, __doc__=doc, **fields)


# The document models take their fields from monitor.documents: a field added to the shape appears here.
if TYPE_CHECKING:
    Hit = _Open
    Article = _Open
    ThreadComment = BaseModel
else:
    Hit = _model("Hit", {
        **{f: _field(f) for f in COMMON_FIELDS},
        "title": (str | None, None),  # an article's title; comments carry their article's as article_title
        "snippet": (str | None, Field(None, description="Matched words marked «like this».")),
        "score": (float | None, None),
    }, base=_Open, doc="A search hit: the document's fields (those of its type), a snippet and the score.")
    Article = _model("Article", {f: _field(f, "article") for f in ARTICLE_FIELDS}, base=_Open,
                     doc="An article document.")
    ThreadComment = _model("ThreadComment", {f: _field(f) for f in THREAD_COMMENT_FIELDS}, base=BaseModel,
                           doc="A comment as a thread shows it.")


class SearchResponse(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] | None = Field(
        None, description="Counts per source, type, language and day (when facets=true).")
    next_cursor: str | None = Field(None, description="Pass as `after` for the next page (deep paging).")


class Copy(BaseModel):
    """Another copy of the article: the same story published under another URL (syndication, near-duplicate)."""

    id: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None


class ThreadResponse(BaseModel):
    article: Article
    comments: list[ThreadComment] = Field(description="In page order; parent_id is null at top level.")
    copies: list[Copy] = Field(default_factory=list, description="Also published by: the article's other copies, "
                                                                   "newest first.")
    copies_total: int = Field(0, description="How many other copies there are (copies lists the first 50).")


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
    once_per: Literal["cluster", "document"] = Field(
        "document", description="cluster: a story reprinted by many outlets notifies once; document: every copy does.")


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
    once_per: Literal["cluster", "document"] | None = None


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
