"""`monitor serve`: the long-running process: schedules, crawl supervision, signals, reloads, and extra services.

Other parts join the same process as services (issue 7's web UI and API)::

    class WebService:
        name = "web"
        def start(self, context: ServeContext) -> None:   # return at once; run in your own thread
            ...  # e.g. uvicorn.Server(...) in a thread; context.config(), context.runs, context.crawl_now(name)
        def stop(self) -> None:                            # on SIGTERM, before running crawls are drained
            ...

    serve(config_path, extra_services=[WebService()])
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.config import Config, load_config
from monitor.errors import ConfigError, CrawlRefused, MonitorError
from monitor.runs.cluster import ClusterRole
from monitor.runs.records import RunStore
from monitor.runs.schedules import build_scheduler, sync_jobs
from monitor.runs.supervisor import CrawlSupervisor, recover_stale_runs, resume_interrupted
from monitor.state.db import StateUrl
from monitor.state.engine import described
from monitor.state.locks import CrawlLocks
from monitor.state.sources import read_revision

logger = logging.getLogger(__name__)

WAKE_SECONDS = 1.0  # how often the main loop looks at the config file


@dataclass
class ServeContext:
    """What a service running in the serve process may use."""

    config: Callable[[], Config]  # the current config (it changes on reload)
    runs: RunStore
    supervisor: CrawlSupervisor
    scheduler: BackgroundScheduler
    cluster: ClusterRole | None = None  # in a cluster: crawls go to the workers

    def crawl_now(self, source: str) -> str:
        """Crawl a source as soon as a slot is free, scheduled or not: ``started`` or ``queued`` (in a cluster,
        always ``queued``: a worker takes it).

        Raises CrawlRefused when it runs (or waits) already, or the server is stopping; its schedule stays.
        """
        if self.cluster is not None:
            self.config().source(source)
            if not self.cluster.enqueue(source, datetime.now(UTC)):
                raise CrawlRefused(f"a run of {source!r} is queued or running already")
            return "queued"
        return self.supervisor.start(source)


class Service(Protocol):
    """Something that runs beside the scheduler in the serve process."""

    name: str

    def start(self, context: ServeContext) -> None: ...

    def stop(self) -> None: ...


class ServerLock:
    """One server per state store: an exclusive lock on ``<state_db>.serve.lock`` that holds the server's pid.

    A file of this machine's data_dir, whatever cluster.state says: on a shared database it means one server per
    machine, and the cluster's leader lock decides which server schedules.
    """

    def __init__(self, state_db: Path) -> None:
        self.path = Path(f"{state_db}.serve.lock")
        self._file: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            handle.close()
            raise MonitorError(f"another `monitor serve` (pid {pid}) is running on {self.path.parent}; "
                               f"stop it first (one server per state store)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def server_pid(state_db: Path) -> int | None:
    """The pid of the server running on this state store, or None when none is."""
    path = Path(f"{state_db}.serve.lock")
    if not path.exists():
        return None
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


class _ConfigWatch:
    """Notices a changed config file (mtime or size)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.seen = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat() if self.path else None
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size) if stat else None

    def changed(self) -> bool:
        stamp = self._stamp()
        if stamp is None or stamp == self.seen:
            return False
        self.seen = stamp
        return True


class _SourcesWatch:
    """Notices sources added, changed, paused or resumed in the state store (its revision)."""

    def __init__(self, state_url: StateUrl) -> None:
        self.state_url = state_url
        self.seen = read_revision(state_url)

    def changed(self) -> bool:
        revision = read_revision(self.state_url)
        if revision == self.seen:
            return False
        self.seen = revision
        return True


def serve(config_path: str | os.PathLike[str] | None = None, *, extra_services: Sequence[Service] = (),
          ready: Callable[[ServeContext], None] | None = None) -> int:
    """Run until SIGTERM/SIGINT; SIGHUP (or a changed config file) reloads. Must run in the main thread."""
    config = load_config(config_path)
    path = config.path
    current = [config]
    # In a cluster, the leader lease is the one-server lock, and the workers recover their own runs.
    cluster = ClusterRole(lambda: current[0]) if config.cluster.enabled else None
    lock = ServerLock(config.state_db)
    if cluster is None:
        lock.acquire()
    store = RunStore(config.state_url)
    if cluster is None:
        for record in recover_stale_runs(store, CrawlLocks(config.state_url, origin="serve")):
            logger.warning("run %s was still marked running: interrupted source=%s", record["id"], record["source"])
    supervisor = CrawlSupervisor(store, config)
    scheduler = build_scheduler(config, supervisor, enqueue=cluster.enqueue if cluster else None)
    context = ServeContext(config=lambda: current[0], runs=store, supervisor=supervisor, scheduler=scheduler,
                           cluster=cluster)

    stop, reload = threading.Event(), threading.Event()
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: stop.set()),
                signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: stop.set()),
                signal.SIGHUP: signal.signal(signal.SIGHUP, lambda *_: reload.set())}
    started: list[Service] = []
    try:
        scheduler.start(paused=True)
        if cluster is None:
            logger.info("serving: %s; state store %s", sync_jobs(scheduler, config), described(config.state_url))
            # Before the missed slots: a source resumed now is skipped by its missed slot (one run, not two).
            resume_interrupted(supervisor)
            scheduler.resume()  # runs missed while the server was down start now, once each
        else:
            cluster.lead(scheduler)  # schedules once it holds the leader lease; until then a standby
        for service in extra_services:
            service.start(context)
            started.append(service)
            logger.info("service started: %s", service.name)
        if ready:
            ready(context)
        watch, sources = _ConfigWatch(path), _SourcesWatch(config.state_url)
        while not stop.wait(WAKE_SECONDS):
            file_changed = current[0].serve.watch_config and watch.changed()
            # Sources added, changed or paused in the web UI (of this process or another) are a reload too.
            stored_changed = sources.changed()
            if reload.is_set() or file_changed or stored_changed:
                reload.clear()
                current[0] = _reload(path, current[0], scheduler, supervisor, cluster)
    finally:
        _shutdown(current[0], scheduler, supervisor, started)
        if cluster is not None:  # after the scheduler: nothing enqueues any more; the standby may lead at once
            cluster.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        lock.release()
    return 0


def _reload(path: Path | None, config: Config, scheduler: BackgroundScheduler, supervisor: CrawlSupervisor,
            cluster: ClusterRole | None = None) -> Config:
    try:
        fresh = load_config(path)
    except ConfigError as exc:
        logger.error("config not reloaded, the running one stays: %s", exc)
        return config
    if fresh.state_url != config.state_url:
        logger.error("config reloaded, but a new state store (%s) takes a restart", described(fresh.state_url))
    supervisor.set_config(fresh)
    if cluster is not None and not cluster.leading:  # the leader keeps the stored schedules in step
        logger.info("config reloaded (standing by: the leader schedules)")
        return fresh
    logger.info("config reloaded: %s", sync_jobs(scheduler, fresh))
    return fresh


def _shutdown(config: Config, scheduler: BackgroundScheduler, supervisor: CrawlSupervisor,
              services: Sequence[Service]) -> None:
    grace = config.serve.grace_period.total_seconds()
    running = supervisor.running()
    logger.info("stopping: no new crawls; %s", f"waiting up to {grace:g}s for: {', '.join(running)}"
                if running else "no crawl running")
    supervisor.refuse_new()
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for service in reversed(services):
        try:
            service.stop()
        except Exception:  # noqa: BLE001 - the edge: one service must not keep the others running
            logger.exception("service did not stop cleanly: %s", service.name)
    supervisor.stop(grace=grace)
    logger.info("stopped")
