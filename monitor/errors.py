"""The one exception hierarchy of the monitor.

MonitorError
├── ConfigError        the config file is wrong: names the file, the key and what to fix
├── QueryError         a search/topic/alert query does not parse: says where
├── ExtractionError    a page could not be parsed at all
└── SearchIndexError   the search index refused or could not be reached
    └── IndexUnavailable   the engine is down; writes go to the spool
"""
from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration is invalid; the message says what to fix."""


class QueryError(MonitorError):
    """A query does not parse; ``position`` is the 0-based offset where it breaks."""

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        if position is not None and query:
            message = f"{message} at position {position}:\n  {query}\n  {' ' * position}^"
        super().__init__(message)


class ExtractionError(MonitorError):
    """A page could not be parsed into an article."""


class SearchIndexError(MonitorError):
    """The search index failed a request."""


class IndexUnavailable(SearchIndexError):
    """The search engine cannot be reached right now."""
