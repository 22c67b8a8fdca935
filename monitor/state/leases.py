"""Leases in the shared state store: named locks with a holder and an expiry that lapse unless their holder renews them.

In a cluster the lease is the lock: the per-machine crawl locks (monitor.state.locks) tell a dead holder by its pid
on this host, which cannot see a worker that died on another machine; a lease needs no such check, since a holder
that stops renewing it (killed, cut off) loses it ``ttl`` seconds later, by the database's clock.

Names in use: ``source:NAME`` (one crawl of a source at a time), ``domain:HOST`` (politeness across workers),
``leader`` (the one `monitor serve` that schedules).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from monitor.state.engine import engine_for
from monitor.state.shared import db_now, upsert

logger = logging.getLogger(__name__)

metadata = sa.MetaData()
leases = sa.Table(
    "cluster_leases", metadata,
    sa.Column("name", sa.String(400), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("acquired", sa.Float, nullable=False),  # epoch seconds, the database's clock
    sa.Column("expires", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Holding:
    """Who holds a lease, and for how many more seconds unless renewed."""

    name: str
    holder: str
    remaining: float


class Leases:
    """The leases of one state store; every call is its own short transaction (any thread, any process)."""

    def __init__(self, url: str, *, engine: sa.Engine | None = None) -> None:
        self.engine = engine or engine_for(url)
        self.dialect = self.engine.dialect.name
        metadata.create_all(self.engine, checkfirst=True)

    def acquire(self, names: Sequence[str], *, holder: str, ttl: float) -> bool:
        """Take (or extend) every lease of ``names`` for ``ttl`` seconds, all or none: False when a live one is
        another holder's."""
        now = db_now(self.dialect)
        with self.engine.connect() as db:
            for name in sorted(set(names)):  # one order for every process: no two wait on each other in turn
                stmt = upsert(self.dialect, leases).values(name=name, holder=holder, acquired=now, expires=now + ttl)
                # One statement: free, lapsed or already mine is taken; a live lease of another holder is not.
                stmt = stmt.on_conflict_do_update(
                    index_elements=[leases.c.name],
                    set_={"holder": stmt.excluded.holder, "expires": stmt.excluded.expires,
                          "acquired": sa.case((leases.c.holder == stmt.excluded.holder, leases.c.acquired),
                                              else_=stmt.excluded.acquired)},
                    where=sa.or_(leases.c.expires < now, leases.c.holder == stmt.excluded.holder),
                ).returning(leases.c.name)
                if db.execute(stmt).first() is None:
                    db.rollback()
                    return False
            db.commit()
        return True

    def renew(self, names: Sequence[str], *, holder: str, ttl: float) -> list[str]:
        """Extend the leases ``holder`` still holds; the ones of ``names`` it has lost (taken after they lapsed)."""
        now = db_now(self.dialect)
        with self.engine.begin() as db:
            kept = {row.name for row in db.execute(
                leases.update().where(leases.c.name.in_(list(names)), leases.c.holder == holder)
                .values(expires=now + ttl).returning(leases.c.name))}
        return sorted(set(names) - kept)

    def release(self, names: Sequence[str], *, holder: str) -> None:
        """Give up ``holder``'s leases of ``names`` (others' are left alone)."""
        with self.engine.begin() as db:
            db.execute(leases.delete().where(leases.c.name.in_(list(names)), leases.c.holder == holder))

    def holders(self, names: Sequence[str]) -> list[Holding]:
        """The live leases among ``names``."""
        now = db_now(self.dialect)
        with self.engine.connect() as db:
            rows = db.execute(sa.select(leases.c.name, leases.c.holder, (leases.c.expires - now).label("remaining"))
                              .where(leases.c.name.in_(list(names)), leases.c.expires >= now))
            return [Holding(row.name, row.holder, float(row.remaining)) for row in rows]


class Renewal:
    """A thread renewing a holder's leases every ttl/3 while a block runs; ``on_lost`` hears of leases it lost
    (renewal failed past the lease's end, or another holder took them), once."""

    def __init__(self, leases_: Leases, names: Sequence[str], *, holder: str, ttl: float,
                 on_lost: Callable[[list[str]], None], on_renewed: Callable[[], None] | None = None) -> None:
        self.leases = leases_
        self.names = list(names)
        self.holder = holder
        self.ttl = ttl
        self.on_lost = on_lost
        self.on_renewed = on_renewed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{holder}", daemon=True)

    def __enter__(self) -> Renewal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        renewed = time.monotonic()
        while not self._stop.wait(self.ttl / 3):
            try:
                lost = self.leases.renew(self.names, holder=self.holder, ttl=self.ttl)
            except sa.exc.SQLAlchemyError as exc:
                # The store is away: keep trying while the lease may still be ours; past its end it is not.
                logger.warning("lease not renewed: %s holder=%s", exc, self.holder)
                lost = self.names if time.monotonic() - renewed > self.ttl else []
                if not lost:
                    continue
            else:
                renewed = time.monotonic()
                if self.on_renewed is not None and not lost:
                    self.on_renewed()
            if lost:
                logger.error("leases lost: %s holder=%s", ", ".join(lost), self.holder)
                self.on_lost(lost)
                return
