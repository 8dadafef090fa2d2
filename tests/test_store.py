"""footcoach.storage: the SQLite file, its schema and migrations, the diary, import/export, the audit trail,
the caseload, and the two "nothing lost" guarantees (concurrent writers, kill -9 mid-import).  Record
changes go through the service layer, as every interface does."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from footcoach import service as api
from footcoach.contract.errors import InputError
from footcoach.knowledge.base import default_knowledge
from footcoach.storage import audit, connection, diary, runners, schema
from footcoach.storage import caseload as caseload_module
from footcoach.storage.errors import Conflict, DatabaseUnusable, NotFound

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "examples"
EXAMPLE_NAMES = sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))

FULL_STATE = {
    "runner": {"id": "r-017", "age": 42, "sex": "female", "experience": "regular"},
    "program": {"phase": 2, "weeks_in_phase": 3, "weeks_in_program": 7},
    "pain": {"during": 3, "after": 2, "morning": 2, "settled_next_morning": True, "sharp": False},
    "red_flags": [],
    "tests": {
        "balance_eyes_open_s": {"left": 44, "right": 41},
        "balance_eyes_closed_s": {"left": 12, "right": 10.5},
        "heel_raises": {"left": 22, "right": 20},
        "hop_pain": 1,
    },
    "history": [
        {
            "week": 1,
            "pain_morning": 4,
            "balance_eyes_open_s": {"left": 30, "right": 28},
            "heel_raises": {"left": 12, "right": 10},
            "foot_fatigue": 5,
        },
        {"week": 2, "pain_morning": 3},
    ],
    "shoes": [
        {"name": "Daily trainer", "km": 620, "drop_mm": 8, "minimalist": False, "weeks_worn": 30},
        {"name": "Racer", "minimalist": True},
    ],
    "running": {"weekly_km": 30, "previous_weekly_km": 25, "longest_run_km_30d": 12, "planned_long_run_km": 14},
}


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def long_diary(weeks: int) -> dict:
    doc = copy.deepcopy(FULL_STATE)
    doc["runner"].pop("id")
    doc["program"] = {"phase": 1, "weeks_in_phase": weeks, "weeks_in_program": weeks}
    doc["history"] = [
        {
            "week": w,
            "pain_morning": w % (SHIPPED.nrs_max + 1),
            "heel_raises": {"left": w % SHIPPED.reps_max, "right": 3},
            "balance_eyes_open_s": {"left": w % SHIPPED.balance_cap, "right": 1},
            "foot_fatigue": 2,
        }
        for w in range(1, weeks + 1)
    ]
    return doc


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "fc.db")


def raw(db: str) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def list_runners(db):
    return api.read(db, runners.list_runners)


def list_diary(db, rid):
    return api.read(db, diary.list_diary, rid)


def list_assessments(db, rid, **kw):
    return api.read(db, audit.list_assessments, rid, **kw)


def get_assessment(db, aid):
    return api.read(db, audit.get_assessment, aid)


def add_override(db, aid, action, reason, author=None):
    return api.write(db, audit.add_override, aid, action, reason, author)


def caseload(db, **kw):
    return api.read(db, caseload_module.caseload, **kw)


# ---- the file -------------------------------------------------------------------------------


def test_resolve_db_path_explicit_env_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv(connection.ENV_DB, str(tmp_path / "env.db"))
    assert connection.resolve_db_path(str(tmp_path / "x.db")) == tmp_path / "x.db"
    assert connection.resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv(connection.ENV_DB)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = connection.resolve_db_path(None)
    assert default.name == "footcoach.db" and "footcoach" in default.parent.name


def test_default_location_is_created_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(connection.ENV_DB, raising=False)
    monkeypatch.setattr("platformdirs.user_data_path", lambda *a, **k: tmp_path / "deep" / "footcoach")
    api.add_runner(None, "r1", 30)
    path = tmp_path / "deep" / "footcoach" / "footcoach.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_wal_and_shm_are_owner_only_even_with_a_permissive_umask(db):
    old = os.umask(0)
    try:
        conn = connection.connect(db)
        with connection.transaction(conn):
            conn.execute("INSERT INTO runners VALUES ('a', 30, NULL, NULL, 'now')")
        for suffix in ("", "-wal", "-shm"):
            assert stat.S_IMODE(os.stat(db + suffix).st_mode) == 0o600, suffix
        conn.close()
    finally:
        os.umask(old)


def test_schema_strict_wal_foreign_keys_and_version(db):
    conn = connection.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    tables = {
        r[0]: r[1]
        for r in conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    }
    assert {"runners", "diary", "reports", "report_red_flags", "report_shoes", "assessments", "overrides"} <= set(
        tables
    )
    assert all(sql.rstrip().endswith("STRICT") for sql in tables.values())
    conn.close()
    connection.connect(db).close()  # opening again migrates nothing and fails nothing


@pytest.mark.parametrize(
    "sql, params",
    [
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("a", -1)),
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("   ", 30)),  # blank id
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("a", "forty")),  # STRICT: no text in INTEGER
        ("INSERT INTO runners VALUES (?, ?, '', NULL, 'now')", ("a", 30)),
        ("INSERT INTO diary (runner_id, week, pain_morning, recorded_at) VALUES ('ok', 1, ?, 'now')", (-1,)),
        (
            "INSERT INTO diary (runner_id, week, balance_open_left, balance_open_right, recorded_at) "
            "VALUES ('ok', 1, ?, 1, 'now')",
            (-0.5,),
        ),
        (
            "INSERT INTO diary (runner_id, week, heel_raises_left, recorded_at) VALUES ('ok', 1, ?, 'now')",
            (3,),
        ),  # one leg
        ("INSERT INTO diary (runner_id, week, recorded_at) VALUES (?, 1, 'now')", ("nobody",)),  # foreign key
    ],
)
def test_check_constraints_hold_physical_ranges(db, sql, params):
    api.add_runner(db, "ok", 30)
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql, params)


def test_table_constraints_are_not_copies_of_editable_knowledge(db):
    """The balance cap, the pain scale top, the red-flag ids and the age range live in knowledge/ and the
    models check them; the tables accept any physically possible value, so editing knowledge never
    leaves a database that contradicts it."""
    api.add_runner(db, "ok", SHIPPED.age_max)
    conn = raw(db)
    conn.execute("UPDATE runners SET age = ? WHERE id = 'ok'", (SHIPPED.age_max + 1,))
    conn.execute(
        "INSERT INTO diary (runner_id, week, pain_morning, balance_open_left, balance_open_right, "
        "heel_raises_left, heel_raises_right, recorded_at) VALUES ('ok', 1, ?, ?, 0, ?, 0, 'now')",
        (SHIPPED.nrs_max + 1, SHIPPED.balance_cap + 1, SHIPPED.reps_max + 1),
    )
    text = " ".join(r[0] for r in conn.execute("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL"))
    for knowledge_value in ("numbness_tingling", "night_pain", f"<= {SHIPPED.balance_cap}", f"<= {SHIPPED.nrs_max}"):
        assert knowledge_value not in text


def test_newer_schema_is_refused_clearly(db):
    connection.connect(db).close()
    conn = raw(db)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseUnusable, match="newer than this footcoach"):
        list_runners(db)


def test_someone_elses_sqlite_file_and_garbage_are_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(DatabaseUnusable, match="not footcoach's"):
        list_runners(str(other))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseUnusable, match="not a SQLite database"):
        list_runners(str(junk))


def test_a_later_migration_runs_on_new_and_existing_files(db, monkeypatch):
    """How another storage module adds tables: append a step to schema.MIGRATIONS."""
    connection.connect(db).close()

    def notes(conn):
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, notes])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS) + 1)
    for path in (db, str(Path(db).with_name("new.db"))):
        conn = connection.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
        conn.close()


def test_a_version_1_file_is_migrated_keeping_every_row(db):
    """A database written by the previous footcoach (knowledge-copied CHECKs, no change log) opens:
    its rows are kept, the caseload columns are filled from the stored assessments, the audit trail
    stays immutable."""
    conn = sqlite3.connect(db)
    conn.executescript((ROOT / "tests" / "data" / "store-v1.sql").read_text())
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    doc = example("red-flag-numbness")
    doc["runner"].pop("id", None)
    exported = api.export_state(db, "r-v1")
    assert api.load_state(exported) == api.load_state(doc | {"runner": doc["runner"] | {"id": "r-v1"}})
    [item] = list_assessments(db, "r-v1", full=True)
    assert item["action"] == "refer" and item["effective_action"] == "hold" and item["kinds"]
    assert item["summary"] and item["red_flags"] == doc["red_flags"]
    cases = {i["runner"]: i for i in caseload(db)}
    assert cases["r-v1"]["flags"][0] == "red_flag" and cases["r-empty"]["flags"] == ["not_assessed"]
    conn = raw(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("DELETE FROM assessments")
    # the file was written under an older rule base: the first look records, the next does not
    _assessment, look = api.assess_runner(db, "r-v1")
    assert look["recorded"] is True and "the rule base changed since assessment #1" in look["reason"]
    _assessment, look = api.assess_runner(db, "r-v1")
    assert look["recorded"] is False


# ---- runners and the diary -------------------------------------------------------------------


def test_runner_add_validates_through_the_model_and_writes_nothing_on_error(db):
    with pytest.raises(InputError) as err:
        api.add_runner(db, "r1", SHIPPED.age_max + 1, sex="other")
    text = "\n".join(err.value.problems)
    assert "runner.age" in text and "runner.sex" in text
    assert list_runners(db) == []
    api.add_runner(db, "r1", 40, "male", "novice")
    with pytest.raises(Conflict, match="already exists"):
        api.add_runner(db, "r1", 41)
    assert list_runners(db)[0]["runner"] == {"id": "r1", "age": 40, "sex": "male", "experience": "novice"}


def test_unknown_runner_is_an_input_error(db):
    api.add_runner(db, "r1", 40)
    for call in (
        lambda: api.export_state(db, "r2"),
        lambda: list_diary(db, "r2"),
        lambda: api.assess_runner(db, "r2"),
        lambda: api.add_diary_entry(db, "r2", {"week": 1}),
        lambda: api.record_triage(db, "r2", {}, {"action": "hold"}),
        lambda: api.edit_runner(db, "r2", {"age": 41}),
        lambda: api.delete_runner(db, "r2", "typo"),
        lambda: api.set_phase(db, "r2", 2, reason="x"),
    ):
        with pytest.raises(NotFound, match=r"no such runner; known: r1"):
            call()


def test_first_report_needs_the_required_fields(db):
    api.add_runner(db, "r1", 40)
    out = api.add_diary_entry(db, "r1", {"pain_morning": 3})
    assert out["entry"] == {"week": 1, "pain_morning": 3} and not out["report_updated"]
    assert "pain.during" in out["report_missing"]
    with pytest.raises(Conflict, match="no current report"):
        api.export_state(db, "r1")
    out = api.add_diary_entry(
        db,
        "r1",
        {"pain_morning": 2},
        {"program": {"phase": 1, "weeks_in_phase": 1}, "pain": {"during": 2, "after": 1, "settled_next_morning": True}},
    )
    assert out["report_updated"] and out["entry"]["week"] == 2
    doc = api.export_state(db, "r1")
    assert doc["pain"] == {"during": 2, "after": 1, "morning": 2, "settled_next_morning": True, "sharp": False}
    assert [e["week"] for e in doc["history"]] == [1, 2]


def test_new_week_carries_the_report_forward_and_a_new_phase_restarts_weeks_in_phase(db):
    api.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    api.add_diary_entry(
        db, "r1", {"week": 4, "pain_morning": 1, "heel_raises": {"left": 25, "right": 24}}, {"pain": {"during": 1}}
    )
    doc = api.export_state(db, "r1")
    assert doc["program"] == {"phase": 2, "weeks_in_phase": 5, "weeks_in_program": 9}  # 2 weeks after week 2
    assert doc["pain"]["morning"] == 1 and doc["pain"]["during"] == 1 and doc["pain"]["after"] == 2
    assert doc["tests"]["heel_raises"] == {"left": 25, "right": 24}
    assert doc["tests"]["balance_eyes_closed_s"] == {"left": 12, "right": 10.5}  # carried
    assert doc["shoes"] == FULL_STATE["shoes"][:1] + [{"name": "Racer", "minimalist": True}]
    api.add_diary_entry(db, "r1", {"week": 5}, {"program": {"phase": 3}, "red_flags": ["night_pain"]})
    doc = api.export_state(db, "r1")
    assert doc["program"] == {"phase": 3, "weeks_in_phase": 0, "weeks_in_program": 10}
    assert doc["red_flags"] == ["night_pain"]


def test_earlier_week_stores_only_the_diary_and_refuses_report_fields(db):
    api.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    before = api.export_state(db, "r1")
    with pytest.raises(InputError, match="only be given for the latest week"):
        api.add_diary_entry(db, "r1", {"week": 0, "pain_morning": 5}, {"pain": {"during": 4}})
    api.add_diary_entry(db, "r1", {"week": 0, "pain_morning": 5})
    after = api.export_state(db, "r1")
    assert after["history"][0] == {"week": 0, "pain_morning": 5}
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in before.items() if k != "history"}


def test_duplicate_week_refused_unless_replace(db):
    api.add_runner(db, "r1", 40)
    api.add_diary_entry(db, "r1", {"week": 3, "pain_morning": 3})
    with pytest.raises(Conflict, match="already in the diary"):
        api.add_diary_entry(db, "r1", {"week": 3, "pain_morning": 4})
    api.add_diary_entry(db, "r1", {"week": 3, "foot_fatigue": 4}, replace=True)
    assert [{k: v for k, v in e.items() if k != "recorded_at"} for e in list_diary(db, "r1")] == [
        {"week": 3, "foot_fatigue": 4}
    ]


def test_bad_values_are_all_named_and_nothing_is_written(db):
    api.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    before = api.export_state(db, "r1")
    with pytest.raises(InputError) as err:
        api.add_diary_entry(
            db,
            "r1",
            {"pain_morning": SHIPPED.nrs_max + 1, "heel_raises": {"left": -1, "right": 3}, "foot_fatigue": 99},
            {"pain": {"during": SHIPPED.nrs_max + 2}, "running": {"weekly_km": -5}, "red_flags": ["red_flagg"]},
        )
    text = "\n".join(err.value.problems)
    for field in ("pain_morning", "heel_raises.left", "foot_fatigue", "pain.during", "running.weekly_km", "red_flags"):
        assert field in text, field
    assert api.export_state(db, "r1") == before
    # a cross-field problem (weeks_in_program < weeks_in_phase) is refused by the whole-state check
    with pytest.raises(InputError, match="weeks_in_program"):
        api.add_diary_entry(db, "r1", {"week": 3}, {"program": {"weeks_in_program": 0}})
    assert api.export_state(db, "r1") == before


# ---- import / export / assess ----------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES + ["full"])
def test_import_export_round_trip_and_assess_from_the_diary(db, name):
    doc = FULL_STATE if name == "full" else example(name)
    rid = doc["runner"].get("id", "r-x")
    api.import_state(db, rid, doc)
    exported = api.export_state(db, rid)
    assert api.load_state(exported) == api.load_state(copy.deepcopy(doc) | {"runner": doc["runner"] | {"id": rid}})
    api.import_state(db, "again", exported | {"runner": exported["runner"] | {"id": "again"}})
    assert api.export_state(db, "again") == exported | {"runner": exported["runner"] | {"id": "again"}}
    result, look = api.assess_runner(db, rid)
    assert look == {"recorded": False, "assessment_id": None, "reason": look["reason"]}  # the import assessed it
    [stored] = list_assessments(db, rid, full=True)
    assert stored["cause"]["kind"] == "diary.import" and stored["assessment"] == result
    assert result == api.assess(api.load_state(exported)) == api.assess(api.load_state(doc))


def test_import_is_checked_before_anything_is_written(db):
    bad = copy.deepcopy(FULL_STATE)
    bad["history"][1]["week"] = 1
    bad["pain"]["during"] = SHIPPED.nrs_max + 1
    with pytest.raises(InputError) as err:
        api.import_state(db, "r-017", bad)
    assert any("pain.during" in p for p in err.value.problems)
    assert any("history[1].week" in p for p in err.value.problems)
    with pytest.raises(InputError, match="differs from the runner id"):
        api.import_state(db, "someone-else", FULL_STATE)
    assert list_runners(db) == []


def test_import_over_an_existing_runner_needs_replace_and_keeps_assessments(db):
    api.import_state(db, "r-017", FULL_STATE)
    [first] = [a["id"] for a in list_assessments(db, "r-017")]
    with pytest.raises(Conflict, match="already stored"):
        api.import_state(db, "r-017", example("stall-reintroduce"))
    api.import_state(db, "r-017", example("stall-reintroduce"), replace=True)
    assert api.export_state(db, "r-017")["runner"]["age"] == example("stall-reintroduce")["runner"]["age"]
    assessments = list_assessments(db, "r-017")
    assert assessments[0]["id"] == first and len(assessments) == 2  # kept, and the import re-assessed


# ---- audit trail -----------------------------------------------------------------------------


def test_assessments_keep_snapshot_version_trace_time_and_are_never_overwritten(db):
    api.import_state(db, "r-017", FULL_STATE)
    api.add_diary_entry(db, "r-017", {"pain_morning": 1}, {"pain": {"during": 0, "after": 0}})
    a1, a2 = list_assessments(db, "r-017")
    assert a2["id"] > a1["id"] and a2["cause"]["kind"] == "diary.add" and a2["cause"]["week"] == 3
    full = get_assessment(db, a1["id"])
    assert full["input"] == {**FULL_STATE, "tests": FULL_STATE["tests"]}
    assert full["rulebase_version"] == api.rulebase_version()
    assert full["assessment"]["trace"] and full["assessment"] == api.assess(api.load_state(FULL_STATE))
    assert datetime.fromisoformat(full["created_at"]).utcoffset() == timedelta(0)
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("UPDATE assessments SET action = 'progress'")
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("DELETE FROM assessments")
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("DELETE FROM changes")


def test_looking_records_nothing_new_unless_input_or_rule_base_changed(db, monkeypatch):
    api.import_state(db, "r-017", FULL_STATE)
    assert len(list_assessments(db, "r-017")) == 1
    for _ in range(3):
        _a, look = api.assess_runner(db, "r-017")
        assert look["recorded"] is False and "unchanged since assessment #1" in look["reason"]
    _a, look = api.assess_runner(db, "r-017", record=True)
    assert look["recorded"] is True and "on request" in look["reason"]
    monkeypatch.setattr(api, "rulebase_version", lambda: "0123456789abcdef")
    _a, look = api.assess_runner(db, "r-017")
    assert look["recorded"] is True and "rule base changed" in look["reason"]
    _a, look = api.assess_runner(db, "r-017")
    assert look["recorded"] is False
    assert [a["source"] for a in list_assessments(db, "r-017")] == ["change", "assess", "assess"]


def test_triage_assessment_recorded_when_its_input_differs(db):
    api.add_runner(db, "r1", 40)
    look = api.record_triage(db, "r1", {"answers": {"q1": "yes"}}, {"action": "refer", "trace": ["t"]})
    assert look["recorded"] and look["reason"] == "no assessment on record yet"
    [item] = list_assessments(db, "r1", full=True)
    assert item["id"] == look["assessment_id"] and item["source"] == "triage" and item["action"] == "refer"
    assert item["input"] == {"answers": {"q1": "yes"}}
    again = api.record_triage(db, "r1", {"answers": {"q1": "yes"}}, {"action": "refer", "trace": ["t"]})
    assert again["recorded"] is False
    other = api.record_triage(db, "r1", {"answers": {"q1": "no"}}, {"action": "hold"})
    assert other["recorded"] and "input differs" in other["reason"]


def test_override_is_recorded_beside_the_original(db):
    api.import_state(db, "r-017", FULL_STATE)
    [aid] = [a["id"] for a in list_assessments(db, "r-017")]
    original = get_assessment(db, aid)
    oid = add_override(db, aid, "regress", "  Limping at the clinic today  ", author="PT-A")
    after = get_assessment(db, aid)
    assert after["assessment"] == original["assessment"] and after["action"] == original["action"]
    assert after["overrides"][0]["id"] == oid and after["overrides"][0]["reason"] == "Limping at the clinic today"
    assert after["effective_action"] == "regress"
    for bad in ((aid + 99, "hold", "x"), (aid, "jump", "x"), (aid, "hold", "   ")):
        with pytest.raises(InputError):
            add_override(db, *bad)
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE overrides SET reason = 'other'")


# ---- caseload --------------------------------------------------------------------------------


def test_caseload_orders_referrals_regressions_stalls_overdue(db):
    names = {
        "a-ok": "progress-to-phase-3",
        "b-stall": "stall-reintroduce",
        "c-regress": "regress-not-settled",
        "d-refer": "red-flag-numbness",
        "e-overdue": "amber-hold-worn-shoes",
    }
    for rid, name in names.items():
        doc = example(name)
        doc["runner"].pop("id", None)
        api.import_state(db, rid, doc)  # assessed in the same transaction: nobody runs assess
    api.add_runner(db, "f-new", 30)
    conn = raw(db)
    old = (datetime.now(UTC) - timedelta(days=20)).isoformat(timespec="seconds")
    for table in ("diary", "reports"):
        conn.execute(f"UPDATE {table} SET recorded_at = ? WHERE runner_id = 'e-overdue'", (old,))
    items = caseload(db)
    assert [i["runner"] for i in items] == ["d-refer", "c-regress", "b-stall", "e-overdue", "f-new", "a-ok"]
    assert items[0]["action"] == "refer" and items[0]["flags"][:2] == ["red_flag", "referral"]
    assert "stall" in items[2]["flags"] and "overdue" in items[3]["flags"]
    assert [i["runner"] for i in caseload(db, overdue_days=30)][3:] == ["f-new", "a-ok", "e-overdue"]
    # an override changes the latest action, but a red flag on record stays at the top
    add_override(db, items[0]["assessment"]["id"], "hold", "numbness explained by a tight lace; re-tied")
    later = caseload(db, now=datetime.now(UTC) + timedelta(days=1))
    assert later[0]["runner"] == "d-refer" and later[0]["action"] == "hold" and later[0]["flags"] == ["red_flag"]
    assert later[0]["assessment"]["overridden"] is True and later[1]["runner"] == "c-regress"


# ---- nothing lost ----------------------------------------------------------------------------


def _python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_two_processes_adding_200_entries_each_lose_none(db):
    api.add_runner(db, "r1", 40)
    code = """
        import sys
        from footcoach import service as api
        from footcoach.storage import diary
        import os, time
        db, tag, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        while not os.path.exists(go):   # start together, so the writers really overlap
            time.sleep(0.005)
        other = 3 - tag
        for i in range(200):
            # week None: the store picks the next week under the write lock, so the two writers race for it
            api.add_diary_entry(db, "r1", {"week": None, "foot_fatigue": tag})
            if i == 99:
                # half-way, wait until the other writer has written too: the two really overlap however
                # the machine schedules them (a hang guard, not a timing assumption)
                deadline = time.monotonic() + 60
                while not any(e["foot_fatigue"] == other for e in api.read(db, diary.list_diary, "r1")):
                    assert time.monotonic() < deadline, "the other writer never wrote"
                    time.sleep(0.005)
        print("done")
    """
    go = Path(db).with_name("go")
    procs = [_python(code, db, str(tag), str(go)) for tag in (1, 2)]
    go.touch()
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    entries = list_diary(db, "r1")
    assert len(entries) == 400
    assert [e["week"] for e in entries] == list(range(1, 401))
    tags = [e["foot_fatigue"] for e in entries]
    assert sorted(tags) == [1] * 200 + [2] * 200
    assert sum(a != b for a, b in zip(tags, tags[1:])) > 1  # the two writers interleaved
    assert raw(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILL_SCRIPT = """
    import json, sys, time
    from footcoach import service as api
    from footcoach.storage import connection
    db, path = sys.argv[1], sys.argv[2]
    real_connect = connection.connect

    def small_cache_connect(p, **kw):
        conn = real_connect(p, **kw)
        conn.execute("PRAGMA cache_size = 2")   # spill uncommitted pages into the WAL before the kill
        return conn

    connection.connect = small_cache_connect

    def progress(done, total):
        if done == total // 2:
            print("HALF", flush=True)
            time.sleep(60)

    api.import_state(db, "r-long", json.load(open(path)), progress=progress)
"""


def test_kill_9_mid_import_of_500_weeks_leaves_the_database_as_it_was(db, tmp_path):
    api.add_runner(db, "keep", 30)
    doc_path = tmp_path / "long.json"
    doc_path.write_text(json.dumps(long_diary(500)))
    wal = Path(db + "-wal")
    p = _python(KILL_SCRIPT, db, str(doc_path))
    assert p.stdout.readline().strip() == "HALF"
    wal_size = wal.stat().st_size if wal.exists() else 0
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    assert p.returncode == -signal.SIGKILL
    assert wal_size > 0  # uncommitted pages of the import were on disk when it died
    conn = raw(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM diary").fetchone()[0] == 0
    assert [r["runner"]["id"] for r in list_runners(db)] == ["keep"]
    # and the same import, left to finish, stores all of it
    api.import_state(db, "r-long", long_diary(500))
    assert len(list_diary(db, "r-long")) == 500


def test_kill_9_of_the_cli_import_at_any_moment_is_all_or_nothing(db, tmp_path):
    doc_path = tmp_path / "long.json"
    doc_path.write_text(json.dumps(long_diary(500)))
    connection.connect(db).close()
    exe = Path(sys.executable).with_name("footcoach")
    seen = set()
    for i, delay in enumerate((0.25, 0.35, 0.45, 0.6)):
        rid = f"r{i}"
        p = subprocess.Popen(
            [str(exe), "--db", db, "diary", "import", rid, str(doc_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
        conn = raw(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = conn.execute("SELECT count(*) FROM diary WHERE runner_id = ?", (rid,)).fetchone()[0]
        runners = conn.execute("SELECT count(*) FROM runners WHERE id = ?", (rid,)).fetchone()[0]
        reports = conn.execute("SELECT count(*) FROM reports WHERE runner_id = ?", (rid,)).fetchone()[0]
        assert (runners, n, reports) in ((0, 0, 0), (1, 500, 1))
        seen.add(n)
        conn.close()
    assert seen  # whichever moments the kills hit, every outcome was all or nothing
