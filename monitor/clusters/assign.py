"""Which cluster a written article joins: that of its earliest verified near-duplicate, or its own."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.clusters.keys import Fingerprint

# Tuned on bench/clusters.py (428 real stories reprinted 1,280 times): at 0.3 no false pair and a recall of
# 0.997; different stories never reached 0.2, reprints cut to half of their text still do 0.35.
THRESHOLD = 0.3


@dataclass(frozen=True)
class Member:
    """An indexed article as clustering sees it."""

    id: str
    source: str
    first_seen: str  # ISO 8601 UTC: who came first decides the cluster's root
    cluster_id: str
    fingerprint: Fingerprint

    @property
    def order(self) -> tuple[str, str]:
        return (self.first_seen, self.id)


def near_duplicates(fingerprint: Fingerprint, candidates: Iterable[Member], *, exclude: str,
                    threshold: float = THRESHOLD) -> list[Member]:
    """The candidates (found by shared band keys) whose estimated similarity passes the threshold."""
    return [m for m in candidates if m.id != exclude and fingerprint.similarity(m.fingerprint) >= threshold]


def cluster_for(article: Member, candidates: Iterable[Member], *, threshold: float = THRESHOLD) -> str:
    """The cluster id the article belongs in: its earliest near-duplicate's cluster, or its own id.

    An article that is itself the earliest of its near-duplicates roots its own cluster, so a
    re-crawled root keeps its cluster, and a copy that came later never takes over the id.
    """
    found = [m for m in near_duplicates(article.fingerprint, candidates, exclude=article.id, threshold=threshold)
             if m.order < article.order]
    if not found:
        return article.id
    earliest = min(found, key=lambda m: m.order)
    return earliest.cluster_id or earliest.id


def regroup(members: Sequence[Member], *, threshold: float = THRESHOLD) -> dict[str, str]:
    """Cluster ids for the members of one cluster whose root changed or left: earliest first, each joins
    the earliest earlier member it still matches. Returns the ids whose cluster changed."""
    placed: list[Member] = []
    changes: dict[str, str] = {}
    for member in sorted(members, key=lambda m: m.order):
        cluster = cluster_for(member, placed, threshold=threshold)
        placed.append(Member(member.id, member.source, member.first_seen, cluster, member.fingerprint))
        if cluster != member.cluster_id:
            changes[member.id] = cluster
    return changes
