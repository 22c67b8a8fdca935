"""The change logic every backend shares: new / updated / unchanged, first_seen kept, last_seen, comment counts."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.documents import BOOKKEEPING_FIELDS, CLUSTER_FIELDS, article_document, comment_document, content_hash
from monitor.index.base import UpsertStats
from monitor.items import ArticleItem

logger = logging.getLogger(__name__)

Outcome = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class StoredState:
    """What a backend knows of a stored document: the digest of its content and when it was first seen."""

    content_hash: str
    first_seen: str | None
    source: str | None = None  # None: a backend that does not say
    # An article's stored cluster_id, cluster_size, cluster_sources: kept through upserts (monitor.clusters
    # sets them after a write).
    cluster: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentChange:
    """One incoming document, complete as it is to be stored, and what writing it changes."""

    doc: dict[str, Any]
    outcome: Outcome
    content_hash: str

    def touched(self) -> dict[str, Any]:
        """The fields an unchanged document still gets written: last_seen, and an article's comment_count."""
        return {k: self.doc[k] for k in sorted(BOOKKEEPING_FIELDS - {"first_seen"}) if k in self.doc}


@dataclass
class ArticleChanges:
    article: DocumentChange
    comments: list[DocumentChange]


class IncomingBatch:
    """The documents of a batch of articles, one per id: the last version of an article, the first of a comment.

    A backend asks for the stored state of ``ids`` (and the stored comment count of ``article_ids``), then
    ``decide`` says what each document is and fills in first_seen, last_seen and comment_count.
    """

    def __init__(self, articles: Sequence[ArticleItem]) -> None:
        self.documents: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for article in {a.id: a for a in articles}.values():
            comments: dict[str, dict[str, Any]] = {}
            for comment in article.comments:
                doc = comment_document(article, comment)
                comments.setdefault(doc["id"], doc)
            self.documents.append((article_document(article), list(comments.values())))

    @property
    def article_ids(self) -> list[str]:
        return [article["id"] for article, _ in self.documents]

    @property
    def comment_ids(self) -> list[str]:
        return [c["id"] for _, comments in self.documents for c in comments]

    def decide(self, stored: Mapping[str, StoredState], comment_counts: Mapping[str, int], *,
               seen_at: str) -> tuple[list[ArticleChanges], UpsertStats]:
        """``stored``: the state of the batch's documents already in the index, by id; ``comment_counts``:
        how many comments each article has in the index now. Comments that vanished from a page stay
        stored, so an article's count is the stored ones plus the new ones."""
        stats = UpsertStats()
        out: list[ArticleChanges] = []
        for article_doc, comment_docs in self.documents:
            held = stored.get(article_doc["id"])
            if held is not None and held.source and held.source != article_doc.get("source"):
                # An article belongs to the source that first stored it: another source never replaces it.
                logger.warning("document of source %s not replaced by one of source %s id=%s url=%s", held.source,
                               article_doc.get("source"), article_doc["id"], article_doc.get("url"))
                continue
            comments = [_change(doc, stored.get(doc["id"]), seen_at) for doc in comment_docs]
            new_comments = sum(1 for c in comments if c.outcome == "new")
            article_doc["comment_count"] = comment_counts.get(article_doc["id"], 0) + new_comments
            article = _change(article_doc, stored.get(article_doc["id"]), seen_at)
            if article.outcome == "new":
                stats.articles_new += 1
            elif article.outcome == "updated":
                stats.articles_updated += 1
            else:
                stats.articles_unchanged += 1
            if article.outcome != "unchanged":
                stats.new_ids.append(article_doc["id"])
            stats.comments_new += new_comments
            stats.comments_updated += sum(1 for c in comments if c.outcome == "updated")
            stats.new_ids += [c.doc["id"] for c in comments if c.outcome != "unchanged"]
            out.append(ArticleChanges(article, comments))
        return out, stats


def _change(doc: dict[str, Any], old: StoredState | None, seen_at: str) -> DocumentChange:
    digest = content_hash(doc)
    doc["first_seen"] = (old.first_seen if old else None) or seen_at
    doc["last_seen"] = seen_at
    if doc.get("type") == "article" and old is not None:
        # Cluster fields are clustering's to write (after the write): a new write of the article keeps them.
        for name in CLUSTER_FIELDS:
            value = old.cluster.get(name)
            doc[name] = list(value or []) if name == "cluster_sources" else value
    if old is None:
        return DocumentChange(doc, "new", digest)
    return DocumentChange(doc, "unchanged" if old.content_hash == digest else "updated", digest)
