"""The durable on-disk spool: batches the index could not take, kept in order and replayed before new writes."""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from monitor.errors import BulkRejected, IndexUnavailable, SearchIndexError, SpoolMismatch, SpoolUnwritable
from monitor.index.base import SearchIndex, UpsertStats
from monitor.index.identity import folder_name, identity_of
from monitor.index.written import OnWritten, Written
from monitor.items import ArticleItem, Comment

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_ARTICLE_FIELDS = {f.name for f in fields(ArticleItem)}
_COMMENT_FIELDS = {f.name for f in fields(Comment)}
LOCK_NAME = ".replay.lock"
REJECTED_DIR = "rejected"
# Answers to a whole bulk request that say the batch itself is wrong (malformed, too large): a replay
# sets such a batch aside. Any other refusal (401, 403, ...) leaves the spool as it is.
REFUSED_BATCH_STATUSES = frozenset({400, 413})
REASONS = ".reasons.json"  # next to a rejected batch: {document id: why the index refused it}
INDEX_FILE = "index.json"  # in a bound spool's folder: {"index": the identity of the index it belongs to}
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _article(data: dict[str, Any]) -> ArticleItem:
    comments = [Comment(**{k: v for k, v in c.items() if k in _COMMENT_FIELDS}) for c in data.get("comments", [])]
    values = {k: v for k, v in data.items() if k in _ARTICLE_FIELDS and k != "comments"}
    return ArticleItem(**values, comments=comments)


@dataclass
class SpoolReplay(UpsertStats):
    """What a replay wrote (the UpsertStats fields), how much of the spool it took, and what the index refused."""

    batches: int = 0
    articles: int = 0
    rejected: dict[str, str] = field(default_factory=dict)  # document id -> reason, refused for good
    busy: bool = False  # another process was replaying the spool; nothing was done


class Spool:
    """One JSON file per batch in ``directory``, named so that sorting them gives the order they came in.

    A batch is written to a temporary file, fsynced and renamed, so a crash leaves either the whole
    batch or nothing (and a write that fails, a full disk say, leaves nothing). Batches are upserts
    (articles with their comments and ``seen_at``), so replaying one that had partly reached the index
    is harmless: upserts are idempotent. Several crawl processes may share one spool: names start with
    a nanosecond clock (no coordination needed to append), and replay holds an exclusive lock so a
    batch is never replayed twice at once.

    ``index`` binds the spool to one index (see monitor.index.identity): its batches live in a folder of
    that index's own under ``root``, each says which index it was written for, and a replay into another
    index is refused (SpoolMismatch). Without ``index``, ``root`` is a plain folder of batches.
    """

    def __init__(self, root: Path, *, index: str | None = None) -> None:
        self.root = Path(root)
        self.index = index
        self.directory = self.root / folder_name(index) if index else self.root
        self._last = 0

    def __repr__(self) -> str:
        return f"Spool({str(self.directory)!r}, batches={len(self)})"

    def __len__(self) -> int:
        return len(self.pending())

    def pending(self) -> list[Path]:
        """The spooled batches, oldest first."""
        return sorted(p for p in self.directory.glob("*.json") if p.name != INDEX_FILE)

    def rejected(self) -> list[Path]:
        """Batches the index refused for good, kept for a person to look at."""
        return sorted(p for p in (self.directory / REJECTED_DIR).glob("*.json") if not p.name.endswith(REASONS))

    def _next_name(self) -> str:
        batches = self.pending()
        last = int(batches[-1].name.split("-", 1)[0]) if batches else 0
        # Strictly increasing within this process even if the clock steps back or ticks coarsely.
        self._last = max(time.time_ns(), last + 1, self._last + 1)
        return f"{self._last:020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}.json"

    def ensure_writable(self) -> None:
        """Create the folder (and a bound spool's index file) and open its lock file, or say which folder to fix."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            marker = self.directory / INDEX_FILE
            if self.index and not marker.exists():
                marker.write_text(json.dumps({"index": self.index}), encoding="utf-8")
            with open(self.directory / LOCK_NAME, "a+"):
                pass
        except OSError as exc:
            raise unwritable(self.directory, exc, "cannot write in the spool folder") from exc

    def append(self, articles: Sequence[ArticleItem], *, seen_at: str) -> Path:
        """Keep a batch on disk; returns its file. SpoolUnwritable (nothing left behind) if the disk will not take it."""
        self.ensure_writable()
        payload = {"seen_at": seen_at, "index": self.index,
                   "articles": [a.to_dict(with_comments=True) for a in articles]}
        target = self.directory / self._next_name()
        tmp = target.with_suffix(".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            _fsync_dir(self.directory)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise unwritable(self.directory, exc, f"cannot keep a batch of {len(articles)} articles in the spool") \
                from exc
        logger.warning("batch spooled articles=%d file=%s", len(articles), target)
        return target

    def load(self, path: Path) -> tuple[list[ArticleItem], str]:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [_article(a) for a in data["articles"]], str(data["seen_at"])

    def spooled_for(self, path: Path) -> str | None:
        """The index a batch was written for (None for a batch of an unbound spool)."""
        value = json.loads(path.read_text(encoding="utf-8")).get("index")
        return str(value) if value else None

    def _refuse_other(self, index: SearchIndex, path: Path | None = None) -> None:
        """SpoolMismatch when the spool (or one batch of it) was written for another index than ``index``."""
        target = identity_of(index)
        spooled_for = self.spooled_for(path) if path is not None else self.index
        if self.index and target is None:
            target = "an index whose identity is not known"
        if spooled_for and target and spooled_for != target:
            raise SpoolMismatch(
                f"the spool {self.directory} was written for the index {spooled_for}, not for {target}: it is not "
                f"replayed into another index. Replay it with `monitor --config FILE index spool --replay`, FILE "
                f"being the config whose index.url (and MONITOR_INDEX_PREFIX) name {spooled_for}",
                spooled_for=spooled_for, index=target)

    @contextmanager
    def _replay_lock(self, *, blocking: bool) -> Iterator[bool]:
        try:
            lock = open(self.directory / LOCK_NAME, "a+")  # noqa: SIM115 - closed below, after the flock
        except OSError as exc:
            raise unwritable(self.directory, exc, "cannot lock the spool to replay it") from exc
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def replay(self, index: SearchIndex, *, blocking: bool = True, progress: SpoolReplay | None = None,
               on_written: OnWritten | None = None) -> SpoolReplay:
        """Upsert every spooled batch in order, deleting each once the index took it.

        Stops at the first batch the index cannot take: IndexUnavailable propagates, the rest stay
        spooled, and ``progress`` (if given) holds what was replayed before. Documents the index refused
        for good are reported in ``rejected``; their batch goes to ``rejected/`` so it cannot block the
        rest. With ``blocking=False`` a replay running in another process makes this one return at once
        with ``busy`` set. ``on_written`` hears of each batch written (refused documents aside), once.
        """
        report = SpoolReplay() if progress is None else progress
        if not self.pending():
            return report
        self._refuse_other(index)
        self.ensure_writable()
        with self._replay_lock(blocking=blocking) as locked:
            if not locked:
                report.busy = True
                return report
            for path in self.pending():
                if not path.exists():  # replayed by another process before we took the lock
                    continue
                self._refuse_other(index, path)
                articles, seen_at = self.load(path)
                try:
                    stats = index.upsert(articles, seen_at=seen_at)
                except IndexUnavailable:
                    raise
                except BulkRejected as exc:
                    # The rest of the batch is written; only the refused documents are set aside with it.
                    written = exc.stats or UpsertStats()
                    report.add(written)
                    report.rejected.update(exc.failures)
                    self._set_aside(path, exc)
                    if on_written is not None:
                        on_written(Written(articles, written))
                    continue
                except SearchIndexError as exc:
                    if exc.status not in REFUSED_BATCH_STATUSES:
                        raise  # credentials, a closed index...: not this batch's fault; it stays spooled
                    report.rejected[f"batch {path.name}"] = str(exc)
                    self._set_aside(path, exc)
                    continue
                try:
                    path.unlink()
                except OSError as exc:  # written, but it would be replayed again (harmless, yet never ending)
                    raise unwritable(self.directory, exc, "cannot remove a replayed batch from the spool") from exc
                report.add(stats)
                report.batches += 1
                report.articles += len(articles)
                logger.info("spooled batch replayed articles=%d file=%s", len(articles), path.name)
                if on_written is not None:
                    on_written(Written(articles, stats))
        return report

    def _set_aside(self, path: Path, exc: SearchIndexError) -> None:
        rejected = self.directory / REJECTED_DIR
        rejected.mkdir(exist_ok=True)
        os.replace(path, rejected / path.name)
        reasons = exc.failures if isinstance(exc, BulkRejected) else {"batch": str(exc)}
        (rejected / (path.stem + REASONS)).write_text(
            json.dumps(reasons, ensure_ascii=False, indent=1), encoding="utf-8")
        logger.error("spooled batch refused, moved aside file=%s reason=%s", rejected / path.name, exc)


def unwritable(directory: Path, exc: OSError, what: str) -> SpoolUnwritable:
    """The error for a spool the disk will not take: which folder, why, and what a person does about it."""
    if exc.errno in NO_SPACE:
        fix = f"free space on the disk that holds {directory} (see `df {directory}`)"
    else:
        fix = (f"make {directory} writable by this user (it is read-only or not ours), or point data_dir in "
               f"monitor.yaml at a writable folder")
    return SpoolUnwritable(f"{what}: {exc.strerror or exc} ({directory}); {fix}", path=str(directory))


def spools_in(root: Path) -> list[tuple[str, list[Path]]]:
    """Every bound spool under ``root`` with batches waiting: (the index it belongs to, its batches)."""
    found: list[tuple[str, list[Path]]] = []
    if not root.is_dir():
        return found
    for marker in sorted(root.glob(f"*/{INDEX_FILE}")):
        batches = sorted(b for b in marker.parent.glob("*.json") if b.name != INDEX_FILE)
        if batches:
            found.append((str(json.loads(marker.read_text(encoding="utf-8"))["index"]), batches))
    return found


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (a crash right after must not lose the new name)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class WriteThrough:
    """What writing one batch through the spool did."""

    written: SpoolReplay  # everything written now: the replayed batches, then this one; what was refused
    articles: list[ArticleItem] = field(default_factory=list)  # the articles written now, in that order
    replayed: int = 0  # articles replayed from the spool before this batch
    spooled: int = 0  # articles of this batch that went to the spool instead
    reason: str | None = None  # why the batch was spooled
    unavailable: bool = False  # the engine could not be reached (or kept answering 429/5xx)


def write_through(index: SearchIndex, spool: Spool, articles: Sequence[ArticleItem], *,
                  seen_at: str, progress: WriteThrough | None = None) -> WriteThrough:
    """Replay what is spooled, then upsert ``articles``; if the index cannot take them, spool them instead.

    Order is kept: a new batch never overtakes a spooled one. Documents the index refused for good
    (BulkRejected) are not spooled, since a replay would be refused again: they are reported by id.
    ``progress`` (if given) is the report filled in as it goes, so that a caller that meets an error no
    one foresaw still knows what was written before it.
    """
    report = WriteThrough(written=SpoolReplay()) if progress is None else progress
    try:
        if len(spool):
            spool.replay(index, blocking=False, progress=report.written,
                         on_written=lambda written: report.articles.extend(written.articles))
            report.replayed = report.written.articles
            if report.written.busy:
                return _spool(spool, articles, seen_at, report, "another process is replaying the spool")
        if articles:
            report.written.add(index.upsert(articles, seen_at=seen_at))
            report.articles.extend(articles)
    except IndexUnavailable as exc:
        report.replayed = report.written.articles
        report.unavailable = True
        return _spool(spool, articles, seen_at, report, str(exc))
    except BulkRejected as exc:
        report.written.add(exc.stats or UpsertStats())
        report.written.rejected.update(exc.failures)
        report.articles.extend(articles)
    except SearchIndexError as exc:  # the whole batch was refused: keep it, a replay sets it aside if it fails again
        return _spool(spool, articles, seen_at, report, str(exc))
    return report


def _spool(spool: Spool, articles: Sequence[ArticleItem], seen_at: str, report: WriteThrough,
           reason: str) -> WriteThrough:
    report.reason = reason  # set first: a caller whose spool write fails still knows why it was needed
    if articles:
        logger.warning("index did not take the batch, spooling it articles=%d reason=%s", len(articles), reason)
        spool.append(articles, seen_at=seen_at)
    report.spooled = len(articles)
    return report


def upsert_or_spool(index: SearchIndex, spool: Spool, articles: Sequence[ArticleItem], *,
                    seen_at: str) -> UpsertStats | None:
    """write_through, answering the stats of everything written now, or None when this batch went to the spool."""
    report = write_through(index, spool, articles, seen_at=seen_at)
    return None if report.spooled else report.written
