"""What search shows of a cluster: on a collapsed hit "and N more from …", on an article its other copies."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.index.base import SearchIndex, SearchRequest

# An article page lists this many other copies at most (the newest first), then says how many there are.
MAX_COPIES = 50


def annotate(index: SearchIndex, hits: Sequence[dict[str, Any]]) -> None:
    """Give each article hit ``cluster``: its id, size, how many more copies and the other sources (``also``).

    The cluster's root (its id is the cluster id) keeps the size and sources current; one look-up for the page.
    """
    roots = sorted({str(h["cluster_id"]) for h in hits if h.get("type") == "article" and h.get("cluster_id")})
    entries = {e.id: e for e in index.cluster_entries("id", roots)} if roots else {}
    for hit in hits:
        if hit.get("type") != "article":
            continue
        cluster = str(hit.get("cluster_id") or hit["id"])
        root = entries.get(cluster)
        size = max(1, (root.cluster_size if root else None) or 1)
        sources = list(root.cluster_sources) if root else [hit.get("source")]
        hit["cluster"] = {"id": cluster, "size": size, "more": size - 1,
                          "also": [s for s in sources if s and s != hit.get("source")]}


def copies(index: SearchIndex, article: dict[str, Any], *, limit: int = MAX_COPIES) -> dict[str, Any]:
    """The article's other copies (id, title, url, source, published), newest first, and how many in all."""
    cluster = article.get("cluster_id")
    if not cluster:
        return {"total": 0, "copies": []}
    result = index.search(SearchRequest(cluster_id=str(cluster), types=("article",), sort="date", limit=limit + 1))
    others = [{k: h.get(k) for k in ("id", "title", "url", "source", "published")}
              for h in result.hits if h["id"] != article["id"]][:limit]
    return {"total": max(0, result.total - 1), "copies": others}
