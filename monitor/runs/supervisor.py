"""The crawl supervisor: every run of `monitor crawl`, `monitor serve` and the web's "crawl now" goes through one.

One subprocess per run, one run per source at a time (in this process, and across processes through a lock in
the state store), a global limit (waiting runs start in the order they came), a timeout, a stop, and a run record
for each. It knows nothing of terminals: progress goes to a callback.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from monitor.config import Config
from monitor.errors import CrawlRefused, MonitorError
from monitor.runs.crawl import (
    CrawlCommand,
    CrawlRun,
    Outcome,
    ProgressCallback,
    classify,
    crawl_command,
    poll,
    start_crawl,
    summarize_stats,
)
from monitor.runs.metrics import METRICS
from monitor.runs.records import FAILED, FINISHED, INTERRUPTED, TIMEOUT, RunStore
from monitor.state.locks import CrawlLocks, Lock, crawl_alive, holder_alive, is_crawl_of

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
RECORD_EVERY_SECONDS = 5.0  # how often a running crawl's counters reach its run record
KILL_AFTER_SECONDS = 5.0  # after the server's SIGTERM (Scrapy's graceful stop), before SIGKILL of the whole group
SERVER_STOPPED = "the server stopped before the crawl ended"
SERVER_DIED = "the server stopped while the crawl ran (found at restart)"
CTRL_C = "stopped by Ctrl-C before the crawl ended"
DIED = "the process that supervised it (pid {pid}) died while the crawl ran"


class SourceLocks(Protocol):
    """What the supervisor needs of a lock per source (CrawlLocks; in a cluster, the worker's leases)."""

    def acquire(self, sources: Sequence[str]) -> list[Lock]: ...

    def attach(self, source: str, *, crawl_pid: int, run_id: int) -> None: ...

    def release(self, source: str) -> None: ...


class CrawlsInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a crawl of many; ``runs``: the ones that had started, ended (interrupted or not)."""

    def __init__(self, runs: list[CrawlRun]) -> None:
        super().__init__(CTRL_C)
        self.runs = runs


class CrawlSupervisor:
    """Runs crawls for one process; any thread may call it.

    ``parallel``: crawls at once (default: the current config's serve.max_concurrent_crawls, which a reload
    changes). ``timed``: kill a crawl still running at serve.crawl_timeout (`monitor crawl` waits for its
    crawls however long they take). ``command``: the argv of a crawl of a source. ``origin``: the command this
    supervisor serves (crawl, serve, web or worker), kept in run records and locks. ``locks``: the lock per source
    (default: the state store's crawl locks).
    """

    def __init__(self, store: RunStore, config: Config, *, parallel: int | None = None, timed: bool = True,
                 command: CrawlCommand = crawl_command, origin: str = "serve", locks: SourceLocks | None = None) -> None:
        self.store = store
        self.config = config
        self.parallel = parallel
        self.timed = timed
        self.command = command
        self.origin = origin
        self.locks: SourceLocks = locks if locks is not None else CrawlLocks(store.path, origin=origin)
        self._cond = threading.Condition()
        self._running: dict[str, CrawlRun] = {}
        self._waiting: list[str] = []  # first come, first started
        self._stopping = False  # no new crawls
        self._abort_reason: str | None = None  # set: stop the running ones now, recorded with this reason
        self._kill_after: float | None = KILL_AFTER_SECONDS  # after the graceful stop; None: only when forced
        self._force = False  # kill the running crawls now, with their extraction workers
        self._aborted: dict[str, str] = {}  # source -> why its crawl alone is stopped (abort())

    @property
    def limit(self) -> int:
        return self.parallel or self.config.serve.max_concurrent_crawls

    def set_config(self, config: Config) -> None:
        """A reloaded config: the next crawls use its sources, limit and timeout."""
        with self._cond:
            self.config = config
            self._cond.notify_all()

    def running(self) -> list[str]:
        with self._cond:
            return sorted(self._running)

    def run(self, source: str, *, on_progress: ProgressCallback | None = None) -> CrawlRun:
        """Crawl ``source`` as soon as a slot is free and wait for the end; the ended run.

        Raises CrawlRefused when the source is running or waiting already, or when the supervisor stops
        before the crawl could start; MonitorError when the source cannot be crawled (unknown, secrets missing).
        """
        self._reserve([source])
        return self._run_reserved(source, on_progress)

    def start(self, source: str, *, on_progress: ProgressCallback | None = None) -> str:
        """Crawl ``source`` in a thread of its own; ``started``, or ``queued`` when every slot is taken.

        Raises what ``run`` raises before a crawl starts, except a failure to start the subprocess (logged).
        """
        self.config.source(source)
        with self._cond:
            self._reserve([source])
            queued = len(self._running) >= self.limit or self._waiting[0] != source

        def crawl() -> None:
            try:
                self._run_reserved(source, on_progress)
            except CrawlRefused as exc:
                logger.info("crawl not started: %s source=%s", exc, source)
            except Exception:  # noqa: BLE001 - the edge of a crawl run nobody waits for
                logger.exception("crawl not started source=%s", source)

        threading.Thread(target=crawl, name=f"crawl-{source}", daemon=True).start()
        return "queued" if queued else "started"

    def crawl(self, sources: Sequence[str], *, on_progress: ProgressCallback | None = None,
              on_interrupt: Callable[[int], None] | None = None) -> list[CrawlRun]:
        """Crawl every source (in their order, ``limit`` at a time) and wait for all; the runs in that order.

        The first Ctrl-C (KeyboardInterrupt) stops the running crawls gracefully (Scrapy drains what it has in
        flight) and starts no more; a second kills them. Then CrawlsInterrupted is raised with the runs that
        started. ``on_interrupt`` hears of each Ctrl-C (1, 2, ...).
        """
        names = list(dict.fromkeys(sources))
        for name in names:
            self.config.source(name)  # every source checked before the first starts
        self._reserve(names)
        runs: dict[str, CrawlRun] = {}
        errors: list[BaseException] = []

        ended = {name: threading.Event() for name in names}

        def crawl(name: str) -> None:
            try:
                runs[name] = self._run_reserved(name, on_progress)
            except Exception as exc:  # noqa: BLE001 - raised again below, in the caller's thread
                errors.append(exc)
            finally:
                ended[name].set()

        threads = [threading.Thread(target=crawl, args=(name,), name=f"crawl-{name}", daemon=True) for name in names]
        for thread in threads:
            thread.start()
        presses = 0
        # Events, not Thread.join: a join that Ctrl-C interrupts can leave its thread looking ended.
        while not all(event.is_set() for event in ended.values()):
            try:
                for event in ended.values():
                    while not event.wait(1.0):
                        pass
            except KeyboardInterrupt:
                presses += 1
                self.interrupt(reason=CTRL_C, force=presses > 1)
                if on_interrupt is not None:
                    on_interrupt(presses)
        if presses:
            raise CrawlsInterrupted([runs[name] for name in names if name in runs])
        if errors:
            raise errors[0]
        return [runs[name] for name in names]

    def _reserve(self, sources: Sequence[str]) -> None:
        """Claim the sources' places in the queue and their locks in the state store, all or none.

        Once: a source never runs twice at once, in this process or in any other on the same state store.
        """
        with self._cond:
            for source in sources:
                if self._stopping:
                    raise CrawlRefused(f"crawls are stopping: {source!r} not started")
                if source in self._running or source in self._waiting:
                    raise CrawlRefused(f"a crawl of {source!r} is already running (or waiting for a free slot)")
            for lock in self.locks.acquire(sources):
                self._taken_over(lock)
            self._waiting.extend(sources)

    def _taken_over(self, lock: Lock) -> None:
        """A dead process's lock was taken: the run it left marked running is interrupted."""
        logger.warning("crawl lock taken over from a dead holder: %s source=%s", lock.describe(), lock.source)
        if lock.run_id is not None:
            self.store.mark_interrupted(lock.run_id, DIED.format(pid=lock.holder_pid))

    def interrupt(self, *, reason: str, force: bool = False) -> None:
        """Start no more crawls and stop the running ones (recorded interrupted with ``reason``).

        Gracefully: Scrapy's own shutdown, for as long as it takes; ``force``: killed now.
        """
        with self._cond:
            self._stopping = True
            self._abort_reason = self._abort_reason or reason
            self._kill_after = None
            self._force = self._force or force
            self._cond.notify_all()

    def _run_reserved(self, source: str, on_progress: ProgressCallback | None) -> CrawlRun:
        with self._cond:
            try:
                while not self._stopping and (len(self._running) >= self.limit or self._waiting[0] != source):
                    self._cond.wait(1.0)
            finally:
                self._waiting.remove(source)
                self._cond.notify_all()
            try:
                if self._stopping:
                    raise CrawlRefused(f"crawls stopped before {source!r} could start")
                config = self.config
                run = start_crawl(config, source, new_session=True, command=self.command)
            except BaseException:
                self.locks.release(source)
                raise
            self._running[source] = run
        try:
            assert run.process is not None
            run.run_id = self.store.start(source, pid=run.process.pid, log_path=str(run.log_path),
                                          started=run.started)
            self.locks.attach(source, crawl_pid=run.process.pid, run_id=run.run_id)
            logger.info("crawl started pid=%s log=%s source=%s", run.process.pid, run.log_path, source)
            timeout = config.serve.crawl_timeout.total_seconds() if self.timed else None
            self._watch(run, timeout=timeout, on_progress=on_progress)
        finally:
            _signal_group(run, signal.SIGKILL)  # what the crawl left behind (extraction workers), or all of it
            self.locks.release(source)
            with self._cond:
                self._running.pop(source, None)
                self._aborted.pop(source, None)
                self._cond.notify_all()
        return run

    def _watch(self, run: CrawlRun, *, timeout: float | None, on_progress: ProgressCallback | None) -> None:
        """Wait for the run's end, stopping it at its timeout or at an abort; then record how it ended."""
        assert run.run_id is not None
        started = last_record = time.monotonic()
        outcome: Outcome | None = None
        killed_at: float | None = None
        try:
            while not poll(run):
                now = time.monotonic()
                if outcome is None and timeout is not None and now - started > timeout:
                    outcome = Outcome(TIMEOUT, f"still running after {timeout:g}s: killed")
                    logger.error("crawl timed out after %gs, killing it source=%s", timeout, run.source)
                elif outcome is None and (self._abort_reason or self._aborted.get(run.source)) is not None:
                    outcome = Outcome(INTERRUPTED, self._abort_reason or self._aborted[run.source])
                if outcome is not None and killed_at is None:
                    killed_at = now
                    if outcome.status == TIMEOUT:
                        # A hung crawl would not act on Scrapy's graceful stop; what it had not indexed yet is
                        # fetched again next run (its validators are only stored when a crawl closes).
                        _signal_group(run, signal.SIGKILL)
                    else:
                        # The Scrapy process only: it shuts its extraction pool down itself, once drained. A
                        # signal to the whole group would kill the pool's workers under it (BrokenProcessPool).
                        _signal_leader(run, signal.SIGTERM)
                elif killed_at is not None and (self._force or (
                        self._kill_after is not None and now - killed_at > self._kill_after)):
                    _signal_group(run, signal.SIGKILL)
                if now - last_record > RECORD_EVERY_SECONDS:
                    last_record = now
                    self.store.update(run.run_id, summarize_stats(run.stats))
                _tell(on_progress, run)
                METRICS.observe(run, self.config)
                time.sleep(POLL_SECONDS)
            ended = classify(run)
            # A crawl that finished by itself as the stop came was not interrupted.
            run.outcome = ended if outcome is None or ended.status == FINISHED else outcome
        except BaseException as exc:
            # The supervisor itself failed (or the thread was interrupted): the crawl must not run unwatched.
            _signal_group(run, signal.SIGKILL)
            run.outcome = Outcome(FAILED, f"the supervisor stopped watching the crawl: {exc!r}")
            raise
        finally:
            summary = summarize_stats(run.stats)
            METRICS.observe(run, self.config, ended=True)
            if run.outcome is not None:
                self.store.finish(run.run_id, status=run.outcome.status, reason=run.outcome.reason, summary=summary,
                                  ended=run.ended, log_path=run.log_path)  # the log too: read from any machine
            status, reason = run.status, run.outcome.reason if run.outcome else None
            logger.log(logging.INFO if status == FINISHED else logging.WARNING,
                       "crawl %s pages=%s new=%s comments=%s%s source=%s", status, summary["pages_fetched"],
                       summary["articles_new"], summary["comments_new"], f" reason={reason}" if reason else "",
                       run.source)
        _tell(on_progress, run)

    def abort(self, source: str, *, reason: str) -> None:
        """Stop the crawl of ``source`` alone, gracefully (recorded interrupted with ``reason``)."""
        with self._cond:
            self._aborted[source] = reason
            self._cond.notify_all()

    def refuse_new(self) -> None:
        """Start no more crawls (crawls waiting for a slot give up)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def stop(self, *, grace: float, reason: str = SERVER_STOPPED) -> None:
        """Start no more crawls; give the running ones ``grace`` seconds to end, then stop them (``reason``)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            deadline = time.monotonic() + grace
            while self._running and time.monotonic() < deadline:
                self._cond.wait(min(1.0, max(deadline - time.monotonic(), 0.01)))
            if not self._running:
                return
            logger.warning("grace period over, stopping crawls: %s", ", ".join(sorted(self._running)))
            self._abort_reason = reason
            deadline = time.monotonic() + KILL_AFTER_SECONDS + 10
            while self._running and time.monotonic() < deadline:
                self._cond.wait(1.0)


def run_manual_crawls(config: Config, sources: Sequence[str], *, parallel: int,
                      on_progress: ProgressCallback | None = None,
                      on_interrupt: Callable[[int], None] | None = None) -> list[CrawlRun]:
    """`monitor crawl`: the sources now, ``parallel`` at a time, recorded like scheduled runs, without a timeout."""
    locks: SourceLocks | None = None
    if config.cluster.enabled:  # beside the workers: their leases, not this machine's crawl locks
        from monitor.runs.leased import LeaseLocks

        locks = LeaseLocks(config)
    supervisor = CrawlSupervisor(RunStore(config.state_url), config, parallel=parallel, timed=False, origin="crawl",
                                 locks=locks)
    return supervisor.crawl(sources, on_progress=on_progress, on_interrupt=on_interrupt)


def _tell(on_progress: ProgressCallback | None, run: CrawlRun) -> None:
    if on_progress is None:
        return
    try:
        on_progress(run.source, summarize_stats(run.stats) | {"status": run.status})
    except Exception:  # noqa: BLE001 - a display that fails must not leave a crawl unwatched
        logger.exception("progress callback failed source=%s", run.source)


def _signal_leader(run: CrawlRun, signum: int) -> None:
    if run.process is not None and run.process.poll() is None:
        run.process.send_signal(signum)


def _signal_group(run: CrawlRun, signum: int) -> None:
    if run.process is None:
        return
    try:
        os.killpg(run.process.pid, signum)  # the crawl leads its own group (start_crawl(new_session=True))
    except (ProcessLookupError, PermissionError):
        pass


def recover_stale_runs(store: RunStore, locks: CrawlLocks) -> list[dict[str, Any]]:
    """At a server's start: runs marked running whose supervisor died are marked interrupted; the crawls they
    left (a crawl stops itself when its parent dies, but may still be draining) are killed; their locks freed.

    A run another live process supervises (a `monitor crawl` beside the server) is left alone.
    """
    live = {lock.source for lock in locks.held() if locks.is_held(lock) and not _orphaned(lock, locks)}
    origins: dict[str, str] = {}
    for lock in locks.held():
        if locks.is_held(lock) and not _orphaned(lock, locks):
            continue
        origins[lock.source] = lock.origin
        if lock.crawl_pid and crawl_alive(lock):
            logger.warning("stopping a crawl its dead supervisor left pid=%s source=%s", lock.crawl_pid, lock.source)
            _kill_group(lock.crawl_pid)
        locks.remove(lock)
    stale = [record for record in store.running() if record["source"] not in live]
    for record in stale:
        pid = record.get("pid")
        if pid and is_crawl_of(int(pid), record["source"]):
            logger.warning("stopping a crawl left by a previous server pid=%s source=%s", pid, record["source"])
            _kill_group(int(pid))
        origin = origins.get(record["source"], "serve")  # no lock: a store older than the locks
        store.mark_interrupted(record["id"], SERVER_DIED if origin == "serve" else
                               f"`monitor {origin}` stopped while the crawl ran (found at the server's start)")
    return stale


def resume_interrupted(supervisor: CrawlSupervisor) -> list[str]:
    """At a server's start: crawl again, once, each source whose last run the server interrupted (it stopped, or
    died, while the crawl ran), whether or not a scheduled slot was missed; the sources started or queued.

    Runs a person interrupted (Ctrl-C on `monitor crawl`) are not resumed.
    """
    resumed = []
    names = {source.name for source in supervisor.config.sources}
    for source, run in sorted(supervisor.store.last_runs().items()):
        if source in names and run["status"] == INTERRUPTED and run["reason"] in (SERVER_STOPPED, SERVER_DIED):
            try:
                logger.info("crawl resumed: the server interrupted its last run (%s) source=%s", run["id"], source)
                supervisor.start(source)
            except MonitorError as exc:  # running elsewhere (a `monitor crawl`), or its secrets are missing
                logger.warning("crawl not resumed: %s source=%s", exc, source)
                continue
            resumed.append(source)
    return resumed


def _orphaned(lock: Lock, locks: CrawlLocks) -> bool:
    """A lock of this host whose holder died, held only by the crawl it left."""
    return lock.host == locks.host and not holder_alive(lock)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # a crawl leads its own group (start_crawl(new_session=True))
    except (ProcessLookupError, PermissionError):
        pass
