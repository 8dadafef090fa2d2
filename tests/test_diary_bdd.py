"""Gherkin scenarios for the diary, the audit trail and the caseload: features/diary.feature.

Every step goes through the real command line (click's CliRunner on a temporary ``--db`` file); the
expected values come from the scenario text and from footcoach's own ``assess`` of the document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_bdd import given, parsers, scenarios, then, when

from footcoach import service as api
from footcoach.cli import main

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"

scenarios("diary.feature")


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    return {"db": str(tmp_path / "footcoach.db"), "docs": {}, "result": None}


def cli(world: dict[str, Any], *args: str, input: str | None = None, check: bool = True):
    result = CliRunner().invoke(main, ["--db", world["db"], *args], input=input)
    world["result"] = result
    if check:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def document(name: str, runner: str) -> dict[str, Any]:
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    doc["runner"]["id"] = runner
    return doc


# ---- given ---------------------------------------------------------------------------------


@given("an empty footcoach database")
def empty_database(world):
    assert json.loads(cli(world, "runner", "list", "--format", "json").stdout) == []


@given(parsers.parse('the state document "{example}" is imported as runner "{runner}"'))
def imported(world, example, runner):
    doc = document(example, runner)
    world["docs"][runner] = doc
    cli(world, "diary", "import", runner, "-", input=json.dumps(doc))


@given(parsers.parse('the state document "{example}" is imported as runner "{runner}" and assessed'))
def imported_and_assessed(world, example, runner):
    imported(world, example, runner)
    cli(world, "assess", "--runner", runner, "--format", "json")


@given(parsers.parse('runner "{runner}" aged {age:d}'))
def runner_aged(world, runner, age):
    cli(world, "runner", "add", runner, "--age", str(age))


# ---- when ----------------------------------------------------------------------------------


@when(parsers.parse('footcoach assesses runner "{runner}" from the diary'))
def assess_from_diary(world, runner):
    world["assessment"] = json.loads(cli(world, "assess", "--runner", runner, "--format", "json").stdout)
    world["runner"] = runner


_DETAILS = [
    (r"phase (\d+)", lambda m: ["--phase", m[1]]),
    (r"(\d+) weeks in phase", lambda m: ["--weeks-in-phase", m[1]]),
    (r"pain during (\d+)", lambda m: ["--pain-during", m[1]]),
    (r"pain after (\d+)", lambda m: ["--pain-after", m[1]]),
    (r"morning pain (\d+)", lambda m: ["--pain-morning", m[1]]),
    (r"settled", lambda m: ["--settled"]),
    (r"heel raises (\d+) left and (\d+) right", lambda m: ["--heel-raises-left", m[1], "--heel-raises-right", m[2]]),
]


@when(parsers.parse('week {week:d} is recorded for "{runner}" with {details}'))
def record_week(world, week, runner, details):
    args = ["diary", "add", runner, "--week", str(week), "--no-input"]
    for part in (p.strip() for p in details.split(",")):
        for pattern, to_args in _DETAILS:
            m = re.fullmatch(pattern, part)
            if m:
                args += to_args(m)
                break
        else:
            raise AssertionError(f"unknown diary detail in the scenario: {part!r}")
    cli(world, *args, check=False)


@when("the physiotherapist opens the caseload")
def open_caseload(world):
    world["caseload"] = json.loads(cli(world, "caseload", "--format", "json").stdout)


@when(
    parsers.parse('the physiotherapist overrides the latest assessment of "{runner}" to "{action}" because "{reason}"')
)
def override(world, runner, action, reason):
    latest = json.loads(cli(world, "history", runner, "--format", "json").stdout)[-1]
    cli(world, "override", str(latest["id"]), "--action", action, "--reason", reason, "--by", "PT")


# ---- then ----------------------------------------------------------------------------------


@then("the assessment is the one footcoach gives for the document itself")
def same_as_document(world):
    got = dict(world["assessment"])
    assert "assessment_id" not in got  # the audit id goes to stderr, stdout is the plain assessment
    assert got == api.assess(api.load_state(world["docs"][world["runner"]]))


@then("the diary export gives back the same state as the document")
def export_round_trips(world):
    runner = world["runner"]
    exported = json.loads(cli(world, "diary", "export", runner).stdout)
    assert api.load_state(exported) == api.load_state(world["docs"][runner])
    cli(world, "diary", "import", runner, "-", "--replace", input=json.dumps(exported))
    assert json.loads(cli(world, "diary", "export", runner).stdout) == exported


@then(
    parsers.parse(
        'the history of "{runner}" holds {n:d} assessments, each made by an import, with the current rule-base version'
    )
)
def history_holds(world, runner, n):
    items = json.loads(cli(world, "history", runner, "--format", "json", "--full").stdout)
    assert len(items) == n
    assert all(i["source"] == "change" and i["cause"]["kind"] == "diary.import" for i in items)
    assert all(i["rulebase_version"] == api.rulebase_version() for i in items)
    assert items[-1]["assessment"]["trace"]
    assert items[-1]["input"] == json.loads(cli(world, "diary", "export", runner).stdout)


@then(parsers.parse('the diary of "{runner}" lists weeks {weeks}'))
def diary_weeks(world, runner, weeks):
    entries = json.loads(cli(world, "diary", "list", runner, "--format", "json").stdout)
    assert [e["week"] for e in entries] == [int(w) for w in weeks.split(",")]


@then(parsers.parse('the exported state of "{runner}" has phase {phase:d} with {weeks:d} weeks in phase'))
def exported_phase(world, runner, phase, weeks):
    doc = json.loads(cli(world, "diary", "export", runner).stdout)
    assert (doc["program"]["phase"], doc["program"]["weeks_in_phase"]) == (phase, weeks)


@then(parsers.parse('the exported state of "{runner}" has morning pain {morning:d} and pain during {during:d}'))
def exported_pain(world, runner, morning, during):
    doc = json.loads(cli(world, "diary", "export", runner).stdout)
    assert (doc["pain"]["morning"], doc["pain"]["during"]) == (morning, during)


@then(parsers.parse('the exported state of "{runner}" has heel raises {left:d} left and {right:d} right'))
def exported_heel_raises(world, runner, left, right):
    doc = json.loads(cli(world, "diary", "export", runner).stdout)
    assert doc["tests"]["heel_raises"] == {"left": left, "right": right}


@then(parsers.parse("the command fails with exit code {code:d}"))
def fails_with(world, code):
    assert world["result"].exit_code == code
    assert world["result"].stdout == ""


@then(parsers.parse('the error names "{name}"'))
def error_names(world, name):
    assert name in world["result"].stderr


@then(parsers.parse('the diary of "{runner}" is empty'))
def diary_empty(world, runner):
    assert json.loads(cli(world, "diary", "list", runner, "--format", "json").stdout) == []


@then(parsers.parse("the runners are listed in the order {order}"))
def caseload_order(world, order):
    assert [i["runner"] for i in world["caseload"]] == [r.strip() for r in order.split(",")]


@then(parsers.parse('runner "{a}" is flagged {flag_a} and runner "{b}" is flagged {flag_b}'))
def caseload_flags(world, a, flag_a, b, flag_b):
    by_id = {i["runner"]: i for i in world["caseload"]}
    assert flag_a in by_id[a]["flags"] and flag_b in by_id[b]["flags"]


@then(
    parsers.parse(
        'the history of "{runner}" shows the original action "{original}" and the override '
        '"{action}" because "{reason}"'
    )
)
def history_shows_override(world, runner, original, action, reason):
    latest = json.loads(cli(world, "history", runner, "--format", "json").stdout)[-1]
    assert latest["action"] == original
    assert [(o["action"], o["reason"]) for o in latest["overrides"]] == [(action, reason)]


@then(parsers.parse('the caseload shows "{runner}" with the action "{action}"'))
def caseload_action(world, runner, action):
    items = json.loads(cli(world, "caseload", "--format", "json").stdout)
    item = next(i for i in items if i["runner"] == runner)
    assert item["action"] == action and item["assessment"]["overridden"]
