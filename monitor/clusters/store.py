"""Cluster assignment against an index: candidates by shared band keys, the earliest verified root, sizes and sources."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from monitor.clusters.assign import THRESHOLD, Member, cluster_for, regroup
from monitor.clusters.keys import Fingerprint, fingerprints
from monitor.index.base import CLUSTER_LOOKUP_LIMIT, ClusterEntry, ClusterFields, ClusterKeys, SearchIndex
from monitor.index.written import Written

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


@dataclass
class _Node:
    """An article while its batch is assigned: what is stored, and the cluster it is to have."""

    entry: ClusterEntry
    fingerprint: Fingerprint | None
    cluster: str

    @property
    def order(self) -> tuple[str, str]:
        return (self.entry.first_seen, self.entry.id)

    def member(self) -> Member | None:
        if self.fingerprint is None:
            return None
        return Member(self.entry.id, self.entry.source, self.entry.first_seen, self.cluster, self.fingerprint)


@dataclass
class Assigned:
    """What one assignment did: articles whose cluster fields were written, and the clusters it touched."""

    articles: int = 0
    moved: int = 0  # articles that joined another article's cluster (or left one)
    written: int = 0  # documents whose cluster fields changed
    clusters: dict[str, ClusterFields] = field(default_factory=dict)  # id -> its fields now, for every article seen


def _fingerprint(entry: ClusterEntry) -> Fingerprint | None:
    if not entry.signature:
        return None
    try:
        return Fingerprint.decode(entry.signature)
    except ValueError:  # binascii.Error is one: a signature written by another version, treated as none
        logger.warning("unreadable cluster signature ignored id=%s", entry.id)
        return None


def store_keys(index: SearchIndex, texts: dict[str, str], signatures: Mapping[str, str] | None = None) -> None:
    """Fingerprint the articles' texts (by id) and store their band keys and signatures; ``signatures``: those
    already computed (``ArticleItem.cluster_signature``), by id."""
    known = {doc_id: Fingerprint.decode(signature) for doc_id, signature in (signatures or {}).items()
             if doc_id in texts}
    todo = [doc_id for doc_id in texts if doc_id not in known]
    prints = {**known, **dict(zip(todo, fingerprints([texts[doc_id] for doc_id in todo]), strict=True))}
    index.put_keys({doc_id: ClusterKeys(fp.band_keys, fp.encoded()) if fp else None
                    for doc_id, fp in ((doc_id, prints[doc_id]) for doc_id in texts)})


def assign(index: SearchIndex, ids: Sequence[str], *, regroup_old: bool = True,
           threshold: float = THRESHOLD) -> Assigned:
    """Put the articles ``ids`` (written already, their keys stored) in their clusters and keep the sizes current.

    An article that had a cluster was written again with another text: with ``regroup_old`` its old cluster
    is regrouped, since an edit can take a copy, or the root itself, out of the story the others share.
    """
    report = Assigned()
    pool: dict[str, _Node] = {}

    def node(entry: ClusterEntry) -> _Node:
        known = pool.get(entry.id)
        if known is None:
            known = pool[entry.id] = _Node(entry, _fingerprint(entry), entry.cluster_id or entry.id)
        return known

    batch = sorted((node(e) for e in index.cluster_entries("id", ids)), key=lambda n: n.order)
    if not batch:
        return report
    keys = [k for n in batch if n.fingerprint for k in n.fingerprint.band_keys]
    found = index.cluster_entries("key", keys, limit=CLUSTER_LOOKUP_LIMIT)
    if len(found) >= CLUSTER_LOOKUP_LIMIT:
        # One huge cluster (a page a site repeats everywhere) filled the look-up: ask per article, so that
        # it cannot crowd out the candidates of the others.
        found = [e for n in batch if n.fingerprint for e in index.cluster_entries("key", n.fingerprint.band_keys)]
    for entry in found:
        node(entry)
    old = {n.entry.id: n.entry.cluster_id for n in batch}
    by_key: dict[str, list[_Node]] = {}
    for n in pool.values():
        for key in n.fingerprint.band_keys if n.fingerprint else ():
            by_key.setdefault(key, []).append(n)
    for current in batch:  # earliest first: a later article of the batch sees where an earlier one went
        me = current.member()
        if me is None or current.fingerprint is None:
            current.cluster = current.entry.id
            continue
        sharing = {n.entry.id: n for key in current.fingerprint.band_keys for n in by_key.get(key, ())}
        others = [m for m in (n.member() for n in sharing.values()) if m is not None]
        current.cluster = cluster_for(me, others, threshold=threshold)
    touched = {n.cluster for n in batch} | {c for c in old.values() if c}
    if regroup_old:
        for cluster in sorted({c for c in old.values() if c}):
            touched |= _regroup(index, pool, node, cluster, threshold)
    report.articles = len(batch)
    report.moved = sum(1 for n in batch if n.cluster != (old[n.entry.id] or n.entry.id))
    _write_sizes(index, pool, node, touched, report)
    return report


def _regroup(index: SearchIndex, pool: dict[str, _Node], node: Callable[[ClusterEntry], _Node], cluster: str,
             threshold: float) -> set[str]:
    """Regroup what is left of a cluster one of whose members changed; the clusters its members go to."""
    members = [node(e) for e in index.cluster_entries("cluster", [cluster])]
    staying = [n for n in {n.entry.id: n for n in [*members, *(n for n in pool.values() if n.cluster == cluster)]}.values()
               if n.cluster == cluster]
    comparable = [n.member() for n in staying]
    changes = regroup([m for m in comparable if m is not None], threshold=threshold)
    for n in staying:
        if n.fingerprint is None and n.cluster != n.entry.id:
            changes[n.entry.id] = n.entry.id  # nothing to compare it by any longer: a cluster of its own
    for doc_id, new in changes.items():
        pool[doc_id].cluster = new
    return {cluster, *changes.values()}


def _write_sizes(index: SearchIndex, pool: dict[str, _Node], node: Callable[[ClusterEntry], _Node],
                 touched: set[str], report: Assigned) -> None:
    """Each touched cluster's root gets its size and sources; every article whose fields changed is written."""
    if touched:
        for entry in index.cluster_entries("cluster", sorted(touched)):
            node(entry)
    by_cluster: dict[str, list[_Node]] = {}
    for n in pool.values():
        by_cluster.setdefault(n.cluster, []).append(n)
    out: dict[str, ClusterFields] = {}
    for n in pool.values():
        if n.cluster not in touched:
            continue  # a candidate's cluster no article joined or left: the pool holds only part of it
        if n.cluster == n.entry.id:
            members = by_cluster.get(n.cluster, [n])
            fields = ClusterFields(n.cluster, len(members), tuple(sorted({m.entry.source for m in members})))
        else:
            fields = ClusterFields(n.cluster)
        report.clusters[n.entry.id] = fields
        stored = ClusterFields(n.entry.cluster_id or "", n.entry.cluster_size, tuple(n.entry.cluster_sources))
        if fields != stored:
            out[n.entry.id] = fields
    if out:
        index.set_clusters(out)
    report.written = len(out)


class ClusterAssignment:
    """The on_written subscriber: each written batch's new and changed articles get their keys and join clusters.

    It opens its own index (``open_index``) on the thread of the write, the first time it has work. Subscribe
    it before the alerts, which read the cluster an article joined from the article itself.
    """

    def __init__(self, open_index: Callable[[], SearchIndex], *, threshold: float = THRESHOLD) -> None:
        self.open_index = open_index
        self.threshold = threshold
        self.index: SearchIndex | None = None
        self.totals = Assigned()

    def __repr__(self) -> str:
        return f"ClusterAssignment(threshold={self.threshold})"

    def __call__(self, written: Written) -> None:
        wanted = set(written.stats.new_ids)
        articles = [a for a in written.articles if a.id in wanted]
        if not articles:
            return
        if self.index is None:
            self.index = self.open_index()
        store_keys(self.index, {a.id: a.text or "" for a in articles},
                   {a.id: a.cluster_signature for a in articles if a.cluster_signature})
        report = assign(self.index, [a.id for a in articles], threshold=self.threshold)
        for article in articles:
            fields = report.clusters.get(article.id)
            if fields is not None:  # later subscribers (alerts: once per cluster) read it from the article
                article.cluster_id = fields.cluster_id
                article.cluster_size = fields.cluster_size
                article.cluster_sources = list(fields.cluster_sources)
        self.totals.articles += report.articles
        self.totals.moved += report.moved
        self.totals.written += report.written
        logger.debug("clusters assigned articles=%d moved=%d written=%d", report.articles, report.moved,
                     report.written)

    def close(self) -> None:
        if self.index is not None:
            index, self.index = self.index, None
            index.close()
