"""Search plumbing every backend shares: the request made ready (query, filters, ranking, page), facets, hits."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.documents import DOC_TYPES, DocType, bound, stored_document
from monitor.errors import QueryError
from monitor.index.base import SearchRequest
from monitor.query import Node, Phrase, Term, highlight_terms, parse
from monitor.query.snippets import search_hit

# What SearchResult.facets counts, in this order: values as written, "day" as YYYY-MM-DD of document_date.
FACETS = ("source", "type", "language", "day")


@dataclass(frozen=True)
class PreparedSearch:
    """A SearchRequest checked and normalised: keyword filters lower-cased, date bounds in UTC.

    Every backend orders hits the same way: by score when there are words to rank by (relevance),
    then newest document_date first, then id; a cursor holds one value per sort key.
    """

    node: Node
    types: tuple[DocType, ...]
    sources: tuple[str, ...]
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    since: str | None
    until: str | None
    rank_terms: tuple[Term | Phrase, ...]
    limit: int
    offset: int
    search_after: list[Any] | None
    facets: bool
    collapse: bool = False  # one hit per near-duplicate cluster; total and facets count clusters
    cluster_id: str | None = None

    @property
    def ranked(self) -> bool:
        return bool(self.rank_terms)

    def keyword_filters(self) -> dict[str, tuple[str, ...]]:
        """{field: values}, lower-cased, for the keyword filters the request sets (a document needs one value)."""
        clusters = (self.cluster_id,) if self.cluster_id else ()
        return {f: v for f, v in (("source", self.sources), ("topics", self.topics), ("language", self.languages),
                                  ("cluster_id", clusters)) if v}

    def next_cursor(self, fetched: Sequence[Any], sort_values: Any) -> list[Any] | None:
        """The cursor after this page: backends fetch ``limit + 1`` rows; the extra one says there is more.
        None for a collapsed search, which pages by offset."""
        if self.limit and len(fetched) > self.limit and not self.collapse:
            return list(sort_values(fetched[self.limit - 1]))
        return None

    def hit(self, doc: Mapping[str, Any], score: float | None) -> dict[str, Any]:
        """A stored document as a search hit: the shape's fields, snippet, and the score when ranked."""
        return search_hit(stored_document(doc), self.node, score=score if self.ranked else None)


def prepare(request: SearchRequest) -> PreparedSearch:
    """Parse and check a request; QueryError says what to fix."""
    node = parse(request.query)
    unknown = [t for t in request.types if t not in DOC_TYPES]
    if unknown:
        raise QueryError(f"unknown document type {unknown[0]!r}: use {' or '.join(DOC_TYPES)}")
    ranked = request.sort == "relevance"
    after = list(request.search_after) if request.search_after else None
    rank_terms = tuple(dict.fromkeys(highlight_terms(node))) if ranked else ()
    width = 3 if rank_terms else 2
    if after is not None and request.collapse:
        # The engines refuse search_after with collapse (a cluster's next copy would come back on a later page).
        raise QueryError("a collapsed search pages by offset, not by cursor: drop after/search_after")
    if after is not None and len(after) != width:
        raise QueryError(f"search_after needs {width} values for sort={request.sort!r}")
    return PreparedSearch(
        node=node,
        types=tuple(dict.fromkeys(request.types)) or DOC_TYPES,
        sources=tuple(v.lower() for v in request.sources),
        topics=tuple(v.lower() for v in request.topics),
        languages=tuple(v.lower() for v in request.languages),
        since=bound(request.since, end=False),
        until=bound(request.until, end=True),
        rank_terms=rank_terms,
        limit=max(0, request.limit),
        offset=max(0, request.offset),
        search_after=after,
        facets=request.facets,
        collapse=request.collapse,
        cluster_id=request.cluster_id.strip().lower() if request.cluster_id and request.cluster_id.strip() else None,
    )


def facet_counts(counts: Mapping[str, Iterable[tuple[Any, int]]]) -> dict[str, dict[str, int]]:
    """Facets as SearchResult carries them: every facet present, keys as text, most frequent first, then by key."""
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        pairs = [(str(key), int(n)) for key, n in counts.get(name, ()) if key is not None]
        out[name] = dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
    return out
