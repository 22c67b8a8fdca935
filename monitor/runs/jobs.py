"""Crawl jobs of a cluster: the run key that names a job, and the ledger in the shared state that makes it idempotent.

A job is one due run of one source, keyed by the source and the time it was due, so a redelivered job, a leader's
catch-up of the same missed slot, or a copy re-queued by a worker is recognisable as the same run: it is enqueued
once, and once its run has happened every later copy is acknowledged and does nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from monitor.state.engine import engine_for
from monitor.state.shared import db_now, upsert

QUEUED, RUNNING, DONE = "queued", "running", "done"

metadata = sa.MetaData()
jobs = sa.Table(
    "cluster_jobs", metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("enqueued", sa.Float, nullable=False),  # epoch seconds, the database's clock
    sa.Column("sender", sa.String(200), nullable=False),  # the server (host:pid) that enqueued it
    sa.Column("outcome", sa.Text),  # the run's status, or why it did not run
)
attempts = sa.Table(
    "cluster_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(400), nullable=False, index=True),
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("worker", sa.String(200), nullable=False),
    sa.Column("run_id", sa.Integer),  # its run record
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("alive_until", sa.Float, nullable=False),  # its lease's end as last renewed: when a killed one ended
    sa.Column("ended", sa.Float),
    sa.Column("outcome", sa.Text),
)


@dataclass(frozen=True)
class Job:
    """One due run of one source: what a crawl job message carries."""

    source: str
    due: str  # ISO 8601 in UTC, to the second

    @property
    def key(self) -> str:
        return f"{self.source}@{self.due}"

    @classmethod
    def at(cls, source: str, when: datetime) -> Job:
        return cls(source, when.astimezone(UTC).replace(microsecond=0).isoformat())


@dataclass(frozen=True)
class Attempt:
    """A worker's attempt at a job; ``left``: the attempt before it that never ended (its worker died);
    ``redone_since``: when the first earlier attempt that started a crawl began (None: this is the first)."""

    id: int
    left: Attempt | None = None
    run_id: int | None = None
    worker: str = ""
    redone_since: float | None = None  # epoch seconds, the state store's clock


class JobLedger:
    """The jobs and their attempts in the shared state store; each call is one short transaction."""

    def __init__(self, url: str, *, engine: sa.Engine | None = None) -> None:
        self.engine = engine or engine_for(url)
        self.dialect = self.engine.dialect.name
        metadata.create_all(self.engine, checkfirst=True)

    def enqueue(self, job: Job, *, sender: str) -> bool:
        """Record a job as queued; False when it was recorded before (whoever did: send it no second time), or when
        a run of its source is queued or running still (runs that would overlap are skipped, as on one machine)."""
        busy = sa.select(jobs.c.key).where(jobs.c.source == job.source, jobs.c.state != DONE).exists()
        row = sa.select(sa.literal(job.key), sa.literal(job.source), sa.literal(QUEUED), db_now(self.dialect),
                        sa.literal(sender)).where(~busy)
        stmt = upsert(self.dialect, jobs).from_select(["key", "source", "state", "enqueued", "sender"], row)
        with self.engine.begin() as db:
            return db.execute(stmt.on_conflict_do_nothing(index_elements=[jobs.c.key])
                              .returning(jobs.c.key)).first() is not None

    def busy(self, source: str) -> bool:
        """A run of ``source`` is queued or running."""
        with self.engine.connect() as db:
            return db.execute(sa.select(jobs.c.key).where(jobs.c.source == source, jobs.c.state != DONE)
                              .limit(1)).first() is not None

    def state(self, job: Job) -> str | None:
        with self.engine.connect() as db:
            return db.execute(sa.select(jobs.c.state).where(jobs.c.key == job.key)).scalar()

    def pending(self) -> list[Job]:
        """Jobs recorded and not taken yet, oldest first (a new leader sends them again, in case the old one died
        between recording and sending one: a copy is harmless). A running job's message is the broker's to
        deliver again, should its worker die."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(jobs.c.key, jobs.c.source).where(jobs.c.state == QUEUED)
                              .order_by(jobs.c.enqueued))
            return [Job(row.source, row.key.removeprefix(row.source + "@")) for row in rows]

    def begin(self, job: Job, *, worker: str, ttl: float) -> Attempt:
        """Mark the job running under a new attempt (call it holding the source's lease)."""
        now = db_now(self.dialect)
        with self.engine.begin() as db:
            left = db.execute(sa.select(attempts.c.id, attempts.c.run_id, attempts.c.worker)
                              .where(attempts.c.key == job.key, attempts.c.ended.is_(None))).first()
            if left is not None:  # its worker died: the lease it held lapsed, or we could not be here
                db.execute(attempts.update().where(attempts.c.id == left.id)
                           .values(ended=attempts.c.alive_until, outcome="its worker stopped renewing its lease"))
            redone_since = db.execute(sa.select(sa.func.min(attempts.c.started))
                                      .where(attempts.c.key == job.key, attempts.c.run_id.is_not(None))).scalar()
            db.execute(upsert(self.dialect, jobs).values(key=job.key, source=job.source, state=RUNNING, enqueued=now,
                                                         sender=worker)
                       .on_conflict_do_update(index_elements=[jobs.c.key], set_={"state": RUNNING}))
            new_id = db.execute(attempts.insert().values(key=job.key, source=job.source, worker=worker, started=now,
                                                         alive_until=now + ttl).returning(attempts.c.id)).scalar_one()
        previous = (Attempt(left.id, run_id=left.run_id, worker=left.worker)
                    if left is not None else None)
        return Attempt(int(new_id), left=previous, worker=worker,
                       redone_since=float(redone_since) if redone_since is not None else None)

    def attach(self, attempt: Attempt, run_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(attempts.update().where(attempts.c.id == attempt.id).values(run_id=run_id))

    def alive(self, attempt: Attempt, *, ttl: float) -> None:
        """The attempt's lease was renewed: it runs until at least ``ttl`` seconds from now."""
        with self.engine.begin() as db:
            db.execute(attempts.update().where(attempts.c.id == attempt.id)
                       .values(alive_until=db_now(self.dialect) + ttl))

    def end(self, job: Job, attempt: Attempt, *, outcome: str, done: bool) -> None:
        """The attempt ended: the job is done (its run happened, however it went), or queued again."""
        now = db_now(self.dialect)
        with self.engine.begin() as db:
            db.execute(attempts.update().where(attempts.c.id == attempt.id).values(ended=now, outcome=outcome))
            db.execute(jobs.update().where(jobs.c.key == job.key)
                       .values(state=DONE if done else QUEUED, outcome=outcome))

    def finish(self, job: Job, *, outcome: str) -> None:
        """A job that cannot run (its source is gone from the config): done, with why."""
        with self.engine.begin() as db:
            db.execute(jobs.update().where(jobs.c.key == job.key).values(state=DONE, outcome=outcome))

    def jobs(self) -> list[dict[str, object]]:
        """Every job, in the order they were enqueued."""
        with self.engine.connect() as db:
            return [dict(row._mapping) for row in db.execute(sa.select(jobs).order_by(jobs.c.enqueued))]

    def attempts_of(self, source: str | None = None) -> list[dict[str, object]]:
        """Every attempt (of ``source``), in the order they started: what ran where, and when, by the store's clock."""
        query = sa.select(attempts).order_by(attempts.c.started, attempts.c.id)
        if source is not None:
            query = query.where(attempts.c.source == source)
        with self.engine.connect() as db:
            return [dict(row._mapping) for row in db.execute(query)]
