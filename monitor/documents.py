"""Index documents built from items, the same for every backend: fields, denormalised comments, dates, hashes."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from monitor.errors import QueryError
from monitor.items import ArticleItem, Comment
from monitor.timestamps import utc_z

ARTICLE_FIELDS = (
    "id", "type", "url", "canonical_url", "source", "title", "text", "authors", "published", "modified",
    "language", "site_name", "tags", "image", "topics", "first_seen", "last_seen", "comment_count", "cluster_id",
)
COMMENT_FIELDS = (
    "id", "type", "article_id", "parent_id", "depth", "position", "author", "published", "text", "likes",
    "native_id", "language", "topics", "source", "url", "article_title", "first_seen", "last_seen",
)
# Fields the index sets itself: a change in them alone is not a change of content.
BOOKKEEPING_FIELDS = frozenset({"first_seen", "last_seen", "comment_count"})


def article_document(article: ArticleItem) -> dict[str, Any]:
    """The article's own fields (first_seen/last_seen/comment_count are the index's to set)."""
    doc = article.to_dict()
    doc["type"] = "article"
    return {f: doc.get(f) for f in ARTICLE_FIELDS}


def comment_anchor_url(article: ArticleItem, comment: Comment) -> str:
    if comment.url:
        return comment.url
    anchor = f"comment-{comment.native_id}" if comment.native_id else f"comment-{comment.position}"
    return f"{article.url.split('#', 1)[0]}#{anchor}"


def comment_document(article: ArticleItem, comment: Comment) -> dict[str, Any]:
    """The comment with what search shows and filters by copied from its article (source, title, url, topics)."""
    doc = comment.to_dict()
    doc.update(
        type="comment",
        article_id=article.id,
        source=article.source,
        article_title=article.title,
        url=comment_anchor_url(article, comment),
        topics=list(dict.fromkeys([*comment.topics, *article.topics])),
        language=comment.language or article.language,
    )
    return {f: doc.get(f) for f in COMMENT_FIELDS}


def content_hash(doc: dict[str, Any]) -> str:
    """A digest of what a reader would see change; bookkeeping fields left out."""
    content = {k: v for k, v in doc.items() if k not in BOOKKEEPING_FIELDS}
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def utc_iso(value: str | None) -> str | None:
    """An ISO 8601 date or datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive means UTC); None if unreadable."""
    return utc_z(value)


def document_date(doc: dict[str, Any]) -> str | None:
    """The date search filters, sorts and buckets by: ``published`` in UTC, else ``first_seen``."""
    return utc_iso(doc.get("published")) or utc_iso(doc.get("first_seen"))


def bound(value: str | None, *, end: bool) -> str | None:
    """A since/until bound in the form of document_date; a bare date ``until`` covers its whole day."""
    if not value:
        return None
    stamp = utc_iso(value)
    if stamp is None:
        raise QueryError(f"{'until' if end else 'since'} is not an ISO 8601 date: {value!r}")
    if end and len(value.strip()) == 10:  # YYYY-MM-DD
        return stamp[:10] + "T23:59:59Z"
    return stamp
