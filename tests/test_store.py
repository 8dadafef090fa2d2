"""footcoach.storage.store: the SQLite file, its schema, the diary, import/export, the audit trail, the caseload,
and the two "nothing lost" guarantees (concurrent writers, kill -9 mid-import)."""

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
from footcoach.contract.state import AGE_MAX, AGE_MIN, BALANCE_CAP, NRS_MAX, REPS_MAX
from footcoach.storage import store

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
            "pain_morning": w % (NRS_MAX + 1),
            "heel_raises": {"left": w % REPS_MAX, "right": 3},
            "balance_eyes_open_s": {"left": w % BALANCE_CAP, "right": 1},
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


# ---- the file -------------------------------------------------------------------------------


def test_resolve_db_path_explicit_env_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_DB, str(tmp_path / "env.db"))
    assert store.resolve_db_path(str(tmp_path / "x.db")) == tmp_path / "x.db"
    assert store.resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv(store.ENV_DB)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = store.resolve_db_path(None)
    assert default.name == "footcoach.db" and "footcoach" in default.parent.name


def test_default_location_is_created_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV_DB, raising=False)
    monkeypatch.setattr("platformdirs.user_data_path", lambda *a, **k: tmp_path / "deep" / "footcoach")
    store.add_runner(None, "r1", 30)
    path = tmp_path / "deep" / "footcoach" / "footcoach.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_wal_and_shm_are_owner_only_even_with_a_permissive_umask(db):
    old = os.umask(0)
    try:
        conn = store.connect(db)
        with store.transaction(conn):
            conn.execute("INSERT INTO runners VALUES ('a', 30, NULL, NULL, 'now')")
        for suffix in ("", "-wal", "-shm"):
            assert stat.S_IMODE(os.stat(db + suffix).st_mode) == 0o600, suffix
        conn.close()
    finally:
        os.umask(old)


def test_schema_strict_wal_foreign_keys_and_version(db):
    conn = store.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    tables = {
        r[0]: r[1]
        for r in conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    }
    assert {"runners", "diary", "reports", "report_red_flags", "report_shoes", "assessments", "overrides"} <= set(
        tables
    )
    assert all(sql.rstrip().endswith("STRICT") for sql in tables.values())
    conn.close()
    store.connect(db).close()  # opening again migrates nothing and fails nothing


@pytest.mark.parametrize(
    "sql, params",
    [
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("a", AGE_MAX + 1)),
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("a", AGE_MIN - 1)),
        ("INSERT INTO runners VALUES (?, ?, NULL, NULL, 'now')", ("a", "forty")),  # STRICT: no text in INTEGER
        ("INSERT INTO runners VALUES (?, ?, 'other', NULL, 'now')", ("a", 30)),
        ("INSERT INTO diary (runner_id, week, pain_morning, recorded_at) VALUES ('ok', 1, ?, 'now')", (NRS_MAX + 1,)),
        (
            "INSERT INTO diary (runner_id, week, balance_open_left, balance_open_right, recorded_at) "
            "VALUES ('ok', 1, ?, 1, 'now')",
            (BALANCE_CAP + 0.5,),
        ),
        (
            "INSERT INTO diary (runner_id, week, heel_raises_left, recorded_at) VALUES ('ok', 1, ?, 'now')",
            (3,),
        ),  # one leg
        (
            "INSERT INTO diary (runner_id, week, heel_raises_left, heel_raises_right, recorded_at) "
            "VALUES ('ok', 1, ?, 1, 'now')",
            (REPS_MAX + 1,),
        ),
        ("INSERT INTO diary (runner_id, week, recorded_at) VALUES (?, 1, 'now')", ("nobody",)),  # foreign key
    ],
)
def test_check_constraints_refuse_what_the_models_refuse(db, sql, params):
    store.add_runner(db, "ok", 30)
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql, params)


def test_boundaries_from_the_model_constants_are_accepted(db):
    store.add_runner(db, "ok", AGE_MAX)
    conn = raw(db)
    conn.execute(
        "INSERT INTO diary (runner_id, week, pain_morning, balance_open_left, balance_open_right, "
        "heel_raises_left, heel_raises_right, recorded_at) VALUES ('ok', 1, ?, ?, 0, ?, 0, 'now')",
        (NRS_MAX, BALANCE_CAP, REPS_MAX),
    )


def test_newer_schema_is_refused_clearly(db):
    store.connect(db).close()
    conn = raw(db)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(store.StoreError, match="newer than this footcoach"):
        store.list_runners(db)


def test_someone_elses_sqlite_file_and_garbage_are_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(store.StoreError, match="not footcoach's"):
        store.list_runners(str(other))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(store.StoreError, match="not a usable footcoach database"):
        store.list_runners(str(junk))


def test_migrations_run_in_order_from_an_older_version(db, monkeypatch):
    store.connect(db).close()
    extra = lambda: ["CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT"]  # noqa: E731
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, extra])
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))
    conn = store.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_tables_follow_a_range_changed_in_knowledge(db, monkeypatch):
    """A clinician raises the balance cap: the next open rebuilds the CHECKs, keeping every row."""
    store.import_state(db, "r-017", FULL_STATE)
    before = store.export_state(db, "r-017")
    monkeypatch.setattr(store, "_SECONDS", (0, BALANCE_CAP + 15))
    conn = store.connect(db)
    assert store._drifted(conn) == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name LIKE '_new_%'").fetchone()[0] == 0
    with store.transaction(conn):
        conn.execute(
            "INSERT INTO diary (runner_id, week, balance_open_left, balance_open_right, recorded_at) "
            "VALUES ('r-017', 9, ?, 1, 'now')",
            (BALANCE_CAP + 10,),
        )
    conn.close()
    after = store.export_state(db, "r-017")
    assert after["history"][:-1] == before["history"] and after["shoes"] == before["shoes"]
    assert after["red_flags"] == before["red_flags"] and after["tests"] == before["tests"]
    # narrowing it below a stored value is refused and leaves the file as it was
    monkeypatch.setattr(store, "_SECONDS", (0, BALANCE_CAP - 20))
    with pytest.raises(store.StoreError, match="outside the ranges"):
        store.connect(db)
    monkeypatch.setattr(store, "_SECONDS", (0, BALANCE_CAP + 15))
    assert store.export_state(db, "r-017") == after


# ---- runners and the diary -------------------------------------------------------------------


def test_runner_add_validates_through_the_model_and_writes_nothing_on_error(db):
    with pytest.raises(InputError) as err:
        store.add_runner(db, "r1", AGE_MAX + 1, sex="other")
    text = "\n".join(err.value.problems)
    assert "runner.age" in text and "runner.sex" in text
    assert store.list_runners(db) == []
    store.add_runner(db, "r1", 40, "male", "novice")
    with pytest.raises(InputError, match="already exists"):
        store.add_runner(db, "r1", 41)
    assert store.list_runners(db)[0]["runner"] == {"id": "r1", "age": 40, "sex": "male", "experience": "novice"}


def test_unknown_runner_is_an_input_error(db):
    store.add_runner(db, "r1", 40)
    for call in (
        lambda: store.export_state(db, "r2"),
        lambda: store.list_diary(db, "r2"),
        lambda: store.assess_runner(db, "r2"),
        lambda: store.add_diary_entry(db, "r2", {"week": 1}),
        lambda: store.save_assessment(db, "r2", {}, {"action": "hold"}),
    ):
        with pytest.raises(InputError, match=r"no such runner.*known runners: r1"):
            call()


def test_first_report_needs_the_required_fields(db):
    store.add_runner(db, "r1", 40)
    out = store.add_diary_entry(db, "r1", {"pain_morning": 3})
    assert out["entry"] == {"week": 1, "pain_morning": 3} and not out["report_updated"]
    assert "pain.during" in out["report_missing"]
    with pytest.raises(InputError, match="no current report"):
        store.export_state(db, "r1")
    out = store.add_diary_entry(
        db,
        "r1",
        {"pain_morning": 2},
        {"program": {"phase": 1, "weeks_in_phase": 1}, "pain": {"during": 2, "after": 1, "settled_next_morning": True}},
    )
    assert out["report_updated"] and out["entry"]["week"] == 2
    doc = store.export_state(db, "r1")
    assert doc["pain"] == {"during": 2, "after": 1, "morning": 2, "settled_next_morning": True, "sharp": False}
    assert [e["week"] for e in doc["history"]] == [1, 2]


def test_new_week_carries_the_report_forward_and_a_new_phase_restarts_weeks_in_phase(db):
    store.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    store.add_diary_entry(
        db, "r1", {"week": 4, "pain_morning": 1, "heel_raises": {"left": 25, "right": 24}}, {"pain": {"during": 1}}
    )
    doc = store.export_state(db, "r1")
    assert doc["program"] == {"phase": 2, "weeks_in_phase": 5, "weeks_in_program": 9}  # 2 weeks after week 2
    assert doc["pain"]["morning"] == 1 and doc["pain"]["during"] == 1 and doc["pain"]["after"] == 2
    assert doc["tests"]["heel_raises"] == {"left": 25, "right": 24}
    assert doc["tests"]["balance_eyes_closed_s"] == {"left": 12, "right": 10.5}  # carried
    assert doc["shoes"] == FULL_STATE["shoes"][:1] + [{"name": "Racer", "minimalist": True}]
    store.add_diary_entry(db, "r1", {"week": 5}, {"program": {"phase": 3}, "red_flags": ["night_pain"]})
    doc = store.export_state(db, "r1")
    assert doc["program"] == {"phase": 3, "weeks_in_phase": 0, "weeks_in_program": 10}
    assert doc["red_flags"] == ["night_pain"]


def test_earlier_week_stores_only_the_diary_and_refuses_report_fields(db):
    store.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    before = store.export_state(db, "r1")
    with pytest.raises(InputError, match="only be given for the latest week"):
        store.add_diary_entry(db, "r1", {"week": 0, "pain_morning": 5}, {"pain": {"during": 4}})
    store.add_diary_entry(db, "r1", {"week": 0, "pain_morning": 5})
    after = store.export_state(db, "r1")
    assert after["history"][0] == {"week": 0, "pain_morning": 5}
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in before.items() if k != "history"}


def test_duplicate_week_refused_unless_replace(db):
    store.add_runner(db, "r1", 40)
    store.add_diary_entry(db, "r1", {"week": 3, "pain_morning": 3})
    with pytest.raises(InputError, match="already in the diary"):
        store.add_diary_entry(db, "r1", {"week": 3, "pain_morning": 4})
    store.add_diary_entry(db, "r1", {"week": 3, "foot_fatigue": 4}, replace=True)
    assert [{k: v for k, v in e.items() if k != "recorded_at"} for e in store.list_diary(db, "r1")] == [
        {"week": 3, "foot_fatigue": 4}
    ]


def test_bad_values_are_all_named_and_nothing_is_written(db):
    store.import_state(db, "r1", FULL_STATE | {"runner": {"age": 42}})
    before = store.export_state(db, "r1")
    with pytest.raises(InputError) as err:
        store.add_diary_entry(
            db,
            "r1",
            {"pain_morning": NRS_MAX + 1, "heel_raises": {"left": -1, "right": 3}, "foot_fatigue": 99},
            {"pain": {"during": NRS_MAX + 2}, "running": {"weekly_km": -5}, "red_flags": ["red_flagg"]},
        )
    text = "\n".join(err.value.problems)
    for field in ("pain_morning", "heel_raises.left", "foot_fatigue", "pain.during", "running.weekly_km", "red_flags"):
        assert field in text, field
    assert store.export_state(db, "r1") == before
    # a cross-field problem (weeks_in_program < weeks_in_phase) is refused by the whole-state check
    with pytest.raises(InputError, match="weeks_in_program"):
        store.add_diary_entry(db, "r1", {"week": 3}, {"program": {"weeks_in_program": 0}})
    assert store.export_state(db, "r1") == before


# ---- import / export / assess ----------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES + ["full"])
def test_import_export_round_trip_and_assess_from_the_diary(db, name):
    doc = FULL_STATE if name == "full" else example(name)
    rid = doc["runner"].get("id", "r-x")
    store.import_state(db, rid, doc)
    exported = store.export_state(db, rid)
    assert api.load_state(exported) == api.load_state(copy.deepcopy(doc) | {"runner": doc["runner"] | {"id": rid}})
    store.import_state(db, "again", exported | {"runner": exported["runner"] | {"id": "again"}})
    assert store.export_state(db, "again") == exported | {"runner": exported["runner"] | {"id": "again"}}
    result = store.assess_runner(db, rid)
    assessment_id = result.pop("assessment_id")
    assert isinstance(assessment_id, int)
    assert result == api.assess(api.load_state(exported)) == api.assess(api.load_state(doc))


def test_import_is_checked_before_anything_is_written(db):
    bad = copy.deepcopy(FULL_STATE)
    bad["history"][1]["week"] = 1
    bad["pain"]["during"] = NRS_MAX + 1
    with pytest.raises(InputError) as err:
        store.import_state(db, "r-017", bad)
    assert any("pain.during" in p for p in err.value.problems)
    assert any("history[1].week" in p for p in err.value.problems)
    with pytest.raises(InputError, match="differs from the runner id"):
        store.import_state(db, "someone-else", FULL_STATE)
    assert store.list_runners(db) == []


def test_import_over_an_existing_runner_needs_replace_and_keeps_assessments(db):
    store.import_state(db, "r-017", FULL_STATE)
    first = store.assess_runner(db, "r-017")["assessment_id"]
    with pytest.raises(InputError, match="already stored"):
        store.import_state(db, "r-017", example("stall-reintroduce"))
    store.import_state(db, "r-017", example("stall-reintroduce"), replace=True)
    assert store.export_state(db, "r-017")["runner"]["age"] == example("stall-reintroduce")["runner"]["age"]
    assert [a["id"] for a in store.list_assessments(db, "r-017")] == [first]


# ---- audit trail -----------------------------------------------------------------------------


def test_assessments_keep_snapshot_version_trace_time_and_are_never_overwritten(db):
    store.import_state(db, "r-017", FULL_STATE)
    a1 = store.assess_runner(db, "r-017")
    store.add_diary_entry(db, "r-017", {"pain_morning": 1}, {"pain": {"during": 0, "after": 0}})
    a2 = store.assess_runner(db, "r-017")
    assert a2["assessment_id"] > a1["assessment_id"]
    full = store.get_assessment(db, a1["assessment_id"])
    assert full["input"] == {**FULL_STATE, "tests": FULL_STATE["tests"]}
    assert full["rulebase_version"] == api.rulebase_version()
    assert full["assessment"]["trace"] and full["assessment"] == {k: v for k, v in a1.items() if k != "assessment_id"}
    assert datetime.fromisoformat(full["created_at"]).utcoffset() == timedelta(0)
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("UPDATE assessments SET action = 'progress'")
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        conn.execute("DELETE FROM assessments")
    assert store.assess_runner(db, "r-017", save=False)["assessment_id"] is None
    assert len(store.list_assessments(db, "r-017")) == 2


def test_save_assessment_for_triage(db):
    store.add_runner(db, "r1", 40)
    aid = store.save_assessment(
        db, "r1", {"answers": {"q1": "yes"}}, {"action": "refer", "trace": ["t"]}, source="triage"
    )
    [item] = store.list_assessments(db, "r1", full=True)
    assert item["id"] == aid and item["source"] == "triage" and item["action"] == "refer"
    assert item["input"] == {"answers": {"q1": "yes"}}


def test_override_is_recorded_beside_the_original(db):
    store.import_state(db, "r-017", FULL_STATE)
    aid = store.assess_runner(db, "r-017")["assessment_id"]
    original = store.get_assessment(db, aid)
    oid = store.add_override(db, aid, "regress", "  Limping at the clinic today  ", author="PT-A")
    after = store.get_assessment(db, aid)
    assert after["assessment"] == original["assessment"] and after["action"] == original["action"]
    assert after["overrides"][0]["id"] == oid and after["overrides"][0]["reason"] == "Limping at the clinic today"
    assert after["effective_action"] == "regress"
    for bad in ((aid + 99, "hold", "x"), (aid, "jump", "x"), (aid, "hold", "   ")):
        with pytest.raises(InputError):
            store.add_override(db, *bad)
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
        store.import_state(db, rid, doc)
        store.assess_runner(db, rid)
    store.add_runner(db, "f-new", 30)
    conn = raw(db)
    old = (datetime.now(UTC) - timedelta(days=20)).isoformat(timespec="seconds")
    for table in ("diary", "reports"):
        conn.execute(f"UPDATE {table} SET recorded_at = ? WHERE runner_id = 'e-overdue'", (old,))
    items = store.caseload(db)
    assert [i["runner"] for i in items] == ["d-refer", "c-regress", "b-stall", "e-overdue", "f-new", "a-ok"]
    assert items[0]["action"] == "refer" and "referral" in items[0]["flags"]
    assert "stall" in items[2]["flags"] and "overdue" in items[3]["flags"]
    assert [i["runner"] for i in store.caseload(db, overdue_days=30)][3:] == ["f-new", "a-ok", "e-overdue"]
    # an override changes the latest action: the referral becomes a hold and drops down
    store.add_override(db, items[0]["assessment"]["id"], "hold", "numbness explained by a tight lace; re-tied")
    later = store.caseload(db, now=datetime.now(UTC) + timedelta(days=1))
    assert later[0]["runner"] == "c-regress"
    assert next(i for i in later if i["runner"] == "d-refer")["assessment"]["overridden"] is True


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
    store.add_runner(db, "r1", 40)
    code = """
        import sys
        from footcoach.storage import store
        import os, time
        db, tag, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        while not os.path.exists(go):   # start together, so the writers really overlap
            time.sleep(0.005)
        for i in range(200):
            # week None: the store picks the next week under the write lock, so the two writers race for it
            store.add_diary_entry(db, "r1", {"week": None, "foot_fatigue": tag})
        print("done")
    """
    go = Path(db).with_name("go")
    procs = [_python(code, db, str(tag), str(go)) for tag in (1, 2)]
    go.touch()
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    entries = store.list_diary(db, "r1")
    assert len(entries) == 400
    assert [e["week"] for e in entries] == list(range(1, 401))
    tags = [e["foot_fatigue"] for e in entries]
    assert sorted(tags) == [1] * 200 + [2] * 200
    assert sum(a != b for a, b in zip(tags, tags[1:])) > 1  # the two writers interleaved
    assert raw(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILL_SCRIPT = """
    import json, sys, time
    from footcoach.storage import store
    db, path = sys.argv[1], sys.argv[2]
    real_connect = store.connect

    def small_cache_connect(p):
        conn = real_connect(p)
        conn.execute("PRAGMA cache_size = 2")   # spill uncommitted pages into the WAL before the kill
        return conn

    store.connect = small_cache_connect

    def progress(done, total):
        if done == total // 2:
            print("HALF", flush=True)
            time.sleep(60)

    store.import_state(db, "r-long", json.load(open(path)), progress=progress)
"""


def test_kill_9_mid_import_of_500_weeks_leaves_the_database_as_it_was(db, tmp_path):
    store.add_runner(db, "keep", 30)
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
    assert [r["runner"]["id"] for r in store.list_runners(db)] == ["keep"]
    # and the same import, left to finish, stores all of it
    store.import_state(db, "r-long", long_diary(500))
    assert len(store.list_diary(db, "r-long")) == 500


def test_kill_9_of_the_cli_import_at_any_moment_is_all_or_nothing(db, tmp_path):
    doc_path = tmp_path / "long.json"
    doc_path.write_text(json.dumps(long_diary(500)))
    store.connect(db).close()
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
