"""`monitor worker`: takes crawl jobs from the cluster's queue and runs each, under its leases, through a CrawlSupervisor."""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from monitor.config import Config, SourceConfig, load_config
from monitor.errors import CrawlRefused, MonitorError
from monitor.runs.crawl import CrawlCommand, crawl_command
from monitor.runs.jobs import DONE, Attempt, Job, JobLedger
from monitor.runs.leased import lease_names
from monitor.runs.queue import QUEUE, TASK, broker_url, check_broker, make_app, masked, send
from monitor.runs.records import INTERRUPTED, RunStore
from monitor.runs.supervisor import CrawlSupervisor
from monitor.state.leases import Leases, Renewal
from monitor.state.locks import Lock

if TYPE_CHECKING:
    from celery import Celery

logger = logging.getLogger(__name__)

WORKER_STOPPED = "the worker stopped before the crawl ended; the job went back to the queue"
LEASE_LOST = "the worker lost the source's lease (the state store was out of reach longer than cluster.lease)"
DIED = "its worker ({worker}) stopped renewing the source's lease: killed, or cut off"


@dataclass(frozen=True)
class Outcome:
    """What became of a job: ``retry_in`` seconds before a copy is tried again, or None (acknowledge it)."""

    what: str
    retry_in: float | None = None


class _JobLocks:
    """The supervisor's lock per source in a cluster: the lease the job holds already (so acquire takes nothing
    more); attach links the run record to the job's attempt."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime

    def acquire(self, sources: Sequence[str]) -> list[Lock]:
        return []

    def attach(self, source: str, *, crawl_pid: int, run_id: int) -> None:
        attempt = self.runtime.attempts.get(source)
        if attempt is not None:
            self.runtime.ledger.attach(attempt, run_id)

    def release(self, source: str) -> None:
        pass


class WorkerRuntime:
    """One worker process: its leases, the job ledger and the supervisor of its crawls."""

    def __init__(self, config: Config, *, concurrency: int, command: CrawlCommand = crawl_command) -> None:
        self.config = config
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.ttl = config.cluster.lease.total_seconds()
        self.leases = Leases(config.state_url)
        self.ledger = JobLedger(config.state_url, engine=self.leases.engine)
        self.store = RunStore(config.state_url)
        self.attempts: dict[str, Attempt] = {}
        self.supervisor = CrawlSupervisor(self.store, config, parallel=concurrency, origin="worker",
                                          locks=_JobLocks(self), command=command)
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def retry_in(self) -> float:
        """How long a job that finds its leases taken waits: well inside the redelivery timeout, since a worker
        holds a job with a countdown unacknowledged until it is due."""
        return max(1.0, min(self.ttl / 2, self.config.cluster.redeliver_after.total_seconds() / 4))

    def source(self, name: str) -> SourceConfig:
        """The source, from the config, or from the config read again (added since this worker started)."""
        try:
            return self.config.source(name)
        except MonitorError:
            with self._lock:
                fresh = load_config(self.config.path)
                self.config = fresh
                self.supervisor.set_config(fresh)
            return fresh.source(name)

    def run_job(self, job: Job) -> Outcome:
        """Run a job once, whichever copy of it this is."""
        if self.stopping.is_set():
            return Outcome("the worker is stopping", retry_in=0)
        try:
            source = self.source(job.source)
        except MonitorError as exc:
            logger.error("job dropped: %s key=%s source=%s", exc, job.key, job.source)
            self.ledger.finish(job, outcome=f"not run: {exc}")
            return Outcome("not run")
        names = lease_names(source)
        if not self.leases.acquire(names, holder=self.holder, ttl=self.ttl):
            held = ", ".join(f"{h.name} by {h.holder}" for h in self.leases.holders(names) if h.holder != self.holder)
            logger.info("job waits: leases held (%s); again in %gs key=%s source=%s", held, self.retry_in,
                        job.key, job.source)
            return Outcome("leases held", retry_in=self.retry_in)
        try:
            # After the lease, not before: a copy that ran meanwhile has marked the job done by now.
            if self.ledger.state(job) == DONE:
                logger.info("job done already: acknowledged key=%s source=%s", job.key, job.source)
                return Outcome("done already")
            return self._run(job, names)
        finally:
            self.leases.release(names, holder=self.holder)

    def _run(self, job: Job, names: list[str]) -> Outcome:
        started = time.time()
        attempt = self.ledger.begin(job, worker=self.holder, ttl=self.ttl)
        left = attempt.left
        if left is not None and left.run_id is not None:
            logger.warning("job redone: its worker %s died while it ran (run %s) key=%s source=%s", left.worker,
                           left.run_id, job.key, job.source)
            self.store.mark_interrupted(left.run_id, DIED.format(worker=left.worker))
        if attempt.redone_since is not None:
            self._recheck_alerts(job, since=attempt.redone_since)
        self.attempts[job.source] = attempt

        def lost(_: list[str]) -> None:
            self.supervisor.abort(job.source, reason=LEASE_LOST)

        try:
            with Renewal(self.leases, names, holder=self.holder, ttl=self.ttl, on_lost=lost,
                         on_renewed=lambda: self.ledger.alive(attempt, ttl=self.ttl)):
                try:
                    run = self.supervisor.run(job.source)
                except CrawlRefused as exc:  # the supervisor stops (SIGTERM): the job goes back
                    self.ledger.end(job, attempt, outcome=f"not started: {exc}", done=False)
                    return Outcome("worker stopping", retry_in=0)
        finally:
            self.attempts.pop(job.source, None)
        if run.stats.get("monitor/errors/alerts"):  # the engine failed it mid-crawl: what it wrote is matched now
            self._recheck_alerts(job, since=started)
        if run.status == INTERRUPTED and run.outcome is not None and run.outcome.reason in (WORKER_STOPPED,
                                                                                              LEASE_LOST):
            self.ledger.end(job, attempt, outcome=run.outcome.reason, done=False)
            return Outcome(run.outcome.reason, retry_in=0)
        self.ledger.end(job, attempt, outcome=run.status, done=True)
        return Outcome(run.status)

    def _recheck_alerts(self, job: Job, *, since: float) -> None:
        """An attempt (an earlier one whose worker was killed, or whose crawl was stopped when the lease was lost or
        the worker stopped; or this one, when the engine failed its alert matching) may have indexed documents it
        did not match against the alerts."""
        from monitor.alerts.recheck import recheck

        try:
            recheck(self.config, source=job.source, since=datetime.fromtimestamp(since, UTC))
        except Exception:  # noqa: BLE001 - the edge: the crawl goes on; what may be lost is said
            logger.exception("alerts not rechecked: documents the killed crawl indexed may miss their alerts "
                             "key=%s source=%s", job.key, job.source)

    def stop(self) -> None:
        """SIGTERM: take no more jobs; running crawls get serve.grace_period, then stop and go back to the queue."""
        self.stopping.set()
        self.supervisor.stop(grace=self.config.serve.grace_period.total_seconds(), reason=WORKER_STOPPED)


def register(app: Celery, runtime: WorkerRuntime) -> None:
    """The crawl task of this worker, bound to its runtime."""

    @app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
    def crawl(task: object, source: str, due: str) -> str:
        job = Job(source, due)
        outcome = runtime.run_job(job)
        if outcome.retry_in is not None:
            # A new message, transport-agnostic; this one is acknowledged when the task returns.
            send(app, job, countdown=outcome.retry_in or None)
        return outcome.what


def run_worker(config: Config, *, concurrency: int, log_level: str = "INFO") -> int:
    """Take crawl jobs until SIGTERM or SIGINT; the exit code."""
    from celery.signals import worker_shutting_down

    url = broker_url(config)
    app = make_app(config)
    check_broker(app, url)
    runtime = WorkerRuntime(config, concurrency=concurrency)
    register(app, runtime)

    def shutting_down(**_: object) -> None:
        logger.info("stopping: no new jobs; running crawls get %gs", config.serve.grace_period.total_seconds())
        threading.Thread(target=runtime.stop, name="worker-stop", daemon=True).start()

    worker_shutting_down.connect(shutting_down, weak=False)
    logger.info("worker %s: %d at once, queue %s on %s; state store %s", runtime.holder, concurrency, QUEUE,
                masked(url), masked(config.state_url))
    # Threads, not processes: each job is a subprocess already, and a SIGKILL of this process then takes its
    # jobs and lease renewals with it (a prefork child would outlive it, still holding the job).
    worker = app.Worker(pool="threads", concurrency=concurrency, queues=[QUEUE], loglevel=log_level.upper(),
                        hostname=f"monitor@{runtime.holder}", without_mingle=True, without_gossip=True,
                        without_heartbeat=True, quiet=True)
    worker.start()
    return int(worker.exitcode or 0)
