"""Schedules: one APScheduler job per source, persisted in the state store, kept in step with the config."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config, ScheduleConfig
from monitor.errors import CrawlRefused, MonitorError
from monitor.runs.metrics import METRICS
from monitor.runs.supervisor import CrawlSupervisor
from monitor.state.db import state_db
from monitor.state.engine import engine_for
from monitor.state.sources import read_sources

logger = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"
ALERTS_JOB = "alerts:digests"
ALERTS_EVERY_SECONDS = 60
JOBS_TABLE = "apscheduler_jobs"
# Worker threads wait for a free crawl slot (serve.max_concurrent_crawls) inside the job; more threads
# than slots lets due sources queue there in order instead of in the executor.
WORKER_THREADS = 32


@dataclass(frozen=True)
class JobContext:
    """What a stored job runs with: the serve process's supervisor (and through it the current config); in a
    cluster, ``enqueue`` (source, the time the run was due), which sends the run to the workers instead."""

    supervisor: CrawlSupervisor
    enqueue: Callable[[str, datetime], object] | None = None


class SupervisedExecutor(ThreadPoolExecutor):
    """Runs jobs with the JobContext as their ``context`` keyword.

    The SQLAlchemy job store pickles a job's function as a textual reference ("module:function") and its
    arguments by value, so neither can hold a live supervisor; the executor, owned by the serve process
    like the supervisor, hands it to each run instead. Nothing of it reaches the store.
    """

    def __init__(self, context: JobContext, max_workers: int) -> None:
        super().__init__(max_workers)
        self.context = context

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        super()._do_submit_job(_WithContext(job, self.context, run_times), run_times)


class _WithContext:
    """A job as APScheduler's run_job sees it, with ``context`` (and for a crawl, ``due``: the time the run was
    due, the last of a coalesced catch-up) added to its keyword arguments."""

    def __init__(self, job: Any, context: JobContext, run_times: list[datetime]) -> None:
        self._job = job
        self.kwargs = {**job.kwargs, "context": context}
        if job.id.startswith(JOB_PREFIX) and run_times:
            self.kwargs["due"] = max(run_times)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


def run_scheduled_crawl(source: str, context: JobContext | None = None, due: datetime | None = None) -> str | None:
    """The job of every source: its run's status, or None when it did not start; in a cluster, ``queued``."""
    # ``context`` defaults to None only because APScheduler checks a job's arguments when it is added.
    given = _given(context)
    if given.enqueue is not None:
        # The run key is (source, due): a leader that took over and catches up this slot enqueues it once.
        given.enqueue(source, due or datetime.now(UTC))
        return "queued"
    try:
        return given.supervisor.run(source).status
    except CrawlRefused as exc:
        logger.info("crawl skipped: %s source=%s", exc, source)
    except MonitorError as exc:  # removed from the config, or its secrets are missing
        logger.error("crawl not started: %s source=%s", exc, source)
    return None


def alerts_tick(context: JobContext | None = None) -> None:
    """Every minute: send the alert digests that are due, and retry notifications that failed."""
    from monitor.alerts.service import deliver, send_due_digests

    config = _given(context).supervisor.config
    METRICS.alert_sends(send_due_digests(config, datetime.now(UTC)))
    METRICS.alert_sends(deliver(config))


def _given(context: JobContext | None) -> JobContext:
    if context is None:
        raise TypeError("this job runs only in a scheduler of build_scheduler(), whose executor gives its context")
    return context


def job_id(source: str) -> str:
    return JOB_PREFIX + source


def trigger_for(schedule: ScheduleConfig, *, zone: str) -> BaseTrigger:
    jitter = int(schedule.jitter.total_seconds()) if schedule.jitter else None
    if schedule.cron:
        trigger = CronTrigger.from_crontab(schedule.cron, timezone=zone)
        trigger.jitter = jitter
        return trigger
    assert schedule.every is not None
    return IntervalTrigger(seconds=schedule.every.total_seconds(), jitter=jitter, timezone=zone)


def build_scheduler(config: Config, supervisor: CrawlSupervisor, *,
                    enqueue: Callable[[str, datetime], object] | None = None) -> BackgroundScheduler:
    """A scheduler on the state store; missed runs of a job coalesce into one, at most one instance each."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine_for(config.state_url), tablename=JOBS_TABLE)},
        executors={"default": SupervisedExecutor(JobContext(supervisor, enqueue), WORKER_THREADS)},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": int(config.serve.misfire_grace.total_seconds())},
        timezone=config.serve.timezone,
    )


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{k}={','.join(v)}" for k, v in vars(self).items() if v and k != "kept"]
        return " ".join(parts) or "no schedule changed"


def sync_jobs(scheduler: BackgroundScheduler, config: Config) -> SyncResult:
    """Make the stored jobs match the config: add new sources, reschedule changed ones, drop removed ones,
    pause and resume the jobs of sources paused or resumed in the state store.

    An unchanged job keeps its stored next run time: that is what lets a restarted server catch up.
    """
    result = SyncResult()
    wanted = {s.name: schedule for s in config.sources if (schedule := config.schedule_of(s)) is not None}
    paused = set(read_sources(config.state_url)[1])
    grace = int(config.serve.misfire_grace.total_seconds())
    existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)}
    for jid in sorted(set(existing) - {job_id(name) for name in wanted}):
        scheduler.remove_job(jid)
        result.removed.append(jid.removeprefix(JOB_PREFIX))
    for name, schedule in wanted.items():
        trigger = trigger_for(schedule, zone=config.serve.timezone)
        label = f"crawl {name}: {schedule.describe()}" + (f" [{config.serve.timezone}]" if schedule.cron else "")
        job = existing.get(job_id(name))
        if job is None:
            when: dict[str, Any] = {}
            if name in paused:  # a job with no next run: resuming it picks its schedule up again
                when["next_run_time"] = None
            elif config.serve.run_new_sources_now:
                when["next_run_time"] = datetime.now(UTC)
            scheduler.add_job(run_scheduled_crawl, trigger, args=[name], id=job_id(name), name=label,
                              replace_existing=True, misfire_grace_time=grace, **when)
            result.added.append(name)
        elif job.name != label:
            scheduler.modify_job(job.id, name=label, misfire_grace_time=grace)
            scheduler.reschedule_job(job.id, trigger=trigger)
            result.changed.append(name)
        else:
            if job.misfire_grace_time != grace:
                scheduler.modify_job(job.id, misfire_grace_time=grace)
            result.kept.append(name)
        job = scheduler.get_job(job_id(name))
        if job is None or not scheduler.running:  # jobs not yet in their store have no next run to compare
            continue
        if name in paused and job.next_run_time is not None:
            scheduler.pause_job(job.id)
            result.paused.append(name)
        elif name not in paused and job.next_run_time is None:
            scheduler.resume_job(job.id)
            result.resumed.append(name)
    # Always scheduled: alerts added with `monitor alerts add` live in the state store, not the config.
    if scheduler.get_job(ALERTS_JOB) is None:
        scheduler.add_job(alerts_tick, "interval", seconds=ALERTS_EVERY_SECONDS, id=ALERTS_JOB,
                          name="alert digests and retries", replace_existing=True)
    return result


def next_runs(config: Config) -> dict[str, datetime | None]:
    """Each scheduled source's stored next run time, read from the state store (no scheduler needed)."""
    store = state_db(config.state_url)
    if not store.exists():
        return {}
    with store.read() as db:
        if not db.has_table(JOBS_TABLE):
            return {}
        rows = db.execute(f"SELECT id, next_run_time FROM {JOBS_TABLE} WHERE id LIKE :prefix",
                          {"prefix": JOB_PREFIX + "%"})
        return {row["id"].removeprefix(JOB_PREFIX): _from_timestamp(row["next_run_time"]) for row in rows}


def _from_timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), UTC) if value is not None else None
