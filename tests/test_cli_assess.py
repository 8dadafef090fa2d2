"""`footcoach assess` as a user calls it: formats, stdin, YAML, and the contract for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from footcoach.cli import main

from .conftest import EXAMPLES, load_example

GOOD = EXAMPLES / "progress-to-phase-3.json"


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input)


def test_text_is_the_default():
    r = run(["assess", str(GOOD)])
    assert r.exit_code == 0
    assert r.stdout.startswith("Action: PROGRESS")
    assert "This week's plan" in r.stdout


def test_stdin_json():
    r = run(["assess", "-", "--format", "json"], input=GOOD.read_text())
    assert r.exit_code == 0
    assert json.loads(r.stdout)["action"] == "progress"


def test_yaml_file(tmp_path):
    state, _ = load_example("regress-not-settled")
    p = tmp_path / "state.yaml"
    p.write_text(yaml.safe_dump(state))
    r = run(["assess", str(p), "--format", "json"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["action"] == "regress"


def test_runner_words():
    r = run(["assess", str(GOOD), "--for", "runner"])
    assert r.exit_code == 0
    assert r.stdout.startswith("Decision: move on to phase 3 (Loaded patterns) this week.")
    assert "Trace" not in r.stdout and "[progression]" not in r.stdout


def _bad(tmp_path, state, *, name="bad.json"):
    p = tmp_path / name
    p.write_text(json.dumps(state))
    return run(["assess", str(p), "--format", "json"])


@pytest.mark.parametrize(
    "path,value,needle",
    [
        (("pain", "during"), 11, "pain.during: value 11"),
        (("pain", "settled_next_morning"), "yes", 'pain.settled_next_morning: value "yes"'),
        (("runner", "age"), 9, "runner.age: value 9"),
        (("runner", "sex"), "x", 'runner.sex: value "x"'),
        (("program", "phase"), 6, "program.phase: value 6"),
        (("tests", "balance_eyes_open_s", "left"), 46, "tests.balance_eyes_open_s.left: value 46"),
        (("tests", "heel_raises", "right"), -1, "tests.heel_raises.right: value -1"),
    ],
)
def test_bad_value_names_field_value_and_allowed(tmp_path, path, value, needle):
    state, _ = load_example("progress-to-phase-3")
    node = state
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    r = _bad(tmp_path, state)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert needle in r.stderr
    assert "allowed:" in r.stderr


def test_unknown_field_is_refused(tmp_path):
    state, _ = load_example("progress-to-phase-3")
    state["red_flag"] = state.pop("red_flags")
    r = _bad(tmp_path, state)
    assert r.exit_code == 2 and r.stdout == ""
    assert "red_flag:" in r.stderr and "red_flags" in r.stderr


def test_several_errors_together(tmp_path):
    state, _ = load_example("progress-to-phase-3")
    state["pain"]["during"] = 12
    state["red_flags"] = ["numbness"]
    state["history"][1]["week"] = 4
    r = _bad(tmp_path, state)
    assert r.exit_code == 2
    for needle in ("pain.during", "red_flags[0]", "history[1].week"):
        assert needle in r.stderr


def test_weeks_in_program_below_weeks_in_phase(tmp_path):
    state, _ = load_example("progress-to-phase-3")
    state["program"]["weeks_in_program"] = 1
    r = _bad(tmp_path, state)
    assert r.exit_code == 2 and "program.weeks_in_program: value 1" in r.stderr


@pytest.mark.parametrize(
    "text,needle", [("{not json", "not valid JSON"), ("[1, 2]", "must be a mapping"), ("", "not valid JSON")]
)
def test_unparseable_input(tmp_path, text, needle):
    p = tmp_path / "x.json"
    p.write_text(text)
    r = run(["assess", str(p)])
    assert r.exit_code == 2 and r.stdout == "" and needle in r.stderr


def test_missing_file():
    r = run(["assess", "/no/such/file.json"])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_real_process_exit_code_and_streams(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"runner": {"age": 200}}))
    exe = [sys.executable, "-m", "footcoach.cli"]
    proc = subprocess.run(exe + ["assess", str(p)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "runner.age: value 200" in proc.stderr and "program: missing" in proc.stderr


def test_schema_file_is_current(root):
    from footcoach.contract.state import state_json_schema
    from footcoach.knowledge.base import default_knowledge

    committed = json.loads((root / "schema" / "state.schema.json").read_text())
    assert committed == state_json_schema(default_knowledge().state_bounds), (
        "schema/state.schema.json is stale: run `footcoach schema --out schema/state.schema.json`"
    )


def test_assessment_schema_file_is_current(root):
    from footcoach.contract.assessment import assessment_json_schema

    committed = json.loads((root / "schema" / "assessment.schema.json").read_text())
    assert committed == assessment_json_schema(), (
        "schema/assessment.schema.json is stale: run `footcoach schema --output --out schema/assessment.schema.json`"
    )


def test_every_shared_example_and_rule_case_output_is_the_dump_of_a_typed_assessment(root, rulebase):
    from footcoach.contract.assessment import Assessment
    from footcoach.rulebook.cases import case_state, iter_cases
    from footcoach.service import assess_document

    docs = [json.loads(p.read_text()) for p in sorted((root / "tests" / "data" / "examples").glob("*[!d].json"))]
    docs += [case_state(rulebase.rules.case_base, c) for r in rulebase.rules.rules.values() for _k, c in iter_cases(r)]
    for doc in docs:
        out = assess_document(doc)
        # The JSON validates as an Assessment (unknown fields are refused) and dumps back unchanged.
        assert Assessment.model_validate_json(json.dumps(out)).record() == out


def test_schema_output_option_prints_the_assessment_schema():
    r = run(["schema", "--output"])
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "Assessment" and "action" in schema["required"]
    assert json.loads(run(["schema"]).stdout)["title"] == "State"


def test_json_is_byte_identical_across_hash_seeds_built_or_from_the_cache(root, tmp_path):
    """Each seed once with nothing cached (the rule base and its network built under that seed)
    and once from a cache another seed filled."""
    outs = set()
    cache = str(tmp_path / "cache")
    for seed, cache_dir in (("0", ""), ("0", cache), ("1", ""), ("1", cache), ("42", ""), ("42", cache), ("4242", "")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "FOOTCOACH_CACHE_DIR": cache_dir}
        for name in ("stall-reintroduce", "amber-hold-worn-shoes"):
            proc = subprocess.run(
                [sys.executable, "-m", "footcoach.cli", "assess", str(EXAMPLES / f"{name}.json"), "--format", "json"],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            outs.add((name, proc.stdout))
    assert len(outs) == 2
