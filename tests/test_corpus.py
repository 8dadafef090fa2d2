"""The golden corpus: a few hundred generated states keep byte-identical assessments.

Regenerate after an intentional change of the JSON output (and say so in the commit message):
    .venv/bin/python scripts/make_corpus.py
"""

from __future__ import annotations

import importlib.util
import json

from .conftest import ROOT

REGENERATE = ".venv/bin/python scripts/make_corpus.py"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mc = _corpus_module()


def _first_difference(new: dict, old: dict) -> str:
    for key in list(old) + [k for k in new if k not in old]:
        if json.dumps(new.get(key)) != json.dumps(old.get(key)):
            return key
    return "(key order)"


def test_committed_states_are_the_generated_ones():
    committed = [json.loads(line) for line in mc.STATES.read_text(encoding="utf-8").splitlines()]
    assert committed == mc.make_states(), f"tests/data/corpus/states.jsonl is stale: run {REGENERATE}"


def test_corpus_covers_every_action_and_most_rules():
    outputs = [json.loads(line) for line in mc.read_outputs()]
    assert len(outputs) == mc.COUNT
    assert {o["action"] for o in outputs} == {"refer", "regress", "hold", "progress"}
    fired = {step["rule"] for o in outputs for step in o["trace"]}
    assert len(fired) >= 45


def test_every_generated_state_keeps_its_byte_identical_assessment():
    states = [json.loads(line) for line in mc.STATES.read_text(encoding="utf-8").splitlines()]
    expected = mc.read_outputs()
    actual = mc.outputs_for(states)
    assert len(actual) == len(expected)
    differing = [i for i, (a, e) in enumerate(zip(actual, expected, strict=True)) if a != e]
    if differing:
        i = differing[0]
        key = _first_difference(json.loads(actual[i]), json.loads(expected[i]))
        raise AssertionError(
            f"{len(differing)} of {len(states)} corpus outputs changed (first: state {i}, field {key!r}). "
            f"If the change is intended, regenerate with `{REGENERATE}` and say so in the commit message."
        )


def test_decision_only_is_the_full_assessment_without_its_explanations():
    from footcoach.inference.explain import DECISION_KEYS
    from footcoach.service import assess, load_state

    states = [json.loads(line) for line in mc.STATES.read_text(encoding="utf-8").splitlines()]
    for i, line in enumerate(mc.read_outputs()):
        full = json.loads(line)
        decision = assess(load_state(states[i]), explain=False)
        projected = {k: v for k, v in full.items() if k in DECISION_KEYS}
        assert mc.render(decision) == mc.render(projected), f"state {i}"
        assert {"why_not", "trace", "plan"} & set(full) and not {"why_not", "trace", "plan"} & set(decision)


def test_decision_only_words_a_stall_as_the_plan_does_and_reads_red_flags_as_the_trace_says():
    """decision-only words a stall's reintroduce recommendation from this week's plan without
    building the explanations: the plan is paused by the red flags the run concluded, which it
    reads from the run where the full assessment reads them from the trace."""
    from footcoach.inference.engine import default_rulebase
    from footcoach.inference.explain import DECISION_KEYS, assemble_record, concluded
    from footcoach.planning.attach import _red_flags
    from footcoach.service import assess, load_state

    states = [json.loads(line) for line in mc.STATES.read_text(encoding="utf-8").splitlines()]
    outputs = [json.loads(line) for line in mc.read_outputs()]
    stalls = [s for s, o in zip(states, outputs) if any(r["kind"] == "reintroduce" for r in o["recommendations"])]
    assert stalls
    rb = default_rulebase()
    for state in stalls:
        for flags in ([], ["numbness_tingling", "night_pain"]):
            validated = load_state({**state, "red_flags": flags})
            full, decision = assess(validated), assess(validated, explain=False)
            assert mc.render(decision) == mc.render({k: v for k, v in full.items() if k in DECISION_KEYS})
            run = rb.run(validated)
            assert concluded(run, "red_flag") == _red_flags(assemble_record(rb, run)) == sorted(flags)
