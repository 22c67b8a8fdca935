"""Date strings from feeds and sitemaps to ISO 8601, keeping the offset the source gave."""
from __future__ import annotations

import calendar
import re
import time
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Absolute dates only, all parts required: "yesterday" or "May 2024" must not become today's date.
_DATEPARSER_SETTINGS = {"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}


def to_iso(raw: str | None, *, fallback: time.struct_time | None = None) -> str | None:
    """``raw`` as ISO 8601 (a bare date stays a bare date); else ``fallback``, a UTC struct as feedparser gives."""
    text = " ".join(raw.split()) if raw else ""
    if text:
        parsed = _parse(text)
        if parsed is not None:
            return parsed
    if fallback is not None:
        return datetime.fromtimestamp(calendar.timegm(fallback), tz=timezone.utc).isoformat()
    return None


def _parse(text: str) -> str | None:
    if _DATE_ONLY.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        rfc822 = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        rfc822 = None
    if rfc822 is not None:
        return rfc822.isoformat()
    return _parse_any_language(text)


def _parse_any_language(text: str) -> str | None:
    # dateparser costs a second to load its languages: only dates in other languages pay for it.
    import dateparser

    try:
        parsed = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.isoformat() if parsed is not None else None
