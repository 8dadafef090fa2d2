"""What-if and nearest progress: "what would change if ...?" and "what would it take?" for one runner.

``what_if`` applies contract-path changes (``tests.balance_eyes_open_s.left=41``) to a state document and
assesses it before and after. ``nearest_progress`` searches the smallest changes to *measured* values (the
balance, heel-raise and hop tests) that would make the runner progress: one measure at a time, then pairs.

The search is driven by the knowledge base, never by numbers written here: the values it tries for a
measure are the knowledge values in that measure's unit (gates and age/sex norms, resolved for this runner)
and, for every percentage threshold (the limb symmetry index), that share of the other leg. Between two such
values no comparison of a rule can change, so the first value that progresses is the smallest.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from footcoach.contract.errors import InputError
from footcoach.governance.assessing import Assessor, decision_of

PERCENT_UNIT = "%"
MAX_OPTIONS = 3  # not clinical: how many options nearest progress lists


@dataclass(frozen=True)
class Measure:
    """A measured value a runner can change by training: where it lives, its unit and scale."""

    path: str
    label: str
    unit: str
    lo: float
    hi: float
    step: Decimal  # the resolution a clinician records it at
    better: int  # +1: more is better (seconds, repetitions); -1: less is better (pain)
    partner: str | None = None  # the other leg's path

    @property
    def family(self) -> str:
        """The test this measure belongs to (``tests.heel_raises`` for ``tests.heel_raises.left``)."""
        return self.path.rpartition(".")[0] if self.partner else self.path


@dataclass(frozen=True)
class Change:
    path: str
    label: str
    old: float | None
    new: float
    unit: str

    def as_record(self) -> dict[str, Any]:
        return {"field": self.path, "label": self.label, "from": self.old, "to": self.new, "unit": self.unit}

    def words(self) -> str:
        old = "not measured" if self.old is None else _fmt(self.old)
        return f"{self.label} {old} -> {_fmt(self.new)} {self.unit}".rstrip()


@dataclass
class NearestProgress:
    action: str
    already: bool = False
    options: list[list[Change]] = field(default_factory=list)
    not_by_measures: list[str] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "already_progresses": self.already,
            "options": [[c.as_record() for c in option] for option in self.options],
            "not_reachable_by_measures": self.not_by_measures,
        }


def _fmt(v: float) -> str:
    return f"{v:g}"


# --------------------------------------------------------------------------------------------------
# what-if


def parse_change(text: str) -> tuple[list[str | int], Any]:
    """``a.b.c=VALUE`` (list items by index: ``history.2.pain_morning=3``); VALUE is JSON or plain text."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise InputError([f"--what-if: value {text!r}: allowed: FIELD=VALUE, e.g. tests.heel_raises.left=12"])
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.strip().split(".")]
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw.strip()
    return parts, value


def apply_changes(doc: dict[str, Any], changes: list[str]) -> dict[str, Any]:
    """A copy of ``doc`` with each ``FIELD=VALUE`` applied (missing objects on the way are created)."""
    out = copy.deepcopy(doc)
    for text in changes:
        parts, value = parse_change(text)
        node: Any = out
        for i, key in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(node, list):
                if not isinstance(key, int) or key >= len(node):
                    raise InputError([f"--what-if: {text}: {'.'.join(map(str, parts[: i + 1]))}: no such list item"])
                node = node[key]
                continue
            if not isinstance(node, dict):
                raise InputError([f"--what-if: {text}: {'.'.join(map(str, parts[:i]))} is not an object"])
            if node.get(key) is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
        last = parts[-1]
        if isinstance(node, dict):  # noqa: SIM114 - apart, so that a list's index is known to be an int
            node[last] = value
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node[last] = value
        else:
            raise InputError([f"--what-if: {text}: cannot set {'.'.join(map(str, parts))}"])
    return out


def _fired(assessment: dict[str, Any]) -> set[str]:
    return {step["rule"] for step in assessment.get("trace", []) if isinstance(step, dict) and "rule" in step}


def _recs(assessment: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["kind"], r["rule"]) for r in assessment.get("recommendations", [])}


def what_if(assessor: Assessor, doc: dict[str, Any], changes: list[str]) -> dict[str, Any]:
    """The assessment with and without the changes, and what changed between them."""
    before = assessor.full(doc)
    changed_doc = apply_changes(doc, changes)
    try:
        after = assessor.full(changed_doc)
    except InputError as exc:
        raise InputError([f"--what-if: {p}" for p in exc.problems]) from None
    fired_before, fired_after = _fired(before), _fired(after)
    recs_before, recs_after = _recs(before), _recs(after)
    return {
        "changes": changes,
        "before": decision_of(before),
        "after": decision_of(after),
        "decision_changed": decision_of(before) != decision_of(after),
        "rules_now_firing": sorted(fired_after - fired_before),
        "rules_no_longer_firing": sorted(fired_before - fired_after),
        "recommendations_added": [{"kind": k, "rule": r} for k, r in sorted(recs_after - recs_before)],
        "recommendations_removed": [{"kind": k, "rule": r} for k, r in sorted(recs_before - recs_after)],
        "assessment_after": after,
    }


# --------------------------------------------------------------------------------------------------
# nearest progress


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _set(doc: dict[str, Any], path: str, value: float, measures: dict[str, Measure]) -> None:
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
    node[last] = value
    m = measures[path]
    if m.partner and _get(doc, m.partner) is None:
        # A two-legged test needs both legs: an unmeasured other leg is taken at the same value.
        _set(doc, m.partner, value, measures)


def _snap(value: float, m: Measure) -> float:
    """``value`` rounded (in the improving direction) to the resolution the measure is recorded at."""
    q = (Decimal(str(value)) / m.step).to_integral_value(rounding=ROUND_CEILING if m.better > 0 else "ROUND_FLOOR")
    out = q * m.step
    return int(out) if out == out.to_integral_value() else float(out)


def _candidates(assessor: Assessor, doc: dict[str, Any], m: Measure) -> list[float]:
    """Values to try for ``m``, nearest first: knowledge values in its unit and shares of the other leg."""
    runner = doc.get("runner") or {}
    values = set(assessor.knowledge_values(m.unit, runner.get("age"), runner.get("sex")))
    other = _get(doc, m.partner) if m.partner else None
    if other is not None:
        for pct in assessor.knowledge_values(PERCENT_UNIT, None, None):
            values.add(other * pct / 100)
            if pct:
                values.add(other * 100 / pct)
        values.add(other)
    values.add(m.hi if m.better > 0 else m.lo)
    current = _get(doc, m.path)
    start = (m.lo if m.better > 0 else m.hi) if current is None else current
    snapped = {_snap(v, m) for v in values if m.lo <= v <= m.hi}
    ahead = [v for v in snapped if (v - start) * m.better > 0 or (current is None and v == start)]
    return sorted(ahead, key=lambda v: abs(v - start))


def _progresses(assessor: Assessor, doc: dict[str, Any]) -> bool:
    try:
        action: str = assessor.decide(doc)["action"]
        return action == "progress"
    except InputError:
        return False


def _try(assessor: Assessor, doc: dict[str, Any], setting: dict[str, float], ms: dict[str, Measure]) -> bool:
    trial = copy.deepcopy(doc)
    for path, value in setting.items():
        _set(trial, path, value, ms)
    return _progresses(assessor, trial)


def _option(doc: dict[str, Any], setting: dict[str, float], ms: dict[str, Measure]) -> list[Change]:
    """The changes of one setting, with an unmeasured other leg named too (it must be measured)."""
    full = dict(setting)
    for path, value in setting.items():
        partner = ms[path].partner
        if partner and partner not in full and _get(doc, partner) is None:
            full[partner] = value
    return [Change(p, ms[p].label, _get(doc, p), v, ms[p].unit) for p, v in sorted(full.items())]


def _cost(option: list[Change], ms: dict[str, Measure]) -> float:
    """How far an option moves the measures, each as a share of its scale (for ordering only)."""
    total = 0.0
    for c in option:
        m = ms[c.path]
        start = (m.lo if m.better > 0 else m.hi) if c.old is None else c.old
        total += abs(c.new - start) / ((m.hi - m.lo) or 1)
    return total


def nearest_progress(assessor: Assessor, doc: dict[str, Any], max_options: int = MAX_OPTIONS) -> NearestProgress:
    """The smallest changes to measured values that would make this runner progress."""
    decided = assessor.decide(doc)
    result = NearestProgress(action=decided["action"])
    if decided["action"] == "progress":
        result.already = True
        return result
    full, leaves = assessor.failing_conditions(doc)
    items = full.get("progress_blocked_by", {}).get("items", [])
    named = {str(leaf.get("fact", "")) for leaf in leaves} | {str(item.get("fact", "")) for item in items}
    # Only a measure that a failing condition is about can help; the others are not tried.
    ms = {m.path: m for m in measures(assessor) if any(f.startswith(m.family) for f in named)}
    cands = {p: _candidates(assessor, doc, m) for p, m in ms.items()}
    singles: list[list[Change]] = []
    for path, values in cands.items():
        hit = next((v for v in values if _try(assessor, doc, {path: v}, ms)), None)
        if hit is not None:
            singles.append(_option(doc, {path: hit}, ms))
    options = singles
    if not options:
        for a, b in itertools.combinations(ms, 2):
            grid = sorted(itertools.product(range(len(cands[a])), range(len(cands[b]))), key=lambda ij: (sum(ij), ij))
            for i, j in grid:
                setting = {a: cands[a][i], b: cands[b][j]}
                if _try(assessor, doc, setting, ms):
                    options.append(_option(doc, setting, ms))
                    break
    if not options:
        together = _repair(assessor, doc, ms)
        if together:
            options.append(together)
    unique = {tuple(option): option for option in options}.values()
    result.options = sorted(unique, key=lambda o: (_cost(o, ms), [c.path for c in o]))[:max_options]
    if not result.options:
        result.not_by_measures = assessor.blockers_not_measured(doc)
    return result


def _needed_setting(item: dict[str, Any], trial: dict[str, Any], ms: dict[str, Measure]) -> dict[str, float]:
    """The values one blocker asks for: every leg under the gate raised to it, the weaker leg raised to
    the symmetry share of the stronger, hop pain lowered to the gate."""
    family, _, kind = str(item.get("fact", "")).rpartition(".")
    needed = item.get("needed")
    if needed is None:
        return {}
    if f"{family}.{kind}" in ms:  # a measure of its own (hop pain)
        return {f"{family}.{kind}": _snap(float(needed), ms[f"{family}.{kind}"])}
    legs = {leg: _get(trial, f"{family}.{leg}") for leg in ("left", "right")}
    paths = [f"{family}.{leg}" for leg in legs]
    if not all(p in ms for p in paths):
        return {}
    if kind == "lsi":
        stronger = max((v for v in legs.values() if v is not None), default=None)
        weaker_leg = min(legs, key=lambda leg: legs[leg] if legs[leg] is not None else -1)
        if stronger is None:
            return {}
        path = f"{family}.{weaker_leg}"
        return {path: _snap(float(stronger) * float(needed) / 100, ms[path])}
    return {
        f"{family}.{leg}": _snap(float(needed), ms[f"{family}.{leg}"])
        for leg, value in legs.items()
        if value is None or value < needed
    }


def _repair(assessor: Assessor, doc: dict[str, Any], ms: dict[str, Measure]) -> list[Change]:
    """More than two measures together: each blocker's needed value, applied until the runner
    progresses (a symmetry gate can show only once the legs are raised), or nothing."""
    trial = copy.deepcopy(doc)
    setting: dict[str, float] = {}
    for _ in range(len(ms) + 1):
        if _progresses(assessor, trial):
            return _option(doc, setting, ms) if setting else []
        items = assessor.full(trial).get("progress_blocked_by", {}).get("items", [])
        step = {}
        for item in items:
            step.update(_needed_setting(item, trial, ms))
        step = {p: v for p, v in step.items() if _get(trial, p) != v}
        if not step:
            return []
        for path, value in step.items():
            _set(trial, path, value, ms)
        setting.update(step)
    return []


def measures(assessor: Assessor) -> list[Measure]:
    """The measured values of the contract, with their scales from the knowledge base."""
    kb = assessor.kb
    cap_s, reps_max = float(kb.value("balance.test_cap_s")), float(kb.value("contract.reps_max"))
    nrs_max = float(kb.nrs_max)
    out: list[Measure] = []
    tenth = Decimal("0.1")
    for test, words in (("balance_eyes_open_s", "eyes-open balance"), ("balance_eyes_closed_s", "eyes-closed balance")):
        for leg, other in (("left", "right"), ("right", "left")):
            out.append(
                Measure(f"tests.{test}.{leg}", f"{words} {leg} leg", "s", 0, cap_s, tenth, 1, f"tests.{test}.{other}")
            )
    for leg, other in (("left", "right"), ("right", "left")):
        out.append(
            Measure(
                f"tests.heel_raises.{leg}",
                f"heel raises {leg} leg",
                "repetitions",
                0,
                reps_max,
                Decimal(1),
                1,
                f"tests.heel_raises.{other}",
            )
        )
    out.append(Measure("tests.hop_pain", "hop pain", "NRS points", 0, nrs_max, Decimal(1), -1))
    assert all(math.isfinite(m.hi) for m in out)
    return out
