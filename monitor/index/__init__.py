"""The search index: one interface (base.SearchIndex), chosen by URL (open_index, backend_of)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from monitor.errors import ConfigError
from monitor.index.base import SearchIndex, SearchRequest, SearchResult, UpsertStats

__all__ = ["Backend", "SearchIndex", "SearchRequest", "SearchResult", "UpsertStats", "backend_of",
           "is_engine_url", "open_index", "sqlite_path"]

Backend = Literal["sqlite", "engine"]
SQLITE_SCHEME = "sqlite:///"
ENGINE_SCHEMES = ("http://", "https://")


def backend_of(url: str) -> Backend:
    """Which backend an index URL names: ``sqlite:///path.db`` (embedded) or ``http(s)://host:9200`` (an engine)."""
    if url.startswith(SQLITE_SCHEME):
        return "sqlite"
    if url.startswith(ENGINE_SCHEMES):
        return "engine"
    raise ConfigError(f"index.url {url!r} is not supported: use sqlite:///path/monitor.db (embedded) "
                      f"or http(s)://host:9200 (Elasticsearch/OpenSearch)")


def is_engine_url(url: str) -> bool:
    """Whether the URL names Elasticsearch or OpenSearch (and not the embedded SQLite index)."""
    return backend_of(url) == "engine"


def sqlite_path(url: str) -> Path:
    """The database file of a ``sqlite:///`` URL."""
    if backend_of(url) != "sqlite":
        raise ConfigError(f"index.url {url!r} is not a sqlite:/// URL")
    return Path(url[len(SQLITE_SCHEME):])


def open_index(url: str) -> SearchIndex:
    """Open the backend the URL names: ``sqlite:///path.db`` or ``http(s)://host:9200``."""
    if backend_of(url) == "sqlite":
        from monitor.index.sqlite import SQLiteIndex

        return SQLiteIndex(sqlite_path(url))
    from monitor.index.engine import open_engine_index

    return open_engine_index(url)
