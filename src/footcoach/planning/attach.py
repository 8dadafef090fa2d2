"""This week's plan attached to an assessment: the plan follows the decision, it does not make it.

A red flag pauses the routine (whom to see, how soon, what to do meanwhile); otherwise the plan is
built for the phase the runner trains in next, with a stall's reintroduction when the assessment
recommends one, and the ``reintroduce`` recommendation names what comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from footcoach.contract.state import State
from footcoach.knowledge.base import Knowledge
from footcoach.planning.catalogue import Catalogue
from footcoach.planning.plan import build_plan

if TYPE_CHECKING:  # pragma: no cover
    from footcoach.contract.assessment import Assessment

PAUSED_WHY = "a red flag was reported: the routine is paused until you have been seen"


def _red_flags(record: dict[str, Any]) -> list[str]:
    """The red flags the rules concluded, from the trace."""
    return sorted(
        {
            t["concluded"]["value"]
            for t in record["trace"]
            if "concluded" in t and t["concluded"]["finding"] == "red_flag"
        }
    )


def _paused(nxt: int, kb: Knowledge, flags: list[str]) -> dict[str, Any]:
    return {
        "phase": nxt,
        "phase_name": kb.phase_name(nxt),
        "paused": True,
        "why": PAUSED_WHY,
        "see": [
            {
                "red_flag": f,
                "whom": kb.red_flags[f].whom,
                "how_soon": kb.red_flags[f].how_soon,
                "meanwhile": kb.red_flags[f].meanwhile,
            }
            for f in flags
        ],
    }


def _reintroduced(plan: dict[str, Any]) -> tuple[list[str], str] | None:
    """The names of what a stall brings back, and how the recommendation says it."""
    re = plan.get("reintroduce")
    if not re:
        return None
    if "daily_block" in re:
        # No earlier phase: the activation block daily and the easier variants, not a second copy.
        names = list(re["daily_block"]["exercises"])
        block = re["daily_block"]["name"]
        return names, f": the {block} block every day ({', '.join(names)}) and the easier variant of each exercise."
    names = [e["name"] for e in re["exercises"]]
    return names, ": " + ", ".join(names) + "."


def attach_plan(a: Assessment, state: State, kb: Knowledge, catalogue: Catalogue) -> Assessment:
    """The assessment with this week's plan (a new object; ``a`` is left as it was)."""
    from footcoach.contract.assessment import Assessment  # the typed model, built when first asked for

    return Assessment.model_validate(attach_plan_record(a.record(), state, kb, catalogue))


def attach_plan_record(record: dict[str, Any], state: State, kb: Knowledge, catalogue: Catalogue) -> dict[str, Any]:
    """An assessment record (``Assessment.record``, without a plan) with this week's plan: a new
    record, in the contract's field order (``record`` is left as it was)."""
    plan, recs = plan_for(record, _red_flags(record), state, kb, catalogue)
    return _with_plan(record, plan, recs)


def plan_for(
    decision: dict[str, Any], flags: list[str], state: State, kb: Knowledge, catalogue: Catalogue
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """This week's plan for a decision (a record's ``action``, ``phase`` and ``recommendations``;
    ``flags``: the red flags its rules concluded), and the recommendations as the plan words them
    (a stall's ``reintroduce`` names what comes back); ``decision`` is left as it was."""
    nxt = decision["phase"]["next"]
    recs = decision["recommendations"]
    if decision["action"] == "refer" and flags:
        return _paused(nxt, kb, flags), recs
    phase = state.program.phase
    reintro = any(r["kind"] == "reintroduce" for r in recs)
    hr = state.tests.heel_raises
    plan = build_plan(
        nxt,
        state.program.weeks_in_phase if nxt == phase else 0,
        None if hr is None else int(min(hr.left, hr.right)),
        reintroduce_from_phase=(max(1, phase - 1) if reintro else None),
        catalogue=catalogue,
        kb=kb,
    )
    said = _reintroduced(plan) if reintro else None
    if said is not None:
        names, words = said
        recs = [
            {**r, "summary": r["summary"].rstrip(".") + words, "exercises": names} if r["kind"] == "reintroduce" else r
            for r in recs
        ]
    return plan, recs


def _with_plan(record: dict[str, Any], plan: dict[str, Any], recs: list[dict[str, Any]]) -> dict[str, Any]:
    """The record with its plan where the contract puts it (after the notes, before the trace)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("trace", "rules_version", "disclaimer") and "plan" not in out:
            out["plan"] = plan
        out[key] = recs if key == "recommendations" else value
    if "plan" not in out:
        out["plan"] = plan
    return out
