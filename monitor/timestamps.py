"""Machine-written timestamps (ISO 8601, RFC 822, epoch) parsed in one place, offsets kept, for every caller."""
from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_tz

__all__ = [
    "find_iso8601",
    "from_epoch",
    "from_struct_time",
    "is_plausible",
    "iso_timestamp",
    "parse_timestamp",
    "utc_z",
]

Moment = date | datetime  # a bare day stays a day; a time is naive when the source gives no offset

_TIME = r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2}))?([.,]\d+)?\s*(Z|z|UTC|utc|GMT|gmt|[+-]\d{2}(?::?\d{2})?)?)?"
# A value that starts with a timestamp: extended (2024-05-01) or basic (20240501) form.
_ISO_START = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})" + _TIME)
# A timestamp somewhere in a text: extended form only, so that a run of digits is not taken for a date.
_ISO_ANYWHERE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})" + _TIME + r"(?!\d)")
_EPOCH = re.compile(r"^\s*(\d{9,13})(?:\.\d+)?\s*$")
# "Wed, 01 May 2024 10:00:00 +0200"; the day name in any language, since feeds localise it ("Mo,", "Seg,").
_RFC822 = re.compile(r"^\s*(?:[^\W\d_]{2,9}\.?,?\s*)?\d{1,2}\s+[A-Za-z]{3}[a-z]*\.?\s+\d{4}")
# Older than the web's news archives or far in the future: a template default or a typo, not a date.
EARLIEST_YEAR = 1990
FUTURE_SLACK = timedelta(days=2)


def parse_timestamp(text: str | None) -> Moment | None:
    """``text`` as a date or datetime when it is ISO 8601 (at its start), epoch seconds/milliseconds or RFC 822."""
    if not text or not text.strip():
        return None
    text = " ".join(text.split())
    match = _ISO_START.match(text)
    return (_moment(match) if match else None) or from_epoch_moment(text) or _rfc822(text)


def iso_timestamp(text: str | None, *, fraction: bool = False) -> str | None:
    """``text`` as an ISO 8601 string, offset kept, a bare date kept bare; fractions of a second only if asked."""
    moment = parse_timestamp(text)
    return _format(moment, fraction=fraction) if moment is not None else None


def find_iso8601(text: str) -> str | None:
    """The first ISO 8601 timestamp (extended form) inside ``text``, formatted, seconds precision."""
    match = _ISO_ANYWHERE.search(text)
    moment = _moment(match) if match else None
    return _format(moment, fraction=False) if moment is not None else None


def from_epoch(text: str) -> str | None:
    """Epoch seconds (9–10 digits) or milliseconds (11–13) as ISO 8601 UTC, seconds precision; else None."""
    moment = from_epoch_moment(text)
    return moment.isoformat(timespec="seconds") if moment is not None else None


def from_epoch_moment(text: str) -> datetime | None:
    match = _EPOCH.match(text)
    if not match:
        return None
    digits = match.group(1)
    seconds = int(digits) // 1000 if len(digits) > 10 else int(digits)
    return datetime.fromtimestamp(seconds, tz=UTC)


def from_struct_time(value: time.struct_time) -> str:
    """A UTC ``struct_time`` (as feedparser gives) as ISO 8601 UTC."""
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()


def is_plausible(iso: str, *, now: datetime | None = None) -> bool:
    """A date a news page may carry: not before EARLIEST_YEAR, not more than FUTURE_SLACK ahead of ``now``."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return False
    if moment.year < EARLIEST_YEAR:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment <= (now or datetime.now(UTC)) + FUTURE_SLACK


def utc_z(value: str | None) -> str | None:
    """An ISO 8601 date or datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive means UTC); None if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(match: re.Match[str]) -> Moment | None:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        day_only = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None or int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        return day_only
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        tz = _zone(zone) if zone else None
    except ValueError:  # an offset of a day or more: not a zone
        return day_only
    return datetime(day_only.year, day_only.month, day_only.day, int(hour), int(minute), int(second or 0), micro,
                    tzinfo=tz)


def _zone(zone: str) -> timezone:
    if zone.upper() in ("Z", "UTC", "GMT"):
        return UTC
    digits = zone[1:].replace(":", "").ljust(4, "0")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return timezone(-offset if zone[0] == "-" else offset)


def _rfc822(text: str) -> datetime | None:
    if not _RFC822.match(text):
        return None
    parsed = parsedate_tz(text)
    if not parsed:
        return None
    try:
        naive = datetime(*parsed[:6])
        if parsed[9] is None:
            return naive
        return naive.replace(tzinfo=timezone(timedelta(seconds=parsed[9])))
    except (ValueError, OverflowError):
        return None


def _format(moment: Moment, *, fraction: bool) -> str:
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return moment.isoformat() if fraction else moment.replace(microsecond=0).isoformat(timespec="seconds")
