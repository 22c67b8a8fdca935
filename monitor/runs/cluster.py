"""`monitor serve` in a cluster: it leads (schedules and enqueues) while it holds the leader lease, else stands by."""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.errors import CrawlRefused
from monitor.runs.jobs import Job
from monitor.runs.leader import Leadership
from monitor.runs.queue import Enqueuer, broker_url, check_broker
from monitor.state.leases import Leases

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from monitor.config import Config

logger = logging.getLogger(__name__)


class ClusterRole:
    """The cluster face of one serve process: its enqueuer (crawls go to the workers) and its leadership."""

    def __init__(self, config: Callable[[], Config]) -> None:
        self.config = config
        current = config()
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.enqueuer = Enqueuer(current, sender=self.holder)
        check_broker(self.enqueuer.app, broker_url(current))
        self.leadership: Leadership | None = None

    @property
    def leading(self) -> bool:
        return self.leadership is not None and self.leadership.leading

    def enqueue(self, source: str, due: datetime) -> bool:
        """Send the run of ``source`` due at ``due`` to the workers, once whoever asks."""
        return self.enqueuer.enqueue(Job.at(source, due))

    def lead(self, scheduler: BackgroundScheduler) -> None:
        """Start trying for the leader lease; the scheduler runs (paused until then) while this server holds it."""
        from monitor.runs.schedules import sync_jobs

        def on_lead() -> None:
            logger.info("schedules: %s", sync_jobs(scheduler, self.config()))
            resent = self.enqueuer.resend_pending()
            if resent:
                logger.info("jobs not done sent again: %s", ", ".join(job.key for job in resent))
            scheduler.resume()  # runs missed while no server led start now, once each (their run keys)

        def on_follow() -> None:
            scheduler.pause()

        current = self.config()
        self.leadership = Leadership(Leases(current.state_url, engine=self.enqueuer.ledger.engine),
                                     ttl=current.cluster.lease.total_seconds(), on_lead=on_lead, on_follow=on_follow)
        self.leadership.start()

    def close(self) -> None:
        if self.leadership is not None:
            self.leadership.stop()
        self.enqueuer.close()


def crawl_now(config: Config, source: str) -> str:
    """"Crawl now" outside a server (`monitor web`, `monitor crawl --enqueue`): the run goes to the workers."""
    from datetime import UTC

    config.source(source)
    enqueuer = Enqueuer(config, sender=f"{socket.gethostname()}:{os.getpid()}")
    try:
        check_broker(enqueuer.app, broker_url(config))
        if not enqueuer.enqueue(Job.at(source, datetime.now(UTC))):
            raise CrawlRefused(f"a run of {source!r} is queued or running already")
    finally:
        enqueuer.close()
    return "queued"
