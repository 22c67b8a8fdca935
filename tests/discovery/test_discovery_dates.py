"""Dates from feeds and sitemaps become ISO 8601 with the source's offset kept."""
from __future__ import annotations

import time

import pytest

from monitor.discovery.links import listed_date as to_iso

CASES = [
    ("2024-05-01T10:15:00+03:00", "2024-05-01T10:15:00+03:00"),
    ("2024-05-01T07:15:00Z", "2024-05-01T07:15:00+00:00"),
    ("2016-06-03T07:38:22.568-07:00", "2016-06-03T07:38:22.568000-07:00"),
    ("2008-12-23", "2008-12-23"),
    ("Fri, 18 Jan 2013 02:52:48 +0700", "2013-01-18T02:52:48+07:00"),
    ("\n\t\tWed, 31 Jan 2018 07:26:05 GMT\r\n ", "2018-01-31T07:26:05+00:00"),
    ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T19:42:40-03:00"),
    ("Mo, 01 Apr 2024 08:00:00 +0200", "2024-04-01T08:00:00+02:00"),
]


@pytest.mark.parametrize(("raw", "iso"), CASES)
def test_dates_keep_their_offset(raw: str, iso: str) -> None:
    assert to_iso(raw) == iso


@pytest.mark.parametrize("raw", ["", "   ", "yesterday", "May 2024", "not a date", None])
def test_vague_or_missing_dates_give_none(raw: str | None) -> None:
    assert to_iso(raw) is None


def test_an_unreadable_date_falls_back_to_the_parsed_utc_struct() -> None:
    struct = time.strptime("2020-08-13 13:06:56", "%Y-%m-%d %H:%M:%S")
    assert to_iso("garbled", fallback=struct) == "2020-08-13T13:06:56+00:00"
