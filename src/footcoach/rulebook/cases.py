"""Running a rule's own cases: each case is the shared base state with the case's changes merged on.

A case of ``fires`` passes when the rule fires in the full engine run on that state; a case of
``does_not_fire`` passes when it does not.  The whole engine runs, so a case also checks the chain
of findings the rule depends on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from footcoach.contract.errors import InputError
from footcoach.rulebook.model import Case, Rule
from footcoach.service import load_state


def merge(base: Any, changes: Any) -> Any:
    """Deep-merge ``changes`` onto ``base``: mappings merge, lists and scalars replace, None removes."""
    if not isinstance(base, dict) or not isinstance(changes, dict):
        return copy.deepcopy(changes)
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def case_state(base: dict, case: Case) -> dict:
    """The state document a case describes."""
    return copy.deepcopy(case.state) if case.full_state else merge(base, case.state)


@dataclass(frozen=True)
class CaseResult:
    rule: str
    kind: str  # "fires" or "does_not_fire"
    case: str
    ok: bool
    message: str
    fired_rules: frozenset[str]


def iter_cases(rule: Rule):
    for case in rule.spec.cases.fires:
        yield "fires", case
    for case in rule.spec.cases.does_not_fire:
        yield "does_not_fire", case


def run_case(rb, rule: Rule, kind: str, case: Case) -> CaseResult:
    """Run one case through the whole engine and judge it."""
    doc = case_state(rb.rules.case_base, case)
    try:
        state = load_state(doc)
    except InputError as exc:
        return CaseResult(
            rule.id,
            kind,
            case.name,
            False,
            f"{rule.path}: case {case.name}: invalid state: " + "; ".join(exc.problems),
            frozenset(),
        )
    run = rb.run(state)
    fired = frozenset(f.rule.id for f in run.firings)
    did_fire = rule.id in fired
    want = kind == "fires"
    if did_fire == want:
        return CaseResult(rule.id, kind, case.name, True, "", fired)
    verb = "did not fire" if want else "fired"
    detail = ""
    if want:
        from footcoach.inference.explain import explain_not_fired

        failing = explain_not_fired(rb, run, rule)
        detail = "; failing: " + "; ".join(
            f"{c.get('fact') or c.get('finding') or c.get('no_finding') or 'any'}"
            + (f" = {c.get('value')}" if "value" in c else "")
            for c in failing
        )
    return CaseResult(
        rule.id, kind, case.name, False, f"{rule.path}: case {case.name} ({kind}): rule {verb}{detail}", fired
    )


def run_all_cases(rb) -> list[CaseResult]:
    """Every case of every rule, in rule-id order."""
    results = []
    for rid in sorted(rb.rules.rules):
        rule = rb.rules.rules[rid]
        for kind, case in iter_cases(rule):
            results.append(run_case(rb, rule, kind, case))
    return results
