"""Triage for a stored runner: a red-flag stop uses what is on record, not placeholders."""

from __future__ import annotations

import json

from click.testing import CliRunner

from footcoach.cli import main

from .conftest import EXAMPLES


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
    assert "runner.age" not in r.stderr          # age came from the record, not a placeholder
    r = runner.invoke(main, ["--db", db, "history", "r-017", "--format", "json"])
    stored = json.loads(r.stdout)
    assert stored[-1]["action"] == "refer"
