"""``footcoach plan FILE|--runner ID``: this week's plan for the runner, recording nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from footcoach.cli import main
from footcoach.render.text import decision_line
from footcoach.service import assess_document

from .conftest import EXAMPLES, load_example


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_plan_of_a_file_is_the_decision_and_this_weeks_plan_at_the_terminal_width():
    a = assess_document(load_example("stall-reintroduce")[0])
    r = _run("plan", str(EXAMPLES / "stall-reintroduce.json"), env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    assert _flat(r.stdout).startswith(decision_line(a, "runner"))
    assert f"This week's plan: phase 1, {a['plan']['phase_name']}" in r.stdout
    for block in a["plan"]["blocks"]:
        for ex in block["exercises"]:
            assert ex["name"] in _flat(r.stdout)
    assert a["disclaimer"] in _flat(r.stdout)
    assert max(len(line) for line in r.stdout.split("\n")) <= 60
    assert "Trace" not in r.stdout and "[" not in r.stdout
    assert "eyes-open balance on your weaker leg: 33 s now, 41 s needed for your age" in _flat(r.stdout)
    assert _flat(r.stdout).index("What blocks progress") < _flat(r.stdout).index("This week's plan")


def test_after_a_red_flag_the_plan_is_paused_and_says_whom_to_see():
    a = assess_document(load_example("red-flag-numbness")[0])
    r = _run("plan", str(EXAMPLES / "red-flag-numbness.json"))
    assert r.exit_code == 0
    see = a["plan"]["see"][0]
    assert f"see {see['whom']} {see['how_soon']}" in _flat(r.stdout)
    assert "This week's plan: phase" not in r.stdout


def test_plan_json_is_the_plan_record():
    a = assess_document(load_example("progress-to-phase-3")[0])
    r = _run("plan", str(EXAMPLES / "progress-to-phase-3.json"), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == a["plan"]


def test_plan_of_a_stored_runner_records_nothing(tmp_path: Path):
    db = str(tmp_path / "fc.db")
    assert _run("--db", db, "diary", "import", "r-x", str(EXAMPLES / "stall-reintroduce.json")).exit_code == 0
    before = _run("--db", db, "history", "r-x", "--format", "json").stdout
    r = _run("--db", db, "plan", "--runner", "r-x")
    assert r.exit_code == 0, r.output
    assert "This week's plan: phase 1" in r.stdout
    assert _run("--db", db, "history", "r-x", "--format", "json").stdout == before


def test_plan_of_a_runner_without_a_database_is_refused_and_creates_none(tmp_path: Path):
    db = tmp_path / "none.db"
    r = _run("--db", str(db), "plan", "--runner", "anna")
    assert r.exit_code == 2 and r.stdout == "" and "no database" in r.stderr
    assert not db.exists()


def test_plan_needs_one_of_file_or_runner():
    assert "give either FILE or --runner" in _run("plan", "x.json", "--runner", "a").stderr
    assert _run("plan").exit_code == 2
