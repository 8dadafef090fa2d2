"""The physiotherapist's reasoning as text: why not a stronger action, and the trace.

Renders the ``why_not`` and ``trace`` records of an assessment; every line is wrapped to the
width given, never inside a word.
"""

from __future__ import annotations

from typing import Any

from footcoach.common.wrapping import wrap


def cond_text(c: dict[str, Any]) -> str:
    """One condition record in a physiotherapist's words (fact, value, operator, threshold)."""
    if "any" in c:
        held = [b for b in c["any"] if b.get("holds")]
        if c.get("holds") and held and len(held) < len(c["any"]):
            # a condition that held through one branch: the branch that failed would read as a fault
            return " or ".join(cond_text(b) for b in held) + f" (one of {len(c['any'])} either/or branches)"
        return " or ".join(cond_text(b) for b in c["any"])
    if "finding" in c:
        s = f"finding {c['finding']}" + (f" = {c['value']}" if c.get("value") else "")
        if not c.get("holds"):
            s += " not reached" + (f" (instead: {', '.join(c['instead'])})" if c.get("instead") else "")
        elif c.get("from_step"):
            s += f" (step {c['from_step']})"
        return s
    if "no_finding" in c:
        value = f" = {c['value']}" if c.get("value") else ""
        return f"no {c['no_finding']}{value}" + ("" if c.get("holds") else " (but it was reached)")
    if c.get("missing"):
        return f"{c['fact']} not measured (missing)"
    if "literal" in c:

        def word(v: object) -> object:
            return str(v).lower() if isinstance(v, bool) else v

        if c["op"] == "==":
            needs = "" if c.get("holds") else f" (needs {word(c['literal'])})"
            return f"{c['fact']} is {word(c['value'])}{needs}"
        return f"{c['fact']} {word(c['value'])} {c['op']} {word(c['literal'])}" + ("" if c.get("holds") else " (fails)")
    t = c["threshold"]
    right = f"{t['name']} {t['value']}"
    if "times" in c:
        right = f"{t['value']} x {c['times']['fact']} {c['times']['value']} = {c.get('compared_with', '?')}"
    s = (
        f"{c['fact']} {c['value']} {c['op']} {right}"
        if c.get("holds", True)
        else f"{c['fact']} {c['value']}, needs {c['op']} {right}"
    )
    if t.get("note"):
        s += f" [{t['note']}]"
    if "short_by" in c:
        s += f", short by {c['short_by']}"
    if "over_by" in c:
        s += f", over by {c['over_by']}"
    return s


def _only_false_flags(because: list[dict[str, Any]]) -> bool:
    return len(because) > 2 and all(
        len(b["failing"]) == 1 and b["failing"][0].get("literal") is True and b["failing"][0].get("value") is False
        for b in because
    )


def _failing_lines(failing: list[dict[str, Any]], indent: str, out: list[str], width: int) -> None:
    """Each failing condition; a missing finding is followed by why its producers did not fire."""
    for c in failing:
        out += wrap(f"- {cond_text(c)}", width, indent, indent + "    ")
        because = c.get("because", [])
        if _only_false_flags(because):
            names = ", ".join(b["failing"][0]["fact"].split(".")[-1] for b in because)
            out += wrap(f"none reported ({len(because)} checked: {names})", width, indent + "    ", indent + "      ")
            continue
        for b in because:
            if not b["failing"]:
                continue
            leaves = [x for x in b["failing"] if "because" not in x]
            nested = [x for x in b["failing"] if "because" in x]
            if leaves:
                text = f"{b['rule']}: " + "; ".join(cond_text(x) for x in leaves)
                out += wrap(text, width, indent + "    ", indent + "      ")
            if nested:
                _failing_lines(nested, indent + "    ", out, width)


def why_not_lines(a: dict[str, Any], width: int) -> list[str]:
    """Why no stronger action: each stronger action's rules with the conditions that fail."""
    out: list[str] = []
    if not a.get("why_not"):
        return out
    out += ["", "Why not a stronger action"]
    for w in a["why_not"]:
        out.append(f"  not {w['action']}:")
        for r in w["rules"]:
            out.append(f"    {r['rule']}:")
            _failing_lines(r["failing"], "      ", out, width)
    return out


def trace_lines(a: dict[str, Any], width: int) -> list[str]:
    """Every rule that fired, in order, with its conditions, derived values and sources."""
    out = ["", "Trace"]
    for t in a["trace"]:
        subj = f" ({t['subject']})" if t.get("subject") else ""
        concl = f" => {t['concluded']['finding']} = {t['concluded']['value']}" if t.get("concluded") else ""
        rec = f" => recommends {t['recommended']}" if t.get("recommended") else ""
        out += wrap(f"{t['step']}. {t['rule']}{subj}{concl}{rec}", width, "  ", "       ")
        for c in t["conditions"]:
            out += wrap(cond_text(c), width, "       ", "         ")
            if c.get("derived"):
                out += wrap(f"({c['fact']}: {c['derived']})", width, "         ", "          ")
        for src in t["sources"]:
            out += wrap(f"source: {src['citation']} [{src['evidence']}]", width, "       ", "         ")
    return out
