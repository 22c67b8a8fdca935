"""The coverage chart as SVG geometry, computed on the server: grey bars for all documents per day, a line per series."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 720
HEIGHT = 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 12, 12, 28
MAX_SERIES_SHOWN = 8  # the stylesheet has a colour for each (.series-0 … .series-7)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: str
    count: int


@dataclass(frozen=True)
class Line:
    name: str
    total: int
    points: str  # the SVG polyline's points attribute
    css: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    lines: list[Line]
    top: int  # the highest daily count (the y axis label)
    first_day: str
    last_day: str
    baseline: float
    plot_left: float
    plot_right: float


def coverage_chart(coverage: dict[str, Any]) -> Chart | None:
    """None when nothing matched."""
    days: list[str] = coverage.get("days") or []
    counts: list[int] = coverage.get("counts") or []
    if not days:
        return None
    top = max(max(counts, default=0), 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(days)
    baseline = PAD_TOP + plot_h

    def y(count: int) -> float:
        return round(baseline - plot_h * count / top, 1)

    bars = [Bar(x=round(PAD_LEFT + i * step + step * 0.1, 1), y=y(n), width=round(max(step * 0.8, 0.5), 1),
                height=round(baseline - y(n), 1), day=day, count=n)
            for i, (day, n) in enumerate(zip(days, counts))]
    lines = []
    for number, series in enumerate((coverage.get("series") or [])[:MAX_SERIES_SHOWN]):
        points = " ".join(f"{round(PAD_LEFT + (i + 0.5) * step, 1)},{y(n)}" for i, n in enumerate(series["counts"]))
        lines.append(Line(name=str(series["name"]), total=int(series["total"]), points=points,
                          css=f"series-{number}"))
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, lines=lines, top=top, first_day=days[0], last_day=days[-1],
                 baseline=baseline, plot_left=PAD_LEFT, plot_right=WIDTH - PAD_RIGHT)
