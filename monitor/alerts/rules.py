"""An alert rule: its query and filters, matched in Python or as an engine query (the same meaning)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from monitor.config import AlertConfig
from monitor.index.base import SearchRequest
from monitor.query import Node, keyword_values, matches, parse, to_engine_dsl

ALL_TYPES = ("article", "comment")


@dataclass(frozen=True)
class Alert:
    """A saved search that notifies. ``origin`` is ``config`` (monitor.yaml) or ``cli`` (`monitor alerts add`)."""

    name: str
    query: str
    notify: tuple[str, ...]
    types: tuple[str, ...] = ALL_TYPES
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    mode: str = "immediate"
    digest_schedule: str | None = None
    once_per: str = "document"  # or "cluster" (monitor.config.AlertConfig.once_per)
    origin: str = "cli"

    @classmethod
    def from_config(cls, alert: AlertConfig, *, origin: str = "config") -> Alert:
        return cls(name=alert.name, query=alert.query, notify=tuple(alert.notify), types=tuple(alert.types),
                   sources=tuple(alert.sources), topics=tuple(alert.topics), languages=tuple(alert.languages),
                   mode=alert.mode, digest_schedule=alert.digest_schedule, once_per=alert.once_per, origin=origin)

    @classmethod
    def from_fields(cls, data: Mapping[str, Any], *, origin: str = "cli") -> Alert:
        """Validated like a config entry (raises pydantic's ValidationError)."""
        return cls.from_config(AlertConfig.model_validate(dict(data)), origin=origin)

    def fields(self) -> dict[str, Any]:
        """The rule as plain data (what the state DB stores), without the origin."""
        out = asdict(self)
        out.pop("origin")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @cached_property
    def node(self) -> Node:
        return parse(self.query)

    def passes_filters(self, doc: Mapping[str, Any]) -> bool:
        """Type, sources, topics and languages (keywords compare lower-cased, as in the indexes)."""
        if (doc.get("type") or "article") not in self.types:
            return False
        for name, wanted in (("source", self.sources), ("topics", self.topics), ("language", self.languages)):
            if wanted and not set(keyword_values(doc, name)) & {w.lower() for w in wanted}:
                return False
        return True

    def accepts(self, doc: Mapping[str, Any]) -> bool:
        """Does the document pass the filters and match the query? (The Python matcher.)"""
        return self.passes_filters(doc) and matches(self.node, doc)

    def cluster_of(self, doc: Mapping[str, Any]) -> str | None:
        """The cluster a match counts once for (once_per: cluster): an article's cluster; None: count it alone."""
        if self.once_per != "cluster" or (doc.get("type") or "article") != "article":
            return None
        return str(doc.get("cluster_id") or doc.get("id") or "") or None

    def engine_query(self) -> dict[str, Any]:
        """The same rule as an Elasticsearch/OpenSearch query (for the percolator)."""
        filters: list[dict[str, Any]] = [to_engine_dsl(self.node), {"terms": {"type": list(self.types)}}]
        for name, wanted in (("source", self.sources), ("topics", self.topics), ("language", self.languages)):
            if wanted:
                filters.append({"terms": {name: [w.lower() for w in wanted]}})
        return {"bool": {"filter": filters}}

    def search_request(self, *, since: str | None = None, limit: int = 1000) -> SearchRequest:
        """What `monitor alerts test` searches: the same query and filters."""
        return SearchRequest(query=self.query, types=self.types, sources=self.sources,  # type: ignore[arg-type]
                             topics=self.topics, languages=self.languages, since=since, sort="date", limit=limit)
