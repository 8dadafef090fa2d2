"""Weekly line charts as inline SVG: the geometry, then ``templates/chart.svg`` draws it.

A chart has series of (week, value) points (a point carried forward from an earlier week is drawn
hollow, joined by a dashed line, never as a fresh measurement), optional horizontal bands (the pain
zones) and target lines (a gate's value, drawn over the weeks in which it was the gate), and the
phase changes as vertical markers.  Every number drawn comes from the data given; this module only
places it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Drawing sizes in SVG user units (layout only, not clinical).
WIDTH = 560
HEIGHT = 240
LEFT = 40
RIGHT = 86  # room for the target labels
RIGHT_BARE = 16  # a chart without target lines needs no label room
TOP = 14
BOTTOM = 34
Y_TICKS_MAX = 5  # not clinical: axis ticks
X_TICKS_MAX = 10  # not clinical: axis ticks
ROUND_STEPS = (1, 2, 5)  # not clinical: round axis steps
DECIMAL = 10  # not clinical: powers of ten for axis steps
LABEL_GAP = 11  # target labels closer than this (user units) are moved apart
POINT_RADIUS = 3.5


@dataclass(frozen=True)
class Point:
    """One value in one diary week; ``carried`` when it was not measured that week."""

    week: int
    value: float
    carried: bool = False


@dataclass
class Series:
    label: str
    color: str
    points: list[Point]
    css: str = "series"


@dataclass
class Target:
    """A gate's value drawn as a dashed horizontal line over ``segments`` (week from, week to, value)."""

    name: str
    label: str
    segments: list[tuple[float, float, float]]
    detail: str = ""


@dataclass
class Chart:
    id: str
    title: str
    y_label: str
    y_max: float
    series: list[Series]
    bands: list[tuple[float, float, str, str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    caption: str = ""
    unit: str = ""


def fmt(v: float) -> str:
    """A number as people write it: 3 not 3.0, one decimal otherwise."""
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def ticks(lo: float, hi: float, most: int) -> list[float]:
    """Round tick values (steps of 1, 2, 5 x 10^n) from ``lo`` to ``hi``, at most ``most`` + 1 of them."""
    span = max(hi - lo, 1)
    exp = 0
    while True:
        for m in ROUND_STEPS:
            step = m * DECIMAL**exp
            if span / step <= most:
                first = int(lo // step) * step
                return [t for t in range(int(first), int(hi) + 1, step) if t >= lo]
        exp += 1


def nice_top(values: list[float], floor: float) -> float:
    """A round axis top above every value (and at least ``floor``)."""
    top = max([*values, floor])
    step = ticks(0, top, Y_TICKS_MAX)
    gap = step[1] - step[0] if len(step) > 1 else 1
    return (int(top // gap) + 1) * gap


def _spread(ys: list[float]) -> list[float]:
    """Label positions for lines at ``ys`` (top to bottom), nudged apart so they do not overlap."""
    out: list[float] = []
    for y in ys:
        if out and y - out[-1] < LABEL_GAP:
            y = out[-1] + LABEL_GAP
        out.append(y)
    return out


def _paths(points: list[tuple[float, float, bool]]) -> tuple[str, str]:
    """(solid path, dashed path): a segment ending at a carried-forward point is dashed."""
    solid: list[str] = []
    dashed: list[str] = []
    for (x0, y0, _), (x1, y1, carried) in zip(points, points[1:]):
        (dashed if carried else solid).append(f"M{x0:.1f},{y0:.1f}L{x1:.1f},{y1:.1f}")
    return "".join(solid), "".join(dashed)


def layout(chart: Chart, weeks: tuple[int, int], phase_marks: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything ``chart.svg`` draws, in SVG coordinates."""
    lo, hi = weeks[0], max(weeks[1], weeks[0] + 1)
    right = RIGHT if chart.targets else RIGHT_BARE
    plot_w, plot_h = WIDTH - LEFT - right, HEIGHT - TOP - BOTTOM

    def x(week: float) -> float:
        return LEFT + (week - lo) / (hi - lo) * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - min(max(value, 0), chart.y_max) / chart.y_max * plot_h

    series = []
    for s in chart.series:
        coords = [(x(p.week), y(p.value), p.carried) for p in s.points]
        solid, dashed = _paths(coords)
        points = [
            {"week": p.week, "value": fmt(p.value), "x": f"{cx:.1f}", "y": f"{cy:.1f}", "carried": p.carried}
            for p, (cx, cy, _) in zip(s.points, coords)
        ]
        series.append(
            {"label": s.label, "color": s.color, "css": s.css, "solid": solid, "dashed": dashed, "points": points}
        )
    targets: list[dict[str, Any]] = []
    for target in chart.targets:
        segs = [
            {"x1": f"{x(max(a, lo)):.1f}", "x2": f"{x(min(b, hi)):.1f}", "y": f"{y(v):.1f}", "value": fmt(v)}
            for a, b, v in target.segments
            if b >= lo and a <= hi
        ]
        if segs:
            targets.append({"name": target.name, "label": target.label, "detail": target.detail, "segments": segs})
    by_height = sorted(targets, key=lambda t: float(t["segments"][-1]["y"]))
    label_ys = _spread([float(t["segments"][-1]["y"]) for t in by_height])
    for drawn, ly in zip(by_height, label_ys):
        drawn["label_y"] = f"{ly + 4:.1f}"  # not clinical: text baseline offset
    return {
        "id": chart.id,
        "title": chart.title,
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {"left": LEFT, "right": WIDTH - right, "top": TOP, "bottom": TOP + plot_h},
        "label_x": WIDTH - right + 4,  # not clinical: gap between plot and label
        "y_label": chart.y_label,
        "y_mid": f"{TOP + plot_h / 2:.1f}",
        "x_mid": f"{LEFT + plot_w / 2:.1f}",
        "bands": [
            {"y": f"{y(b):.1f}", "height": f"{y(a) - y(b):.1f}", "color": c, "label": label}
            for a, b, c, label in chart.bands
        ],
        "y_ticks": [{"y": f"{y(t):.1f}", "label": fmt(t)} for t in ticks(0, chart.y_max, Y_TICKS_MAX)],
        "x_ticks": [{"x": f"{x(t):.1f}", "label": fmt(t)} for t in ticks(lo, hi, X_TICKS_MAX)],
        "phase_marks": [dict(m, x=f"{x(m['week']):.1f}") for m in phase_marks if lo <= m["week"] <= hi],
        "series": series,
        "targets": targets,
        "radius": POINT_RADIUS,
        "empty": not any(s.points for s in chart.series),
    }
