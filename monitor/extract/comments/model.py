"""The comment record every comment extractor returns, and the context they share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class RawComment:
    """One comment as found on the page, before the orchestrator gives it stable ids."""

    key: str  # the site's own id for the comment ("comment-123"), else "pos-N" (unique in the page)
    parent_key: str | None  # key of the parent comment, None at top level
    author: str | None
    published: str | None  # ISO 8601
    text: str  # the comment text only: no author line, date or buttons
    likes: int | None = None
    depth: int | None = None  # 1 = top level, when known from markup
    parent_ref: str | None = None  # a reply-to reference no comment of this page answers (one on another page)
    platform: str | None = None  # the comment platform it came from (None: the page's own markup)


@dataclass(frozen=True)
class Context:
    """What every extractor may use besides the tree."""

    url: str
    fetched_at: datetime | None = None
    language: str | None = None
    article_published: str | None = None  # ISO; gives year-less comment dates their year
    article_text: str = ""  # the article body: records that hold it are posts of a forum thread, not comments
    jsonld: tuple[dict[str, Any], ...] | None = None  # the page's JSON-LD as ParsedPage read it; None: read the tree

    @property
    def languages(self) -> list[str] | None:
        return [self.language.split("-")[0].lower()] if self.language else None
