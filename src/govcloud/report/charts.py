"""Chart geometry: pure functions from the report's numbers to shapes with coordinates, which the
templates' SVG macros draw (``templates/_svg.html.j2``). No scripting in the pages: the numbers are
laid out here, once, and every shape carries a ``<title>`` for its exact figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WIDTH = 820
LABEL_W = 190
VALUE_W = 110
ROW_H = 24
BAR_H = 14
TOP = 8


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Marker:
    x: float
    css: str
    title: str


@dataclass(frozen=True)
class BarRow:
    y: float
    label: str
    value_text: str
    segments: list[Segment]
    markers: list[Marker] = field(default_factory=list)
    key: str = ""


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one row per item, segments stacked left to right, optional tick markers."""

    kind: str
    width: int
    height: int
    bar_x: int
    bar_w: int
    rows: list[BarRow]
    legend: list[tuple[str, str]]
    bar_h: int = BAR_H


def bar_chart(kind: str, items: list[dict], scale: float, legend: list[tuple[str, str]]) -> BarChart:
    """``items``: ``{"label", "value_text", "segments": [(value, css, title)], "markers": [(value, css,
    title)], "key"}``; values are in the units of ``scale`` (the full width of a bar)."""
    bar_w = WIDTH - LABEL_W - VALUE_W
    unit = bar_w / scale if scale > 0 else 0
    rows = []
    for index, item in enumerate(items):
        x = float(LABEL_W)
        segments = []
        for value, css, title in item.get("segments", ()):
            width = max(value, 0) * unit
            segments.append(Segment(round(x, 1), round(width, 1), css, title))
            x += width
        markers = [Marker(round(LABEL_W + min(value, scale) * unit, 1), css, title)
                   for value, css, title in item.get("markers", ())]
        rows.append(BarRow(TOP + index * ROW_H, item["label"], item.get("value_text", ""), segments, markers,
                           item.get("key", "")))
    return BarChart(kind, WIDTH, TOP * 2 + max(len(items), 1) * ROW_H, LABEL_W, bar_w, rows, legend)


@dataclass(frozen=True)
class TimelineMark:
    x: float
    y: float
    width: float
    css: str
    label: str
    title: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    lanes: list[tuple[float, str]]
    marks: list[TimelineMark]
    ticks: list[tuple[float, str]]
    lines: list[tuple[float, str, str]]
    """Vertical lines: (x, css, label), e.g. today and the deadline."""
    plot_x: int
    plot_w: int


def timeline(lanes: list[str], events: list[dict], today: dt.date, deadline: dt.date | None) -> Timeline:
    """``events``: ``{"lane", "start": datetime, "end": datetime, "css", "label", "title"}``."""
    days = [e["start"].date() for e in events] + [e["end"].date() for e in events] + [today]
    if deadline:
        days.append(deadline)
    first = min(days).replace(day=1)
    last = max(days) + dt.timedelta(days=31)
    span = max((last - first).days, 1)
    plot_x, plot_w = 120, WIDTH - 140

    def x_of(day: dt.date) -> float:
        return round(plot_x + (day - first).days / span * plot_w, 1)

    lane_y = {name: 28 + i * ROW_H for i, name in enumerate(lanes)}
    marks = []
    for e in events:
        x = x_of(e["start"].date())
        width = max(x_of(e["end"].date()) - x, 5.0)
        marks.append(TimelineMark(x, lane_y[e["lane"]], width, e["css"], e["label"], e["title"]))
    ticks = []
    month = first
    step = 1 if span <= 400 else 3
    while month <= last:
        ticks.append((x_of(month), month.strftime("%Y-%m")))
        month = _add_months(month, step)
    lines = [(x_of(today), "today", f"today {today}")]
    if deadline:
        lines.append((x_of(deadline), "deadline", f"deadline {deadline}"))
    return Timeline(WIDTH, 40 + len(lanes) * ROW_H, [(y, n) for n, y in lane_y.items()], marks, ticks, lines,
                    plot_x, plot_w)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    return day.replace(year=day.year + total // 12, month=total % 12 + 1, day=1)


@dataclass(frozen=True)
class LineChart:
    key: str
    width: int
    height: int
    points: list[tuple[float, float, str]]
    """(x, y, title) of each snapshot."""
    target_y: float | None
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str, str]]
    """(x, date, text-anchor)."""

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.points)


def line_chart(key: str, series: list[dict], target: float | None, width: int = 380, height: int = 170) -> LineChart:
    """One KPI's value (0..1) at every snapshot, in the order taken; evenly spaced, labelled by date."""
    left, right, top, bottom = 40, 12, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: float) -> float:
        return round(top + (1 - value) * plot_h, 1)

    count = len(series)
    xs = [round(left + (i / (count - 1) if count > 1 else 0.5) * plot_w, 1) for i in range(count)]
    points = [(x, y_of(p["value"]), f"{p['taken_at']}: {p['achieved']}/{p['total']} ({p['value']:.1%})")
              for x, p in zip(xs, series)]
    # The first date starts at its point and the last ends at its own, so neither is clipped.
    labels = [(xs[0], series[0]["as_of"], "start" if count > 1 else "middle")] if series else []
    if count > 1:
        labels.append((xs[-1], series[-1]["as_of"], "end"))
    return LineChart(key, width, height, points, y_of(target) if target is not None else None,
                     [(y_of(v), f"{v:.0%}") for v in (0, 0.5, 1)], labels)
