"""How pages show data, without a server: readable dates, page numbers, comments by date, chart intervals and axes."""
from __future__ import annotations

from monitor import service
from monitor.web.chart import coverage_chart
from monitor.web.present import by_date, pager, short_date, timestamp


def test_dates_read_as_day_month_year_and_keep_the_full_stamp_on_hover() -> None:
    assert short_date("2026-11-24T09:30:00+02:00") == "24 Nov 2026, 09:30"
    assert short_date("2026-11-24") == "24 Nov 2026"
    assert short_date("not a date <b>") == "not a date <b>"
    html = str(timestamp('2026-11-24T09:30:00+02:00"><script>'))
    assert "<script>" not in html and "&lt;script&gt;" in html  # an unreadable stamp is still escaped
    assert str(timestamp("2026-11-24T09:30:00+02:00")) == (
        '<time datetime="2026-11-24T09:30:00+02:00" title="2026-11-24T09:30:00+02:00">24 Nov 2026, 09:30</time>')


def test_page_numbers_show_the_first_the_last_and_the_neighbours_of_the_current_page() -> None:
    assert pager(1, 20, 20, 500) is None
    first = pager(1, 95, 20, 500)
    assert first is not None and first.last == 5 and first.numbers == [1, 2, 3, 4, 5]
    middle = pager(7, 1000, 20, 500)
    assert middle is not None and middle.numbers == [1, None, 5, 6, 7, 8, 9, None, 50]
    capped = pager(3, 1_000_000, 20, 500)
    assert capped is not None and capped.last == 500


def test_comments_in_date_order_put_undated_ones_last_whichever_way() -> None:
    comments = [{"id": "u1", "published": None}, {"id": "b", "published": "2026-11-24T10:00:00+02:00", "parent_id": "a"},
                {"id": "a", "published": "2026-11-24T09:30:00Z"}, {"id": "u2", "published": "garbage"}]
    oldest = by_date(comments, newest=False)
    assert [r.comment["id"] for r in oldest] == ["b", "a", "u1", "u2"]  # 08:00Z before 09:30Z
    assert oldest[0].answers == comments[2]
    assert [r.comment["id"] for r in by_date(comments, newest=True)] == ["a", "b", "u1", "u2"]


def test_coverage_buckets_follow_the_range_and_lose_no_old_day() -> None:
    days = {"2026-11-02": 1, "2026-11-03": 2}
    assert service.bucketed(days) == {"interval": "day", "days": ["2026-11-02", "2026-11-03"], "counts": [1, 2]}
    weeks = service.bucketed({"2026-01-07": 1, "2026-01-08": 1, "2026-11-03": 2})
    assert weeks["interval"] == "week" and weeks["days"][0] == "2026-01-05" and weeks["counts"][0] == 2
    assert weeks["days"][-1] == "2026-11-02" and sum(weeks["counts"]) == 4
    years = service.bucketed({"2019-06-15": 5, "2026-11-03": 2})
    assert years["interval"] == "month" and years["days"][0] == "2019-06-01" and years["days"][-1] == "2026-11-01"
    assert len(years["days"]) == 7 + 6 * 12 + 11  # Jun-Dec 2019, 2020-2025, Jan-Nov 2026 and sum(years["counts"]) == 7


def test_the_chart_labels_both_axes_and_dates_along_the_bottom() -> None:
    chart = coverage_chart({**service.bucketed({"2019-06-15": 5, "2026-11-03": 2}), "series": []})
    assert chart is not None
    assert chart.y_label == "documents per month" and chart.x_label == "month"
    assert chart.first_day == "2019-06-01" and chart.last_day == "2026-11-30"
    assert chart.x_ticks[0].label == "Jun 2019" and len(chart.x_ticks) <= 6
    assert [t.label for t in chart.y_ticks] == ["0", "2", "5"]
    assert coverage_chart({"days": [], "counts": []}) is None
