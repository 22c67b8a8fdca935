"""Digest schedules: cron expressions checked and stepped with APScheduler's cron trigger (UTC)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger


def _trigger(cron: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=timezone.utc)


def check_cron(cron: str) -> None:
    """Raise ValueError saying what is wrong with a five-field cron expression."""
    try:
        _trigger(cron)
    except ValueError as exc:
        raise ValueError(f"{cron!r} is not a cron schedule ({exc}); write five fields: "
                         f"minute hour day month weekday, like \"0 8 * * *\" (UTC)") from None


def next_fire(cron: str, after: datetime) -> datetime:
    """The first time the schedule fires strictly after ``after``."""
    trigger = _trigger(cron)
    at = trigger.get_next_fire_time(None, after)
    if at is not None and at <= after:
        at = trigger.get_next_fire_time(None, after.replace(microsecond=0) + timedelta(seconds=1))
    assert at is not None  # a crontab always fires again
    return at
