"""Versioned index templates for Elasticsearch/OpenSearch: settings, mappings, index and alias names."""
from __future__ import annotations

import copy
from typing import Any, Literal

from monitor.query import ENGINE_FIELD_MAPPINGS, ENGINE_TEXT_ANALYSIS

Kind = Literal["articles", "comments"]
KINDS: tuple[Kind, ...] = ("articles", "comments")

# Bump for any change an existing index cannot take in place (analyzer, field type): `monitor index
# migrate` then builds the new index, reindexes and moves the alias. Adding a field needs no bump.
MAPPING_VERSION = 1
DEFAULT_PREFIX = "monitor"

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date", "format": "strict_date_optional_time||date_optional_time||epoch_millis",
         "ignore_malformed": True}
_INT = {"type": "integer"}

# Every field either kind of document has; one set so that a search over both aliases agrees on types.
PROPERTIES: dict[str, Any] = {
    **copy.deepcopy(ENGINE_FIELD_MAPPINGS),  # title, text, author (text); source, language, type, topics, id, article_id
    # Facets show values as written (the SQLite backend does too); queries compare them lower-cased.
    "source": {**ENGINE_FIELD_MAPPINGS["source"], "fields": {"raw": _KEYWORD}},
    "language": {**ENGINE_FIELD_MAPPINGS["language"], "fields": {"raw": _KEYWORD}},
    "url": _KEYWORD,
    "canonical_url": _KEYWORD,
    "authors": _KEYWORD,
    "published": _DATE,
    "modified": _DATE,
    "first_seen": _DATE,
    "last_seen": _DATE,
    # documents.document_date: published in UTC, else first_seen; what search filters, sorts and buckets by
    "date": _DATE,
    "site_name": _KEYWORD,
    "tags": _KEYWORD,
    "image": {"type": "keyword", "index": False, "doc_values": False},
    "comment_count": _INT,
    "cluster_id": _KEYWORD,
    "parent_id": _KEYWORD,
    "native_id": _KEYWORD,
    "depth": _INT,
    "position": _INT,
    "likes": _INT,
    "article_title": {"type": "text", "analyzer": "monitor_text"},
}


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
