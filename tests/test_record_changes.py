"""Correcting the record (issue 10 items 1 and 2): every change re-assesses the runner in the same
transaction as caused by it, old values stay in the change log, a delete with assessments needs --erase
and leaves a tombstone without health data, a phase change is recorded and shown."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach import service
from footcoach.cli import main
from footcoach.contract.errors import EXIT_BAD_INPUT
from footcoach.storage import audit
from footcoach.storage.caseload import caseload

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"


def cli(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)


def history(db: str, rid: str) -> list[dict]:
    return service.read(db, audit.list_assessments, rid)


def changes(db: str, rid: str) -> list[dict]:
    return service.read(db, audit.list_changes, rid)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "fc.db")
    doc = json.loads((EXAMPLES / "progress-to-phase-3.json").read_text())
    doc["runner"].pop("id", None)
    service.import_state(path, "r1", doc)
    return path


def test_diary_edit_keeps_the_old_values_and_re_assesses_as_caused_by_it(db):
    week = service.export_state(db, "r1")["history"][-1]["week"]
    before = len(history(db, "r1"))
    result = cli(
        db, "diary", "edit", "r1", "--week", str(week), "--heel-raises-left", "3", "--reason", "typo", "--by", "PT"
    )
    assert result.exit_code == 0, result.output
    assert "re-assessed" in result.stdout
    [*_, last] = history(db, "r1")
    assert len(history(db, "r1")) == before + 1 and last["cause"]["kind"] == "diary.edit"
    log = changes(db, "r1")[-1]
    assert log["kind"] == "diary.edit" and log["reason"] == "typo" and log["author"] == "PT"
    assert log["old"]["entry"]["heel_raises"]["left"] != 3 and log["new"]["entry"]["heel_raises"]["left"] == 3
    # the current report is corrected too (it is that week's)
    assert service.export_state(db, "r1")["tests"]["heel_raises"]["left"] == 3


def test_diary_delete_needs_a_reason_keeps_the_values_and_re_assesses(db):
    weeks = [e["week"] for e in service.export_state(db, "r1")["history"]]
    assert cli(db, "diary", "delete", "r1", "--week", str(weeks[0])).exit_code == EXIT_BAD_INPUT  # --reason
    result = cli(db, "diary", "delete", "r1", "--week", str(weeks[0]), "--reason", "entered for the wrong runner")
    assert result.exit_code == 0, result.output
    assert [e["week"] for e in service.export_state(db, "r1")["history"]] == weeks[1:]
    log = changes(db, "r1")[-1]
    assert log["kind"] == "diary.delete" and log["old"]["entry"]["week"] == weeks[0]
    assert history(db, "r1")[-1]["cause"]["kind"] == "diary.delete"
    assert "no such week" in cli(db, "diary", "delete", "r1", "--week", "999", "--reason", "x").stderr


def test_runner_edit_keeps_the_old_profile(db):
    result = cli(db, "runner", "edit", "r1", "--age", "43", "--by", "PT")
    assert result.exit_code == 0, result.output
    log = changes(db, "r1")[-1]
    assert log["kind"] == "runner.edit" and log["new"]["age"] == 43 and log["old"]["age"] != 43
    assert history(db, "r1")[-1]["cause"]["kind"] == "runner.edit"
    assert cli(db, "runner", "edit", "r1").exit_code == EXIT_BAD_INPUT  # nothing to change


def test_runner_delete_is_refused_while_assessments_exist_and_erase_leaves_a_tombstone(db):
    result = cli(db, "runner", "delete", "r1", "--reason", "left the clinic")
    assert result.exit_code == EXIT_BAD_INPUT and "--erase" in result.stderr
    assert history(db, "r1")
    result = cli(db, "runner", "delete", "r1", "--reason", "asked to be forgotten", "--by", "PT", "--erase")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    for table in ("runners", "diary", "reports", "assessments", "changes"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    [tomb] = conn.execute("SELECT runner_id, erased_by, reason, assessments, erased_at FROM tombstones").fetchall()
    assert tomb[:4] == ("r1", "PT", "asked to be forgotten", 1) and tomb[4]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(tombstones)")]
    assert not {"age", "sex", "input", "assessment", "pain_morning"} & set(columns)  # no health data
    # the audit trail still refuses deletion outside an erase
    service.import_state(
        db, "r2", json.loads((EXAMPLES / "stall-reintroduce.json").read_text()) | {"runner": {"age": 30}}
    )
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("DELETE FROM assessments")


def test_phase_accept_records_the_progression_and_everything_shows_the_new_phase(db):
    latest = history(db, "r1")[-1]
    assert latest["action"] == "progress" and latest["phase"] == {"current": 2, "next": 3}
    result = cli(db, "phase", "r1", "--accept", "--by", "PT")
    assert result.exit_code == 0, result.output
    assert "phase 2 -> 3 recorded" in result.stdout
    assert service.export_state(db, "r1")["program"]["phase"] == 3
    assert service.export_state(db, "r1")["program"]["weeks_in_phase"] == 0
    after = history(db, "r1")[-1]
    assert after["cause"]["kind"] == "phase.accept" and after["phase"]["current"] == 3
    row = next(i for i in service.read(db, caseload) if i["runner"] == "r1")
    assert row["phase"] == 3 and row["assessment"]["phase"]["current"] == 3
    # the new phase's first decision is a hold: nothing to accept; --set needs a reason
    assert after["action"] == "hold"
    assert "the latest decision is hold, which does not change the phase" in cli(db, "phase", "r1", "--accept").stderr
    assert cli(db, "phase", "r1", "--set", "2").exit_code == EXIT_BAD_INPUT
    result = cli(db, "phase", "r1", "--set", "2", "--reason", "calf strain, back a step")
    assert result.exit_code == 0 and service.export_state(db, "r1")["program"]["phase"] == 2
    assert changes(db, "r1")[-1]["kind"] == "phase.set"


def test_a_red_flag_added_to_the_diary_puts_the_runner_first_without_anyone_assessing(db):
    service.import_state(
        db, "a-stall", json.loads((EXAMPLES / "stall-reintroduce.json").read_text()) | {"runner": {"age": 30}}
    )
    assert [i["runner"] for i in service.read(db, caseload)][-1] == "r1"
    assert cli(db, "diary", "add", "r1", "--no-input", "--red-flag", "numbness_tingling").exit_code == 0
    first = service.read(db, caseload)[0]
    assert first["runner"] == "r1" and first["action"] == "refer" and first["flags"][0] == "red_flag"
    looked = cli(db, "assess", "--runner", "r1", "--format", "json")
    assert "not recorded: input and rule base unchanged" in looked.stderr


def test_history_shows_user_strings_escaped_so_cr_lf_cannot_forge_a_line_and_old_values_as_field_value_text(db):
    week = service.export_state(db, "r1")["history"][-1]["week"]
    forged = "<i>typo</i>\r\nforged line"
    edited = cli(db, "diary", "edit", "r1", "--week", str(week), "--heel-raises-left", "3", "--reason", forged)
    assert edited.exit_code == 0, edited.output
    aid = history(db, "r1")[-1]["id"]
    overridden = cli(db, "override", str(aid), "--action", "hold", "--reason", "seen\nforged override", "--by", "P\rT")
    assert overridden.exit_code == 0, overridden.output
    result = cli(db, "history", "r1", "--changes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("forged")], result.stdout
    assert "\r" not in result.stdout
    assert "<i>typo</i>\\u000d\\u000aforged line" in result.stdout
    assert "seen\\u000aforged override" in result.stdout and "by P\\u000dT" in result.stdout
    [change] = [line for line in lines if line.startswith("change #") and "diary.edit" in line]
    assert "{'" not in change and 'old: entry: {"' in change
