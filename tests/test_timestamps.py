"""The one parser of machine-written timestamps: ISO 8601, RFC 822 and epoch values, offsets kept."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from monitor.timestamps import find_iso8601, from_epoch, is_plausible, iso_timestamp, parse_timestamp, utc_z


@pytest.mark.parametrize(("raw", "iso"), [
    ("2024-05-01T10:15:00+03:00", "2024-05-01T10:15:00+03:00"),
    ("2024-05-01t10:15z", "2024-05-01T10:15:00+00:00"),
    ("20240501T10:15:00-0230", "2024-05-01T10:15:00-02:30"),
    ("2024-05-01 10:15 UTC", "2024-05-01T10:15:00+00:00"),
    ("2024-05-01T10:15:00", "2024-05-01T10:15:00"),
    ("2024-05-01", "2024-05-01"),
    ("2024-05-01T25:00:00Z", "2024-05-01"),  # an impossible time keeps the day
    ("Wed, 01 May 2024 10:00:00 GMT", "2024-05-01T10:00:00+00:00"),
    ("Mi., 01 May 2024 10:00:00 +0200", "2024-05-01T10:00:00+02:00"),
    ("1714550400", "2024-05-01T08:00:00+00:00"),
    ("1714550400123", "2024-05-01T08:00:00+00:00"),
])
def test_machine_timestamps_become_iso_8601_with_their_offset(raw: str, iso: str) -> None:
    assert iso_timestamp(raw) == iso


@pytest.mark.parametrize("raw", ["", "  ", None, "2024-13-01", "yesterday", "May 2024", "12345", "Seg, 24 Set 2018"])
def test_what_is_not_a_machine_timestamp_is_none(raw: str | None) -> None:
    assert parse_timestamp(raw) is None


def test_fractions_of_a_second_are_kept_only_when_asked_for() -> None:
    assert iso_timestamp("2016-06-03T07:38:22.568-07:00") == "2016-06-03T07:38:22-07:00"
    assert iso_timestamp("2016-06-03T07:38:22.568-07:00", fraction=True) == "2016-06-03T07:38:22.568000-07:00"


def test_a_day_stays_a_day_and_a_time_without_offset_stays_naive() -> None:
    assert parse_timestamp("2024-05-01") == date(2024, 5, 1)
    assert parse_timestamp("2024-05-01 09:05") == datetime(2024, 5, 1, 9, 5)
    assert parse_timestamp("2024-05-01T09:05+05:30") == datetime(2024, 5, 1, 9, 5,
                                                                   tzinfo=timezone(timedelta(hours=5, minutes=30)))


def test_a_timestamp_inside_text_is_found_but_a_run_of_digits_is_not() -> None:
    assert find_iso8601("posted 2020-04-21 14:40:07z by ann") == "2020-04-21T14:40:07+00:00"
    assert find_iso8601("order 20200421 shipped") is None


def test_epoch_values_and_plausibility() -> None:
    assert from_epoch("1714730400.5") == "2024-05-03T10:00:00+00:00"
    assert from_epoch("17147304") is None
    now = datetime(2024, 5, 1, tzinfo=UTC)
    assert is_plausible("2024-05-02T12:00:00", now=now)
    assert not is_plausible("2024-05-04", now=now)
    assert not is_plausible("1989-12-31", now=now)


def test_utc_z_is_the_form_search_sorts_by() -> None:
    assert utc_z("2024-05-01T10:00:00+02:00") == "2024-05-01T08:00:00Z"
    assert utc_z("2024-05-01") == "2024-05-01T00:00:00Z"
    assert utc_z("soon") is None
