"""Which alerts new documents match: the Python matcher (SQLite), or percolator queries (Elasticsearch/OpenSearch)."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

from monitor.alerts.rules import Alert
from monitor.errors import BulkRejected, IndexTimeout, IndexUnavailable, SearchIndexError
from monitor.index import is_engine_url, mappings
from monitor.index.clients import EngineClient, already_exists
from monitor.query import (
    TEXT_FIELDS,
    And,
    Node,
    Or,
    Phrase,
    Prepared,
    Term,
    is_keyword,
    prepared,
)

logger = logging.getLogger(__name__)

Match = tuple[Alert, dict[str, Any]]

# Bump when the percolator index's mapping changes: the index is then rebuilt from the state DB.
PERCOLATOR_VERSION = 1
# Documents per percolate request (the answer names each one's slot). Tuned with bench/alerts.py: 1,000 docs
# per request took 3.6 s against 1,000 alerts, 250 took 6.0 s, 25 took 11.7 s.
PERCOLATE_CHUNK = 1000
SEARCH_ATTEMPTS = 3
PAGE = 10_000


class Matcher(Protocol):
    def load(self, alerts: Sequence[Alert]) -> None: ...

    def match(self, docs: Sequence[dict[str, Any]]) -> list[Match]: ...

    def close(self) -> None: ...


def required_words(node: Node) -> frozenset[str] | None:
    """Words of which a matching document must contain at least one (in any text field); None: cannot say.

    ``word*`` stands for any word starting with ``word``. An over-approximation used only to skip alerts
    that cannot match; the matcher still decides.
    """
    if isinstance(node, Term):
        if is_keyword(node) or not node.word:
            return None
        return frozenset((node.word + "*",)) if node.prefix else frozenset((node.word,))
    if isinstance(node, Phrase):
        return frozenset(node.words[:1])
    if isinstance(node, And):
        known = [w for w in (required_words(c) for c in node.children) if w is not None]
        return min(known, key=len) if known else None
    if isinstance(node, Or):
        parts = [required_words(c) for c in node.children]
        return None if any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
    return None  # NOT, match-all: any document may match


class PythonMatcher:
    """Alerts against documents in Python (the same meaning as the indexes, monitor.query).

    An inverted index from required words to alerts picks the candidates for each document, so that a
    thousand alerts cost a few matcher calls per document, not a thousand.
    """

    def __init__(self, alerts: Sequence[Alert] = ()) -> None:
        self.load(alerts)

    def load(self, alerts: Sequence[Alert]) -> None:
        self.alerts: list[Alert] = list(alerts)
        self.always: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        self.by_prefix: dict[str, list[int]] = {}
        for n, alert in enumerate(self.alerts):
            words = required_words(alert.node)
            if words is None:
                self.always.append(n)
            for word in words or ():
                if word.endswith("*"):
                    self.by_prefix.setdefault(word[:-1], []).append(n)
                else:
                    self.by_word.setdefault(word, []).append(n)
        self.prefix_lengths = sorted({len(p) for p in self.by_prefix})

    def match(self, docs: Sequence[dict[str, Any]]) -> list[Match]:
        if not self.alerts:  # nothing could match: not even the words are cut
            return []
        out: list[Match] = []
        for doc in docs:
            test = prepared(doc)
            candidates = self._candidates(test)
            out += [(self.alerts[n], doc) for n in sorted(candidates)
                    if self.alerts[n].passes_filters(doc) and test(self.alerts[n].node)]
        return out

    def _candidates(self, doc: Prepared) -> set[int]:
        """The alerts the document may match: those it has a required word or word start of."""
        candidates = set(self.always)
        for word in doc.words(TEXT_FIELDS) & self.by_word.keys():
            candidates.update(self.by_word[word])
        for length in self.prefix_lengths:
            for start in doc.prefixes(TEXT_FIELDS, length) & self.by_prefix.keys():
                candidates.update(self.by_prefix[start])
        return candidates

    def close(self) -> None:
        pass


def percolator_index(prefix: str) -> str:
    return f"{prefix}-alerts"


def percolator_body() -> dict[str, Any]:
    """The alerts index: the document fields (so queries parse and analyse as on the documents) + the queries."""
    body = mappings.index_body()
    properties = body["mappings"]["properties"]
    properties.update({"query": {"type": "percolator"}, "alert_name": {"type": "keyword"},
                       "alert_hash": {"type": "keyword"}})
    body["mappings"]["_meta"] = {"monitor_percolator_version": PERCOLATOR_VERSION,
                                 "monitor_mapping_version": mappings.MAPPING_VERSION}
    return body


def _rule_hash(alert: Alert) -> str:
    return hashlib.sha1(json.dumps(alert.engine_query(), sort_keys=True).encode()).hexdigest()


class PercolatorMatcher:
    """Alerts stored as percolator queries in ``{prefix}-alerts``; new documents percolated in batches."""

    def __init__(self, client: EngineClient, *, prefix: str = mappings.DEFAULT_PREFIX, owns_client: bool = True) -> None:
        self.client = client
        self.index = percolator_index(prefix)
        self.owns_client = owns_client
        self.alerts: dict[str, Alert] = {}
        self._ensure_index()

    def _ensure_index(self) -> None:
        # A pattern answers [] where the bare name answers 404.
        if self.index in self.client.indices(self.index + "*"):
            meta = self.client.get_mapping(self.index).get("_meta", {})
            if meta.get("monitor_percolator_version") == PERCOLATOR_VERSION and \
                    meta.get("monitor_mapping_version") == mappings.MAPPING_VERSION:
                # Crawls on several workers open it at once: the one that created it a moment ago may not have
                # its shard yet, and a search of it then fails (the batch's alerts would be lost).
                self.client.wait_for_primaries(self.index)
                return
            # Derived data: the state DB holds the rules, so an old index is rebuilt, not migrated.
            logger.info("percolator index rebuilt for a new mapping index=%s", self.index)
            self.client.delete_index(self.index)
        try:
            self.client.create_index(self.index, percolator_body())
        except SearchIndexError as exc:
            if not already_exists(exc):  # another process created it first: fine
                raise
        self.client.wait_for_primaries(self.index)

    def load(self, alerts: Sequence[Alert]) -> None:
        """Make the stored queries the given alerts: write changed ones, delete gone ones."""
        self.alerts = {a.name: a for a in alerts}
        stored = {hit["_id"]: hit["_source"].get("alert_hash") for hit in self._all(["alert_hash"])}
        ops: list[dict[str, Any]] = []
        for alert in alerts:
            digest = _rule_hash(alert)
            if stored.get(alert.name) != digest:
                ops += [{"index": {"_index": self.index, "_id": alert.name}},
                        {"query": alert.engine_query(), "alert_name": alert.name, "alert_hash": digest}]
        for name in stored:
            if name not in self.alerts:
                ops.append({"delete": {"_index": self.index, "_id": name}})
        if ops:
            answer = self.client.bulk(ops, refresh=True)
            if answer.get("errors"):
                failed = [next(iter(i.values())) for i in answer["items"] if next(iter(i.values())).get("error")]
                raise BulkRejected({str(f.get("_id")): str((f.get("error") or {}).get("reason") or f.get("error"))
                                    for f in failed})

    def _all(self, fields: list[str]) -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": PAGE, "_source": fields, "sort": [{"alert_name": "asc"}],
                                    "query": {"match_all": {}}}
            if after:
                body["search_after"] = after
            page = self._search(body)["hits"]["hits"]
            hits += page
            if len(page) < PAGE:
                return hits
            after = page[-1]["sort"]

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """A search of the alerts index. One answered 503 while its shard moves or starts (another crawl created or
        rebuilt it a moment ago) is asked again once the shard is there; an engine that is down fails at once."""
        for attempt in range(1, SEARCH_ATTEMPTS):
            try:
                return self.client.search(self.index, body)
            except IndexTimeout:
                raise
            except IndexUnavailable:
                self.client.wait_for_primaries(self.index)  # raises when the engine itself is unreachable
                time.sleep(0.5 * attempt)
        return self.client.search(self.index, body)

    def match(self, docs: Sequence[dict[str, Any]]) -> list[Match]:
        out: list[Match] = []
        if not self.alerts:
            return out
        for start in range(0, len(docs), PERCOLATE_CHUNK):
            chunk = list(docs[start:start + PERCOLATE_CHUNK])
            out += self._percolate(chunk)
        return out

    def _percolate(self, docs: list[dict[str, Any]]) -> list[Match]:
        out: list[Match] = []
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": min(PAGE, len(self.alerts)), "_source": ["alert_name"], "sort": [{"alert_name": "asc"}],
                "query": {"percolate": {"field": "query", "documents": [mappings.engine_document(d) for d in docs]}},
            }
            if after:
                body["search_after"] = after
            hits = self._search(body)["hits"]["hits"]
            for hit in hits:
                alert = self.alerts.get(hit["_source"]["alert_name"])
                if alert is None:  # stored by a newer config in another process; not ours to send
                    continue
                for slot in hit.get("fields", {}).get("_percolator_document_slot", []):
                    out.append((alert, docs[slot]))
            if len(hits) < body["size"]:
                return out
            after = hits[-1]["sort"]

    def drop(self) -> None:
        """Delete the alerts index (tests)."""
        self.client.delete_index(self.index)

    def close(self) -> None:
        if self.owns_client:
            self.client.close()


def open_matcher(index_url: str, alerts: Sequence[Alert], *, prefix: str | None = None) -> Matcher:
    """The matcher for the configured index: percolator on an engine, the Python matcher on SQLite.

    On an engine the alerts index shares the documents' prefix (``prefix``, else MONITOR_INDEX_PREFIX), so
    monitors sharing a cluster under their own prefixes keep their own alerts."""
    matcher: Matcher
    if is_engine_url(index_url):
        from monitor.index.clients import connect
        from monitor.index.engine import index_prefix

        matcher = PercolatorMatcher(connect(index_url), prefix=index_prefix(prefix))
    else:
        matcher = PythonMatcher()
    matcher.load(alerts)
    return matcher
