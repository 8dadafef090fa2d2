"""Every rule's own cases, one test each: ``pytest -k pain-red-band`` runs one rule."""

from __future__ import annotations

import pytest

from footcoach.inference.cases import run_case
from footcoach.inference.engine import default_rulebase
from footcoach.rulebook.cases import iter_cases

_RB = default_rulebase()
CASES = [(rid, kind, case) for rid in sorted(_RB.rules.rules) for kind, case in iter_cases(_RB.rules.rules[rid])]


@pytest.mark.parametrize("rid,kind,case", CASES, ids=[f"{r}-{k}-{c.name}" for r, k, c in CASES])
def test_rule_case(rid, kind, case):
    result = run_case(_RB, _RB.rules.rules[rid], kind, case)
    assert result.ok, result.message


def test_every_rule_has_cases_of_both_kinds():
    for rule in _RB.rules.rules.values():
        assert rule.spec.cases.fires and rule.spec.cases.does_not_fire, rule.id


def test_every_recommending_rule_has_both_sentences_and_sources():
    for rule in _RB.rules.rules.values():
        assert rule.spec.sources, rule.id
        if rule.spec.recommend:
            assert rule.spec.physio and rule.spec.runner, rule.id


def test_each_case_id_is_unique():
    ids = [f"{r}-{k}-{c.name}" for r, k, c in CASES]
    assert len(ids) == len(set(ids))
