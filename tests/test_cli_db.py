"""The database commands through the real click group: runner, diary, history, override, caseload, report,
``assess --runner``; exit codes, stderr, the --db option and FOOTCOACH_DB."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach import service
from footcoach.cli import diary as cli_diary
from footcoach.cli import main
from footcoach.contract.errors import EXIT_BAD_INPUT
from footcoach.knowledge.base import default_knowledge
from footcoach.storage import connection, diary, runners, schema

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "examples"
FOOTCOACH = Path(sys.executable).with_name("footcoach")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "fc.db")


def run(db: str, *args: str, input: str | None = None, env: dict | None = None):
    runner = CliRunner()
    return runner.invoke(main, ["--db", db, *args], input=input, env=env, catch_exceptions=False)


def ok(db: str, *args: str, **kw) -> str:
    result = run(db, *args, **kw)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def bad(db: str, *args: str, **kw):
    result = run(db, *args, **kw)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stdout == ""
    return result.stderr


def test_runner_add_list_show(db):
    assert "added runner r1" in ok(
        db, "runner", "add", "r1", "--age", "42", "--sex", "female", "--experience", "regular"
    )
    ok(db, "runner", "add", "r2", "--age", "30")
    listed = json.loads(ok(db, "runner", "list", "--format", "json"))
    assert [r["runner"] for r in listed] == [
        {"id": "r1", "age": 42, "sex": "female", "experience": "regular"},
        {"id": "r2", "age": 30},
    ]
    text = ok(db, "runner", "list")
    assert "r1" in text and "r2" in text and "regular" in text
    shown = ok(db, "runner", "show", "r1")
    assert "age 42" in shown and "current report: none yet" in shown
    assert json.loads(ok(db, "runner", "show", "r1", "--format", "json"))["diary"]["entries"] == 0
    assert "no such runner" in bad(db, "runner", "show", "nobody")
    assert "already exists" in bad(db, "runner", "add", "r1", "--age", "50")


def test_bad_age_names_the_option_and_writes_nothing(db):
    err = bad(db, "runner", "add", "r1", "--age", str(SHIPPED.age_max + 1))
    assert "--age (runner.age)" in err and str(SHIPPED.age_max + 1) in err
    assert json.loads(ok(db, "runner", "list", "--format", "json")) == []


def test_db_file_is_owner_only_and_env_var_works(tmp_path):
    path = tmp_path / "sub" / "env.db"
    result = CliRunner().invoke(main, ["runner", "add", "r1", "--age", "40"], env={"FOOTCOACH_DB": str(path)})
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [r["runner"]["id"] for r in service.read(str(path), runners.list_runners)] == ["r1"]


def test_newer_database_exits_2_with_a_clear_message(db):
    connection.connect(db).execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 3}")
    err = bad(db, "runner", "list")
    assert "newer than this footcoach" in err and "upgrade" in err


def test_diary_add_list_and_the_current_report(db):
    ok(db, "runner", "add", "r1", "--age", "40")
    out = ok(
        db,
        "diary",
        "add",
        "r1",
        "--week",
        "1",
        "--pain-morning",
        "4",
        "--balance-eyes-open-left",
        "20",
        "--balance-eyes-open-right",
        "25.5",
        "--heel-raises-left",
        "10",
        "--heel-raises-right",
        "12",
        "--foot-fatigue",
        "5",
    )
    assert "week 1 added" in out and "current report" not in out
    result = run(
        db,
        "diary",
        "add",
        "r1",
        "--pain-morning",
        "3",
        "--phase",
        "1",
        "--weeks-in-phase",
        "1",
        "--pain-during",
        "2",
        "--pain-after",
        "2",
        "--settled",
        "--red-flag",
        "night_pain",
        "--weekly-km",
        "20",
    )
    assert result.exit_code == 0 and "week 2 added to the diary; current report updated" in result.stdout
    entries = json.loads(ok(db, "diary", "list", "r1", "--format", "json"))
    assert [{k: v for k, v in e.items() if k != "recorded_at"} for e in entries] == [
        {
            "week": 1,
            "pain_morning": 4,
            "balance_eyes_open_s": {"left": 20, "right": 25.5},
            "heel_raises": {"left": 10, "right": 12},
            "foot_fatigue": 5,
        },
        {"week": 2, "pain_morning": 3},
    ]
    text = ok(db, "diary", "list", "r1")
    assert "20/25.5" in text and "10/12" in text
    doc = json.loads(ok(db, "diary", "export", "r1"))
    assert doc["pain"] == {"during": 2, "after": 2, "morning": 3, "settled_next_morning": True, "sharp": False}
    assert doc["red_flags"] == ["night_pain"] and doc["running"] == {"weekly_km": 20}
    ok(db, "diary", "add", "r1", "--no-red-flags", "--sharp")
    doc = json.loads(ok(db, "diary", "export", "r1"))
    assert doc["red_flags"] == [] and doc["pain"]["sharp"] is True and doc["program"]["weeks_in_phase"] == 2


def test_diary_add_without_a_report_says_what_is_missing(db):
    ok(db, "runner", "add", "r1", "--age", "40")
    result = run(db, "diary", "add", "r1", "--pain-morning", "2")
    assert result.exit_code == 0
    assert "no current report yet" in result.stderr and "--pain-during" in result.stderr
    assert "no current report" in bad(db, "diary", "export", "r1")


def test_diary_add_bad_values_name_every_option_and_write_nothing(db):
    ok(db, "runner", "add", "r1", "--age", "40")
    err = bad(
        db,
        "diary",
        "add",
        "r1",
        "--pain-morning",
        str(SHIPPED.nrs_max + 1),
        "--pain-during",
        str(SHIPPED.nrs_max + 2),
        "--heel-raises-left",
        "-3",
        "--heel-raises-right",
        "4",
        "--red-flag",
        "nigth_pain",
    )
    for option in (
        "--pain-morning (pain_morning)",
        "--pain-during (pain.during)",
        "--heel-raises-left (heel_raises.left)",
        "--red-flag",
    ):
        assert option in err, option
    assert str(SHIPPED.nrs_max + 1) in err
    err = bad(db, "diary", "add", "r1", "--heel-raises-left", "3")
    assert "--heel-raises-right (heel_raises.right): missing" in err
    err = bad(db, "diary", "add", "r1", "--pain-morning", "three")
    assert "--pain-morning" in err
    assert json.loads(ok(db, "diary", "list", "r1", "--format", "json")) == []


def test_diary_add_prompts_for_missing_values_in_a_terminal(db, monkeypatch):
    ok(db, "runner", "add", "r1", "--age", "40")
    monkeypatch.setattr(cli_diary, "_interactive", lambda: True)
    # morning pain (45 is asked again at once), during, after, balance L, balance R, heel L ("x" is
    # asked again), heel R, fatigue
    typed = "45\n3\n\n\n30\nabout 28\nx\n15\n14\n6\n"
    result = run(db, "diary", "add", "r1", "--week", "1", input=typed)
    assert result.exit_code == 0, result.output
    assert "first-steps morning pain" in result.stderr
    assert (
        f"Not allowed: '45' is out of range. Please answer a whole number from 0 to {SHIPPED.nrs_max}." in result.stderr
    )
    assert "Not allowed: 'x' is not allowed" in result.stderr
    [entry] = service.read(db, diary.list_diary, "r1")
    assert {k: v for k, v in entry.items() if k != "recorded_at"} == {
        "week": 1,
        "pain_morning": 3,
        "balance_eyes_open_s": {"left": 30, "right": 28},
        "heel_raises": {"left": 15, "right": 14},
        "foot_fatigue": 6,
    }
    result = run(db, "diary", "add", "r1", "--no-input", "--foot-fatigue", "2")
    assert result.exit_code == 0 and "first-steps" not in result.stderr


def test_diary_add_in_a_terminal_asks_only_what_is_missing_and_both_legs(db, monkeypatch):
    ok(db, "runner", "add", "r1", "--age", "40")
    monkeypatch.setattr(cli_diary, "_interactive", lambda: True)
    # given: morning pain, left heel raises; asked: during, after, balance L/R, heel R (required now)
    typed = "\n\n\n\n\n12\n\n"
    result = run(
        db, "diary", "add", "r1", "--week", "1", "--pain-morning", "2", "--heel-raises-left", "11", input=typed
    )
    assert result.exit_code == 0, result.output
    assert "first-steps morning pain" not in result.stderr  # given on the command line
    assert "An answer is needed here" in result.stderr  # the right leg, once the left is given
    [entry] = service.read(db, diary.list_diary, "r1")
    assert entry["heel_raises"] == {"left": 11, "right": 12} and entry["pain_morning"] == 2


def test_diary_add_in_a_terminal_keeps_every_answer_when_storing_fails(db, monkeypatch):
    ok(db, "runner", "add", "r1", "--age", "40")
    ok(db, "diary", "add", "r1", "--week", "1", "--no-input", "--pain-morning", "1")
    monkeypatch.setattr(cli_diary, "_interactive", lambda: True)
    typed = "3\n\n\n30\n28\n15\n14\n6\n"
    result = run(db, "diary", "add", "r1", "--week", "1", input=typed)  # week 1 is already in the diary
    assert result.exit_code == 2
    kept = (
        "your answers are kept: footcoach diary add r1 --week 1 --pain-morning 3 --balance-eyes-open-left 30 "
        "--balance-eyes-open-right 28 --heel-raises-left 15 --heel-raises-right 14 --foot-fatigue 6"
    )
    assert kept in " ".join(result.stderr.split())
    assert len(service.read(db, diary.list_diary, "r1")) == 1  # nothing half-written


def test_diary_add_help_documents_the_current_report(db):
    text = ok(db, "diary", "add", "--help")
    assert "carried forward" in text and "--pain-during" in text and "--no-input" in text


@pytest.mark.parametrize(
    "name", sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))
)
def test_import_export_round_trip_and_assess_runner_equals_assess_file(db, tmp_path, name):
    src = EXAMPLES / f"{name}.json"
    doc = json.loads(src.read_text())
    rid = doc["runner"].get("id", "r-x")
    assert "imported" in ok(db, "diary", "import", rid, str(src))
    exported = ok(db, "diary", "export", rid)
    exp_path = tmp_path / "exported.json"
    exp_path.write_text(exported)
    from_file = json.loads(ok(db, "assess", str(exp_path), "--format", "json"))
    from_original = json.loads(ok(db, "assess", str(src), "--format", "json"))
    stored = run(db, "assess", "--runner", rid, "--format", "json")
    assert stored.exit_code == 0 and "not recorded: input and rule base unchanged" in stored.stderr
    assert stored.stdout == ok(db, "assess", str(exp_path), "--format", "json")  # byte for byte
    assert json.loads(stored.stdout) == from_file == from_original
    # re-importing the export gives the same export back
    ok(db, "diary", "import", rid, str(exp_path), "--replace")
    assert ok(db, "diary", "export", rid) == exported


def test_import_refuses_bad_documents_and_existing_runners(db, tmp_path):
    broken = tmp_path / "broken.json"
    doc = json.loads((EXAMPLES / "stall-reintroduce.json").read_text())
    doc["pain"]["during"] = SHIPPED.nrs_max + 1
    doc["red_flag"] = []
    broken.write_text(json.dumps(doc))
    err = bad(db, "diary", "import", "r1", str(broken))
    assert "pain.during" in err and "red_flag" in err
    (tmp_path / "junk.json").write_text("{not json")
    assert "not valid JSON" in bad(db, "diary", "import", "r1", str(tmp_path / "junk.json"))
    assert "no such file" in bad(db, "diary", "import", "r1", str(tmp_path / "missing.json"))
    ok(db, "diary", "import", "r1", str(EXAMPLES / "stall-reintroduce.json"))
    assert "differs from the runner id" in bad(db, "diary", "import", "r2", str(EXAMPLES / "progress-to-phase-3.json"))
    assert "already stored" in bad(db, "diary", "import", "r1", str(EXAMPLES / "stall-reintroduce.json"))
    assert [r["runner"]["id"] for r in service.read(db, runners.list_runners)] == ["r1"]


def test_import_from_stdin(db):
    text = (EXAMPLES / "progress-to-phase-3.json").read_text()
    rid = json.loads(text)["runner"].get("id", "r1")
    ok(db, "diary", "import", rid, "-", input=text)
    assert json.loads(ok(db, "diary", "export", rid))["program"] == json.loads(text)["program"]


def test_history_and_override(db):
    ok(db, "diary", "import", "r1", str(EXAMPLES / "regress-not-settled.json"))
    looked = run(db, "assess", "--runner", "r1")
    assert "not recorded: input and rule base unchanged since assessment #1" in looked.stderr
    aid = 1
    recorded = run(db, "assess", "--runner", "r1", "--record")
    assert re.search(r"recorded as assessment #2: recorded on request", recorded.stderr)
    out = ok(
        db, "override", str(aid), "--action", "hold", "--reason", "Settled by noon; seen in clinic", "--by", "PT-B"
    )
    assert f"on assessment #{aid}: hold" in out
    history = json.loads(ok(db, "history", "r1", "--format", "json"))
    assert [h["id"] for h in history] == [aid, aid + 1]
    assert history[0]["action"] == "regress" and history[0]["effective_action"] == "hold"
    assert history[0]["overrides"][0]["reason"] == "Settled by noon; seen in clinic"
    assert history[0]["rulebase_version"]
    text = ok(db, "history", "r1")
    assert f"#{aid}" in text and "override" in text and "PT-B" in text
    full = json.loads(ok(db, "history", "r1", "--format", "json", "--full"))
    assert full[0]["assessment"]["trace"] and full[0]["input"]["runner"]["id"] == "r1"
    assert "no such assessment" in bad(db, "override", "999", "--action", "hold", "--reason", "x")
    assert run(db, "override", str(aid), "--action", "jump", "--reason", "x").exit_code == EXIT_BAD_INPUT
    assert "empty" in bad(db, "override", str(aid), "--action", "hold", "--reason", "  ")


def test_caseload_text_and_json(db):
    for rid, name in (("a", "progress-to-phase-3"), ("b", "red-flag-numbness"), ("c", "stall-reintroduce")):
        doc = json.loads((EXAMPLES / f"{name}.json").read_text())
        doc["runner"]["id"] = rid
        ok(db, "diary", "import", rid, "-", input=json.dumps(doc))  # assessed on import
    items = json.loads(ok(db, "caseload", "--format", "json"))
    assert [i["runner"] for i in items] == ["b", "c", "a"]
    assert items[0]["action"] == "refer" and items[0]["flags"] == ["red_flag", "referral"]
    assert items[1]["flags"] == ["stall"]
    text = ok(db, "caseload", "--overdue-days", "30")
    assert [line.split()[0] for line in text.splitlines()[1:]] == ["b", "c", "a"]
    assert run(db, "caseload", "--overdue-days", "0").exit_code == EXIT_BAD_INPUT


def test_report_command(db, tmp_path):
    ok(db, "diary", "import", "r1", str(EXAMPLES / "stall-reintroduce.json"))
    out = tmp_path / "r1.html"
    assert "wrote" in ok(db, "report", "r1", "--out", str(out))
    html = out.read_text()
    assert html.count('<svg class="chart"') == 8 and "reintroduce" in html
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "no such runner" in bad(db, "report", "nobody", "--out", str(out))


ADDS_PER_PROCESS = 8
# A hang guard, not a speed check.  Each `diary add` is a cold start (about 0.5 s of CPU, several
# seconds of wall time on a busy shared machine) and may wait up to the busy timeout for the write lock;
# the writers hold it for milliseconds, so a real lock problem fails fast with "busy", not by this guard.
ONE_ADD_AT_WORST_S = connection.BUSY_TIMEOUT_S + 10  # not clinical: seconds, busy timeout + a slow cold start


def test_two_cli_processes_adding_at_once_lose_nothing(db):
    """The real command line, two processes at once (the 2 x 200 run is in test_store with the same code)."""
    ok(db, "runner", "add", "r1", "--age", "40")
    script = (
        f'for i in $(seq 1 {ADDS_PER_PROCESS}); do "{FOOTCOACH}" --db "{db}" diary add r1 --no-input '
        "--foot-fatigue $TAG || exit 1; done"
    )
    procs = [
        subprocess.Popen(
            ["sh", "-c", script],
            env={**os.environ, "TAG": str(tag)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: a timeout ends the loop and its footcoach
        )
        for tag in (1, 2)
    ]
    try:
        for p in procs:
            _, err = p.communicate(timeout=ADDS_PER_PROCESS * ONE_ADD_AT_WORST_S)
            assert p.returncode == 0, err
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    entries = service.read(db, diary.list_diary, "r1")
    assert [e["week"] for e in entries] == list(range(1, 2 * ADDS_PER_PROCESS + 1))
    assert sorted(e["foot_fatigue"] for e in entries) == [1] * ADDS_PER_PROCESS + [2] * ADDS_PER_PROCESS


def test_diary_add_takes_a_heel_raise_jump_with_a_warning_naming_it(db):
    ok(db, "runner", "add", "r1", "--age", "40")
    ok(db, "diary", "add", "r1", "--week", "1", "--heel-raises-left", "10", "--heel-raises-right", "11")
    result = run(db, "diary", "add", "r1", "--week", "2", "--heel-raises-left", "30", "--heel-raises-right", "12")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stderr.split())
    assert "warning: week 2, heel raises, left leg: 10 the week before and 30 now" in flat
    assert "warning: week 2, heel raises: 30 left and 12 right, the weaker leg under 50 %" in flat
    assert [e["heel_raises"]["left"] for e in service.read(db, diary.list_diary, "r1")] == [10, 30]  # taken
    quiet = run(db, "diary", "add", "r1", "--week", "3", "--heel-raises-left", "31", "--heel-raises-right", "20")
    assert "warning" not in quiet.stderr
