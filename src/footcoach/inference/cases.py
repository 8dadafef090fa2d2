"""Running a rule's own cases: each case is the shared base state with the case's changes merged on.

A case of ``fires`` passes when the rule fires in the full engine run on that state, and both of
its sentences render (every placeholder filled); a case of ``does_not_fire`` passes when it does
not fire.  The whole engine runs, so a case also checks the chain of findings the rule depends on.
``lint`` is everything ``footcoach rules check`` reports beyond loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from footcoach.contract.errors import describe
from footcoach.contract.state import State
from footcoach.inference.engine import RuleBase
from footcoach.inference.explain import explain_not_fired, render_template
from footcoach.rulebook.cases import case_state, iter_cases
from footcoach.rulebook.lint import RuleProblem, check_bands, check_unused
from footcoach.rulebook.model import Case, Rule


@dataclass(frozen=True)
class CaseResult:
    rule: str
    kind: str  # "fires" or "does_not_fire"
    case: str
    ok: bool
    message: str
    fired_rules: frozenset[str]


def _unrendered(rb: RuleBase, run: Any, rule: Rule) -> str:
    """The first sentence of the rule's firings that does not render whole ("" when all do)."""
    for firing in run.firings:
        if firing.rule.id != rule.id or rule.spec.recommend is None:
            continue
        for key in ("physio", "runner"):
            text = render_template(getattr(rule.spec, key), rb, run, firing)
            if "{" in text or "}" in text:
                return f"the {key} sentence does not render: {text}"
    return ""


def run_case(rb: RuleBase, rule: Rule, kind: str, case: Case) -> CaseResult:
    """Run one case through the whole engine and judge it (a firing case also renders both sentences)."""
    doc = case_state(rb.rules.case_base, case)
    where = f"{rule.path}: case {case.name}"
    model = rb.kb.contract_model(State)
    try:
        state = model.model_validate(doc)
    except ValidationError as exc:
        return CaseResult(
            rule.id, kind, case.name, False, f"{where}: invalid state: " + "; ".join(describe(exc, model)), frozenset()
        )
    run = rb.run(state)
    fired = frozenset(f.rule.id for f in run.firings)
    want = kind == "fires"
    if (rule.id in fired) == want:
        unrendered = _unrendered(rb, run, rule) if want else ""
        return CaseResult(rule.id, kind, case.name, not unrendered, f"{where} ({kind}): {unrendered}", fired)
    verb = "did not fire" if want else "fired"
    detail = ""
    if want:
        failing = explain_not_fired(rb, run, rule)
        detail = "; failing: " + "; ".join(
            f"{c.get('fact') or c.get('finding') or c.get('no_finding') or 'any'}"
            + (f" = {c.get('value')}" if "value" in c else "")
            for c in failing
        )
    return CaseResult(rule.id, kind, case.name, False, f"{where} ({kind}): rule {verb}{detail}", fired)


def run_all_cases(rb: RuleBase) -> list[CaseResult]:
    """Every case of every rule, in rule-id order."""
    results = []
    for rid in sorted(rb.rules.rules):
        rule = rb.rules.rules[rid]
        for kind, case in iter_cases(rule):
            results.append(run_case(rb, rule, kind, case))
    return results


def check_cases(rb: RuleBase) -> tuple[list[RuleProblem], dict[str, int]]:
    """Run every case; report failures and rules no case fires. Returns (problems, fire counts)."""
    results = run_all_cases(rb)
    problems = [RuleProblem(r.message.split(": ", 1)[0], r.message.split(": ", 1)[1]) for r in results if not r.ok]
    counts = dict.fromkeys(rb.rules.rules, 0)
    for r in results:
        for rid in r.fired_rules:
            counts[rid] = counts.get(rid, 0) + 1
    for rid, n in sorted(counts.items()):
        if n == 0:
            problems.append(RuleProblem(str(rb.rules.rules[rid].path), "no case fires this rule"))
    return problems, counts


def lint(rb: RuleBase) -> list[RuleProblem]:
    """Every linter finding for a loaded rule base (empty when clean)."""
    problems = check_bands(rb) + check_unused(rb)
    case_problems, _ = check_cases(rb)
    return problems + case_problems
