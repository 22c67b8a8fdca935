"""Supervises scheduled crawl runs: one subprocess per run, one run per source, a global limit, a timeout, a stop."""
from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from monitor.config import Config
from monitor.errors import MonitorError
from monitor.runs.crawl import (
    CrawlRun,
    ProgressCallback,
    poll,
    run_crawls,
    start_crawl,
    summarize_stats,
)
from monitor.runs.records import FAILED, FINISHED, INTERRUPTED, TIMEOUT, RunStore

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
RECORD_EVERY_SECONDS = 5.0  # how often a running crawl's counters reach its run record
KILL_AFTER_SECONDS = 5.0  # after SIGTERM (Scrapy's graceful stop), before SIGKILL of the whole group


class CrawlSupervisor:
    """Called from the scheduler's worker threads; each call crawls one source and waits for it."""

    def __init__(self, store: RunStore, config: Config) -> None:
        self.store = store
        self.config = config
        self._cond = threading.Condition()
        self._running: dict[str, CrawlRun] = {}
        self._waiting: set[str] = set()
        self._stopping = threading.Event()  # no new crawls
        self._abort = threading.Event()  # stop the running ones now

    def set_config(self, config: Config) -> None:
        """A reloaded config: the next crawls use its sources, limit and timeout."""
        with self._cond:
            self.config = config
            self._cond.notify_all()

    def running(self) -> list[str]:
        with self._cond:
            return sorted(self._running)

    def run(self, source: str) -> str | None:
        """Crawl ``source`` now and wait for the end; the run's status, or None when it did not start."""
        with self._cond:
            if self._stopping.is_set():
                return None
            if source in self._running or source in self._waiting:
                logger.info("crawl skipped: the previous run has not ended source=%s", source)
                return None
            self._waiting.add(source)
            try:
                while len(self._running) >= self.config.serve.max_concurrent_crawls and not self._stopping.is_set():
                    self._cond.wait(1.0)
            finally:
                self._waiting.discard(source)
            if self._stopping.is_set():
                return None
            config = self.config
            try:
                run = start_crawl(config, source, new_session=True)
            except MonitorError as exc:  # removed from the config, or its secrets are missing
                logger.error("crawl not started: %s source=%s", exc, source)
                return None
            self._running[source] = run
        try:
            assert run.process is not None
            run_id = self.store.start(source, pid=run.process.pid, log_path=str(run.log_path), started=run.started)
            logger.info("crawl started pid=%s log=%s source=%s", run.process.pid, run.log_path, source)
            status = self._watch(run, run_id, timeout=config.serve.crawl_timeout.total_seconds())
        finally:
            with self._cond:
                self._running.pop(source, None)
                self._cond.notify_all()
        return status

    def _watch(self, run: CrawlRun, run_id: int, *, timeout: float) -> str:
        started = time.monotonic()
        last_record = started
        outcome: tuple[str, str] | None = None
        killed_at: float | None = None
        while not poll(run):
            now = time.monotonic()
            if outcome is None and now - started > timeout:
                outcome = (TIMEOUT, f"still running after {timeout:g}s: killed")
                logger.error("crawl timed out after %gs, killing it source=%s", timeout, run.source)
            elif outcome is None and self._abort.is_set():
                outcome = (INTERRUPTED, "the server stopped before the crawl ended")
            if outcome is not None and killed_at is None:
                killed_at = now
                # A hung crawl would not act on Scrapy's graceful SIGTERM; what it had not indexed yet is
                # fetched again next run (its validators are only stored when a crawl closes).
                _signal_group(run, signal.SIGKILL if outcome[0] == TIMEOUT else signal.SIGTERM)
            elif killed_at is not None and now - killed_at > KILL_AFTER_SECONDS:
                _signal_group(run, signal.SIGKILL)
            if now - last_record > RECORD_EVERY_SECONDS:
                last_record = now
                self.store.update(run_id, summarize_stats(run.stats))
            time.sleep(POLL_SECONDS)
        if outcome is None:
            _signal_group(run, signal.SIGKILL)  # extraction workers the crawl left behind, if any
        status, reason = outcome or classify(run)
        summary = summarize_stats(run.stats)
        self.store.finish(run_id, status=status, reason=reason, summary=summary, ended=run.ended)
        level = logging.INFO if status == FINISHED else logging.WARNING
        logger.log(level, "crawl %s pages=%s new=%s comments=%s%s source=%s", status, summary["pages_fetched"],
                   summary["articles_new"], summary["comments_new"], f" reason={reason}" if reason else "",
                   run.source)
        return status

    def refuse_new(self) -> None:
        """Start no more crawls (crawls waiting for a slot give up)."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()

    def stop(self, *, grace: float) -> None:
        """Start no more crawls; give the running ones ``grace`` seconds to end, then stop them."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
            deadline = time.monotonic() + grace
            while self._running and time.monotonic() < deadline:
                self._cond.wait(min(1.0, max(deadline - time.monotonic(), 0.01)))
            if not self._running:
                return
            logger.warning("grace period over, stopping crawls: %s", ", ".join(sorted(self._running)))
            self._abort.set()
            deadline = time.monotonic() + KILL_AFTER_SECONDS + 10
            while self._running and time.monotonic() < deadline:
                self._cond.wait(1.0)


def run_recorded_crawls(config: Config, sources: Sequence[str], *, parallel: int,
                        on_progress: ProgressCallback | None = None) -> list[CrawlRun]:
    """`monitor crawl`: crawls started by hand, recorded in the run store like scheduled ones."""
    store = RunStore(config.state_db)
    run_ids: dict[str, int] = {}

    def started(run: CrawlRun) -> None:
        assert run.process is not None
        run_ids[run.source] = store.start(run.source, pid=run.process.pid, log_path=str(run.log_path),
                                          started=run.started)

    def ended(run: CrawlRun) -> None:
        status, reason = classify(run)
        store.finish(run_ids[run.source], status=status, reason=reason, summary=summarize_stats(run.stats),
                     ended=run.ended)

    return run_crawls(config, sources, parallel=parallel, on_progress=on_progress, on_start=started, on_end=ended)


def classify(run: CrawlRun) -> tuple[str, str | None]:
    """A run that ended by itself: finished, or failed with the reason a person needs."""
    if run.returncode != 0:
        detail = last_error(run.log_path)
        return FAILED, f"the crawl exited with code {run.returncode}" + (f": {detail}" if detail else "")
    if run.finish_reason != "finished":
        return FAILED, f"the crawl ended early ({run.finish_reason or 'no final counters'})"
    if nothing_fetched(run.stats):
        errors = summarize_stats(run.stats)["errors"]
        shown = ", ".join(f"{kind} ×{count}" for kind, count in errors.items())
        return FAILED, f"no page could be fetched ({shown})"
    return FINISHED, None


def nothing_fetched(stats: dict[str, Any]) -> bool:
    """Every request failed: errors, and not one good answer beyond robots.txt."""
    if not any(k.startswith("monitor/errors/") for k in stats):
        return False
    good = sum(int(v) for k, v in stats.items()
               if re.fullmatch(r"downloader/response_status_count/(2\d\d|304)", k))
    robots = sum(int(v) for k, v in stats.items() if re.fullmatch(r"robotstxt/response_status_count/2\d\d", k))
    return good - robots <= 0


_ERROR_LINE = re.compile(r"\] ERROR: |^[A-Za-z_.]*(Error|Exception): ")


def last_error(log_path: Path, *, tail_bytes: int = 65536) -> str | None:
    """The last error line of a run's log, shortened, to say why it failed."""
    try:
        with log_path.open("rb") as log:
            log.seek(max(0, log_path.stat().st_size - tail_bytes))
            lines = log.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line.strip()[:300]
    return None


def _signal_group(run: CrawlRun, signum: int) -> None:
    if run.process is None:
        return
    try:
        os.killpg(run.process.pid, signum)  # the crawl leads its own group (start_crawl(new_session=True))
    except (ProcessLookupError, PermissionError):
        pass


def recover_stale_runs(store: RunStore) -> list[dict[str, Any]]:
    """After a crash: runs still marked running are marked interrupted, and crawls the dead server left are stopped."""
    stale = store.running()
    for record in stale:
        pid = record.get("pid")
        if pid and _is_crawl_of(int(pid), record["source"]):
            logger.warning("stopping a crawl left by a previous server pid=%s source=%s", pid, record["source"])
            try:
                os.killpg(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        store.mark_interrupted(record["id"], "the server stopped while the crawl ran (found at restart)")
    return stale


def _is_crawl_of(pid: int, source: str) -> bool:
    """True when ``pid`` is still that source's crawl (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"crawl" in cmdline and f"source={source}".encode() in cmdline
