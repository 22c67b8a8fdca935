"""The JSON shapes of the source endpoints (/api/sources/…) as their OpenAPI description shows them."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SourceOut(BaseModel):
    name: str
    origin: Literal["monitor.yaml", "ui"] = Field(
        description="monitor.yaml: owned by the file (read-only here); ui: added in the web UI or API.")
    editable: bool = Field(description="Whether the UI and API may change or delete it.")
    paused: str | None = Field(None, description="When it was paused (no scheduled crawls); null: active.")
    shadowed: bool = Field(False, description="Added here, but monitor.yaml now names it too: the file's is crawled.")
    error: str | None = Field(None, description="Stored, but its definition no longer validates: why.")
    added_by: str | None = Field(None, description="web (the UI) or api, for sources added here.")
    definition: dict[str, Any] = Field(description="The source as monitor.yaml would hold it (defaults left out).")


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: str | dict[str, str] | None = Field(
        description='"15m", a five-field cron like "*/30 * * * *", or {"every": "15m", "jitter": "1m"}; '
                    "null: serve.default_schedule (or crawled only on demand).")


class FetchedEntry(BaseModel):
    url: str
    ok: bool
    kind: str | None = Field(None, description="What the body is: feed, sitemap, sitemap index, robots, html, other.")
    links: int = Field(description="Links (or sitemaps) it lists.")
    articles: int = Field(description="Of them, article URLs a crawl would fetch.")
    error: str | None = None


class SampleComment(BaseModel):
    author: str | None = None
    published: str | None = None
    text: str


class Sample(BaseModel):
    url: str | None = Field(None, description="The article extracted; null when none could be.")
    title: str | None = None
    authors: list[str] = []
    published: str | None = None
    language: str | None = None
    text: str | None = Field(None, description="The start of the article's text.")
    text_length: int | None = None
    comment_count: int | None = None
    comments: list[SampleComment] = []
    errors: list[str] = Field(description="Pages that could not be extracted before this one, and why.")


class Suggested(BaseModel):
    feeds: list[str] = Field(description="Feeds the start pages advertise that the source does not list.")
    sitemaps: list[str] = Field(description="Sitemaps robots.txt names that the source does not list.")


class DryRun(BaseModel):
    """What a crawl would find now; nothing was indexed."""

    source: str
    feeds: list[FetchedEntry]
    sitemaps: list[FetchedEntry]
    start_urls: list[FetchedEntry]
    suggested: Suggested
    article_urls: int = Field(description="Distinct article URLs found.")
    sample_urls: list[str]
    sample: Sample | None
    fetches: int
    seconds: float
    stopped: str | None = Field(None, description="Why it stopped early (its fetches or its time were used up).")
    not_tried: list[str] = Field(description="What a crawl does that a dry run leaves out.")
