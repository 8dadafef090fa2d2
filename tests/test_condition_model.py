"""One condition model: the engine and the why-not evaluator cannot drift.

Over every rule case and every shared example: each rule that fired has every condition holding
under the evaluator the why-not uses, and each rule that did not fire (for a subject) has at least
one failing condition named.
"""

from __future__ import annotations

import json

import pytest

from footcoach.inference.explain import _condition_records, explain_not_fired
from footcoach.inference.facts import RUNNER
from footcoach.rulebook.cases import case_state, iter_cases
from footcoach.service import load_state

from .conftest import EXAMPLES


def _documents(rb):
    for rid in sorted(rb.rules.rules):
        for kind, case in iter_cases(rb.rules.rules[rid]):
            yield f"{rid}-{kind}-{case.name}", case_state(rb.rules.case_base, case)
    for path in sorted(EXAMPLES.glob("*[!d].json")):
        yield path.stem, json.loads(path.read_text())


@pytest.fixture(scope="module")
def runs(rulebase):
    return [(name, rulebase.run(load_state(doc))) for name, doc in _documents(rulebase)]


def test_every_fired_rule_has_every_condition_holding_under_the_why_not_evaluator(rulebase, runs):
    checked = 0
    for name, run in runs:
        for firing in run.firings:
            records = _condition_records(rulebase, run, firing)
            assert all(r["holds"] for r in records), (name, firing.rule.id, [r for r in records if not r["holds"]])
            assert not explain_not_fired(rulebase, run, firing.rule, subject=firing.subject), (name, firing.rule.id)
            checked += 1
    assert checked > len(runs)


def test_every_rule_that_did_not_fire_has_a_failing_condition_named(rulebase, runs):
    checked = 0
    for name, run in runs:
        fired = {(f.rule.id, f.subject) for f in run.firings}
        shoes = sorted({s for (fact, s) in run.facts if fact == "shoe.name"})
        for rule in rulebase.rules.rules.values():
            # A rule for each shoe is judged per shoe (with no shoes it has nothing to fire on).
            subjects = shoes if rule.spec.for_each == "shoe" else [RUNNER]
            for subject in subjects:
                if (rule.id, subject) in fired:
                    continue
                failing = explain_not_fired(rulebase, run, rule, subject=subject)
                assert failing, f"{name}: {rule.id} ({subject}) did not fire, yet no condition fails"
                assert all(not c["holds"] for c in failing)
                checked += 1
    assert checked > len(runs)


def test_no_module_dispatches_on_the_kind_of_a_condition(root):
    """Only rulebook/conditions.py knows the condition kinds: nobody else asks isinstance of one."""
    import ast

    kinds = {"FactCondition", "FindingCondition", "NoFindingCondition", "AnyCondition"}
    bad = []
    for path in sorted((root / "src" / "footcoach").rglob("*.py")):
        if path.name == "conditions.py" and path.parent.name == "rulebook":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
                names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                if names & kinds:
                    bad.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not bad, bad
