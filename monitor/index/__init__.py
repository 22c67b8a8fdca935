"""The search index: one interface (base.SearchIndex), chosen by URL (open_index)."""
from __future__ import annotations

from pathlib import Path

from monitor.errors import ConfigError
from monitor.index.base import SearchIndex, SearchRequest, SearchResult, UpsertStats

__all__ = ["SearchIndex", "SearchRequest", "SearchResult", "UpsertStats", "open_index"]


def open_index(url: str) -> SearchIndex:
    """Open the backend the URL names: ``sqlite:///path.db`` or ``http(s)://host:9200``."""
    if url.startswith("sqlite:///"):
        from monitor.index.sqlite import SQLiteIndex

        return SQLiteIndex(Path(url[len("sqlite:///"):]))
    if url.startswith(("http://", "https://")):
        from monitor.index.engine import open_engine_index

        return open_engine_index(url)
    raise ConfigError(f"index.url {url!r} is not supported: use sqlite:///path/monitor.db or http(s)://host:9200")
