"""The derivation of facts from a runner's state (the names are declared in
:mod:`footcoach.rulebook.facts`, the fact catalogue).  Derived facts (weaker leg, limb symmetry index, diary
trends) carry a note saying how they were computed; the explanation trace shows it.

Window sizes and tolerances used by derivations are knowledge values, read by name.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from footcoach.contract.state import BalancePair, RepsPair, Running, State
from footcoach.inference.comparison import exact
from footcoach.knowledge.base import Knowledge, num
from footcoach.rulebook.facts import RUNNER, FactSpec, catalogue

__all__ = ["RUNNER", "FactSpec", "Obs", "catalogue", "derive"]


class Obs(NamedTuple):
    """One observed or derived fact about a subject (the runner, or one shoe); a named tuple, as
    ``derive`` makes about fifty for every assessment."""

    name: str
    value: Any
    subject: str = RUNNER
    note: str = ""


def _n(v: float) -> float | int:
    """For notes only; facts keep their raw values so comparisons are exact."""
    shown: float | int = num(v, 2)
    return shown


def _raw(v: float) -> float | int:
    """3.0 -> 3 so JSON reads as written; never rounds."""
    raw: float | int = num(v)
    return raw


def _pair(prefix: str, pair: BalancePair | RepsPair | None, out: list[Obs], subject: str = RUNNER) -> None:
    if pair is None:
        return
    left, right = pair.left, pair.right
    out.append(Obs(f"{prefix}.left", _raw(left), subject))
    out.append(Obs(f"{prefix}.right", _raw(right), subject))
    weaker, stronger = min(left, right), max(left, right)
    out.append(Obs(f"{prefix}.weaker", _raw(weaker), subject, f"the lower of left {_n(left)} and right {_n(right)}"))
    lsi = 100.0 if stronger == 0 else exact("*", exact("/", weaker, stronger), 100)
    out.append(
        Obs(
            f"{prefix}.lsi",
            _raw(lsi),
            subject,
            f"{_n(weaker)} / {_n(stronger)} x 100" if stronger else "both legs 0: symmetric",
        )
    )


def _percent(pct: float, ratio_limit: float) -> float | int:
    """A whole percent for people ("17 %"), with one decimal where rounding would land on or under
    the limit it is compared with (10.4 % over a 10 % limit must not read "10 %")."""
    whole = round(pct)
    return round(pct, 1) if whole <= round((ratio_limit - 1) * 100) < pct else whole


def _weaker(pair: BalancePair | RepsPair | None) -> float | None:
    return None if pair is None else min(pair.left, pair.right)


def derive(state: State, kb: Knowledge) -> list[Obs]:
    """All facts of one state, observed and derived, in a fixed order."""
    out: list[Obs] = []
    _profile_facts(state, kb, out)
    t = state.tests
    _pair("tests.balance_eyes_open_s", t.balance_eyes_open_s, out)
    _pair("tests.balance_eyes_closed_s", t.balance_eyes_closed_s, out)
    _pair("tests.heel_raises", t.heel_raises, out)
    if t.hop_pain is not None:
        out.append(Obs("tests.hop_pain", t.hop_pain))
    _history_facts(state, kb, out)
    _window_facts(state.history[-kb.int_value("stall.window_entries") :], out)
    _shoe_facts(state, out)
    _running_facts(state.running, kb, out)
    return out


def _profile_facts(state: State, kb: Knowledge, out: list[Obs]) -> None:
    """The runner, the program, pain and the red flags (every known flag, reported or not)."""
    r, p, pain = state.runner, state.program, state.pain
    out.append(Obs("runner.age", r.age))
    if r.sex:
        out.append(Obs("runner.sex", r.sex))
    if r.experience:
        out.append(Obs("runner.experience", r.experience))
    out.append(Obs("program.phase", p.phase))
    out.append(Obs("program.weeks_in_phase", p.weeks_in_phase))
    out.append(Obs("program.previous_phase", max(1, p.phase - 1)))
    if p.phase + 1 in kb.phases:
        out.append(Obs("program.following_phase", p.phase + 1))
    if p.weeks_in_program is not None:
        out.append(Obs("program.weeks_in_program", p.weeks_in_program))
    else:
        out.append(
            Obs("program.weeks_in_program", p.weeks_in_phase, note="not given: weeks_in_phase used as a lower bound")
        )
    out.append(Obs("pain.during", pain.during))
    out.append(Obs("pain.after", pain.after))
    out.append(Obs("pain.morning", pain.morning))
    worst = max(pain.during, pain.after)
    out.append(Obs("pain.worst", worst, note=f"the higher of during {pain.during} and after {pain.after}"))
    out.append(Obs("pain.settled_next_morning", pain.settled_next_morning))
    out.append(Obs("pain.sharp", pain.sharp))
    reported = set(state.red_flags)
    for flag in kb.red_flags:
        out.append(Obs(f"red_flags.{flag}", flag in reported))


def _history_facts(state: State, kb: Knowledge, out: list[Obs]) -> None:
    """The diary: its size, the latest and first morning pain, the improvement, rising pain."""
    h, pain = state.history, state.pain
    out.append(Obs("history.count", len(h)))
    if h:
        if h[-1].pain_morning is not None:
            out.append(Obs("history.latest.pain_morning", h[-1].pain_morning, note=f"week {h[-1].week}"))
        first = next((e for e in h if e.pain_morning is not None), None)
        if first is not None and first.pain_morning is not None:
            out.append(Obs("history.first.pain_morning", first.pain_morning, note=f"week {first.week}"))
            out.append(
                Obs(
                    "pain.morning_improvement",
                    first.pain_morning - pain.morning,
                    note=f"first diary morning pain {first.pain_morning} (week {first.week}) "
                    f"minus current {pain.morning}",
                )
            )
    n_rise = kb.int_value("pain.rising_entries")
    last = h[-n_rise:]
    values = [e.pain_morning for e in last]
    known = [v for v in values if v is not None]
    rising = len(last) == n_rise and len(known) == n_rise and all(a < b for a, b in zip(known, known[1:]))
    shown = ", ".join("-" if v is None else str(v) for v in values) or "none"
    out.append(Obs("history.pain_morning_rising", rising, note=f"latest {n_rise} diary morning pain: {shown}"))


def _shoe_facts(state: State, out: list[Obs]) -> None:
    """How many shoes, and each shoe's facts about that shoe."""
    out.append(Obs("shoes.count", len(state.shoes)))
    for i, shoe in enumerate(state.shoes):
        subj = f"shoes[{i}]"
        out.append(Obs("shoe.name", shoe.name, subj))
        if shoe.km is not None:
            out.append(Obs("shoe.km", _raw(shoe.km), subj))
        if shoe.drop_mm is not None:
            out.append(Obs("shoe.drop_mm", _raw(shoe.drop_mm), subj))
        out.append(Obs("shoe.minimalist", shoe.minimalist, subj))
        if shoe.weeks_worn is not None:
            out.append(Obs("shoe.weeks_worn", shoe.weeks_worn, subj))


def _running_facts(run: Running, kb: Knowledge, out: list[Obs]) -> None:
    """The distances given, and the long-run and weekly increases where both distances are known."""
    for name in ("weekly_km", "previous_weekly_km", "longest_run_km_30d", "planned_long_run_km"):
        v = getattr(run, name)
        if v is not None:
            out.append(Obs(f"running.{name}", _raw(v)))
    if (
        run.planned_long_run_km is not None
        and run.longest_run_km_30d
        and math.isfinite(run.planned_long_run_km / run.longest_run_km_30d)
    ):
        pct = (run.planned_long_run_km / run.longest_run_km_30d - 1) * 100
        out.append(
            Obs(
                "running.long_run_increase_pct",
                _percent(pct, kb.value("load.long_run_max_ratio")),
                note=f"{_n(run.planned_long_run_km)} km / {_n(run.longest_run_km_30d)} km",
            )
        )
    if run.weekly_km is not None and run.previous_weekly_km and math.isfinite(run.weekly_km / run.previous_weekly_km):
        pct = (run.weekly_km / run.previous_weekly_km - 1) * 100
        out.append(
            Obs(
                "running.weekly_increase_pct",
                _percent(pct, kb.value("load.weekly_max_ratio")),
                note=f"{_n(run.weekly_km)} km / {_n(run.previous_weekly_km)} km",
            )
        )


def _weeks(entries: list[Any]) -> str:
    weeks = [str(e.week) for e in entries]
    return ("week " if len(weeks) == 1 else "weeks ") + " and ".join(weeks)


def _change_words(a: float, b: float, unit: str, up: str, down: str) -> str:
    """``a -> b unit, up N / down N / no change``: a change said with its direction, never a negative amount."""
    d = exact("-", b, a)
    amount_unit = "" if unit.startswith("/") else unit
    change = "no change" if d == 0 else f"{up if d > 0 else down} {_n(abs(d))}{amount_unit}"
    return f"{_n(a)} -> {_n(b)}{unit}, {change}"


def _window_facts(window: list[Any], out: list[Obs]) -> None:
    """The stall window (the first of the latest entries against the latest): gains and the
    morning-pain fall where both entries measured them; otherwise the marker is "not measured"
    (which weeks), which counts as not gained (brief section 6) without pretending a gain of 0."""
    out.append(Obs("history.window.entries", len(window)))
    if not window:
        return
    a, b = window[0], window[-1]
    span = f"week {a.week} to week {b.week}"
    for key, get, unit, words in (
        ("balance", lambda e: _weaker(e.balance_eyes_open_s), " s", "weaker-leg eyes-open balance"),
        ("heel_raise", lambda e: _weaker(e.heel_raises), "", "weaker-leg heel raises"),
        ("pain_morning", lambda e: e.pain_morning, "/10", "morning pain"),
    ):
        va, vb = get(a), get(b)
        missing = [e for e, v in ((a, va), (b, vb)) if v is None]
        measured = not missing
        note = f"{span}: {words} " + (
            f"{_n(va)} -> {_n(vb)}" if va is not None and vb is not None else f"not measured in {_weeks(missing)}"
        )
        out.append(Obs(f"history.window.{key}_measured", measured, note=note))
        if va is None or vb is None:
            out.append(Obs(f"history.window.{key}_change", f"not measured in {_weeks(missing)}"))
            continue
        if key == "pain_morning":
            out.append(Obs("history.window.pain_morning_fall", va - vb, note=note))
            out.append(Obs("history.window.pain_morning_change", _change_words(va, vb, unit, "rose by", "fell by")))
        else:
            gain = "history.window.balance_gain_s" if key == "balance" else "history.window.heel_raise_gain"
            out.append(Obs(gain, _raw(exact("-", vb, va)), note=note))
            out.append(Obs(f"history.window.{key}_change", _change_words(va, vb, unit, "gained", "lost")))
