"""Digest alerts: matches wait in the state DB and go out as one message when the alert's cron schedule fires."""
from __future__ import annotations

import logging
from datetime import datetime

from monitor.alerts import message
from monitor.alerts.rules import Alert
from monitor.alerts.schedule import next_fire
from monitor.alerts.store import AlertStore, utcnow

logger = logging.getLogger(__name__)


def queue_digest(store: AlertStore, alert: Alert, *, at: datetime) -> int:
    """Put the alert's waiting matches into one outbox message (none if nothing waits); returns the match count."""
    waiting = store.digest_waiting(alert.name)
    items = [item for _, item in waiting]
    if items:
        title, body = message.listing(alert, items, what="digest")
        if not store.queue_digest(alert, [i for i, _ in waiting], title, body, [str(i["id"]) for i in items], at=at):
            return 0  # another process queued them first
        logger.info("digest queued alert=%s matches=%d", alert.name, len(items))
    else:
        store.queue_digest(alert, [], "", "", [], at=at)
    return len(items)


def queue_due_digests(store: AlertStore, *, now: datetime | None = None) -> dict[str, int]:
    """Queue the digest of every digest alert whose schedule fired since its last digest: {alert: matches}."""
    moment = now or utcnow()
    queued: dict[str, int] = {}
    for alert in store.alerts():
        if alert.mode != "digest" or not alert.digest_schedule:
            continue
        last = store.last_digest(alert.name) or moment
        if next_fire(alert.digest_schedule, last) <= moment:
            queued[alert.name] = queue_digest(store, alert, at=moment)
    return queued
