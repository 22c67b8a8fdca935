"""Relative date ranges: spans back from now, named periods, ISO dates passed through, clear errors."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor import timeranges
from monitor.errors import QueryError

NOW = datetime(2026, 12, 3, 15, 30, 12, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(("since", "expected"), [
    ("7d", "2026-11-26T15:30:12Z"),
    ("24h", "2026-12-02T15:30:12Z"),
    ("2w", "2026-11-19T15:30:12Z"),
    (" 3D ", "2026-11-30T15:30:12Z"),
])
def test_a_span_back_from_now_starts_that_long_ago_and_runs_to_now(since: str, expected: str) -> None:
    assert timeranges.resolve(since, None, now=NOW) == (expected, None)


@pytest.mark.parametrize(("period", "first", "last"), [
    ("today", "2026-12-03", "2026-12-03"),
    ("yesterday", "2026-12-02", "2026-12-02"),
    ("this week", "2026-11-30", "2026-12-03"),
    ("last  week", "2026-11-23", "2026-11-29"),
    ("This Month", "2026-12-01", "2026-12-03"),
    ("last month", "2026-11-01", "2026-11-30"),
    ("last year", "2025-01-01", "2025-12-31"),
])
def test_a_period_as_since_covers_exactly_that_period(period: str, first: str, last: str) -> None:
    assert timeranges.resolve(period, None, now=NOW) == (first, f"{last}T23:59:59Z")


def test_an_explicit_until_wins_over_the_end_of_a_period_and_a_period_as_until_means_its_end() -> None:
    assert timeranges.resolve("last month", "2026-11-15", now=NOW) == ("2026-11-01", "2026-11-15")
    assert timeranges.resolve("2026-01-01", "yesterday", now=NOW) == ("2026-01-01", "2026-12-02T23:59:59Z")
    assert timeranges.resolve(None, "7d", now=NOW) == (None, "2026-11-26T15:30:12Z")


def test_iso_dates_and_blanks_pass_through_unchanged() -> None:
    assert timeranges.resolve("2026-11-24", "2026-11-30T09:00:00+02:00", now=NOW) == (
        "2026-11-24", "2026-11-30T09:00:00+02:00")
    assert timeranges.resolve("", "  ", now=NOW) == (None, None)


@pytest.mark.parametrize("value", ["someday", "7 days ago", "7y", "last decade", "24-11-2026"])
def test_anything_else_is_refused_with_what_is_accepted(value: str) -> None:
    with pytest.raises(QueryError) as caught:
        timeranges.resolve(value, None, now=NOW)
    message = str(caught.value)
    assert repr(value) in message and "7d" in message and "yesterday" in message and "2026-11-24" in message
