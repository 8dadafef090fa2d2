"""The assessment as text for people: a physiotherapist's view and a runner's.

Takes the assessment record (the JSON-ready dict ``footcoach.service.assess`` returns) and never
imports the engine: text and JSON are two renderings of the one record.
"""

from __future__ import annotations

from typing import Any

from footcoach.planning.plan import render_plan_text


def _cond_text(c: dict[str, Any]) -> str:
    if "any" in c:
        return " or ".join(_cond_text(b) for b in c["any"])
    if "finding" in c:
        s = f"finding {c['finding']}" + (f" = {c['value']}" if c.get("value") else "")
        if not c.get("holds"):
            s += " not reached" + (f" (instead: {', '.join(c['instead'])})" if c.get("instead") else "")
        elif c.get("from_step"):
            s += f" (step {c['from_step']})"
        return s
    if "no_finding" in c:
        return f"no {c['no_finding']}" + ("" if c.get("holds") else " (but it was reached)")
    if c.get("missing"):
        return f"{c['fact']} not measured (missing)"
    if "literal" in c:

        def word(v):
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


def _only_false_flags(because: list[dict]) -> bool:
    return len(because) > 2 and all(
        len(b["failing"]) == 1 and b["failing"][0].get("literal") is True and b["failing"][0].get("value") is False
        for b in because
    )


def _failing_lines(failing: list[dict], indent: str, out: list[str]) -> None:
    """Each failing condition; a missing finding is followed by why its producers did not fire."""
    for c in failing:
        out.append(f"{indent}- {_cond_text(c)}")
        because = c.get("because", [])
        if _only_false_flags(because):
            names = ", ".join(b["failing"][0]["fact"].split(".")[-1] for b in because)
            out.append(f"{indent}    none reported ({len(because)} checked: {names})")
            continue
        for b in because:
            if not b["failing"]:
                continue
            leaves = [x for x in b["failing"] if "because" not in x]
            nested = [x for x in b["failing"] if "because" in x]
            if leaves:
                out.append(f"{indent}    {b['rule']}: " + "; ".join(_cond_text(x) for x in leaves))
            if nested:
                _failing_lines(nested, indent + "    ", out)


def _leaf_conditions(failing: list[dict]):
    for c in failing:
        if "fact" in c:
            yield c
        for b in c.get("because", []):
            yield from _leaf_conditions(b["failing"])


def runner_blockers(blocked: dict[str, Any]) -> list[str]:
    """What still has to reach its mark before the next phase, in a runner's words."""
    out: list[str] = []
    for r in blocked.get("rules", []):
        for c in _leaf_conditions(r["failing"]):
            if c["fact"] == "program.phase" or c.get("holds"):
                continue
            if c.get("missing"):
                text = f"{c['label']}: not measured yet"
            elif "threshold" in c:
                t = c["threshold"]
                unit = "" if t["unit"] in ("NRS points",) else f" {t['unit']}"
                word = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}.get(c["op"], c["op"])
                text = f"{c['label']}: {c['value']}{unit} now, needs {word} {t['value']}{unit}"
            else:
                text = f"{c['label']}: not yet"
            if text not in out:
                out.append(text)
    return out


def render_text(a: dict[str, Any], audience: str = "physio") -> str:
    """The assessment as text: for a physiotherapist (default) or in a runner's words."""
    lines: list[str] = []
    ph = a["phase"]
    head = f"Action: {a['action'].upper()}"
    lines.append(
        f"{head} - phase {ph['current']} ({ph['current_name']}) -> train in phase {ph['next']} ({ph['next_name']}) next"
    )
    lines.append("")
    lines.append("Recommendations" if audience == "physio" else "What to do")
    for r in a["recommendations"]:
        text = r["summary"] if audience == "physio" else r["runner"]
        tag = f"[{r['kind']}]"
        lines.append(f"  {tag} {text}")
        if audience == "runner" and r["kind"] == "hold" and a.get("progress_blocked_by", {}).get("rules"):
            for item in runner_blockers(a["progress_blocked_by"]):
                lines.append(f"      - {item}")
        if audience == "physio":
            if r.get("reasons"):
                lines.append(f"      because: {'; '.join(r['reasons'])}")
            lines.append(f"      rule {r['rule']}; trace steps {', '.join(map(str, r['because']))}")
    for note in a.get("notes", []):
        lines.append(f"  note: {note}")
    if audience == "physio":
        if a.get("why_not"):
            lines.append("")
            lines.append("Why not a stronger action")
            for w in a["why_not"]:
                lines.append(f"  not {w['action']}:")
                for r in w["rules"]:
                    lines.append(f"    {r['rule']}:")
                    _failing_lines(r["failing"], "      ", lines)
        blocked = a.get("progress_blocked_by")
        if blocked:
            lines.append("")
            lines.append("What blocks progress")
            if "note" in blocked:
                lines.append(f"  {blocked['note']}")
            rules = blocked.get("rules", [])
            if rules and not any(r["failing"] for r in rules):
                lines.append("  nothing: every gate of this phase passes; a stronger action applies")
            for r in rules:
                _failing_lines(r["failing"], "  ", lines)
        if a.get("superseded"):
            lines.append("")
            lines.append("Also indicated, but a stronger action takes precedence")
            for s in a["superseded"]:
                lines.append(f"  [{s['kind']}] {s['rule']}: {s['summary']}")
        lines.append("")
        lines.append("Trace")
        for t in a["trace"]:
            subj = f" ({t['subject']})" if t.get("subject") else ""
            concl = f" => {t['concluded']['finding']} = {t['concluded']['value']}" if t.get("concluded") else ""
            rec = f" => recommends {t['recommended']}" if t.get("recommended") else ""
            lines.append(f"  {t['step']}. {t['rule']}{subj}{concl}{rec}")
            for c in t["conditions"]:
                lines.append(f"       {_cond_text(c)}")
                if c.get("derived"):
                    lines.append(f"         ({c['fact']}: {c['derived']})")
            for src in t["sources"]:
                lines.append(f"       source: {src['citation']} [{src['evidence']}]")
    plan = a.get("plan")
    if plan and plan.get("paused"):
        lines.append("")
        lines.append(f"This week's plan: paused ({plan['why']})")
        for s in plan["see"]:
            lines.append(f"  - see {s['whom']} {s['how_soon']}; until then, {s['meanwhile']}")
    elif plan:
        lines.append("")
        lines.append(render_plan_text(plan).rstrip())
    lines.append("")
    lines.append(a["disclaimer"])
    return "\n".join(lines) + "\n"
