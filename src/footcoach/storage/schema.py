"""The tables, their version, and the migrations between versions.

``PRAGMA user_version`` holds the schema version and ``PRAGMA application_id`` marks the file as
footcoach's.  A new file is created at :data:`BASE_VERSION` from :func:`base_schema` and then takes
every later step of :data:`MIGRATIONS`; an older file takes the steps from its own version.  To add
tables (another storage module, e.g. accounts for the web app) append a step to :data:`MIGRATIONS`:
a function that runs its statements on the connection; never edit a step that has shipped.

CHECK constraints hold physical ranges only (no negative seconds, a phase of at least 1, text that is
not blank, JSON that is JSON).  The clinical ranges (the pain scale top, the balance cap, the red-flag
ids) are editable knowledge; the contract's models check them before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from footcoach.storage.errors import DatabaseUnusable

# Marks a SQLite file as ours (PRAGMA application_id): "FtCo" in ASCII.
APPLICATION_ID = 0x4674436F
CARRIER_KINDS = ("progression", "hold", "regression", "referral")  # the contract's action-carrying kinds


def _nonneg(col: str) -> str:
    return f"CHECK ({col} IS NULL OR {col} >= 0)"


def _text(col: str) -> str:
    return f"CHECK ({col} IS NULL OR length(trim({col})) > 0)"


def _pair(a: str, b: str) -> str:
    return f"CHECK (({a} IS NULL) = ({b} IS NULL))"


def _json(col: str) -> str:
    return f"CHECK ({col} IS NULL OR json_valid({col}))"


_BOOL = "IN (0, 1)"
# Audit rows never change; they may be deleted only while their runner is being erased on request.
_KEEP = "SELECT RAISE(ABORT, 'the audit trail is never overwritten');"
_ERASING = "NOT EXISTS (SELECT 1 FROM erasing e WHERE e.runner_id = OLD.runner_id)"


def _runner_tables() -> list[str]:
    return [
        f"""CREATE TABLE runners (
            id TEXT PRIMARY KEY {_text("id")},
            age INTEGER NOT NULL CHECK (age >= 0),
            sex TEXT {_text("sex")},
            experience TEXT {_text("experience")},
            created_at TEXT NOT NULL
        ) STRICT""",
        f"""CREATE TABLE diary (
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL {_nonneg("week")},
            pain_morning INTEGER {_nonneg("pain_morning")},
            balance_open_left REAL {_nonneg("balance_open_left")},
            balance_open_right REAL {_nonneg("balance_open_right")},
            heel_raises_left INTEGER {_nonneg("heel_raises_left")},
            heel_raises_right INTEGER {_nonneg("heel_raises_right")},
            foot_fatigue INTEGER {_nonneg("foot_fatigue")},
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (runner_id, week),
            {_pair("balance_open_left", "balance_open_right")},
            {_pair("heel_raises_left", "heel_raises_right")}
        ) STRICT""",
    ]


_REPORT_NUMBERS = (
    "balance_open_left REAL",
    "balance_open_right REAL",
    "balance_closed_left REAL",
    "balance_closed_right REAL",
    "heel_raises_left INTEGER",
    "heel_raises_right INTEGER",
    "hop_pain INTEGER",
    "weekly_km REAL",
    "previous_weekly_km REAL",
    "longest_run_km_30d REAL",
    "planned_long_run_km REAL",
)


def _report_tables() -> list[str]:
    numbers = ",\n            ".join(f"{c} {_nonneg(c.split()[0])}" for c in _REPORT_NUMBERS)
    return [
        f"""CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL {_nonneg("week")},
            phase INTEGER NOT NULL CHECK (phase >= 1),
            weeks_in_phase INTEGER NOT NULL {_nonneg("weeks_in_phase")},
            weeks_in_program INTEGER {_nonneg("weeks_in_program")},
            pain_during INTEGER NOT NULL {_nonneg("pain_during")},
            pain_after INTEGER NOT NULL {_nonneg("pain_after")},
            pain_morning INTEGER NOT NULL {_nonneg("pain_morning")},
            settled_next_morning INTEGER NOT NULL CHECK (settled_next_morning {_BOOL}),
            sharp INTEGER NOT NULL DEFAULT 0 CHECK (sharp {_BOOL}),
            {numbers},
            changed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changed)),
            source TEXT NOT NULL {_text("source")},
            recorded_at TEXT NOT NULL,
            {_pair("balance_open_left", "balance_open_right")},
            {_pair("balance_closed_left", "balance_closed_right")},
            {_pair("heel_raises_left", "heel_raises_right")}
        ) STRICT""",
        "CREATE INDEX reports_by_runner ON reports (runner_id, id)",
        f"""CREATE TABLE report_red_flags (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            flag TEXT NOT NULL {_text("flag")},
            PRIMARY KEY (report_id, position)
        ) STRICT""",
        f"""CREATE TABLE report_shoes (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL {_text("name")},
            km REAL {_nonneg("km")},
            drop_mm REAL {_nonneg("drop_mm")},
            minimalist INTEGER NOT NULL DEFAULT 0 CHECK (minimalist {_BOOL}),
            weeks_worn INTEGER {_nonneg("weeks_worn")},
            PRIMARY KEY (report_id, position)
        ) STRICT""",
    ]


def _audit_tables() -> list[str]:
    return [
        f"""CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runner_id TEXT NOT NULL {_text("runner_id")},
            kind TEXT NOT NULL {_text("kind")},
            week INTEGER,
            old TEXT {_json("old")},
            new TEXT {_json("new")},
            reason TEXT,
            author TEXT,
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX changes_by_runner ON changes (runner_id, id)",
        f"""CREATE TABLE assessments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            created_at TEXT NOT NULL,
            rulebase_version TEXT NOT NULL {_text("rulebase_version")},
            source TEXT NOT NULL {_text("source")},
            change_id INTEGER REFERENCES changes(id),
            action TEXT {_text("action")},
            phase_current INTEGER,
            phase_next INTEGER,
            summary TEXT,
            kinds TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(kinds)),
            red_flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(red_flags)),
            input_hash TEXT NOT NULL {_text("input_hash")},
            input TEXT NOT NULL CHECK (json_valid(input)),
            assessment TEXT NOT NULL CHECK (json_valid(assessment))
        ) STRICT""",
        "CREATE INDEX assessments_by_runner ON assessments (runner_id, id)",
        f"""CREATE TABLE overrides (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            action TEXT NOT NULL {_text("action")},
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            author TEXT,
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX overrides_by_assessment ON overrides (assessment_id, id)",
        f"""CREATE TABLE tombstones (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runner_id TEXT NOT NULL,
            erased_at TEXT NOT NULL,
            erased_by TEXT,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            assessments INTEGER NOT NULL {_nonneg("assessments")}
        ) STRICT""",
        "CREATE TABLE erasing (runner_id TEXT PRIMARY KEY) STRICT",
    ]


def _audit_triggers() -> list[str]:
    overrides_erasing = (
        "NOT EXISTS (SELECT 1 FROM erasing e JOIN assessments a ON a.runner_id = e.runner_id "
        "WHERE a.id = OLD.assessment_id)"
    )
    out = []
    for table, erasing in (("assessments", _ERASING), ("changes", _ERASING), ("overrides", overrides_erasing)):
        out.append(f"CREATE TRIGGER {table}_keep_update BEFORE UPDATE ON {table} BEGIN {_KEEP} END")
        out.append(f"CREATE TRIGGER {table}_keep_delete BEFORE DELETE ON {table} WHEN {erasing} BEGIN {_KEEP} END")
    out.append(f"CREATE TRIGGER tombstones_keep_update BEFORE UPDATE ON tombstones BEGIN {_KEEP} END")
    out.append(f"CREATE TRIGGER tombstones_keep_delete BEFORE DELETE ON tombstones BEGIN {_KEEP} END")
    return out


def base_schema() -> list[str]:
    """The statements that create a new database at :data:`BASE_VERSION`."""
    return [*_runner_tables(), *_report_tables(), *_audit_tables(), *_audit_triggers()]


def input_hash(text: str) -> str:
    """The hash of a stored input snapshot (canonical JSON text)."""
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(document: object) -> str:
    """The canonical JSON text input snapshots are stored as (and hashed from)."""
    return json.dumps(document, sort_keys=True)


_CREATE = re.compile(r"\s*CREATE TABLE (\w+) \(")
_V1_ASSESSMENT_COLUMNS = "id, runner_id, created_at, rulebase_version, source, action, phase_current, phase_next"


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Version 1 had CHECKs copied from knowledge/ and no change log: rebuild every table with physical
    ranges (SQLite's documented copy-and-rename procedure), carry the data over, and fill the
    assessments' summary, kinds, red flags and input hash from their stored JSON."""
    kept = ("runners", "diary", "reports", "report_red_flags", "report_shoes", "overrides")
    for table in (*kept, "assessments"):
        conn.execute(f"ALTER TABLE {table} RENAME TO _v1_{table}")
    for name in ("assessments", "overrides"):
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}_keep_{op}")
    for index in ("reports_by_runner", "assessments_by_runner", "overrides_by_assessment"):
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    for statement in [*_runner_tables(), *_report_tables(), *_audit_tables()]:
        conn.execute(statement)
    for table in kept:
        conn.execute(f"INSERT INTO {table} SELECT * FROM _v1_{table}")
    rows = conn.execute(f"SELECT {_V1_ASSESSMENT_COLUMNS}, input, assessment FROM _v1_assessments ORDER BY id")
    for row in rows.fetchall():
        doc = json.loads(row[-1])
        summary, kinds = summary_and_kinds(doc)
        flags = json.loads(row[-2]).get("red_flags") or []
        conn.execute(
            f"INSERT INTO assessments ({_V1_ASSESSMENT_COLUMNS}, summary, kinds, red_flags, input_hash, input, "
            "assessment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row[:-2], summary, json.dumps(kinds), json.dumps(flags), input_hash(row[-2]), row[-2], row[-1]),
        )
    for table in (*kept, "assessments"):
        conn.execute(f"DROP TABLE _v1_{table}")
    for statement in _audit_triggers():
        conn.execute(statement)


def summary_and_kinds(assessment: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The sentence of the recommendation that carries the action, and every recommendation's kind."""
    recs = [r for r in assessment.get("recommendations", []) if isinstance(r, dict)]
    carrier = next((r for r in recs if r.get("kind") in CARRIER_KINDS), None)
    return (carrier.get("summary") if carrier else None), [str(r.get("kind")) for r in recs]


# MIGRATIONS[i] takes a file from version i + 1 to i + 2.  Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_to_v2]
BASE_VERSION = 2  # base_schema() creates this version
SCHEMA_VERSION = len(MIGRATIONS) + 1


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the file to :data:`SCHEMA_VERSION` (creating the tables in a new file); DatabaseUnusable for
    a newer or foreign file."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        _check_application(conn, path)
        return
    if version > SCHEMA_VERSION:
        raise DatabaseUnusable(
            path,
            f"the database has schema version {version}, newer than this footcoach understands "
            f"(up to {SCHEMA_VERSION}); upgrade footcoach to open it",
        )
    # Off outside the transaction: with it on, dropping a rebuilt table would cascade deletes.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        _migrate_locked(conn, path)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _migrate_locked(conn: sqlite3.Connection, path: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]:
                raise DatabaseUnusable(path, "a SQLite database that is not footcoach's; choose another file")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in base_schema():
                conn.execute(statement)
            version = BASE_VERSION
            conn.execute(f"PRAGMA user_version = {version}")
        else:
            _check_application(conn, path)
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step - 1](conn)
            conn.execute(f"PRAGMA user_version = {step + 1}")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise DatabaseUnusable(path, f"{len(broken)} broken references; the file is left as it was", damaged=True)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _check_application(conn: sqlite3.Connection, path: str) -> None:
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise DatabaseUnusable(path, "a SQLite database that is not footcoach's; choose another file")
