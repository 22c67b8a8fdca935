"""The one document shape every index, the alert matcher and the API take, read from the item dataclasses."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

from monitor.errors import QueryError
from monitor.items import KIND, ArticleItem, Comment, FieldKind
from monitor.timestamps import utc_z

DocType = Literal["article", "comment"]
DOC_TYPES: tuple[DocType, ...] = ("article", "comment")


@dataclasses.dataclass(frozen=True)
class DocField:
    """One field of the document shape: its name, how it is indexed, and which document types have it."""

    name: str
    kind: FieldKind
    types: frozenset[DocType]

    @property
    def is_list(self) -> bool:
        return self.kind == "keywords"


def _item_fields(item: type, doc_type: DocType) -> tuple[DocField, ...]:
    return tuple(DocField(f.name, f.metadata[KIND], frozenset((doc_type,)))
                 for f in dataclasses.fields(item) if KIND in f.metadata)


def _union(*shapes: tuple[DocField, ...]) -> dict[str, DocField]:
    fields: dict[str, DocField] = {}
    for shape in shapes:
        for f in shape:
            known = fields.get(f.name)
            if known is not None and known.kind != f.kind:
                # One index mapping serves both types: a field must mean the same in each.
                raise TypeError(f"document field {f.name!r} is {known.kind} on one type and {f.kind} on another")
            fields[f.name] = DocField(f.name, f.kind, (known.types if known else frozenset()) | f.types)
    return fields


_ARTICLE = _item_fields(ArticleItem, "article")
_COMMENT = _item_fields(Comment, "comment")
ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in _ARTICLE)
COMMENT_FIELDS: tuple[str, ...] = tuple(f.name for f in _COMMENT)
# Every field of either type, articles' first: one backend table or mapping holds both.
FIELDS: dict[str, DocField] = _union(_ARTICLE, _COMMENT)
# The fields every document has, whatever its type.
COMMON_FIELDS: tuple[str, ...] = tuple(name for name, f in FIELDS.items() if f.types == frozenset(DOC_TYPES))
# Fields the index sets itself: a change in them alone is not a change of content.
BOOKKEEPING_FIELDS = frozenset({"first_seen", "last_seen", "comment_count"})
# Fields near-duplicate clustering sets after a write (monitor.clusters): no change of content, and an
# upsert of the same article keeps what is stored.
CLUSTER_FIELDS = ("cluster_id", "cluster_size", "cluster_sources")
# What a comment thread shows of each comment (the service layer and the API).
THREAD_COMMENT_FIELDS = ("id", "parent_id", "depth", "position", "author", "published", "text", "likes")


def fields_of(doc_type: str) -> tuple[str, ...]:
    return ARTICLE_FIELDS if doc_type == "article" else COMMENT_FIELDS


def stored_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A stored document as every backend returns it: exactly the fields of its type, lists never null."""
    out: dict[str, Any] = {}
    for name in fields_of(str(doc.get("type") or "article")):
        value = doc.get(name)
        out[name] = ([] if value is None else list(value)) if FIELDS[name].is_list else value
    return out


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


def content_hash(doc: Mapping[str, Any]) -> str:
    """A digest of what a reader would see change; bookkeeping and cluster fields left out."""
    content = {k: v for k, v in doc.items() if k not in BOOKKEEPING_FIELDS and k not in CLUSTER_FIELDS}
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def utc_iso(value: str | None) -> str | None:
    """An ISO 8601 date or datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive means UTC); None if unreadable."""
    return utc_z(value)


def document_date(doc: Mapping[str, Any]) -> str | None:
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
