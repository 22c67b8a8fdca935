"""The outbox sender: hands due messages to Apprise, retries failures with backoff, gives up after max_attempts."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from monitor.alerts import notify
from monitor.alerts.store import AlertStore, utcnow
from monitor.config import NotificationConfig
from monitor.errors import MonitorError

logger = logging.getLogger(__name__)

Sender = Callable[..., None]


def backoff(attempts: int, policy: NotificationConfig) -> timedelta:
    """The wait after the ``attempts``-th failure: retry_after, doubling, at most max_retry_after."""
    wait = policy.retry_after * (2 ** max(0, attempts - 1))
    return min(wait, policy.max_retry_after)


def deliver_due(store: AlertStore, policy: NotificationConfig, *, now: datetime | None = None,
                send: Sender | None = None) -> dict[str, int]:
    """Send every message due now (through ``send``, Apprise by default); returns counts by outcome."""
    send = send or notify.send
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    # One message claimed at a time, in one pass (a failure due again at once waits for the next call): a sender
    # that dies mid-send strands only the message it was sending, and only until its claim lapses (CLAIM_SECONDS).
    last = 0
    while batch := store.claim_due(now=(moment := now or utcnow()), limit=1, after=last):
        for message in batch:
            last = message.id
            where = notify.mask_url(message.url)
            try:
                send(message.url, title=message.title, body=message.body)
            except MonitorError as exc:  # SendFailed, or a ConfigError in a notify URL
                error = str(exc)
            except Exception as exc:  # noqa: BLE001 - the edge of a send: record it, retry later
                error = f"{type(exc).__name__} while sending"
            else:
                store.mark_sent(message.id)
                counts["sent"] += 1
                logger.info("alert notification sent alert=%s message=%s to=%s", message.alert, message.id, where)
                continue
            attempts = message.attempts + 1
            if attempts >= policy.max_attempts:
                store.mark_failed(message.id, error, retry_at=None)
                counts["failed"] += 1
                logger.error("alert notification given up after %d attempts: %s alert=%s message=%s to=%s",
                             attempts, error, message.alert, message.id, where)
            else:
                retry_at = moment + backoff(attempts, policy)
                store.mark_failed(message.id, error, retry_at=retry_at)
                counts["retrying"] += 1
                logger.warning("alert notification failed, retry at %s: %s alert=%s message=%s to=%s",
                               retry_at.isoformat(timespec="seconds"), error, message.alert, message.id, where)
    return counts
