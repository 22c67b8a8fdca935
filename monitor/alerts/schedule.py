"""Digest schedules: cron expressions checked and stepped with APScheduler's cron trigger (UTC)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger


def _trigger(cron: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=UTC)


def next_fire(cron: str, after: datetime) -> datetime:
    """The first time the schedule fires strictly after ``after``."""
    trigger = _trigger(cron)
    at = trigger.get_next_fire_time(None, after)
    if at is not None and at <= after:
        at = trigger.get_next_fire_time(None, after.replace(microsecond=0) + timedelta(seconds=1))
    assert at is not None  # a crontab always fires again
    return at
