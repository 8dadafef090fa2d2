"""The assessment record is built as a dict, without the pydantic model on the way (a speed path):
it must be exactly what the model's dump gives, value for value, type for type, key for key in
order, for the generated corpus, the shared examples and every rule case's state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from footcoach.contract.assessment import Assessment
from footcoach.contract.errors import InputError
from footcoach.inference import explain
from footcoach.inference.engine import default_rulebase
from footcoach.rulebook.cases import case_state, iter_cases
from footcoach.service import assessment_with, load_state, record_with

from .conftest import ROOT, example_names, load_example

RB = default_rulebase()
CORPUS = ROOT / "tests" / "data" / "corpus" / "states.jsonl"


def _difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON-ready values differ in type, key order or value (None when they do not)."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} vs {list(b)}"
        return next((d for k in a if (d := _difference(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := _difference(x, y, f"{path}[{i}]"))), None)
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def _states() -> list[tuple[str, dict[str, Any]]]:
    out = [(f"corpus-{i}", json.loads(line)) for i, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines())]
    out += [(f"example-{name}", load_example(name)[0]) for name in example_names()]
    for rid in sorted(RB.rules.rules):
        for kind, case in iter_cases(RB.rules.rules[rid]):
            out.append((f"case-{rid}-{kind}-{case.name}", case_state(RB.rules.case_base, case)))
    return out


def test_the_record_built_without_the_model_is_the_models_dump_exactly():
    checked = 0
    for name, doc in _states():
        try:
            state = load_state(doc, RB.kb)
        except InputError:  # a rule case that is invalid input on purpose: nothing to assess
            continue
        record = record_with(RB, state)
        dumped = Assessment.model_validate(record).record()
        assert _difference(record, dumped) is None, f"{name}: {_difference(record, dumped)}"
        checked += 1
    assert checked > 400


def test_the_typed_assessment_is_the_same_record():
    state = load_state(load_example("stall-reintroduce")[0])
    typed = assessment_with(RB, state)
    assert isinstance(typed, Assessment)
    assert typed.record() == record_with(RB, state)
    assert any(r.kind == "reintroduce" and r.exercises for r in typed.recommendations)


@pytest.mark.parametrize("name", ["corpus", "examples"])
def test_norm_notes_are_looked_for_only_when_a_knowledge_value_has_a_caveat(name):
    """The notes walk is skipped when no resolved value carries a caveat; the walk finds none then."""
    docs = [d for n, d in _states() if n.startswith(name[:-1])]
    with_caveat = 0
    for doc in docs:
        state = load_state(doc)
        run = RB.run(state)
        record = explain.assemble_record(RB, run)
        walked = explain._norm_notes([record["trace"], record.get("progress_blocked_by")])
        assert record.get("notes", []) == walked
        if not explain._has_norm_caveat(run):
            assert walked == []
        else:
            with_caveat += 1
    assert with_caveat or name == "examples"
