"""The Elasticsearch/OpenSearch backend: one EngineIndex for both engines, behind versioned aliases."""
from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from monitor.documents import CLUSTER_FIELDS, content_hash, stored_document
from monitor.errors import BulkRejected, IndexTimeout, IndexUnavailable, SearchIndexError
from monitor.index import mappings
from monitor.index.base import (
    CLUSTER_LOOKUP_LIMIT,
    ClusterEntry,
    ClusterFields,
    ClusterKeys,
    ClusterLookup,
    SearchIndex,
    SearchRequest,
    SearchResult,
    UpsertStats,
)
from monitor.index.changes import DocumentChange, IncomingBatch, StoredState
from monitor.index.clients import (
    PROBE_TIMEOUT_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
    EngineAuth,
    EngineClient,
    already_exists,
    connect,
)
from monitor.index.searching import FACETS, facet_counts, prepare
from monitor.items import ArticleItem
from monitor.query import Phrase, Term, text_fields, to_engine_dsl
from monitor.urls import article_id, canonicalize_url

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

Refresh = bool | Literal["wait_for"]

FACET_SIZE = 200
# Field weights of the relevance score, the same as SQLite's bm25 column weights (monitor.index.sqlite).
RANK_BOOSTS = {"title": 5.0, "text": 1.0, "author": 1.0}
MGET_CHUNK = 1000
PAGE_SIZE = 1000
CLUSTER_TERMS_CHUNK = 10_000  # band keys per terms query, well under the engines' 65,536
CLUSTERS_AGG = "clusters"
# The engines' cardinality count is exact up to about this many values (40,000 is their maximum), and
# within a few percent above: a collapsed total of more stories than that is an estimate.
CARDINALITY_PRECISION = 40_000
# Engine writes are retried here and nowhere else: the clients make one attempt per call (clients.py) and
# BatchWriter's cool-down only sends batches straight to the spool. This is the one layer that can tell
# documents the engine answered 429/5xx for (retry those alone) from documents it refused for good, and
# the one every write path goes through (crawl, replay, migration).
# Waits between bulk attempts on 429/5xx answers and refused connections (a restarting engine); about 15 s
# in all before the batch goes to the spool.
RETRY_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A request that times out is not retried (IndexTimeout): the engine took it and went silent, frozen or
# overloaded. So against a frozen engine one write attempt gives up within its first request that hangs,
# after at most one probe when the index is opened afresh: 1 attempt x (probe timeout + request timeout).
TIMEOUT_ATTEMPTS = 1
FROZEN_WRITE_SECONDS = TIMEOUT_ATTEMPTS * (PROBE_TIMEOUT_SECONDS + REQUEST_TIMEOUT_SECONDS)
ENV_PREFIX = "MONITOR_INDEX_PREFIX"


class EngineIndex(SearchIndex):
    """The SearchIndex on Elasticsearch or OpenSearch (``client.distribution`` says which).

    Documents live in ``{prefix}-articles-v{N}`` / ``{prefix}-comments-v{N}`` behind the aliases
    ``{prefix}-articles`` / ``{prefix}-comments``. ``refresh`` is passed to bulk writes: True or
    "wait_for" make a search right after an upsert see its documents (tests); False is fastest.
    """

    def __init__(self, client: EngineClient, *, prefix: str = mappings.DEFAULT_PREFIX,
                 refresh: Refresh = False, retry_waits: Sequence[float] = RETRY_WAITS,
                 init: bool = True) -> None:
        if prefix != prefix.lower() or not prefix:
            raise ValueError(f"index prefix must be non-empty lower case: {prefix!r}")
        self.client = client
        self.prefix = prefix
        self.refresh = refresh
        self.retry_waits = tuple(retry_waits)
        self.articles = mappings.alias_name(prefix, "articles")
        self.comments = mappings.alias_name(prefix, "comments")
        if init:
            self.init()

    def __repr__(self) -> str:
        return f"EngineIndex({self.client!r}, prefix={self.prefix!r})"

    # ------------------------------------------------------------ lifecycle

    def init(self) -> dict[str, str]:
        """Write the templates; create the current versioned index behind each alias that does not exist yet.

        Returns {alias: index it points at}. An alias on an older mapping version is left for ``migrate``.
        """
        out: dict[str, str] = {}
        for kind in mappings.KINDS:
            self.client.put_index_template(mappings.template_name(self.prefix, kind),
                                           mappings.template_body(self.prefix, kind))
            alias = mappings.alias_name(self.prefix, kind)
            current = self.client.aliases(alias).get(alias, [])
            if not current:
                target = mappings.index_name(self.prefix, kind)
                self._create_index(target, alias)
                current = [target]
            elif mappings.index_name(self.prefix, kind) not in current:
                logger.warning("index mapping is older than this monitor; run `monitor index migrate` alias=%s "
                               "indices=%s", alias, ",".join(current))
            out[alias] = ",".join(sorted(current))
        return out

    def _create_index(self, index: str, alias: str | None) -> None:
        body = mappings.index_body()
        if alias:
            body["aliases"] = {alias: {"is_write_index": True}}
        try:
            self.client.create_index(index, body)
        except SearchIndexError as exc:
            # Another process created it between our look and our create: fine.
            if exc.status != 400 or not already_exists(exc):
                raise

    def status(self) -> dict[str, Any]:
        """Per alias: the index behind it, its mapping version, document count, size; and cluster health."""
        health = self.client.cluster_health()
        out: dict[str, Any] = {
            "engine": self.client.distribution, "version": self.client.version, "url": self.client.url,
            "health": health.get("status"), "mapping_version": mappings.MAPPING_VERSION, "aliases": {},
        }
        for kind in mappings.KINDS:
            alias = mappings.alias_name(self.prefix, kind)
            indices = self.client.aliases(alias).get(alias, [])
            entry: dict[str, Any] = {"indices": indices, "docs": 0, "size_bytes": 0,
                                     "current": mappings.index_name(self.prefix, kind) in indices}
            if indices:
                stats = self.client.index_stats(alias).get("_all", {})
                entry["docs"] = stats.get("primaries", {}).get("docs", {}).get("count", 0)
                entry["size_bytes"] = stats.get("total", {}).get("store", {}).get("size_in_bytes", 0)
            out["aliases"][alias] = entry
        return out

    def migrate(self) -> dict[str, str]:
        """Move each alias to an index on the current mapping: create, reindex, switch atomically, catch up.

        Old indices are kept (delete them once satisfied). Returns {alias: what was done}.
        """
        report: dict[str, str] = {}
        for kind in mappings.KINDS:
            self.client.put_index_template(mappings.template_name(self.prefix, kind),
                                           mappings.template_body(self.prefix, kind))
            alias = mappings.alias_name(self.prefix, kind)
            target = mappings.index_name(self.prefix, kind)
            current = self.client.aliases(alias).get(alias, [])
            if current == [target]:
                report[alias] = f"up to date ({target})"
                continue
            if not current:
                self._create_index(target, alias)
                report[alias] = f"created {target}"
                continue
            self._create_index(target, None)
            copied = self.client.reindex(",".join(current), target).get("total", 0)
            actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in current]
            actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
            self.client.update_aliases(actions)
            # Documents written to the old index between the copy and the switch: create only, so
            # nothing written to the new index since is overwritten with an older version.
            late = self.client.reindex(",".join(current), target, op_type="create").get("created", 0)
            report[alias] = f"{','.join(current)} -> {target}: {copied} copied, {late} late, old kept"
            logger.info("index migrated alias=%s from=%s to=%s docs=%s", alias, ",".join(current), target, copied)
        return report

    def drop(self) -> None:
        """Delete every index and template of this prefix (tests and `monitor index` reset only)."""
        for kind in mappings.KINDS:
            # By name, not by wildcard: Elasticsearch 8+ refuses wildcard deletes by default.
            for name in self.client.indices(f"{self.prefix}-{kind}-v*"):
                self.client.delete_index(name)
            self.client.delete_index_template(mappings.template_name(self.prefix, kind))

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------ writes

    def upsert(self, articles: Sequence[ArticleItem], *, seen_at: str) -> UpsertStats:
        batch = IncomingBatch(articles)
        if not batch.documents:
            return UpsertStats()
        stored = {i: _stored_state(d) for i, d in self._mget(self.articles, batch.article_ids).items()}
        if batch.comment_ids:
            stored.update({i: _stored_state(d) for i, d in self._mget(self.comments, batch.comment_ids).items()})
        counts = self._comment_counts([i for i in batch.article_ids if i in stored])
        changes, stats = batch.decide(stored, counts, seen_at=seen_at)
        ops: list[dict[str, Any]] = []
        for change in changes:
            ops += self._op(self.articles, change.article)
            for comment in change.comments:
                ops += self._op(self.comments, comment)
        try:
            self.write(ops)
        except BulkRejected as exc:
            stats.new_ids = [i for i in stats.new_ids if i not in exc.failures]
            exc.stats = stats
            raise
        return stats

    @staticmethod
    def _op(index: str, change: DocumentChange) -> list[dict[str, Any]]:
        doc_id = change.doc["id"]
        if change.outcome == "unchanged":
            return [{"update": {"_index": index, "_id": doc_id}}, {"doc": change.touched()}]
        return [{"index": {"_index": index, "_id": doc_id}}, mappings.engine_document(change.doc)]

    def write(self, ops: list[dict[str, Any]]) -> None:
        """Send bulk operations, retrying what got 429/5xx (see RETRY_WAITS); raises IndexUnavailable if the
        engine stays away or does not answer in time, BulkRejected for documents it refused for good (the rest
        are written)."""
        pending = ops
        waits = iter(self.retry_waits)
        while pending:
            try:
                answer = self.client.bulk(pending, refresh=self.refresh)
            except IndexTimeout:
                raise  # see TIMEOUT_ATTEMPTS
            except IndexUnavailable:
                wait = next(waits, None)
                if wait is None:
                    raise
                logger.warning("engine unavailable, retrying bulk in %ss url=%s", wait, self.client.url)
                time.sleep(wait)
                continue
            except SearchIndexError as exc:
                wait = next(waits, None) if exc.status in RETRY_STATUSES else None
                if wait is None:
                    raise
                logger.warning("engine busy, retrying bulk in %ss status=%s url=%s", wait, exc.status,
                               self.client.url)
                time.sleep(wait)
                continue
            retry, failures = _bulk_outcome(pending, answer)
            if failures:
                for doc_id, reason in failures.items():
                    logger.error("engine refused document id=%s reason=%s", doc_id, reason)
                raise BulkRejected(failures)
            if not retry:
                return
            wait = next(waits, None)
            if wait is None:
                raise IndexUnavailable(f"the engine at {self.client.url} kept refusing {len(retry) // 2} "
                                       f"document(s) with 429/5xx; they go to the spool")
            logger.warning("engine busy, retrying docs=%d in %ss", len(retry) // 2, wait)
            time.sleep(wait)
            pending = retry

    def _mget(self, index: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), MGET_CHUNK):
            for doc in self.client.mget(index, unique[i:i + MGET_CHUNK]):
                found[doc["id"]] = doc
        return found

    def _comment_counts(self, article_ids: list[str]) -> dict[str, int]:
        if not article_ids:
            return {}
        body = {"size": 0, "query": {"terms": {"article_id": article_ids}},
                "aggs": {"per_article": {"terms": {"field": "article_id", "size": len(article_ids)}}}}
        answer = self.client.search(self.comments, body)
        return {b["key"]: b["doc_count"] for b in answer["aggregations"]["per_article"]["buckets"]}

    # ------------------------------------------------------------ reads

    def search(self, request: SearchRequest) -> SearchResult:
        plan = prepare(request)
        indices = [self.articles if t == "article" else self.comments for t in plan.types]
        filters: list[dict[str, Any]] = [{"terms": {"type": list(plan.types)}}]
        filters += [{"terms": {field: list(values)}} for field, values in plan.keyword_filters().items()]
        if plan.since or plan.until:
            filters.append({"range": {"date": {k: v for k, v in (("gte", plan.since), ("lte", plan.until)) if v}}})
        sort: list[Any] = [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        if plan.ranked:
            sort.insert(0, {"_score": "desc"})
        # The query only selects (filter context); the score comes from the rank clauses alone, as in SQLite.
        body: dict[str, Any] = {
            "query": {"bool": {"filter": [to_engine_dsl(plan.node), *filters],
                               "should": _rank_clauses(plan.rank_terms)}},
            "size": plan.limit + 1,
            "sort": sort,
            "track_total_hits": True,
            "track_scores": plan.ranked,
        }
        if plan.search_after is not None:
            body["search_after"] = plan.search_after
        elif plan.offset:
            body["from"] = plan.offset
        if plan.facets:
            body["aggs"] = _facet_aggs(collapse=plan.collapse)
        if plan.collapse:
            body["collapse"] = {"field": "cluster"}
            body.setdefault("aggs", {})[CLUSTERS_AGG] = _stories()
        answer = self.client.search(",".join(indices), body)
        raw_hits = answer["hits"]["hits"]
        total = answer["hits"]["total"]["value"]
        if plan.collapse:
            total = answer["aggregations"][CLUSTERS_AGG]["value"]
        return SearchResult(
            total=int(total),
            hits=[plan.hit(_source(raw), raw.get("_score")) for raw in raw_hits[:plan.limit]],
            facets=_facets(answer.get("aggregations", {}), collapse=plan.collapse) if plan.facets else None,
            next_cursor=plan.next_cursor(raw_hits, lambda raw: raw["sort"]),
        )

    def get_article(self, id_or_url: str) -> dict[str, Any] | None:
        key = id_or_url.strip()
        if "://" not in key:
            found = self._mget(self.articles, [key]).get(key)
            return stored_document(found) if found is not None else None
        doc = self._mget(self.articles, [article_id(key)]).get(article_id(key))
        if doc is not None:
            return stored_document(doc)
        body = {"size": 1, "query": {"bool": {"should": [
            {"term": {"url": key}}, {"term": {"canonical_url": key}},
            {"term": {"canonical_url": canonicalize_url(key)}}], "minimum_should_match": 1}}}
        hits = self.client.search(self.articles, body)["hits"]["hits"]
        return stored_document(_source(hits[0])) if hits else None

    def get_comments(self, article_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": PAGE_SIZE, "query": {"term": {"article_id": article_id}},
                                    "sort": [{"position": "asc"}, {"id": "asc"}]}
            if after:
                body["search_after"] = after
            hits = self.client.search(self.comments, body)["hits"]["hits"]
            out += [stored_document(_source(h)) for h in hits]
            if len(hits) < PAGE_SIZE:
                return out
            after = hits[-1]["sort"]

    def count(self) -> dict[str, int]:
        return {"article": self.client.count(self.articles), "comment": self.client.count(self.comments)}

    # ------------------------------------------------------------ near-duplicate clusters

    def cluster_entries(self, by: ClusterLookup, values: Sequence[str], *,
                        limit: int = CLUSTER_LOOKUP_LIMIT) -> list[ClusterEntry]:
        unique = list(dict.fromkeys(values))
        if not unique:
            return []
        # Near real time: what the last bulk wrote (this batch, the previous one) must be found now.
        self.client.refresh(self.articles)
        field = {"id": "id", "key": "cluster_keys", "cluster": "cluster_id"}[by]
        found: dict[str, ClusterEntry] = {}
        for i in range(0, len(unique), CLUSTER_TERMS_CHUNK):
            body = {"size": limit, "query": {"terms": {field: unique[i:i + CLUSTER_TERMS_CHUNK]}},
                    "sort": [{"first_seen": "asc"}, {"id": "asc"}],
                    "_source": ["id", "source", "first_seen", *CLUSTER_FIELDS, "cluster_signature"]}
            for raw in self.client.search(self.articles, body)["hits"]["hits"]:
                doc = _source(raw)
                found[doc["id"]] = ClusterEntry(
                    doc["id"], str(doc.get("source") or ""), str(doc.get("first_seen") or ""), doc.get("cluster_id"),
                    doc.get("cluster_size"), tuple(doc.get("cluster_sources") or ()), doc.get("cluster_signature"))
        return sorted(found.values(), key=lambda e: (e.first_seen, e.id))[:limit]

    def set_clusters(self, fields: dict[str, ClusterFields]) -> None:
        ops: list[dict[str, Any]] = []
        for doc_id, f in fields.items():
            ops += [{"update": {"_index": self.articles, "_id": doc_id}},
                    {"doc": {"cluster_id": f.cluster_id, "cluster_size": f.cluster_size,
                             "cluster_sources": list(f.cluster_sources), "cluster": f.cluster_id}}]
        if ops:
            self.write(ops)

    def put_keys(self, keys: dict[str, ClusterKeys | None]) -> None:
        ops: list[dict[str, Any]] = []
        for doc_id, k in keys.items():
            ops += [{"update": {"_index": self.articles, "_id": doc_id}},
                    {"doc": {"cluster_keys": list(k.band_keys) if k else [], "cluster_signature": k.signature if k else None}}]
        if ops:
            self.write(ops)

    def scan_articles(self, *, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"match_all": {}}
        if after is not None:
            query = {"bool": {"should": [
                {"range": {"first_seen": {"gt": after[0]}}},
                {"bool": {"filter": [{"term": {"first_seen": after[0]}}, {"range": {"id": {"gt": after[1]}}}]}},
            ], "minimum_should_match": 1}}
        body = {"size": limit, "query": query, "sort": [{"first_seen": "asc"}, {"id": "asc"}],
                "_source": ["id", "source", "first_seen", "text"]}
        return [_source(raw) for raw in self.client.search(self.articles, body)["hits"]["hits"]]

    def backfill_collapse_keys(self) -> int:
        """Give every document written before clusters (an index migrated from mapping 2) its ``cluster`` field,
        which collapsed searches group by: a document without one would fall in one group with all the others.
        Returns how many were updated."""
        done = 0
        for alias in (self.articles, self.comments):
            while True:
                self.client.refresh(alias)
                body = {"size": PAGE_SIZE, "query": {"bool": {"must_not": {"exists": {"field": "cluster"}}}},
                        "_source": ["cluster_id"]}
                hits = self.client.search(alias, body)["hits"]["hits"]
                if not hits:
                    break
                ops: list[dict[str, Any]] = []
                for raw in hits:
                    cluster = (raw.get("_source") or {}).get("cluster_id") or raw["_id"]
                    ops += [{"update": {"_index": alias, "_id": raw["_id"]}}, {"doc": {"cluster": cluster}}]
                self.write(ops)
                done += len(hits)
        return done

    def refresh_now(self) -> None:
        """Make everything written so far visible to search."""
        self.client.refresh(f"{self.articles},{self.comments}")


# ---------------------------------------------------------------- helpers


def _facet_aggs(*, collapse: bool = False) -> dict[str, Any]:
    aggs: dict[str, Any] = {name: {"terms": {"field": mappings.facet_field(name), "size": FACET_SIZE}}
                            for name in FACETS if name != "day"}
    aggs["day"] = {"date_histogram": {"field": "date", "calendar_interval": "day", "format": "yyyy-MM-dd",
                                      "min_doc_count": 1}}
    if collapse:
        for agg in aggs.values():
            agg["aggs"] = {CLUSTERS_AGG: _stories()}
    return aggs


def _stories() -> dict[str, Any]:
    """How many clusters (stories) a search or bucket holds: exact below the precision threshold."""
    return {"cardinality": {"field": "cluster", "precision_threshold": CARDINALITY_PRECISION}}


def _rank_clauses(terms: Iterable[Term | Phrase]) -> list[dict[str, Any]]:
    """BM25 clauses for the words a hit contains, a title match weighted as SQLite's bm25 weights it."""
    clauses: list[dict[str, Any]] = []
    for leaf in terms:
        for field in text_fields(leaf.field):
            clause = to_engine_dsl(dataclasses.replace(leaf, field=field))
            clauses.append({"bool": {"should": [clause], "boost": RANK_BOOSTS.get(field, 1.0)}})
    return clauses


def _facets(aggs: dict[str, Any], *, collapse: bool = False) -> dict[str, dict[str, int]]:
    def count(bucket: dict[str, Any]) -> int:
        return int(bucket[CLUSTERS_AGG]["value"]) if collapse else int(bucket["doc_count"])

    return facet_counts({name: [(b.get("key_as_string", b["key"]), count(b))
                                for b in aggs.get(name, {}).get("buckets", [])] for name in FACETS})


def _source(raw: dict[str, Any]) -> dict[str, Any]:
    """A hit's stored fields with its id."""
    return {**raw.get("_source", {}), "id": raw["_id"]}


def _stored_state(doc: dict[str, Any]) -> StoredState:
    # Digest of the stored document as this monitor's shape reads it: a field added since it was
    # written reads as null on both sides, so it is no change.
    return StoredState(content_hash(stored_document(doc)), doc.get("first_seen"), doc.get("source"),
                       {name: doc.get(name) for name in CLUSTER_FIELDS})



def _bulk_outcome(ops: list[dict[str, Any]], answer: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(operations to retry for 429/5xx, {id: reason} refused for good) from a bulk answer."""
    if not answer.get("errors"):
        return [], {}
    retry: list[dict[str, Any]] = []
    failures: dict[str, str] = {}
    for n, item in enumerate(answer["items"]):
        result = next(iter(item.values()))
        status = int(result.get("status", 0))
        if status < 300:
            continue
        if status in RETRY_STATUSES:
            retry += ops[2 * n:2 * n + 2]
        else:
            error = result.get("error") or {}
            failures[str(result.get("_id"))] = str(error.get("reason") or error.get("type") or status)
    return retry, failures


def index_prefix(prefix: str | None = None) -> str:
    """The prefix of this monitor's indices on a shared cluster: ``prefix``, else MONITOR_INDEX_PREFIX, else "monitor"."""
    return prefix or os.environ.get(ENV_PREFIX) or mappings.DEFAULT_PREFIX


def open_engine_index(url: str, *, prefix: str | None = None, refresh: Refresh = False,
                      auth: EngineAuth | None = None, retry_waits: Iterable[float] = RETRY_WAITS) -> EngineIndex:
    """Connect to the engine at ``url`` (Elasticsearch or OpenSearch, as it reports), write the templates
    and make sure the aliases exist. Credentials come from MONITOR_INDEX_* environment variables; the
    index prefix from ``prefix``, else MONITOR_INDEX_PREFIX (several monitors on one cluster), else "monitor"."""
    prefix = index_prefix(prefix)
    client = connect(url, auth=auth)
    try:
        return EngineIndex(client, prefix=prefix, refresh=refresh, retry_waits=tuple(retry_waits))
    except BaseException:
        client.close()
        raise
