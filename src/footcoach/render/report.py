"""The progress report: one self-contained HTML file with inline SVG charts.

No scripts, no fonts, no images, no links: the file opens offline and prints as it shows.  Charts
(per diary week): morning pain, pain during exercise, weaker-leg eyes-open balance, heel raises per
leg; phase changes drawn as vertical markers; then the stored decisions with their reasons and any
physiotherapist overrides.  The pain bands come from ``knowledge/`` (``pain.safe_max``,
``pain.acceptable_max``), the axis tops from the contract's scale constants.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from footcoach import service as api
from footcoach.contract.state import BALANCE_CAP, NRS_MAX
from footcoach.knowledge.base import default_knowledge
from footcoach.storage import store

# Drawing sizes in SVG user units (layout only).
_W, _H = 560, 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 14, 14, 34
_Y_TICKS_MAX, _X_TICKS_MAX = 6, 11

_COLORS = {
    "main": "#1f5fa8",
    "left": "#1f5fa8",
    "right": "#c2571a",
    "phase": "#6b4fa0",
    "green": "#e3f3e3",
    "amber": "#fcefd4",
    "red": "#f9dcdc",
}


@dataclass
class Series:
    """One line of a chart: label, colour and (week, value) points, oldest first."""

    label: str
    color: str
    points: list[tuple[int, float]]
    css: str = "series"


@dataclass
class Chart:
    """One chart: its id, title, y-axis, series, optional horizontal bands (y0, y1, colour, label)."""

    id: str
    title: str
    y_label: str
    y_max: float
    series: list[Series]
    bands: list[tuple[float, float, str, str]] = field(default_factory=list)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _ticks(lo: float, hi: float, most: int) -> list[float]:
    span = max(hi - lo, 1)
    # 1, 2, 5, 10, 20, 50, ...: the first "round" step that keeps the ticks to ``most``.
    steps = (m * 10**e for e in range(len(str(int(span))) + 1) for m in (1, 2, 5))
    step = next(s for s in steps if span / s <= most)
    first = int(lo // step) * step
    return [t for t in range(int(first), int(hi) + 1, step) if t >= lo]


def render_chart(chart: Chart, weeks: tuple[int, int], phase_marks: list[tuple[int, int, str]]) -> str:
    """One chart as an inline ``<svg>``; every data point is a ``<circle class="point">`` carrying
    ``data-week`` / ``data-value`` and a ``<title>`` tooltip."""
    lo, hi = weeks
    if hi <= lo:
        hi = lo + 1
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(week: float) -> float:
        return _LEFT + (week - lo) / (hi - lo) * plot_w

    def y(value: float) -> float:
        return _TOP + plot_h - min(max(value, 0), chart.y_max) / chart.y_max * plot_h

    out = [
        f'<svg class="chart" id="{escape(chart.id)}" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        f'role="img" aria-label="{escape(chart.title)}">'
    ]
    for y0, y1, color, label in chart.bands:
        out.append(
            f'<rect class="band" x="{_LEFT}" y="{y(y1):.1f}" width="{plot_w}" height="{y(y0) - y(y1):.1f}" '
            f'fill="{color}"><title>{escape(label)}</title></rect>'
        )
    for t in _ticks(0, chart.y_max, _Y_TICKS_MAX):
        out.append(f'<line class="grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
        out.append(f'<text class="tick" x="{_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for t in _ticks(lo, hi, _X_TICKS_MAX):
        out.append(f'<text class="tick" x="{x(t):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle">{t}</text>')
    out.append(f'<line class="axis" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{_TOP + plot_h}" y2="{_TOP + plot_h}"/>')
    out.append(f'<line class="axis" x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{_TOP + plot_h}"/>')
    out.append(f'<text class="axis-label" x="{_LEFT + plot_w / 2:.1f}" y="{_H - 4}" text-anchor="middle">week</text>')
    out.append(
        f'<text class="axis-label" x="12" y="{_TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_TOP + plot_h / 2:.1f})">{escape(chart.y_label)}</text>'
    )
    for week, phase, name in phase_marks:
        out.append(
            f'<g class="phase-change" data-week="{week}" data-phase="{phase}">'
            f'<line x1="{x(week):.1f}" x2="{x(week):.1f}" y1="{_TOP}" y2="{_TOP + plot_h}" '
            f'stroke="{_COLORS["phase"]}" stroke-dasharray="4 3"/>'
            f'<text x="{x(week) + 3:.1f}" y="{_TOP + 10}" fill="{_COLORS["phase"]}">P{phase}</text>'
            f"<title>week {week}: phase {phase} ({escape(name)})</title></g>"
        )
    total = sum(len(s.points) for s in chart.series)
    radius = 3 if total <= 120 else 1.5
    for s in chart.series:
        if not s.points:
            continue
        coords = " ".join(f"{x(w):.1f},{y(v):.1f}" for w, v in s.points)
        out.append(f'<g class="{escape(s.css)}" data-label="{escape(s.label)}">')
        out.append(f'<polyline points="{coords}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        for w, v in s.points:
            out.append(
                f'<circle class="point" data-week="{w}" data-value="{_fmt(v)}" cx="{x(w):.1f}" '
                f'cy="{y(v):.1f}" r="{radius}" fill="{s.color}"><title>{escape(s.label)}, week {w}: '
                f"{_fmt(v)}</title></circle>"
            )
        out.append("</g>")
    if total == 0:
        out.append(
            f'<text class="empty" x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h / 2:.1f}" '
            'text-anchor="middle">no data recorded yet</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _legend(chart: Chart) -> str:
    items = [
        f'<span class="key"><span class="swatch" style="background:{s.color}"></span>{escape(s.label)}</span>'
        for s in chart.series
    ]
    items += [
        f'<span class="key"><span class="swatch band-swatch" style="background:{c}"></span>{escape(label)}</span>'
        for _, _, c, label in chart.bands
    ]
    return '<div class="legend">' + "".join(items) + "</div>"


def build_charts(data: dict[str, Any]) -> tuple[list[Chart], list[tuple[int, int, str]], tuple[int, int]]:
    """The charts, the phase changes (week, phase, name) and the week range from :func:`store.progress_data`."""
    kb = default_knowledge()
    safe, acceptable = kb.value("pain.safe_max"), kb.value("pain.acceptable_max")
    diary, reports = data["diary"], data["reports"]
    pain_bands = [
        (0, safe, _COLORS["green"], f"safe (0-{_fmt(safe)})"),
        (safe, acceptable, _COLORS["amber"], f"acceptable (up to {_fmt(acceptable)})"),
        (acceptable, NRS_MAX, _COLORS["red"], f"too much (over {_fmt(acceptable)})"),
    ]
    morning = [(e["week"], e["pain_morning"]) for e in diary if "pain_morning" in e]
    # Pain during is a current-report value: chart the weeks where it was reported, not carried forward.
    during_by_week: dict[int, float] = {}
    for r in reports:
        if "pain.during" in r["changed"]:
            during_by_week[r["week"]] = r["pain_during"]
    during = sorted(during_by_week.items())
    balance = [
        (e["week"], min(e["balance_eyes_open_s"]["left"], e["balance_eyes_open_s"]["right"]))
        for e in diary
        if "balance_eyes_open_s" in e
    ]
    heel_l = [(e["week"], e["heel_raises"]["left"]) for e in diary if "heel_raises" in e]
    heel_r = [(e["week"], e["heel_raises"]["right"]) for e in diary if "heel_raises" in e]
    heel_top = max([v for _, v in heel_l + heel_r] + [10])
    heel_top = (int(heel_top * 1.15) // 10 + 1) * 10
    charts = [
        Chart(
            "chart-morning-pain",
            "Morning pain (first steps)",
            f"pain 0-{NRS_MAX}",
            NRS_MAX,
            [Series("morning pain", _COLORS["main"], morning)],
            pain_bands,
        ),
        Chart(
            "chart-pain-during",
            "Pain during exercise or running",
            f"pain 0-{NRS_MAX}",
            NRS_MAX,
            [Series("pain during", _COLORS["main"], during)],
            pain_bands,
        ),
        Chart(
            "chart-balance",
            "Single-leg balance, eyes open, weaker leg",
            "seconds",
            BALANCE_CAP,
            [Series("weaker leg", _COLORS["main"], balance)],
        ),
        Chart(
            "chart-heel-raises",
            "Single-leg heel raises",
            "repetitions",
            heel_top,
            [
                Series("left", _COLORS["left"], heel_l, "series left"),
                Series("right", _COLORS["right"], heel_r, "series right"),
            ],
        ),
    ]
    marks: list[tuple[int, int, str]] = []
    last_phase = None
    for r in reports:
        if last_phase is not None and r["phase"] != last_phase:
            marks.append((r["week"], r["phase"], kb.phase_name(r["phase"])))
        last_phase = r["phase"]
    weeks = [w for c in charts for s in c.series for w, _ in s.points] + [r["week"] for r in reports]
    span = (min(weeks), max(weeks)) if weeks else (0, 1)
    return charts, marks, span


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222}
h1{font-size:1.5rem;margin:0 0 4px} h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#555;margin:0 0 12px} .disclaimer{background:#f4f4f4;padding:8px 12px;border-left:4px solid #999}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
figure{margin:0;border:1px solid #e2e2e2;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px} svg.chart{width:100%;height:auto}
.grid{stroke:#eee} .axis{stroke:#888} .tick{font-size:10px;fill:#555} .axis-label{font-size:11px;fill:#444}
.phase-change text{font-size:10px} .empty{fill:#999;font-size:13px}
.legend{font-size:12px;color:#444;display:flex;flex-wrap:wrap;gap:10px;margin-top:4px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-radius:2px}
.band-swatch{border:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #e6e6e6;padding:5px 6px;
text-align:left;vertical-align:top} th{background:#fafafa}
.action{font-weight:600} .refer{color:#a40000} .regress{color:#b35900} .hold{color:#6b5d00} .progress{color:#1d6b1d}
.override{color:#6b4fa0} .kinds{color:#666;font-size:12px}
"""


def render_html(data: dict[str, Any], *, generated_at: str | None = None) -> str:
    """The whole report as one HTML string (no external resources)."""
    kb = default_knowledge()
    charts, marks, span = build_charts(data)
    runner = data["runner"]
    generated_at = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    reports, assessments = data["reports"], data["assessments"]
    current = reports[-1] if reports else None
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>footcoach progress report: {escape(runner['id'])}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Progress report: {escape(runner['id'])}</h1>",
        '<p class="meta">'
        + escape(", ".join(filter(None, [f"age {runner['age']}", runner.get("sex"), runner.get("experience")])))
        + f" &middot; {len(data['diary'])} diary weeks"
        + (
            f" &middot; phase {current['phase']} ({escape(kb.phase_name(current['phase']))}), week "
            f"{current['weeks_in_phase']} in phase"
            if current
            else " &middot; no current report yet"
        )
        + f" &middot; generated {escape(generated_at)} &middot; rule base {escape(api.rulebase_version())}</p>",
        '<p class="disclaimer">Decision support for a strengthening routine, not a diagnosis. '
        "Pain bands: the pain-monitoring model as held in footcoach's knowledge base.</p>",
        '<h2>Progress per week</h2><div class="charts">',
    ]
    for chart in charts:
        parts.append(
            f"<figure><figcaption>{escape(chart.title)}</figcaption>"
            f"{render_chart(chart, span, marks)}{_legend(chart)}</figure>"
        )
    parts.append("</div>")

    parts.append("<h2>Phase changes</h2>")
    if marks:
        parts.append(
            "<table><tr><th>week</th><th>new phase</th></tr>"
            + "".join(f"<tr><td>{w}</td><td>{p} ({escape(n)})</td></tr>" for w, p, n in marks)
            + "</table>"
        )
    elif current:
        parts.append(
            f"<p>No phase change recorded: phase {current['phase']} "
            f"({escape(kb.phase_name(current['phase']))}) throughout.</p>"
        )
    else:
        parts.append("<p>No current report yet.</p>")

    parts.append("<h2>Decisions</h2>")
    if not assessments:
        parts.append("<p>No stored assessments yet (footcoach assess --runner ID).</p>")
    else:
        parts.append(
            "<table><tr><th>#</th><th>when (UTC)</th><th>diary week</th><th>decision</th><th>phase</th>"
            "<th>why</th><th>rule base</th></tr>"
        )
        for a in assessments:
            act = a["action"] or "-"
            why = escape(a["summary"] or "")
            others = [k for k in a["kinds"] if k not in ("progression", "hold", "regression", "referral")]
            if others:
                why += f'<div class="kinds">also: {escape(", ".join(others))}</div>'
            for o in a["overrides"]:
                why += (
                    f'<div class="override">Overridden to <b>{escape(o["action"])}</b>'
                    + (f" by {escape(o['author'])}" if o["author"] else "")
                    + f" ({escape(o['created_at'])}): {escape(o['reason'])}</div>"
                )
            ph = a["phase"]
            parts.append(
                f"<tr><td>{a['id']}</td><td>{escape(a['created_at'][:19].replace('T', ' '))}</td>"
                f"<td>{a['week'] if a['week'] is not None else '-'}</td>"
                f'<td class="action {escape(act)}">{escape(act)}</td>'
                f"<td>{ph['current']} &rarr; {ph['next']}</td><td>{why}</td>"
                f"<td>{escape(a['rulebase_version'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(db_path: str | None, runner_id: str, out: str | os.PathLike) -> Path:
    """Write runner ``runner_id``'s progress report to ``out``; return its path.  InputError for an
    unknown runner or an unwritable file."""
    from footcoach.common.output import OutputError, database_files, write_file
    from footcoach.contract.errors import InputError

    html = render_html(store.progress_data(db_path, runner_id))
    try:
        return write_file(out, html, protect=database_files(store.resolve_db_path(db_path)))
    except OutputError as exc:
        raise InputError(exc.problems) from None
