"""Time as people say it: relative date ranges (``7d``, ``yesterday``) as ISO bounds, spans as "15 min"; web and CLI alike."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from monitor.errors import QueryError

# A date, or a date and time with an optional offset: passed through unchanged.
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
AGO = re.compile(r"^(\d{1,5})\s*(h|d|w)$")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
PERIODS = ("today", "yesterday", "this week", "last week", "this month", "last month", "this year", "last year")
HELP = ("a date (2026-11-24), a date and time (2026-11-24T09:30:00+00:00), a span back from now (24h, 7d, 2w) "
        "or a period (" + ", ".join(PERIODS) + "; weeks start on Monday, UTC)")


def resolve(since: str | None, until: str | None, *, now: datetime | None = None) -> tuple[str | None, str | None]:
    """ISO since/until for what a user typed. A period as ``since`` also ends the range at the period's end
    (``yesterday`` is that day only) unless ``until`` is given; a period as ``until`` means its end."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    start, end = _bound(since, "since", now)
    _, until_end = _bound(until, "until", now)
    if until_end is not None:
        return start, until_end
    return start, end if since is not None and _is_period(since) else None


def check(value: str | None, *, name: str) -> None:
    """Raise QueryError (saying what is accepted) when ``value`` is not a date, a span or a period."""
    _bound(value, name, datetime.now(UTC))


def _bound(value: str | None, name: str, now: datetime) -> tuple[str | None, str | None]:
    """(start, end) of what ``value`` names; a date or a span has one instant for both."""
    if value is None or not value.strip():
        return None, None
    text = " ".join(value.strip().lower().split())
    if ISO.match(value.strip()):
        return value.strip(), value.strip()
    ago = AGO.match(text)
    if ago:
        instant = _iso(now - int(ago.group(1)) * UNITS[ago.group(2)])
        return instant, instant
    if text in PERIODS:
        first, last = _period(text, now.date())
        return first.isoformat(), f"{last.isoformat()}T23:59:59Z"
    raise QueryError(f"{name} {value!r} is not a date or range: use {HELP}")


def _is_period(value: str) -> bool:
    return " ".join(value.strip().lower().split()) in PERIODS


def _period(name: str, today: date) -> tuple[date, date]:
    """First and last day of a named period (a current one ends today)."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if name == "this week":
        return monday, today
    if name == "last week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first_of_month = today.replace(day=1)
    if name == "this month":
        return first_of_month, today
    if name == "last month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this year":
        return today.replace(month=1, day=1), today
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def span(value: timedelta | float) -> str:
    """A span as people say it: "1 min", "2 h", "1 day 6 h", "1 min 30 s" (not "0:01:30")."""
    left = int(value.total_seconds() if isinstance(value, timedelta) else value)
    parts = []
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''}")
    return " ".join(parts) or "0 s"
