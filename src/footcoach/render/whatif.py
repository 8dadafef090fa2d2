"""What-if and nearest progress as text for a physiotherapist."""

from __future__ import annotations

from typing import Any


def _decision(d: dict[str, Any]) -> str:
    return f"{d['action']} (train in phase {d['next_phase']} next)"


def what_if_text(result: dict[str, Any]) -> str:
    """``what_if``'s record: the decision without and with the changes, and what changed."""
    out = [
        "What if: " + "; ".join(result["changes"]),
        f"  now:          {_decision(result['before'])}",
        f"  with changes: {_decision(result['after'])}",
    ]
    if not result["decision_changed"]:
        out.append("  the decision would not change")
    for key, words in (
        ("rules_now_firing", "rules that would fire"),
        ("rules_no_longer_firing", "rules that would no longer fire"),
    ):
        if result[key]:
            out.append(f"  {words}: {', '.join(result[key])}")
    for key, sign in (("recommendations_added", "+"), ("recommendations_removed", "-")):
        out += [f"  {sign} {r['kind']} ({r['rule']})" for r in result[key]]
    return "\n".join(out) + "\n"


def _change(c: dict[str, Any]) -> str:
    old = "not measured" if c["from"] is None else f"{c['from']:g}"
    return f"{c['label']} {old} -> {c['to']:g} {c['unit']}".rstrip()


def nearest_progress_text(result: dict[str, Any]) -> str:
    """``nearest_progress``'s record: the smallest changes to measured values that would progress."""
    if result["already_progresses"]:
        return "Nearest progress: the runner progresses already; nothing needs to change.\n"
    out = [f"Nearest progress (the decision now: {result['action']}):"]
    for n, option in enumerate(result["options"], 1):
        out.append(f"  {n}. " + "; ".join(_change(c) for c in option))
    if not result["options"]:
        out.append("  no change to the measured values alone would make the runner progress; also needed:")
        out += [f"  - {words}" for words in result["not_reachable_by_measures"]]
    return "\n".join(out) + "\n"
