"""The documents that flow through the crawl: PageItem → ArticleItem (with its Comments)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # monitor.extract imports this module
    from monitor.extract.options import ExtractionOptions


@dataclass
class CommentPayload:
    """An extra response fetched for a page's comments (a comment page or a JSON API answer)."""

    url: str
    body: bytes
    content_type: str = ""
    encoding: str | None = None


@dataclass
class PageItem:
    """A fetched article page, as the spider hands it to extraction."""

    url: str
    html: bytes
    source: str
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""  # ISO 8601 UTC
    comment_payloads: list[CommentPayload] = field(default_factory=list)
    options: ExtractionOptions | None = None  # the source's, built once per crawl (selectors, comments API)


@dataclass
class Comment:
    """One reader comment; ``parent_id`` is the ``id`` of the comment it answers, None at top level."""

    id: str
    article_id: str
    text: str
    position: int  # 1-based, page order
    depth: int = 1  # 1 = top level
    parent_id: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601, with offset when the page gives one
    likes: int | None = None
    native_id: str | None = None  # the site's own id for the comment, when it has one
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    source: str = ""
    url: str = ""  # article url + anchor
    article_title: str | None = None
    type: str = "comment"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ArticleItem:
    """An extracted article and its comment thread."""

    id: str
    url: str
    canonical_url: str
    source: str
    title: str | None = None
    text: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    topics: list[str] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    comment_count: int = 0
    cluster_id: str | None = None
    comments: list[Comment] = field(default_factory=list)
    type: str = "article"

    def to_dict(self, *, with_comments: bool = False) -> dict[str, Any]:
        data = asdict(self)
        comments = data.pop("comments")
        if with_comments:
            data["comments"] = comments
        return data
