"""The coverage chart as SVG geometry, computed on the server: bars for all documents per interval, a line per series."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

WIDTH = 720
HEIGHT = 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 46
MAX_SERIES_SHOWN = 8  # the stylesheet has a colour for each (.series-0 … .series-7)
X_TICKS = 6  # date labels along the x axis (at most)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: str  # the first day of the bucket
    last: str  # its last day
    count: int


@dataclass(frozen=True)
class Line:
    name: str
    total: int
    points: str  # the SVG polyline's points attribute
    css: str


@dataclass(frozen=True)
class Tick:
    at: float  # x (date ticks) or y (count ticks) in SVG units
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    lines: list[Line]
    top: int  # the highest count in a bucket
    interval: str  # day, week or month
    first_day: str
    last_day: str
    baseline: float
    plot_left: float
    plot_right: float
    plot_top: float
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    x_label: str
    y_label: str


def coverage_chart(coverage: dict[str, Any]) -> Chart | None:
    """None when nothing matched. ``coverage`` has days (each bucket's first day), counts, interval, series."""
    days: list[str] = coverage.get("days") or []
    counts: list[int] = coverage.get("counts") or []
    interval = str(coverage.get("interval") or "day")
    if not days:
        return None
    top = max(max(counts, default=0), 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(days)
    baseline = PAD_TOP + plot_h

    def y(count: int) -> float:
        return round(baseline - plot_h * count / top, 1)

    lasts = [_last_day(day, interval) for day in days]
    bars = [Bar(x=round(PAD_LEFT + i * step + step * 0.1, 1), y=y(n), width=round(max(step * 0.8, 0.5), 1),
                height=round(baseline - y(n), 1), day=day, last=last, count=n)
            for i, (day, last, n) in enumerate(zip(days, lasts, counts, strict=True))]
    lines = []
    for number, series in enumerate((coverage.get("series") or [])[:MAX_SERIES_SHOWN]):
        points = " ".join(f"{round(PAD_LEFT + (i + 0.5) * step, 1)},{y(n)}" for i, n in enumerate(series["counts"]))
        lines.append(Line(name=str(series["name"]), total=int(series["total"]), points=points,
                          css=f"series-{number}"))
    every = max(1, -(-len(days) // X_TICKS))
    x_ticks = [Tick(round(PAD_LEFT + (i + 0.5) * step, 1), _label(days[i], interval))
               for i in range(0, len(days), every)]
    y_ticks = [Tick(y(value), str(value)) for value in sorted({0, top // 2, top})]
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, lines=lines, top=top, interval=interval,
                 first_day=days[0], last_day=lasts[-1], baseline=baseline, plot_left=PAD_LEFT,
                 plot_right=WIDTH - PAD_RIGHT, plot_top=PAD_TOP, x_ticks=x_ticks, y_ticks=y_ticks,
                 x_label={"day": "day", "week": "week (from Monday)", "month": "month"}.get(interval, interval),
                 y_label=f"documents per {interval}")


def _last_day(day: str, interval: str) -> str:
    start = date.fromisoformat(day)
    if interval == "week":
        return (start + timedelta(days=6)).isoformat()
    if interval == "month":
        following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return (following - timedelta(days=1)).isoformat()
    return day


def _label(day: str, interval: str) -> str:
    start = date.fromisoformat(day)
    if interval == "month":
        return start.strftime("%b %Y")
    return start.strftime("%-d %b %Y")
