"""The one exception hierarchy of the monitor.

MonitorError
├── ConfigError          the config file is wrong: names the file, the key and what to fix
├── QueryError           a search/topic/alert query does not parse: says where (``query``, ``position``)
├── ExtractionError      a page could not be parsed at all
├── SearchIndexError     the search index refused a request (``status``: the engine's HTTP status, if any)
│   ├── IndexUnavailable     the engine cannot be reached now; writes go to the spool
│   │   └── IndexTimeout         it took the request but did not answer in time (frozen, overloaded); not retried
│   └── BulkRejected         the engine refused some documents for good (``failures``: id -> reason)
├── StorageError         a file or folder of the monitor cannot be written (``path``): full disk, read-only folder
│   ├── SpoolUnwritable      a batch cannot be kept in the spool
│   └── WriteLost            a batch could be neither indexed nor spooled (``articles``): the crawl must stop
├── SpoolMismatch        spooled batches were written for another index (``spooled_for``, ``index``); never replayed
├── CrawlRefused         a crawl cannot start now (one is running, or another process runs the crawls)
├── BrokerUnavailable    the cluster's broker (cluster.broker) does not answer
└── SendFailed           a notification was not delivered to every URL; it stays in the outbox
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.index.base import UpsertStats


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
    """The search index failed a request; ``status`` is the engine's HTTP status where it answered one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class IndexUnavailable(SearchIndexError):
    """The search engine cannot be reached right now."""


class IndexTimeout(IndexUnavailable):
    """The engine took the request but did not answer within the request timeout (frozen or overloaded).

    Not retried: sending the request again would only queue more work on an engine that is not answering.
    """


class BulkRejected(SearchIndexError):
    """The engine refused some documents for good (a mapping error, say); ``failures`` maps id -> reason.

    ``stats`` is what the same write did store besides the refused documents.
    """

    def __init__(self, failures: dict[str, str], *, stats: UpsertStats | None = None,
                 status: int | None = None) -> None:
        self.failures = failures
        self.stats = stats
        listed = "; ".join(f"{doc_id}: {reason}" for doc_id, reason in list(failures.items())[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        super().__init__(f"the engine refused {len(failures)} document(s): {listed}{more}", status=status)


class StorageError(MonitorError):
    """A file or folder cannot be written; the message names ``path`` and what to free or fix."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)


class SpoolUnwritable(StorageError):
    """A batch cannot be kept in the spool (full disk, read-only folder); no partial file is left behind."""


class WriteLost(StorageError):
    """``articles`` articles could be neither indexed nor spooled: nothing of them is kept, so the crawl stops."""

    def __init__(self, message: str, *, path: str, articles: int) -> None:
        self.articles = articles
        super().__init__(message, path=path)


class SpoolMismatch(MonitorError):
    """Spooled batches belong to the index ``spooled_for``, not to ``index``: they are not replayed there."""

    def __init__(self, message: str, *, spooled_for: str, index: str) -> None:
        self.spooled_for = spooled_for
        self.index = index
        super().__init__(message)


class CrawlRefused(MonitorError):
    """A crawl cannot start now (one is running, or another process runs the crawls)."""


class SendFailed(MonitorError):
    """Apprise could not deliver to every URL; the message stays in the outbox for a retry."""


class BrokerUnavailable(MonitorError):
    """The cluster's broker cannot be reached; the message names cluster.broker and the fix."""
