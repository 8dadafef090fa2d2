"""This week's plan as plain text a runner can follow (the plan record of ``planning.plan``).

Every line is wrapped to the width given (the terminal's), never inside a word; no colour, no
rule ids, no internal names.
"""

from __future__ import annotations

from typing import Any

from footcoach.common.wrapping import DEFAULT_WIDTH, wrap
from footcoach.planning.plan import heel_raise_line


class _Lines:
    """Lines wrapped to one width."""

    def __init__(self, width: int):
        self.width = width
        self.lines: list[str] = []

    def add(self, text: str, indent: str = "", hang: str | None = None) -> None:
        self.lines += wrap(text, self.width, indent, hang)

    def blank(self) -> None:
        self.lines.append("")


def _title(plan: dict[str, Any]) -> str:
    title = f"This week's plan: phase {plan['phase']}, {plan['phase_name']}"
    weeks = plan.get("weeks_in_phase")
    if weeks is not None:
        # weeks_in_phase counts full weeks done: this is the next one
        title += f" (week {weeks + 1} in this phase)"
    return title


def _exercise(out: _Lines, ex: dict[str, Any], number: str, indent: str) -> None:
    sub = indent + " " * (len(number) + 1)
    out.add(f"{number} {ex['name']} - {ex['purpose']}", indent, sub)
    out.add(f"Dose: {ex['dosing']}", sub, sub + "  ")
    for cue in ex["cues"]:
        out.add(f"- {cue}", sub, sub + "  ")
    where = f"Surface: {ex['surface']}"
    if ex["equipment"]:
        where += f". Equipment: {', '.join(ex['equipment'])}"
    out.add(where, sub, sub + "  ")
    out.add(f"Easier: {ex['easier']}", sub, sub + "  ")
    out.add(f"Harder: {ex['harder']}", sub, sub + "  ")


def render_plan_text(plan: dict[str, Any], width: int = DEFAULT_WIDTH) -> str:
    """The plan as text, every line at most ``width`` characters (a single longer word excepted)."""
    out = _Lines(width)
    out.add(_title(plan))
    out.lines.append("=" * min(max(len(line) for line in out.lines), width))
    spw = plan["sessions_per_week"]
    value, note = (spw["value"], spw.get("note")) if isinstance(spw, dict) else (spw, "")
    word = "session" if value == 1 else "sessions"
    out.add(f"{value} {word} a week" + (f"; {note}." if note else "."))

    for b, block in enumerate(plan["blocks"], start=1):
        out.blank()
        out.add(f"{b}. {block['name']}", "", "   ")
        for e, ex in enumerate(block["exercises"], start=1):
            _exercise(out, ex, f"{b}.{e}", "   ")

    dosing = plan.get("heel_raise_dosing")
    if dosing:
        out.blank()
        out.add(f"Heel-raise dosing ({dosing['weeks']} in this phase): {heel_raise_line(dosing)}.", "", "  ")
        out.add(f"Why: {dosing['why']}.", "  ", "    ")
        src = dosing.get("source") or {}
        if src.get("citation"):
            out.add(f"Source: {src['citation']}", "  ", "    ")

    out.blank()
    out.add("Mobility finisher (end every session with it):")
    for item in plan["mobility_finisher"]:
        text = f"- {item['name']}: {item['dosing']}" if isinstance(item, dict) else f"- {item}"
        out.add(text, "  ", "    ")

    _reintroduce(out, plan.get("reintroduce"))
    _diary_and_advice(out, plan)
    return "\n".join(out.lines) + "\n"


def _diary_and_advice(out: _Lines, plan: dict[str, Any]) -> None:
    diary = plan.get("diary")
    if diary:
        out.blank()
        note = f"; and {diary['note']}." if diary.get("note") else "."
        out.add(f"Diary: write down {', '.join(diary['record'])}{note}", "", "  ")
    advice = plan.get("advice") or []
    if advice:
        out.blank()
        out.add("Advice:")
        for a in advice:
            out.add(f"- {a}", "  ", "    ")


def _reintroduce(out: _Lines, re: dict[str, Any] | None) -> None:
    """A stall's reintroduction: earlier steps, or (no earlier phase) the daily block and easier variants."""
    if not re:
        return
    out.blank()
    if "daily_block" in re:
        daily = re["daily_block"]
        # "Activation - range of motion and ..." reads as a sentence break inside the sentence: its head names it
        block = daily["name"].split(" - ")[0].lower()
        out.add(
            f"Progress has stalled: do the {block} block every day ({', '.join(daily['exercises'])}), "
            "and use the easier variant of each exercise for now:"
        )
        for e in re["easier"]:
            out.add(f"- {e['name']}, easier: {e['easier']}", "   ", "     ")
        return
    name = f", {re['phase_name']}" if re.get("phase_name") else ""
    out.add(
        f"Progress has stalled: bring back these earlier steps from phase {re['from_phase']}{name}, alongside this week's plan."
    )
    if not re["exercises"]:
        out.add("(they are all in this week's plan already)", "   ")
    for e, ex in enumerate(re["exercises"], start=1):
        _exercise(out, ex, f"R.{e}", "   ")
