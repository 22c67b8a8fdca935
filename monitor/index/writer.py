"""Batched index writes by count, bytes and age, through the spool when the index cannot take them."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.errors import IndexUnavailable, SearchIndexError, SpoolUnwritable, WriteLost
from monitor.index.base import SearchIndex, UpsertStats
from monitor.index.spool import Spool, SpoolReplay, WriteThrough, write_through
from monitor.index.written import OnWritten, Written
from monitor.items import ArticleItem

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# Engines take bulk requests of 5-15 MB best; 100 news articles with their comments are about 1-3 MB.
BATCH_SIZE = 100
BATCH_BYTES = 5_000_000
BATCH_SECONDS = 5.0
# After the engine was found down, batches go straight to the spool for this long instead of each
# waiting out the index layer's own retries (about 15 s) in turn. This is no retry of its own: nothing is
# sent again from here; once it is over, the next batch's write is the next attempt and replays the spool.
RETRY_SECONDS = 30.0
# The crawl counter (and the start of its close reason) for articles that could be neither indexed nor spooled.
WRITE_LOST_STAT = "monitor/errors/index_write_lost"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Field names, punctuation and the small values of one document in a bulk request, beside its strings' bytes.
DOCUMENT_OVERHEAD = 350


def article_bytes(article: ArticleItem) -> int:
    """About what the article and its comments weigh in a bulk request: their strings' UTF-8 bytes and an
    allowance per document (a JSON dump of the whole cost about 1 ms of the crawl's main process per article)."""
    return sum(_document_bytes(doc) for doc in (article, *article.comments))


def _document_bytes(doc: object) -> int:
    size = DOCUMENT_OVERHEAD
    for value in vars(doc).values():
        if isinstance(value, str):
            size += len(value.encode("utf-8", "replace"))
        elif isinstance(value, list) and value and isinstance(value[0], str):
            size += sum(len(v.encode("utf-8", "replace")) + 3 for v in value)
    return size


@dataclass
class FlushReport:
    """What one flush did. Nothing is dropped: an article is written or spooled, and refused documents are named."""

    stats: UpsertStats = field(default_factory=UpsertStats)  # written now, replayed batches included
    written: int = 0  # articles of this batch sent to the index (any it refused are in ``rejected``)
    spooled: int = 0  # articles of this batch that went to the spool
    replayed: int = 0  # spooled articles written now, before this batch
    rejected: dict[str, str] = field(default_factory=dict)  # document id -> reason the index refused it for good
    pending: int = 0  # batches still in the spool afterwards
    articles: list[ArticleItem] = field(default_factory=list)  # written now: replayed ones first, then this batch


class BatchWriter:
    """Collects articles into batches and writes each through the spool; knows nothing of Scrapy.

    ``add`` and ``take`` are cheap and meant for the caller's event loop; ``start``, ``write``,
    ``flush`` and ``close`` do I/O and belong on one worker thread (a SQLite connection is tied to
    the thread that opened it). A batch is due once it holds ``batch_size`` articles, ``batch_bytes``
    bytes, or its first article has waited ``batch_seconds``. Every write that reached the index, spooled
    batches replayed included, ends in ``on_written`` (on the worker thread), once, with what it wrote.
    """

    def __init__(self, open_index: Callable[[], SearchIndex], *, spool: Spool | None,
                 batch_size: int = BATCH_SIZE, batch_bytes: int = BATCH_BYTES,
                 batch_seconds: float = BATCH_SECONDS, retry_seconds: float = RETRY_SECONDS,
                 on_written: OnWritten | None = None, index_name: str = "the index",
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], str] = utc_now) -> None:
        if batch_size < 1 or batch_bytes < 1 or batch_seconds <= 0:
            raise ValueError("batch_size, batch_bytes and batch_seconds must be positive")
        self.open_index = open_index
        self.spool = spool
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.batch_seconds = batch_seconds
        self.retry_seconds = retry_seconds
        self.on_written = on_written
        self.index_name = index_name  # for messages: the index as monitor.index.identity names it
        self.clock = clock
        self.now = now
        self.index: SearchIndex | None = None
        self.batch: list[ArticleItem] = []
        self.batch_bytes_now = 0
        self.batch_started: float | None = None
        self._retry_at = 0.0
        self._down_reason = ""  # why the index failed last, while batches go straight to the spool

    def __repr__(self) -> str:
        return (f"BatchWriter(batch={len(self.batch)}, size={self.batch_size}, bytes={self.batch_bytes}, "
                f"seconds={self.batch_seconds}, spool={self.spool!r})")

    # ------------------------------------------------------------ caller's loop

    def add(self, article: ArticleItem) -> bool:
        """Queue an article; True when the batch is due to be written."""
        if not self.batch:
            self.batch_started = self.clock()
        self.batch.append(article)
        self.batch_bytes_now += article_bytes(article)
        return self.due()

    def due(self) -> bool:
        if not self.batch:
            return False
        if len(self.batch) >= self.batch_size or self.batch_bytes_now >= self.batch_bytes:
            return True
        return self.batch_started is not None and self.clock() - self.batch_started >= self.batch_seconds

    def spool_waiting(self) -> bool:
        """Spooled batches wait and the index may be back: a flush, even an empty one, would replay them."""
        return self.spool is not None and self.clock() >= self._retry_at and len(self.spool) > 0

    def take(self) -> list[ArticleItem]:
        batch, self.batch = self.batch, []
        self.batch_bytes_now = 0
        self.batch_started = None
        return batch

    # ------------------------------------------------------------ worker thread

    def start(self) -> FlushReport:
        """Open the index and replay what an earlier run left in the spool."""
        return self.write([])

    def flush(self) -> FlushReport:
        return self.write(self.take())

    def write(self, batch: list[ArticleItem]) -> FlushReport:
        """Write one batch (an empty one only replays the spool); with a spool, an unavailable index never raises.

        WriteLost when the batch can be neither indexed nor spooled (a full disk): nothing of it is kept, and
        the caller must stop taking articles. What was written before that still reaches ``on_written``.
        """
        report = FlushReport()
        try:
            self._write(batch, report)
        finally:
            if report.articles and self.on_written is not None:
                self.on_written(Written(report.articles, report.stats))
        return report

    def _lost(self, batch: list[ArticleItem], reason: str, exc: SpoolUnwritable) -> WriteLost:
        logger.error("batch lost: neither indexed nor spooled articles=%d index=%s spool=%s reason=%s",
                     len(batch), self.index_name, exc.path, exc)
        return WriteLost(
            f"{len(batch)} articles could be neither indexed nor spooled: {self.index_name} did not take them "
            f"({reason}), and {exc}. Nothing of them was kept: the crawl stops and keeps no HTTP validators, so "
            f"the next crawl, once that is fixed, fetches them again", path=exc.path, articles=len(batch))

    def _write(self, batch: list[ArticleItem], report: FlushReport) -> FlushReport:
        seen_at = self.now()
        if self.clock() < self._retry_at:
            return self._to_spool(batch, seen_at, report, f"it failed moments ago: {self._down_reason}")
        if self.index is None:
            try:
                self.index = self.open_index()
            except SearchIndexError as exc:
                if not isinstance(exc, IndexUnavailable):  # credentials, TLS: a person must act; keep the data
                    logger.error("cannot open the index, spooling reason=%s", exc)
                self._retry_at = self.clock() + self.retry_seconds
                self._down_reason = str(exc)
                return self._to_spool(batch, seen_at, report, str(exc))
        if self.spool is None:
            # No spool configured: the caller decides what an unavailable index means.
            report.stats = self.index.upsert(batch, seen_at=seen_at) if batch else UpsertStats()
            report.written = len(batch)
            report.articles = list(batch)
            return report
        outcome = WriteThrough(written=SpoolReplay())
        try:
            write_through(self.index, self.spool, batch, seen_at=seen_at, progress=outcome)
        except SpoolUnwritable as exc:
            report.stats = outcome.written
            report.replayed = outcome.written.articles
            report.articles = list(outcome.articles)
            raise self._lost(batch, outcome.reason or "the spool had to be written first", exc) from exc
        except Exception as exc:  # noqa: BLE001 - an index failure no one foresaw must not lose the batch
            logger.exception("index write failed, spooling the batch articles=%d", len(batch))
            # What the replay wrote before the failure is written: it is reported like any other write.
            report.stats = outcome.written
            report.replayed = outcome.written.articles
            report.articles = list(outcome.articles)
            return self._to_spool(batch, seen_at, report, f"{type(exc).__name__}: {exc}")
        if outcome.unavailable:
            self._retry_at = self.clock() + self.retry_seconds
            self._down_reason = outcome.reason or "unavailable"
            # Open it afresh next time: an engine that comes back may be a new cluster without our aliases.
            self._drop_index()
        report.stats = outcome.written
        report.replayed = outcome.replayed
        report.spooled = outcome.spooled
        report.written = len(batch) - outcome.spooled
        report.rejected = dict(outcome.written.rejected)
        report.articles = outcome.articles
        report.pending = len(self.spool)
        return report

    def _to_spool(self, batch: list[ArticleItem], seen_at: str, report: FlushReport, reason: str) -> FlushReport:
        if self.spool is None:
            raise IndexUnavailable(reason)
        if batch:
            logger.warning("index unavailable, spooling batch articles=%d reason=%s", len(batch), reason)
            try:
                self.spool.append(batch, seen_at=seen_at)
            except SpoolUnwritable as exc:
                raise self._lost(batch, reason, exc) from exc
        report.spooled = len(batch)
        report.pending = len(self.spool)
        return report

    def close(self) -> FlushReport:
        """Write what is left, then release the index; what the index did not take stays spooled."""
        try:
            report = self.flush()
        finally:
            self._drop_index()
        if report.pending:
            logger.warning("batches wait in the spool batches=%d dir=%s; they are replayed at the next crawl "
                           "or by `monitor index spool --replay`", report.pending,
                           self.spool.directory if self.spool else "")
        return report

    def _drop_index(self) -> None:
        if self.index is not None:
            index, self.index = self.index, None
            index.close()
