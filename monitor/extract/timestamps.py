"""Machine-readable timestamps from page metadata (ISO 8601, RFC 822, epoch) → ISO 8601 strings."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_tz

from monitor.extract.dates import parse_date

_ISO = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")
# Older than the web's news archives or far in the future: a template default or a typo, not a date.
_EARLIEST_YEAR = 1990
_FUTURE_SLACK = timedelta(days=2)


def normalize_datetime(value: str | None, *, now: datetime | None = None) -> str | None:
    """``value`` as ISO 8601: with its offset when it has one, a naive time when it has none,
    a bare date when it is only a day; None when it is not a plausible date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    result = _from_iso(text) or _from_epoch(text) or _from_rfc822(text)
    if result is None and len(text) <= 80 and re.search(r"\d", text):
        result = parse_date(text)
    if result is None or not _plausible(result, now or datetime.now(timezone.utc)):
        return None
    return result


def _from_iso(text: str) -> str | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        datetime(int(year), int(month), int(day))
    except ValueError:
        return None
    out = f"{year}-{month}-{day}"
    if hour is None:
        return out
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        return out
    out += f"T{int(hour):02d}:{minute}:{second or '00'}"
    if zone:
        out += _offset(zone)
    return out


def _offset(zone: str) -> str:
    if zone.upper() in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = zone[1:].replace(":", "").ljust(4, "0")
    return f"{zone[0]}{digits[:2]}:{digits[2:4]}"


def _from_epoch(text: str) -> str | None:
    match = _EPOCH.match(text)
    if not match:
        return None
    moment = datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc)
    return moment.isoformat(timespec="seconds")


def _from_rfc822(text: str) -> str | None:
    if not re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    parsed = parsedate_tz(text)
    if not parsed:
        return None
    try:
        naive = datetime(*parsed[:6])
    except ValueError:
        return None
    if parsed[9] is None:
        return naive.isoformat(timespec="seconds")
    return naive.replace(tzinfo=timezone(timedelta(seconds=parsed[9]))).isoformat(timespec="seconds")


def _plausible(iso: str, now: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return False
    if moment.year < _EARLIEST_YEAR:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment <= now + _FUTURE_SLACK
