"""The fact catalogue: every name a rule may test, with its type, its scale and whether it is per shoe.

A rule file naming an unknown fact is refused ("did you mean ..."); a banded rule is checked against
the scale of its fact.  How each fact is derived from a runner's state is
:mod:`footcoach.inference.facts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from footcoach.contract.state import StateBounds
from footcoach.knowledge.base import Knowledge

RUNNER = "runner"


@dataclass(frozen=True)
class FactSpec:
    """What a fact name means: its type (number, bool, text), scale and whether it is per shoe."""

    name: str
    type: str
    description: str
    lo: float | None = None
    hi: float | None = None
    per: str | None = None  # "shoe" for facts about one shoe


def _history_specs(b: StateBounds) -> list[FactSpec]:
    """The diary facts: counts, the latest and first entries, rising pain, the stall window."""
    return [
        FactSpec("history.count", "number", "number of diary entries", 0, None),
        FactSpec("history.latest.pain_morning", "number", "morning pain of the latest diary entry", 0, b.nrs_max),
        FactSpec(
            "history.first.pain_morning",
            "number",
            "morning pain of the earliest diary entry that records it (the non-response baseline)",
            0,
            b.nrs_max,
        ),
        FactSpec(
            "history.pain_morning_rising",
            "bool",
            "morning pain strictly rising over the latest pain.rising_entries diary entries",
        ),
        FactSpec("history.window.entries", "number", "diary entries in the stall window", 0, None),
        FactSpec(
            "history.window.balance_gain_s",
            "number",
            "weaker-leg eyes-open balance gain over the stall window (when both entries measured it)",
            -b.balance_cap,
            b.balance_cap,
        ),
        FactSpec(
            "history.window.heel_raise_gain",
            "number",
            "weaker-leg heel-raise gain over the stall window (when both entries measured it)",
            -b.reps_max,
            b.reps_max,
        ),
        FactSpec(
            "history.window.pain_morning_fall",
            "number",
            "fall in morning pain over the stall window (when both entries measured it)",
            -b.nrs_max,
            b.nrs_max,
        ),
        FactSpec(
            "history.window.balance_measured",
            "bool",
            "weaker-leg eyes-open balance measured in the first and the latest entry of the stall window",
        ),
        FactSpec(
            "history.window.balance_change", "text", "weaker-leg eyes-open balance over the stall window, in words"
        ),
        FactSpec(
            "history.window.heel_raise_measured",
            "bool",
            "weaker-leg heel raises measured in the first and the latest entry of the stall window",
        ),
        FactSpec("history.window.heel_raise_change", "text", "weaker-leg heel raises over the stall window, in words"),
        FactSpec(
            "history.window.pain_morning_measured",
            "bool",
            "morning pain measured in the first and the latest entry of the stall window",
        ),
        FactSpec("history.window.pain_morning_change", "text", "morning pain over the stall window, in words"),
    ]


def _catalogue(kb: Knowledge) -> dict[str, FactSpec]:
    b = kb.state_bounds
    last = max(kb.phases)
    specs: list[FactSpec] = [
        FactSpec("runner.age", "number", "age in whole years", b.age_min, b.age_max),
        FactSpec("runner.sex", "text", "female or male, if given"),
        FactSpec("runner.experience", "text", "novice, occasional or regular, if given"),
        FactSpec("program.phase", "number", f"current phase 1-{last}", 1, last),
        FactSpec("program.weeks_in_phase", "number", "weeks in the current phase", 0, None),
        FactSpec("program.previous_phase", "number", "the phase a regression moves to (phase 1 stays 1)", 1, last),
        FactSpec(
            "program.following_phase", "number", "the phase a progression moves to (none after the last)", 1, last
        ),
        FactSpec(
            "program.weeks_in_program",
            "number",
            "weeks in the program (weeks_in_phase when not given: a lower bound)",
            0,
            None,
        ),
        FactSpec("pain.during", "number", "worst pain during exercise or running, last 7 days", 0, b.nrs_max),
        FactSpec("pain.after", "number", "worst pain in the hours after, last 7 days", 0, b.nrs_max),
        FactSpec("pain.morning", "number", "worst first-steps pain next morning, last 7 days", 0, b.nrs_max),
        FactSpec("pain.worst", "number", "the higher of pain during and pain after", 0, b.nrs_max),
        FactSpec("pain.settled_next_morning", "bool", "pain back to usual by the next morning"),
        FactSpec("pain.sharp", "bool", "sharp, stabbing pain during activity"),
        FactSpec(
            "pain.morning_improvement",
            "number",
            "first diary entry's morning pain minus the current morning pain",
            -b.nrs_max,
            b.nrs_max,
        ),
        FactSpec("tests.hop_pain", "number", "pain on single-leg hopping", 0, b.nrs_max),
        FactSpec("running.weekly_km", "number", "this week's distance", 0, None),
        FactSpec("running.previous_weekly_km", "number", "last week's distance", 0, None),
        FactSpec("running.longest_run_km_30d", "number", "longest run of the last 30 days", 0, None),
        FactSpec("running.planned_long_run_km", "number", "the planned long run", 0, None),
        FactSpec("running.long_run_increase_pct", "number", "planned long run over the 30-day longest, %", None, None),
        FactSpec("running.weekly_increase_pct", "number", "weekly distance over the previous week, %", None, None),
        FactSpec("shoes.count", "number", "number of shoes listed", 0, None),
        FactSpec("shoe.name", "text", "the shoe's name", per="shoe"),
        FactSpec("shoe.km", "number", "distance run in the shoe", 0, None, per="shoe"),
        FactSpec("shoe.drop_mm", "number", "heel-to-toe drop", 0, b.drop_max_mm, per="shoe"),
        FactSpec("shoe.minimalist", "bool", "a minimalist shoe", per="shoe"),
        FactSpec("shoe.weeks_worn", "number", "weeks the shoe has been worn", 0, None, per="shoe"),
    ]
    specs.extend(_history_specs(b))
    for test, words, hi in (
        ("balance_eyes_open_s", "single-leg balance, eyes open", b.balance_cap),
        ("balance_eyes_closed_s", "single-leg balance, eyes closed", b.balance_cap),
        ("heel_raises", "single-leg heel raises", b.reps_max),
    ):
        for leg in ("left", "right"):
            specs.append(FactSpec(f"tests.{test}.{leg}", "number", f"{words}, {leg} leg", 0, hi))
        specs.append(FactSpec(f"tests.{test}.weaker", "number", f"{words}, weaker leg", 0, hi))
        specs.append(
            FactSpec(f"tests.{test}.lsi", "number", f"{words}, symmetry between legs (weaker / stronger x 100)", 0, 100)
        )
    for flag in kb.red_flags:
        specs.append(FactSpec(f"red_flags.{flag}", "bool", kb.red_flags[flag].reported))
    return {s.name: s for s in specs}


def catalogue(kb: Knowledge) -> dict[str, FactSpec]:
    """Every fact name a rule may use, for this knowledge base (red flags come from knowledge)."""
    cached = kb.extra.get("fact_catalogue")
    if cached is None:
        cached = kb.extra["fact_catalogue"] = _catalogue(kb)
    return cached
