"""The assessment as text for people: a physiotherapist's view and a runner's.

Takes the assessment record (the JSON-ready dict ``footcoach.service.assess`` returns) and never
imports the engine: text and JSON are two renderings of the one record.

The text opens with a summary that fits a 24-line screen (the decision, why, what blocks progress,
what changes this week, shoe and load advice), then the details, this week's plan and the trace
(each optional), and ends with the disclaimer and the decision again.  Every line is wrapped to the
width given (the terminal's), never inside a word.  The runner's view carries no rule ids, kinds
or internal names.
"""

from __future__ import annotations

from typing import Any

from footcoach.common.wrapping import DEFAULT_WIDTH, wrap
from footcoach.render.explain_text import trace_lines, why_not_lines
from footcoach.render.plan_text import render_plan_text

AUDIENCES = ("physio", "runner")
SCREEN_LINES = 24  # not clinical: the smallest terminal the summary must fit
SUMMARY_MAX_LINES = SCREEN_LINES - 2  # not clinical: room for the shell prompt and the line it was typed on

ACTION_KINDS = ("referral", "regression", "hold", "progression")
THIS_WEEK_KINDS = ("advice", "reintroduce")
GEAR_KINDS = ("shoe_replace", "shoe_check", "load_advice")

_OPS_RUNNER = {">=": "{} needed", "<=": "at most {} needed", ">": "more than {} needed", "<": "less than {} needed"}
_UNIT_WORDS = {"s": " s", "%": " %", "repetitions": "", "NRS points": ""}


# ---- the decision --------------------------------------------------------------------------------


def decision_line(a: dict[str, Any], audience: str) -> str:
    """The decision in one sentence: for a physiotherapist the action and phases, for a runner what to do."""
    ph = a["phase"]
    cur, nxt = f"phase {ph['current']} ({ph['current_name']})", f"phase {ph['next']} ({ph['next_name']})"
    action = a["action"]
    paused = bool((a.get("plan") or {}).get("paused"))
    if audience == "physio":
        if ph["next"] != ph["current"]:
            return f"Action: {action.upper()} - phase {ph['current']} -> {nxt}"
        return f"Action: {action.upper()} - " + (f"plan paused in {cur}" if paused else f"stay in {cur}")
    if action == "progress":
        return f"Decision: move on to {nxt} this week."
    if action == "regress":
        if ph["next"] < ph["current"]:
            return f"Decision: step back to {nxt} this week."
        return f"Decision: ease off within {cur} this week."
    if action == "refer":
        see = (a.get("plan") or {}).get("see") or []
        if paused and len(see) == 1:
            return f"Decision: pause the exercises and see {see[0]['whom']} {see[0]['how_soon']}."
        if paused:
            return "Decision: pause the exercises and see a clinician first."
        return f"Decision: have a clinician review your routine; meanwhile stay in {cur}."
    if ph["next"] == ph["current"] and not a.get("progress_blocked_by", {}).get("rules"):
        return f"Decision: keep up {cur} this week."
    return f"Decision: stay in {cur} this week."


# ---- what blocks progress ------------------------------------------------------------------------


def _qty(value: Any, unit: str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "%":
        return f"{round(value)} %"
    if unit == "weeks":
        return f"{value} week" if value == 1 else f"{value} weeks"
    return f"{value}{_UNIT_WORDS.get(unit or '', f' {unit}' if unit else '')}"


def blocker_text(item: dict[str, Any], audience: str, *, how_below: bool = True, how_inline: bool = False) -> str:
    """One failing gate measurement in words: the value now and the value needed.  For a runner, a
    missing test points to how to measure it below (``how_below``), or says how (``how_inline``)."""
    if "fact" not in item:
        return f"finding {item.get('finding')} not reached"
    unit = item.get("unit")
    needed = _qty(item["needed"], unit)
    if audience == "physio":
        where = ", ".join(x for x in (item.get("threshold"), item.get("note")) if x)
        where = f" ({where})" if where else ""
        if item.get("missing"):
            return f"{item['label']}: not measured; needs {item['op']} {needed}{where}"
        if isinstance(item["needed"], bool):
            return f"{item['label']}: {_qty(item['value'], unit)} now, needs {needed}"
        gap = "".join(f", {k.replace('_', ' ')} {item[k]}" for k in ("short_by", "over_by") if k in item)
        return f"{item['label']}: {_qty(item['value'], unit)} now, needs {item['op']} {needed}{where}{gap}"
    for_whom = f" for your {item['norm_for']}" if item.get("norm_for") else ""
    need = _OPS_RUNNER.get(item["op"], "{} needed").format(needed) + for_whom
    if item.get("missing"):
        what = item["measure"]["label"] if "measure" in item else item["words"]
        how = ""
        if "measure" in item and how_inline:
            how = f". How to measure it: {item['measure']['how']}"
        elif "measure" in item and how_below:
            how = " (how to measure it: below)"
        return f"{what}: not measured yet; {need}{how}"
    return f"{item['words']}: {_qty(item['value'], unit)} now, {need}"


def _blockers(a: dict[str, Any], audience: str) -> list[str] | None:
    blocked = a.get("progress_blocked_by")
    if not blocked or a["action"] != "hold":
        return None
    if "note" in blocked:
        return [blocked["note"]]
    items = blocked.get("items", [])
    return [blocker_text(i, audience) for i in items] or None


# ---- the summary ---------------------------------------------------------------------------------


def _words(r: dict[str, Any], audience: str) -> str:
    return str(r["summary"] if audience == "physio" else r["runner"])


def _this_week(a: dict[str, Any], audience: str) -> list[str]:
    ph, plan = a["phase"], a.get("plan") or {}
    out: list[str] = []
    if plan.get("paused"):
        out.append("no exercises until you have been seen" if audience == "runner" else plan["why"])
    elif ph["next"] != ph["current"]:
        out.append(f"train in phase {ph['next']} ({ph['next_name']}) from now on")
    out += [_words(r, audience) for r in a["recommendations"] if r["kind"] in THIS_WEEK_KINDS]
    if not out and plan:
        out.append("keep to this week's plan")
    return out


def summary_sections(a: dict[str, Any], audience: str) -> list[tuple[str, list[str]]]:
    """(heading, items) of the summary after the decision line, in reading order (the web's result
    page shows the same sections)."""
    why = [_words(r, audience) for r in a["recommendations"] if r["kind"] in ACTION_KINDS]
    gear = [_words(r, audience) for r in a["recommendations"] if r["kind"] in GEAR_KINDS]
    out: list[tuple[str, list[str]]] = [("Why", why)]
    blockers = _blockers(a, audience)
    if blockers:
        out.append(("What blocks progress", blockers))
    out.append(("This week", _this_week(a, audience)))
    if gear:
        out.append(("Shoes and running load", gear))
    return [(h, items) for h, items in out if items]


def _layout(
    head: str, sections: list[tuple[str, list[str]]], width: int, blanks: bool, budget: int | None
) -> tuple[list[str], list[str]]:
    """The summary's lines and the items left out: with a ``budget`` of lines, a bullet that does
    not fit whole is left for below (never cut mid-sentence: advice would lose its action)."""
    lines = wrap(head, width, "", "  ")
    left: list[str] = []
    for heading, items in sections:
        block: list[str] = [""] if blanks else []
        block.append(f"{heading}:")
        kept = 0
        for item in items:
            bullet = wrap(item, width, "  ", "  ") if heading == "Why" else wrap(f"- {item}", width, "  ", "    ")
            if budget is not None and (left or len(lines) + len(block) + len(bullet) > budget - 1):
                left.append(item)
                continue
            block += bullet
            kept += 1
        if kept:
            lines += block
    if left:
        lines.append(f"({len(left)} more below)")
    return lines, left


def summary_lines(a: dict[str, Any], audience: str, width: int = DEFAULT_WIDTH) -> tuple[list[str], list[str]]:
    """The opening summary (at most SUMMARY_MAX_LINES lines) and the texts it left for below."""
    head, sections = decision_line(a, audience), summary_sections(a, audience)
    for blanks in (True, False):
        lines, left = _layout(head, sections, width, blanks, None)
        if len(lines) <= SUMMARY_MAX_LINES:
            return lines, left
    return _layout(head, sections, width, False, SUMMARY_MAX_LINES)


# ---- the rest --------------------------------------------------------------------------------------


def _physio_details(a: dict[str, Any], width: int, left: list[str]) -> list[str]:
    """Which rule gave each recommendation and on which findings (with its text if the summary left it out)."""
    out = ["", "Recommendations: rules and reasons"]
    for r in a["recommendations"]:
        subject = f" ({r['shoe']})" if r.get("shoe") else ""
        steps = ", ".join(map(str, r["because"]))
        out += wrap(f"[{r['kind']}] {r['rule']}{subject}; trace steps {steps}", width, "  ", "      ")
        if r["summary"] in left:
            out += wrap(r["summary"], width, "      ", "      ")
        if r.get("reasons"):
            out += wrap(f"because: {'; '.join(r['reasons'])}", width, "      ", "        ")
    for note in a.get("notes", []):
        out += wrap(f"note: {note}", width, "  ", "    ")
    if a.get("superseded"):
        out += ["", "Also indicated, but a stronger action takes precedence"]
        for s in a["superseded"]:
            out += wrap(f"[{s['kind']}] {s['rule']}: {s['summary']}", width, "  ", "    ")
    return out


def _runner_details(a: dict[str, Any], width: int, left: list[str]) -> list[str]:
    out: list[str] = []
    if left:
        out += ["", "More advice:"]
        for text in left:
            out += wrap(f"- {text}", width, "  ", "    ")
    items = (a.get("progress_blocked_by") or {}).get("items", [])
    measure = [i["measure"] for i in items if i.get("missing") and "measure" in i and a["action"] == "hold"]
    if measure:
        out += ["", "How to measure what is missing:"]
        for m in measure:
            out += wrap(f"- {m['label']}: {m['how']}", width, "  ", "    ")
    return out


def _plan_lines(a: dict[str, Any], audience: str, width: int) -> list[str]:
    plan = a.get("plan")
    if not plan:
        return []
    if plan.get("paused"):
        if audience == "runner":
            return []  # the referral above already says whom to see, how soon and what to do meanwhile
        out = [""] + wrap(f"This week's plan: paused ({plan['why']})", width, "", "  ")
        for s in plan["see"]:
            out += wrap(f"- see {s['whom']} {s['how_soon']}; until then, {s['meanwhile']}", width, "  ", "    ")
        return out
    return [""] + render_plan_text(plan, width).rstrip().split("\n")


def render_text(
    a: dict[str, Any],
    audience: str = "physio",
    *,
    width: int = DEFAULT_WIDTH,
    plan: bool = True,
    trace: bool | None = None,
) -> str:
    """The assessment as text for a physiotherapist ("physio") or in a runner's words ("runner").

    ``width`` is the line length (the terminal's); ``plan`` adds this week's plan; ``trace`` adds
    why not a stronger action and the trace (default: for the physiotherapist only)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: allowed {', '.join(AUDIENCES)}")
    if trace is None:
        trace = audience == "physio"
    lines, left = summary_lines(a, audience, width)
    lines += _physio_details(a, width, left) if audience == "physio" else _runner_details(a, width, left)
    if plan:
        lines += _plan_lines(a, audience, width)
    if trace:
        lines += why_not_lines(a, width) + trace_lines(a, width)
    lines += [""] + wrap(a["disclaimer"], width)
    lines += [""] + wrap(decision_line(a, audience), width, "", "  ")
    return "\n".join(lines) + "\n"


def render_plan_page(a: dict[str, Any], width: int = DEFAULT_WIDTH) -> str:
    """This week's plan for the runner: the decision, what blocks progress (a hold), the plan (or,
    paused, whom to see and how soon), the disclaimer.  Every line at most ``width`` characters."""
    lines = wrap(decision_line(a, "runner"), width, "", "  ")
    blockers = _blockers(a, "runner")
    if blockers:
        lines += ["", "What blocks progress:"]
        for text in blockers:
            lines += wrap(f"- {text}", width, "  ", "    ")
        lines += _runner_details(a, width, [])
    plan = a.get("plan") or {}
    if plan.get("paused"):
        lines += ["", *wrap("This week's plan: paused until you have been seen.", width)]
        for s in plan["see"]:
            lines += wrap(f"- see {s['whom']} {s['how_soon']}; until then, {s['meanwhile']}", width, "  ", "    ")
    elif plan:
        lines += [""] + render_plan_text(plan, width).rstrip().split("\n")
    lines += [""] + wrap(a["disclaimer"], width)
    return "\n".join(lines) + "\n"
