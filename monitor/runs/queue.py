"""The cluster's crawl queue: the Celery app on cluster.broker, the `crawls` queue, and sending a crawl job to it."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from monitor.errors import BrokerUnavailable, ConfigError
from monitor.runs.jobs import Job, JobLedger

if TYPE_CHECKING:
    from celery import Celery

    from monitor.config import Config

logger = logging.getLogger(__name__)

QUEUE = "crawls"  # the metrics read its depth by this name
TASK = "monitor.crawl"
CONNECT_SECONDS = 5.0


def broker_url(config: Config) -> str:
    """cluster.broker, or an error saying how to set it."""
    if config.cluster.broker is None:
        raise ConfigError(f"cluster.broker is not set in {config.path or 'the config'}: workers take their jobs "
                          "from a broker; add `cluster: {broker: redis://HOST:6379/0, state: "
                          "postgresql://USER@HOST/monitor}` (the same on every machine)")
    return config.cluster.broker


def make_app(config: Config) -> Celery:
    """A Celery app for the cluster of ``config``; the same settings on the servers that send and the workers."""
    from celery import Celery

    app = Celery("monitor", broker=broker_url(config), set_as_current=False)
    redeliver = config.cluster.redeliver_after.total_seconds()
    app.conf.update(
        task_default_queue=QUEUE,
        task_routes={TASK: {"queue": QUEUE}},
        # Acknowledged after the run, so a killed worker's job is delivered again (at least once; the run key and
        # the source's lease make it run once).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds no jobs it cannot start: the others take them
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        # Redis only (RabbitMQ redelivers when the connection is lost, and ignores these): an unacknowledged job is
        # delivered again cluster.redeliver_after after it was taken, found by a sweep that by default runs only
        # every 100 s (10 s x every 10th call); a quarter of the timeout keeps the delay near the setting.
        broker_transport_options={"visibility_timeout": redeliver,
                                  "unacked_restore_interval": max(1, int(redeliver / 4)),
                                  "unacked_restore_throttle": 1},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=CONNECT_SECONDS,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        worker_enable_remote_control=False,
        broker_heartbeat=0,
    )
    return app


def check_broker(app: Celery, url: str) -> None:
    """Raise BrokerUnavailable, naming the setting and the fix, when the broker does not answer."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=CONNECT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - kombu raises the transport's own errors (redis, amqp, socket)
        raise BrokerUnavailable(f"cannot reach the broker at {masked(url)} (cluster.broker): {exc}; start it, "
                                "or point cluster.broker at one that runs") from exc


def send(app: Celery, job: Job, *, countdown: float | None = None) -> None:
    """Put a job on the queue (again): its copies are recognised by the run key."""
    app.send_task(TASK, kwargs={"source": job.source, "due": job.due}, queue=QUEUE, countdown=countdown)


class Enqueuer:
    """What a cluster's leader (and "crawl now") does instead of crawling: record the job once, send it."""

    def __init__(self, config: Config, *, sender: str) -> None:
        self.app = make_app(config)
        self.ledger = JobLedger(config.state_url)
        self.sender = sender

    def enqueue(self, job: Job) -> bool:
        """Send the job unless it was sent before; True when sent now."""
        if not self.ledger.enqueue(job, sender=self.sender):
            logger.info("job not enqueued: enqueued before, or a run of its source is queued or running key=%s "
                        "source=%s", job.key, job.source)
            return False
        send(self.app, job)
        logger.info("job enqueued key=%s source=%s", job.key, job.source)
        return True

    def resend_pending(self) -> list[Job]:
        """A new leader: send again the jobs recorded but not done (a leader may have died between recording and
        sending; a copy of a job still queued or running acks itself once its run is done)."""
        pending = self.ledger.pending()
        for job in pending:
            send(self.app, job)
        return pending

    def close(self) -> None:
        self.app.close()


def masked(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url
