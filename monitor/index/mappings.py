"""Versioned index templates for Elasticsearch/OpenSearch: settings, mappings, index and alias names."""
from __future__ import annotations

import copy
from typing import Any, Literal

from monitor.documents import FIELDS, document_date
from monitor.index.searching import FACETS
from monitor.items import FieldKind
from monitor.query import ENGINE_FIELD_MAPPINGS, ENGINE_TEXT_ANALYSIS, field_text

Kind = Literal["articles", "comments"]
KINDS: tuple[Kind, ...] = ("articles", "comments")

# Bump for any change of the document shape or the mapping (tests/index/test_engine_backend.py records a
# fingerprint per version and fails until you do): `monitor index migrate` then builds the new index,
# reindexes and moves the alias.
MAPPING_VERSION = 4  # 3: the article's comment platform fields; 4: near-duplicate clusters
DEFAULT_PREFIX = "monitor"

_DATE = {"type": "date", "format": "strict_date_optional_time||date_optional_time||epoch_millis",
         "ignore_malformed": True}
_BY_KIND: dict[FieldKind, dict[str, Any]] = {
    "keyword": {"type": "keyword"},
    "keywords": {"type": "keyword"},
    "text": {"type": "text", "analyzer": "monitor_text"},
    "date": _DATE,
    "integer": {"type": "integer"},
    "stored": {"type": "keyword", "index": False, "doc_values": False},
}
# Engine-only fields: documents.document_date (published in UTC, else first_seen), what search filters,
# sorts and buckets by; and ``author``, which on an article is its authors joined (query.field_text).
# Near-duplicate clusters (monitor.clusters): ``cluster`` is cluster_id or else the document's own id, what a
# collapsed search groups by (a document without it would fall in one group of its own); the LSH band keys,
# one terms query away from the candidates; the MinHash signature that verifies them, kept but not indexed.
ENGINE_ONLY_FIELDS = ("date", "cluster", "cluster_keys", "cluster_signature")
# Facets show values as written (as SQLite does) where queries compare them lower-cased: a raw sub-field.
# Not for ``type``, whose values are ours (documents.DOC_TYPES) and lower case already.
RAW = "raw"


def _property(name: str, kind: FieldKind) -> dict[str, Any]:
    mapping = copy.deepcopy(ENGINE_FIELD_MAPPINGS.get(name) or _BY_KIND[kind])
    if name in FACETS and name != "type" and "normalizer" in mapping:
        mapping["fields"] = {RAW: {"type": "keyword"}}
    return mapping


# Every field either kind of document has; one set so that a search over both aliases agrees on types.
PROPERTIES: dict[str, Any] = {
    **{name: _property(name, f.kind) for name, f in FIELDS.items()},
    "date": copy.deepcopy(_DATE),
    "cluster": {"type": "keyword"},
    "cluster_keys": {"type": "keyword"},
    "cluster_signature": copy.deepcopy(_BY_KIND["stored"]),
}


def facet_field(name: str) -> str:
    """The field a terms facet counts: the raw sub-field where there is one."""
    return f"{name}.{RAW}" if RAW in PROPERTIES[name].get("fields", {}) else name


def engine_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A document as the engine indexes it (documents, percolated alerts): plus the engine-only fields."""
    out = dict(doc)
    out["date"] = document_date(doc)
    out["cluster"] = doc.get("cluster_id") or doc.get("id")
    if doc.get("type") == "article":
        out["author"] = field_text(doc, "author") or None
    return out


def alias_name(prefix: str, kind: Kind) -> str:
    return f"{prefix}-{kind}"


def index_name(prefix: str, kind: Kind, version: int = MAPPING_VERSION) -> str:
    return f"{prefix}-{kind}-v{version}"


def template_name(prefix: str, kind: Kind) -> str:
    return f"{prefix}-{kind}"


def index_body() -> dict[str, Any]:
    """Settings and mappings of a new index (the template carries the same)."""
    settings = copy.deepcopy(ENGINE_TEXT_ANALYSIS)
    settings.update({"number_of_shards": 1, "auto_expand_replicas": "0-1"})
    return {
        "settings": settings,
        # Unknown fields are kept in _source but not indexed: a new item field never breaks a write.
        "mappings": {"dynamic": False, "properties": copy.deepcopy(PROPERTIES),
                     "_meta": {"monitor_mapping_version": MAPPING_VERSION}},
    }


def template_body(prefix: str, kind: Kind) -> dict[str, Any]:
    """The composable index template for ``{prefix}-{kind}-v*`` indices."""
    return {
        "index_patterns": [f"{prefix}-{kind}-v*"],
        "priority": 200,  # above the engines' built-in templates
        "version": MAPPING_VERSION,
        "template": index_body(),
        "_meta": {"owner": "media-monitor", "kind": kind},
    }
