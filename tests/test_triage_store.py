"""Triage for a stored runner: a red-flag stop uses what is on record, not placeholders."""

from __future__ import annotations

import json

from click.testing import CliRunner

from footcoach.cli import main

from .conftest import EXAMPLES, answers_from_show


def test_red_flag_stop_for_a_stored_runner_keeps_profile_and_phase(tmp_path):
    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    r = runner.invoke(main, ["--db", db, "diary", "import", "r-017", str(EXAMPLES / "progress-to-phase-3.json")])
    assert r.exit_code == 0, r.output
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"red_flag_night_pain": True}))
    r = runner.invoke(main, ["--db", db, "triage", "--answers", str(answers), "--runner", "r-017", "--format", "json"])
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    assert a["action"] == "refer" and a["phase"]["current"] == 2 and a["phase"]["next"] == 2
    assert "runner.age" not in r.stderr  # age came from the record, not a placeholder
    r = runner.invoke(main, ["--db", db, "history", "r-017", "--format", "json"])
    stored = json.loads(r.stdout)
    assert stored[-1]["action"] == "refer"


def _answers_from_state(state: dict) -> dict:
    """The outside checker's way: the value at each question's maps_to (the diary left out)."""
    show = json.loads(CliRunner().invoke(main, ["questionnaire", "show", "--format", "json"]).stdout)
    return answers_from_show(state, show, skip=("history",))


def test_triage_for_a_stored_runner_uses_the_diary_on_record(tmp_path):
    state = {
        "runner": {"age": 45, "sex": "female"},
        "program": {"phase": 2, "weeks_in_phase": 4, "weeks_in_program": 14},
        "pain": {"during": 2, "after": 2, "morning": 4, "settled_next_morning": True},
        "history": [{"week": 1, "pain_morning": 4}, {"week": 13, "pain_morning": 4}],
    }
    doc = tmp_path / "r9.json"
    doc.write_text(json.dumps(state))
    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "diary", "import", "r9", str(doc)]).exit_code == 0
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(_answers_from_state(state)))
    r = runner.invoke(main, ["--db", db, "triage", "--runner", "r9", "--answers", str(answers), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["action"] == "refer"  # non-response needs the stored diary


def test_a_null_red_flag_answer_is_missing_not_no(tmp_path):
    state, _ = json.loads((EXAMPLES / "progress-to-phase-3.json").read_text()), None
    answers = _answers_from_state(state)
    answers["red_flag_night_pain"] = None
    p = tmp_path / "a.json"
    p.write_text(json.dumps(answers))
    r = CliRunner().invoke(main, ["triage", "--answers", str(p), "--format", "json"])
    assert r.exit_code == 2 and r.stdout == "" and "red_flag_night_pain" in r.stderr


def test_report_refuses_to_overwrite_the_database(tmp_path):
    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["--db", db, "diary", "import", "r-017", str(EXAMPLES / "progress-to-phase-3.json")]
        ).exit_code
        == 0
    )
    r = runner.invoke(main, ["--db", db, "report", "r-017", "--out", db])
    assert r.exit_code == 2 and "that is the footcoach database" in r.stderr
    assert runner.invoke(main, ["--db", db, "runner", "list"]).exit_code == 0


def test_partial_first_report_is_refused_whole_not_silently_dropped(tmp_path):
    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "runner", "add", "r1", "--age", "40"]).exit_code == 0
    r = runner.invoke(
        main,
        [
            "--db",
            db,
            "diary",
            "add",
            "r1",
            "--no-input",
            "--phase",
            "1",
            "--weeks-in-phase",
            "0",
            "--pain-during",
            "1",
            "--pain-after",
            "1",
            "--settled",
        ],
    )
    assert r.exit_code == 2 and "pain.morning" in r.stderr
    listed = runner.invoke(main, ["--db", db, "diary", "list", "r1", "--format", "json"])
    assert json.loads(listed.stdout) == []  # nothing written


def test_a_stored_profile_fills_the_terminal_and_a_different_answer_is_asked_about(tmp_path):
    from .test_triage_cli import NEW_RUNNER_LINES, NO_RED_FLAGS

    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "runner", "add", "r1", "--age", "41", "--sex", "female"]).exit_code == 0
    lines = list(NEW_RUNNER_LINES)
    at = len(NO_RED_FLAGS) + 1  # age, then sex, then experience
    lines[at : at + 2] = ["42", ""]  # a different age; Enter keeps the sex on record
    lines[at + 3 : at + 3] = ["42"]  # asked about the age: the same answer again confirms it
    out = tmp_path / "response.json"
    r = runner.invoke(
        main, ["--db", db, "triage", "--runner", "r1", "--save-response", str(out)], input="\n".join(lines) + "\n"
    )
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stderr.split())
    assert "Enter keeps 41" in flat and "Enter keeps female" in flat
    assert "your record says 41, you answered 42" in flat
    items = {i["linkId"]: i["answer"][0] for i in json.loads(out.read_text())["item"]}
    assert items["runner_age"] == {"valueInteger": 42}
    assert items["runner_sex"]["valueCoding"]["code"] == "female"


def test_an_answers_file_contradicting_the_profile_is_named_in_a_note(tmp_path):
    from .test_triage_cli import NEW_RUNNER_ANSWERS

    db = str(tmp_path / "fc.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "runner", "add", "r1", "--age", "41"]).exit_code == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(NEW_RUNNER_ANSWERS))
    r = runner.invoke(main, ["--db", db, "triage", "--answers", str(answers), "--runner", "r1", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    age = NEW_RUNNER_ANSWERS["runner_age"]
    assert f"note: runner_age: answered {age}, the runner's record says 41" in " ".join(r.stderr.split())
