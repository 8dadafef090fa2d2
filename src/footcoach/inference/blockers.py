"""What blocks progress, flat: one item per failing gate measurement, as data.

``explain_not_fired`` gives the tree of why the progress rule of this phase did not fire (progress
rule -> gates met -> one gate -> its conditions).  ``flat_blockers`` walks that tree down to the
measurements and returns each failing one once, with the value now and the value needed; an
either/or condition (eyes-open balance at the age norm *or* the test's cap) becomes the one branch
that is easier to reach, the others kept as ``alternatives``; a missing measurement becomes one
item per test, with how to measure it (``knowledge/measurements.yaml``).  Text, HTML and JSON
render these items; none of them re-reads the tree.
"""

from __future__ import annotations

from typing import Any

from footcoach.knowledge.base import Knowledge
from footcoach.knowledge.measurements import Measurement, load_measurements, measurement_for

_PHASE_FACT = "program.phase"


def flat_blockers(kb: Knowledge, blocked_rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failing measurements under ``progress_blocked_by.rules``, each once, in rule order."""
    measurements = load_measurements(kb)
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for r in blocked_rules:
        _walk(kb, measurements, r["failing"], r["rule"], out, seen)
    return out


def _walk(
    kb: Knowledge,
    measurements: dict[str, Measurement],
    failing: list[dict[str, Any]],
    gate: str,
    out: list[dict[str, Any]],
    seen: set[tuple[Any, ...]],
) -> None:
    for c in failing:
        if c.get("because"):
            for b in c["because"]:
                _walk(kb, measurements, b["failing"], b["rule"], out, seen)
            continue
        if "any" in c:
            branches = [_leaf(kb, measurements, b, gate) for b in c["any"] if b.get("fact") != _PHASE_FACT]
            if not branches:
                continue
            best = min(branches, key=_distance)
            others = [_alternative(b) for b in branches if b is not best and not b.get("missing")]
            if others and not best.get("missing"):
                best["alternatives"] = others
            _add(best, out, seen)
        elif "fact" in c and c["fact"] != _PHASE_FACT:
            _add(_leaf(kb, measurements, c, gate), out, seen)
        elif "finding" in c or "no_finding" in c:
            # A finding with no rule to explain it (none producing it for this phase).
            name = c.get("finding") or c.get("no_finding")
            _add({"gate": gate, "finding": name, "value": c.get("value")}, out, seen)


def _leaf(kb: Knowledge, measurements: dict[str, Measurement], c: dict[str, Any], gate: str) -> dict[str, Any]:
    item: dict[str, Any] = {"gate": gate, "fact": c["fact"], "label": c["label"], "op": c["op"]}
    m = measurement_for(c["fact"], measurements)
    item["words"] = (m.words_for(c["fact"]) if m else None) or c["label"]
    if c.get("missing"):
        item["missing"] = True
        if m is not None:
            item["measure"] = {
                "test": m.field,
                "label": m.label,
                "how": m.how,
                "source": kb.source_record(m.source),
            }
    else:
        item["value"] = c["value"]
    if "literal" in c:
        item["needed"] = c["literal"]
    else:
        t = c["threshold"]
        item["needed"] = c.get("compared_with", t["value"])
        item["threshold"] = t["name"]
        item["unit"] = t["unit"]
        if t.get("note"):
            item["note"] = t["note"]
        norm = kb.norms.get(t["name"])
        if norm is not None:
            item["norm_for"] = "age and sex" if norm.by_sex else "age"
    for k in ("short_by", "over_by"):
        if k in c:
            item[k] = c[k]
    return item


def _distance(item: dict[str, Any]) -> tuple[int, float]:
    """How far a branch is from passing: measured before missing, then the smaller gap relative to the mark."""
    if item.get("missing"):
        return (1, 0.0)
    gap = item.get("short_by", item.get("over_by"))
    needed = item.get("needed")
    if isinstance(gap, (int, float)) and isinstance(needed, (int, float)) and not isinstance(needed, bool) and needed:
        return (0, abs(gap / needed))
    return (0, float("inf"))


def _alternative(item: dict[str, Any]) -> dict[str, Any]:
    alt = {k: item[k] for k in ("op", "needed", "threshold", "unit", "short_by", "over_by") if k in item}
    alt["fact"] = item["fact"]
    return alt


def _add(item: dict[str, Any], out: list[dict[str, Any]], seen: set[tuple[Any, ...]]) -> None:
    if item.get("missing") and "measure" in item:
        key: tuple[Any, ...] = ("missing", item["measure"]["test"])
    else:
        key = (item.get("fact") or item.get("finding"), item.get("op"), str(item.get("needed", item.get("value"))))
    if key not in seen:
        seen.add(key)
        out.append(item)
