"""The SearchIndex interface every backend implements, and the request/result shapes of search."""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.items import ArticleItem

DocType = Literal["article", "comment"]
SortOrder = Literal["relevance", "date"]
ClusterLookup = Literal["id", "key", "cluster"]
# At most this many stored articles per cluster look-up: a cluster this big (a page every copy of a site
# repeats) still finds its earliest copies, which come first.
CLUSTER_LOOKUP_LIMIT = 5000


@dataclass
class SearchRequest:
    """What a user asks of search. ``query`` uses the one query language of monitor.query ('' = everything)."""

    query: str = ""
    types: tuple[DocType, ...] = ("article", "comment")
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: str | None = None  # ISO date or datetime, inclusive, on `published`
    until: str | None = None  # inclusive
    sort: SortOrder = "relevance"
    limit: int = 20
    offset: int = 0
    search_after: list[Any] | None = None  # cursor from a previous SearchResult.next_cursor
    facets: bool = False
    collapse: bool = False  # one hit per near-duplicate cluster (the best ranked copy); total counts clusters
    cluster_id: str | None = None  # only the copies of this cluster


@dataclass
class SearchResult:
    """Hits are plain dicts: the stored document fields plus ``snippet`` (matched words in «»), ``score``."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] | None = None  # {"source": {...}, "type": {...}, "language": {...}, "day": {...}}
    next_cursor: list[Any] | None = None


@dataclass(frozen=True)
class ClusterEntry:
    """An indexed article as clustering reads it: when it was first seen, its cluster, its stored signature."""

    id: str
    source: str
    first_seen: str
    cluster_id: str | None = None
    cluster_size: int | None = None
    cluster_sources: tuple[str, ...] = ()
    signature: str | None = None  # Fingerprint.encoded(); None for a text too short to compare


@dataclass(frozen=True)
class ClusterKeys:
    """An article's near-duplicate keys as the index stores them (monitor.clusters.keys makes them)."""

    band_keys: tuple[str, ...]  # one terms query on these finds the candidates
    signature: str  # the encoded MinHash signature that verifies them


@dataclass(frozen=True)
class ClusterFields:
    """What clustering writes on an article: its cluster, and on the cluster's root its size and sources."""

    cluster_id: str
    cluster_size: int | None = None
    cluster_sources: tuple[str, ...] = ()


@dataclass
class UpsertStats:
    """What one upsert changed."""

    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    comments_new: int = 0
    comments_updated: int = 0
    new_ids: list[str] = field(default_factory=list)  # ids of new or changed documents (for alerts)

    def add(self, other: UpsertStats) -> None:
        self.articles_new += other.articles_new
        self.articles_updated += other.articles_updated
        self.articles_unchanged += other.articles_unchanged
        self.comments_new += other.comments_new
        self.comments_updated += other.comments_updated
        self.new_ids.extend(other.new_ids)


class SearchIndex(abc.ABC):
    """One interface, three backends (SQLite, Elasticsearch, OpenSearch).

    Upserts are idempotent: re-indexing the same article changes nothing but ``last_seen``;
    ``first_seen`` is kept; new comments are added, changed ones updated.
    """

    @abc.abstractmethod
    def upsert(self, articles: Sequence[ArticleItem], *, seen_at: str) -> UpsertStats:
        """Store articles and their comments (``article.comments``) as separate documents."""

    @abc.abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search; raises QueryError for a malformed query."""

    @abc.abstractmethod
    def get_article(self, id_or_url: str) -> dict[str, Any] | None:
        """The article document by id, URL or canonical URL (how crawls tell known articles)."""

    @abc.abstractmethod
    def get_comments(self, article_id: str) -> list[dict[str, Any]]:
        """The article's comments in page order (by position)."""

    @abc.abstractmethod
    def count(self) -> dict[str, int]:
        """{"article": n, "comment": m}."""

    # ------------------------------------------------------------ near-duplicate clusters (monitor.clusters)

    @abc.abstractmethod
    def cluster_entries(self, by: ClusterLookup, values: Sequence[str], *,
                        limit: int = CLUSTER_LOOKUP_LIMIT) -> list[ClusterEntry]:
        """Articles by ``id``, sharing any of the band ``key``s, or in any of the ``cluster``s; earliest first."""

    @abc.abstractmethod
    def set_clusters(self, fields: dict[str, ClusterFields]) -> None:
        """Write each article's cluster fields (by id); nothing else of the document changes."""

    @abc.abstractmethod
    def put_keys(self, keys: dict[str, ClusterKeys | None]) -> None:
        """Store the articles' band keys and signatures (None: too short to compare), replacing what was."""

    @abc.abstractmethod
    def scan_articles(self, *, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        """Articles in (first_seen, id) order after ``after``: id, source, first_seen, text."""

    def close(self) -> None:  # noqa: B027 - a hook: a backend without connections has nothing to release
        """Release connections and flush pending writes."""

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
