"""Gherkin scenarios for the physiotherapist's week: features/physio_week.feature.

Every step goes through the real command line (click's CliRunner on a temporary ``--db`` file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_bdd import given, parsers, scenarios, then, when

from footcoach.cli import main

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"

scenarios("physio_week.feature")


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    return {"db": str(tmp_path / "clinic.db"), "tmp": tmp_path, "result": None}


def run(world: dict[str, Any], *args: str, input: str | None = None):
    """The command with --db after the subcommand, as a physio types it."""
    result = CliRunner().invoke(main, [*args, "--db", world["db"]], input=input)
    world["result"] = result
    assert result.exit_code == 0, result.output + result.stderr
    return result


def history(world: dict[str, Any], runner: str) -> list[dict[str, Any]]:
    return json.loads(run(world, "history", runner, "--format", "json").stdout)


@given("an empty clinic database")
def empty(world):
    assert "no runners yet" in run(world, "caseload").stdout
    assert not Path(world["db"]).exists()  # looking created nothing


@given(
    parsers.parse(
        'runner "{runner}" aged {age:d} starts phase {phase:d} in week 1 with pain during {during:d}, '
        "pain after {after:d} and morning pain {morning:d}"
    )
)
def starts(world, runner, age, phase, during, after, morning):
    run(world, "runner", "add", runner, "--age", str(age))
    run(
        world, "diary", "add", runner, "--week", "1", "--no-input", "--phase", str(phase), "--weeks-in-phase", "0",
        "--pain-during", str(during), "--pain-after", str(after), "--pain-morning", str(morning), "--settled",
    )  # fmt: skip


@given(parsers.parse('the state document "{example}" is on record as runner "{runner}"'))
def on_record(world, example, runner):
    doc = json.loads((EXAMPLES / f"{example}.json").read_text())
    doc["runner"]["id"] = runner
    run(world, "diary", "import", runner, "-", input=json.dumps(doc))


@when(
    parsers.parse(
        'week {week:d} is added for "{runner}" with morning pain {morning:d} and heel raises {left:d} left and {right:d} right'
    )
)
def add_week(world, week, runner, morning, left, right):
    args = ["--pain-morning", str(morning), "--heel-raises-left", str(left), "--heel-raises-right", str(right)]
    run(world, "diary", "add", runner, "--week", str(week), "--no-input", *args)


@when(parsers.parse('week {week:d} is added for "{runner}" with the red flag "{flag}"'))
def add_red_flag(world, week, runner, flag):
    run(world, "diary", "add", runner, "--week", str(week), "--no-input", "--red-flag", flag)


@when(parsers.parse('week {week:d} of "{runner}" is corrected to heel raises {left:d} left because "{reason}"'))
def correct(world, week, runner, left, reason):
    run(world, "diary", "edit", runner, "--week", str(week), "--heel-raises-left", str(left), "--reason", reason)


@when(parsers.parse('the physiotherapist accepts the phase change of "{runner}"'))
def accept(world, runner):
    run(world, "phase", runner, "--accept", "--by", "PT")


@then(parsers.parse('the history of "{runner}" holds {n:d} assessments, the last one caused by "{kind}" week {week:d}'))
def history_holds(world, runner, n, kind, week):
    items = history(world, runner)
    assert len(items) == n
    assert items[-1]["cause"]["kind"] == kind and items[-1]["cause"]["week"] == week


@then(parsers.parse('looking at the assessment of "{runner}" records nothing new'))
def looking(world, runner):
    before = len(history(world, runner))
    result = run(world, "assess", "--runner", runner, "--format", "json")
    assert "not recorded: input and rule base unchanged" in result.stderr
    assert len(history(world, runner)) == before


@then(parsers.parse('the caseload lists "{runner}" first with the action "{action}" and the flag "{flag}"'))
def caseload_first(world, runner, action, flag):
    first = json.loads(run(world, "caseload", "--format", "json").stdout)[0]
    assert (first["runner"], first["action"]) == (runner, action) and first["flags"][0] == flag


@then(parsers.parse('the command warns about "{what}"'))
def warns(world, what):
    assert "warning:" in world["result"].stderr and what in world["result"].stderr


@then(parsers.parse('the diary of "{runner}" shows heel raises {left:d} left in week {week:d}'))
def diary_shows(world, runner, left, week):
    entries = json.loads(run(world, "diary", "list", runner, "--format", "json").stdout)
    assert next(e for e in entries if e["week"] == week)["heel_raises"]["left"] == left


@then(parsers.parse('the change log of "{runner}" keeps heel raises {left:d} left with the reason "{reason}"'))
def change_log(world, runner, left, reason):
    log = json.loads(run(world, "history", runner, "--changes", "--format", "json").stdout)["changes"]
    edit = log[-1]
    assert edit["kind"] == "diary.edit" and edit["reason"] == reason
    assert edit["old"]["entry"]["heel_raises"]["left"] == left


@then(parsers.parse('the latest assessment of "{runner}" was caused by "{kind}"'))
def latest_cause(world, runner, kind):
    assert history(world, runner)[-1]["cause"]["kind"] == kind


@then(parsers.parse('the caseload shows "{runner}" in phase {phase:d}'))
def caseload_phase(world, runner, phase):
    row = next(i for i in json.loads(run(world, "caseload", "--format", "json").stdout) if i["runner"] == runner)
    assert row["phase"] == phase and row["assessment"]["phase"]["current"] == phase


@then(parsers.parse('the next assessment of "{runner}" is for phase {phase:d}'))
def next_assessment(world, runner, phase):
    assessment = json.loads(run(world, "assess", "--runner", runner, "--format", "json").stdout)
    assert assessment["phase"]["current"] == phase


@then(parsers.parse('the report of "{runner}" shows the change to phase {phase:d}'))
def report_shows(world, runner, phase):
    out = world["tmp"] / f"{runner}.html"
    run(world, "report", runner, "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert f'data-phase="{phase}"' in html
