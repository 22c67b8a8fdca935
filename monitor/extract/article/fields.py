"""The article fields extraction fills in: a subset of monitor.items.ArticleItem's, with the same names and types."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleFields:
    """What extraction knows about an article; dates are ISO 8601, with the offset when the page gives one."""

    title: str | None = None
    text: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None
