"""The progress report's charts, built from the stored record (data in, charts out).

Measures per week come from the diary and the current-report rows: a value is *measured* in the
week it was entered and *carried forward* (drawn hollow, on a dashed line) in the later weeks until
it is measured again.  Target lines are the phase gates of the rule base: each rule concluding a
``gate`` for phase N that compares a charted measure with a knowledge value draws that value
(resolved for the runner's age and sex) over the weeks spent in phase N.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from footcoach.knowledge.base import Knowledge
from footcoach.render.charts import Chart, Point, Series, Target, fmt, nice_top

COLORS = {
    "main": "#1f5fa8",
    "left": "#1f5fa8",
    "right": "#c2571a",
    "second": "#2f7d4f",
    "green": "#e3f3e3",
    "amber": "#fcefd4",
    "red": "#f9dcdc",
}
HEEL_RAISES_FLOOR = 10  # not clinical: the axis top when no count is recorded
PERCENT = 100
# Units as a chart's target label writes them (the axis already names counts and pain).
SHORT_UNITS = {"NRS points": "", "repetitions": "", "%": "%", "s": " s"}


@dataclass(frozen=True)
class TargetSpec:
    """Where a gate's fact is charted, and the short word its line is labelled with."""

    chart: str
    word: str


# A gate on one of these facts draws a target line on that chart.
GATE_FACTS = {
    "tests.balance_eyes_open_s.weaker": TargetSpec("chart-balance", "norm"),
    "tests.balance_eyes_closed_s.weaker": TargetSpec("chart-balance-closed", "norm"),
    "tests.heel_raises.weaker": TargetSpec("chart-heel-raises", "gate"),
    "tests.heel_raises.lsi": TargetSpec("chart-lsi", "gate"),
    "tests.balance_eyes_open_s.lsi": TargetSpec("chart-lsi", "gate"),
    "tests.hop_pain": TargetSpec("chart-hop-pain", "at most"),
}


# ---- the gates of the rule base --------------------------------------------------------------
def gates_from_rules(rules: Iterable[Any]) -> list[dict[str, Any]]:
    """[{phase, fact, op, names}] for every gate rule's comparison with a knowledge value: the
    phase comes from the rule's ``program.phase ==`` condition; an either/or lists every name."""
    out: list[dict[str, Any]] = []
    for rule in rules:
        spec = rule.spec
        if spec.family != "progression" or spec.conclude is None or spec.conclude.finding != "gate":
            continue
        conds = list(spec.when)
        phase = next(
            (c.literal for c in conds if getattr(c, "fact", None) == "program.phase" and c.op == "=="),
            None,
        )
        if phase is None:
            continue
        for c in conds:
            options = list(getattr(c, "any", None) or [c])
            named = [o for o in options if getattr(o, "fact", None) in GATE_FACTS and getattr(o, "value", None)]
            if named:
                out.append(
                    {"phase": int(phase), "fact": named[0].fact, "op": named[0].op, "names": [o.value for o in named]}
                )
    return out


def _phase_segments(phase_by_week: list[tuple[int, int]], last_week: int) -> list[tuple[int, int, int]]:
    """(first week, last week, phase) runs; a run ends where the next one starts so lines join."""
    runs: list[list[int]] = []
    for week, phase in phase_by_week:
        if runs and runs[-1][2] == phase:
            continue
        if runs:
            runs[-1][1] = week
        runs.append([week, week, phase])
    if runs:
        runs[-1][1] = max(runs[-1][1], last_week)
    return [(a, b, p) for a, b, p in runs]


def _easier(kb: Knowledge, names: list[str], op: str, age: int | None, sex: str | None) -> Any:
    """Of an either/or, the value that is easier to reach (the lower one for >=, the higher for <=)."""
    resolved = [kb.resolve(n, age, sex) for n in names]
    return (min if op.startswith(">") else max)(resolved, key=lambda r: r.value)


def _fallback(
    chart_id: str, phases: list[int], merged: dict[tuple[str, str], dict[str, Any]], in_record: set[int], current: Any
) -> bool:
    """A chart none of whose gates applied in the recorded weeks shows one gate across it: the next
    one ahead of the current phase (or, past them all, the last)."""
    own = [sorted(e["phases"]) for (c, _), e in merged.items() if c == chart_id]
    if any(in_record & set(p) for p in own):
        return False
    ahead = [p for p in own if current is None or p[0] >= current]
    chosen = min(ahead) if ahead else max(own)
    return phases == chosen


def _phases_text(phases: list[int]) -> str:
    """``to leave phases 2 and 3`` / ``to leave phases 1-4`` (consecutive)."""
    if phases == list(range(phases[0], phases[-1] + 1)) and len(phases) > 2:
        return f"to leave phases {phases[0]}-{phases[-1]}"
    return "to leave phases " + ", ".join(map(str, phases[:-1])) + f" and {phases[-1]}"


def build_targets(
    gates: list[dict[str, Any]],
    kb: Knowledge,
    runner: dict[str, Any],
    segments: list[tuple[int, int, int]],
    span: tuple[int, int],
) -> dict[str, list[Target]]:
    """chart id -> its target lines, one per knowledge value, over the weeks of the phases it gates."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for g in gates:
        spec = GATE_FACTS[g["fact"]]
        value = _easier(kb, g["names"], g["op"], runner.get("age"), runner.get("sex"))
        entry = merged.setdefault((spec.chart, value.name), {"value": value, "spec": spec, "phases": set()})
        entry["phases"].add(g["phase"])
    out: dict[str, list[Target]] = {}
    in_record = {p for _, _, p in segments}
    current = segments[-1][2] if segments else None
    for (chart_id, name), e in sorted(merged.items()):
        v, phases = e["value"], sorted(e["phases"])
        segs: list[tuple[float, float, float]] = [(a, b, v.value) for a, b, p in segments if p in phases]
        if not segs:
            if not _fallback(chart_id, phases, merged, in_record, current):
                continue
            segs = [(span[0], span[1], v.value)]  # the gate ahead, drawn across the chart
        unit = SHORT_UNITS.get(v.unit, f" {v.unit}")
        gate_of = f"from phase {phases[0]} to {phases[0] + 1}" if len(phases) == 1 else _phases_text(phases)
        detail = f"the gate {gate_of}" + (f" ({v.note})" if v.note else "")
        label = f"{e['spec'].word} {fmt(v.value)}{unit}"
        out.setdefault(chart_id, []).append(Target(name, label, segs, detail))
    return out


# ---- measures per week -------------------------------------------------------------------------
def _get(doc: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _weekly(data: dict[str, Any], path: str, diary_key: str | None = None) -> dict[int, tuple[Any, bool]]:
    """week -> (value in force, measured that week?) for the value at ``path`` of the current report
    (or the diary's ``diary_key``); weeks after a measurement carry it forward."""
    measured: dict[int, Any] = {}
    for r in data["reports"]:
        if any(c == path or c.startswith(path + ".") for c in r["changed"]):
            value = _get(r["doc"], path)
            if value is not None:
                measured[r["week"]] = value
    if diary_key:
        for e in data["diary"]:
            if e.get(diary_key) is not None:
                measured[e["week"]] = e[diary_key]
    weeks = sorted({e["week"] for e in data["diary"]} | {r["week"] for r in data["reports"]} | set(measured))
    out: dict[int, tuple[Any, bool]] = {}
    last: Any = None
    for w in weeks:
        if w in measured:
            last = measured[w]
            out[w] = (last, True)
        elif last is not None:
            out[w] = (last, False)
    return out


def _points(weekly: dict[int, tuple[Any, bool]], value: Callable[[Any], float | None]) -> list[Point]:
    out = []
    for w, (v, measured) in sorted(weekly.items()):
        number = value(v)
        if number is not None:
            out.append(Point(w, number, carried=not measured))
    return out


def _weaker(pair: Any) -> float | None:
    return min(pair["left"], pair["right"]) if isinstance(pair, dict) else None


def _lsi(pair: Any) -> float | None:
    if not isinstance(pair, dict) or max(pair["left"], pair["right"]) <= 0:
        return None
    lsi: float = round(min(pair["left"], pair["right"]) / max(pair["left"], pair["right"]) * PERCENT, 1)
    return lsi


def _side(side: str) -> Callable[[Any], float | None]:
    return lambda pair: pair[side] if isinstance(pair, dict) else None


def _scalar(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


# ---- the charts ------------------------------------------------------------------------------
def _target_values(targets: dict[str, list[Target]], chart_id: str) -> list[float]:
    return [seg[2] for t in targets.get(chart_id, []) for seg in t.segments]


def _pain_charts(data: dict[str, Any], kb: Knowledge) -> list[Chart]:
    safe, acceptable, top = kb.value("pain.safe_max"), kb.value("pain.acceptable_max"), kb.nrs_max
    bands = [
        (0, safe, COLORS["green"], f"safe (0-{fmt(safe)})"),
        (safe, acceptable, COLORS["amber"], f"acceptable (up to {fmt(acceptable)})"),
        (acceptable, top, COLORS["red"], f"too much (over {fmt(acceptable)})"),
    ]
    scale = f"pain 0-{top}"
    specs = [
        ("chart-morning-pain", "Morning pain (first steps)", "pain.morning", "pain_morning", "morning pain"),
        ("chart-pain-during", "Pain during exercise or running", "pain.during", None, "pain during"),
        ("chart-pain-after", "Pain after exercise or running", "pain.after", None, "pain after"),
    ]
    return [
        Chart(
            cid, title, scale, top, [Series(label, COLORS["main"], _points(_weekly(data, path, key), _scalar))], bands
        )
        for cid, title, path, key, label in specs
    ] + [
        Chart(
            "chart-hop-pain",
            "Pain on single-leg hopping",
            scale,
            top,
            [Series("hop pain", COLORS["main"], _points(_weekly(data, "tests.hop_pain"), _scalar))],
            bands,
        )
    ]


def _balance_charts(data: dict[str, Any], kb: Knowledge, targets: dict[str, list[Target]]) -> list[Chart]:
    cap = kb.int_value("balance.test_cap_s")
    opened = _weekly(data, "tests.balance_eyes_open_s", "balance_eyes_open_s")
    closed = _weekly(data, "tests.balance_eyes_closed_s")
    return [
        Chart(
            "chart-balance",
            "Single-leg balance, eyes open, weaker leg",
            "seconds",
            cap,
            [Series("weaker leg", COLORS["main"], _points(opened, _weaker))],
        ),
        Chart(
            "chart-balance-closed",
            "Single-leg balance, eyes closed, weaker leg",
            "seconds",
            nice_top([p.value for p in _points(closed, _weaker)] + _target_values(targets, "chart-balance-closed"), 1),
            [Series("weaker leg", COLORS["main"], _points(closed, _weaker))],
        ),
    ]


def _strength_charts(data: dict[str, Any], kb: Knowledge, targets: dict[str, list[Target]]) -> list[Chart]:
    heel = _weekly(data, "tests.heel_raises", "heel_raises")
    left, right = _points(heel, _side("left")), _points(heel, _side("right"))
    opened = _weekly(data, "tests.balance_eyes_open_s", "balance_eyes_open_s")
    return [
        Chart(
            "chart-heel-raises",
            "Single-leg heel raises",
            "repetitions",
            nice_top([p.value for p in left + right] + _target_values(targets, "chart-heel-raises"), HEEL_RAISES_FLOOR),
            [
                Series("left", COLORS["left"], left, "series left"),
                Series("right", COLORS["right"], right, "series right"),
            ],
        ),
        Chart(
            "chart-lsi",
            "Symmetry: weaker leg as % of the stronger (LSI)",
            "% of the stronger leg",
            PERCENT,
            [
                Series("heel raises", COLORS["main"], _points(heel, _lsi), "series heel-lsi"),
                Series("balance, eyes open", COLORS["second"], _points(opened, _lsi), "series balance-lsi"),
            ],
        ),
    ]


def build_charts(
    data: dict[str, Any], kb: Knowledge, gates: list[dict[str, Any]]
) -> tuple[list[Chart], list[dict[str, Any]], tuple[int, int]]:
    """The report's charts, the phase changes ({week, phase, name}) and the week range."""
    phase_by_week = [(r["week"], r["phase"]) for r in data["reports"]]
    marks, last = [], None
    for week, phase in phase_by_week:
        if last is not None and phase != last:
            marks.append({"week": week, "phase": phase, "name": kb.phase_name(phase)})
        last = phase
    weeks = [e["week"] for e in data["diary"]] + [w for w, _ in phase_by_week]
    span = (min(weeks), max(weeks)) if weeks else (0, 1)
    segments = _phase_segments(phase_by_week, span[1])
    targets = build_targets(gates, kb, data["runner"], segments, span)
    charts = [*_pain_charts(data, kb), *_balance_charts(data, kb, targets), *_strength_charts(data, kb, targets)]
    order = [
        "chart-morning-pain",
        "chart-pain-during",
        "chart-pain-after",
        "chart-balance",
        "chart-balance-closed",
        "chart-heel-raises",
        "chart-lsi",
        "chart-hop-pain",
    ]
    charts.sort(key=lambda c: order.index(c.id))
    for c in charts:
        c.targets = targets.get(c.id, [])
    return charts, marks, span
