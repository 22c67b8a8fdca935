"""Absolute and relative comment/article dates in English, German, Ukrainian and Russian."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from monitor.extract.dates import parse_date

NOW = datetime(2022, 10, 20, 12, 0, tzinfo=timezone(timedelta(hours=3)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("October 29, 2012 1:24 PM", "2012-10-29T13:24:00"),
        ("29.10.2012 13:24", "2012-10-29T13:24:00"),
        ("08:59, 10/19/22", "2022-10-19T08:59:00"),
        ("2012-10-29T13:24:00+02:00", "2012-10-29T13:24:00+02:00"),
        ("2020-04-21T14:40:07Z", "2020-04-21T14:40:07+00:00"),
        ("Mon, 29 Oct 2012 13:24:00 +0000", "2012-10-29T13:24:00+00:00"),
        ("Monday, 29 October 2012 at 13:24", "2012-10-29T13:24:00"),
        ("July 10th, 2012, 7:20 pm", "2012-07-10T19:20:00"),
        ("September 26, 2012 at 04:48 PM", "2012-09-26T16:48:00"),
        ("01/13/08 at 12:02PM", "2008-01-13T12:02:00"),
        ("Jan 10, 2008 4:49:12 PM", "2008-01-10T16:49:12"),
        ("October 24, 2012", "2012-10-24"),
        ("Di, 21. April 2020 - 16:40", "2020-04-21T16:40:00"),
        ("12. März 2020 um 9:05 Uhr", "2020-03-12T09:05:00"),
        ("10 жовтня 2022", "2022-10-10"),
        ("10 октября 2022 г.", "2022-10-10"),
        ("12 мая 2021 в 14:05", "2021-05-12T14:05:00"),
        ("18/02/2020 à 16:42", "2020-02-18T16:42:00"),
        ("Sun, 10/28/2012 - 13:24", "2012-10-28T13:24:00"),
    ],
)
def test_absolute_dates(raw: str, expected: str) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3 hours ago", "2022-10-20T09:00:00+03:00"),
        ("an hour ago", "2022-10-20T11:00:00+03:00"),
        ("5 minutes ago", "2022-10-20T11:55:00+03:00"),
        ("vor 2 Tagen", "2022-10-18"),
        ("vor einer Stunde", "2022-10-20T11:00:00+03:00"),
        ("2 години тому", "2022-10-20T10:00:00+03:00"),
        ("3 часа назад", "2022-10-20T09:00:00+03:00"),
        ("1 год назад", "2021-10-20"),
        ("yesterday at 10:15", "2022-10-19T10:15:00+03:00"),
        ("gestern um 10:15", "2022-10-19T10:15:00+03:00"),
        ("вчера в 10:15", "2022-10-19T10:15:00+03:00"),
        ("10 жовтня, 12:30", "2022-10-10T12:30:00"),
    ],
)
def test_relative_dates_resolve_against_reference(raw: str, expected: str) -> None:
    assert parse_date(raw, relative_to=NOW) == expected


def test_relative_date_without_reference_is_unknown() -> None:
    assert parse_date("3 hours ago") is None


@pytest.mark.parametrize("raw", ["", "hello", "Comment 123", "May I say something", "Reply"])
def test_text_without_a_date(raw: str) -> None:
    assert parse_date(raw) is None


def test_slashes_follow_the_language() -> None:
    assert parse_date("05/03/2021") == "2021-05-03"
    assert parse_date("05/03/2021", languages=["de"]) == "2021-03-05"
