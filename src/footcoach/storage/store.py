"""Storage: runners, their weekly diary, their current report and the audit trail, in one SQLite file.

The database is an embedded stdlib ``sqlite3`` file (default: the user's data folder, see
:func:`resolve_db_path`).  What it holds:

- ``runners``: the profile (``runner`` of the contract).
- ``diary``: the weekly entries (``history[]`` of the contract, plus ``foot_fatigue``).
- ``reports``: the *current report* (program, pain, red flags, tests, shoes, running).  Rows are
  appended, never edited: the latest row is the current report, older rows give the progress report
  its pain-during and phase-per-week series.  ``changed`` lists the fields a row actually reported
  (the rest were carried forward from the row before).
- ``assessments`` and ``overrides``: the audit trail.  Triggers refuse UPDATE and DELETE on both.

Every value is validated through the pydantic models of :mod:`footcoach.contract.state` before anything is
written; the tables' CHECK constraints repeat the same ranges (built from the same constants) so a
file written by any other program cannot hold what the models refuse.

Writes run in ``BEGIN IMMEDIATE`` transactions with a busy timeout, so concurrent writers queue
instead of failing, and an import is all-or-nothing.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from footcoach import service as api
from footcoach.contract.errors import InputError, describe
from footcoach.contract.state import (
    AGE_MAX,
    AGE_MIN,
    BALANCE_CAP,
    DROP_MAX_MM,
    NRS_MAX,
    RED_FLAG_IDS,
    REPS_MAX,
    DiaryEntry,
    Pain,
    Program,
    Runner,
    Running,
    State,
    Tests,
)
from footcoach.knowledge.base import num as _num

ENV_DB = "FOOTCOACH_DB"
APP_NAME = "footcoach"
DB_FILE_NAME = "footcoach.db"
# Marks a SQLite file as ours (PRAGMA application_id): "FtCo" in ASCII.
APPLICATION_ID = 0x4674436F
# Long enough for 2+ processes queueing for the write lock on a busy laptop; a writer holds it for
# milliseconds.  Not a clinical number.
BUSY_TIMEOUT_MS = 30_000
# A check-in is overdue when the last diary entry is older than this (caseload default; the CLI
# takes --overdue-days).  A scheduling convention of this tool, not a clinical threshold.
OVERDUE_DAYS_DEFAULT = 14
ACTIONS = ("refer", "regress", "hold", "progress")
ASSESSMENT_SOURCES = ("assess", "triage")


class StoreError(InputError):
    """The database cannot be used (newer schema, not a footcoach file, unreadable)."""


# ---- ranges, from the models -------------------------------------------------------------


def _bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    """(ge, le) of a model field as pydantic holds it, so the SQL CHECKs repeat the model's ranges."""
    lo = hi = None
    for m in model.model_fields[name].metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def _between(col: str, lo: Any, hi: Any) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{col} >= {lo}")
    if hi is not None:
        parts.append(f"{col} <= {hi}")
    return f"CHECK ({col} IS NULL OR ({' AND '.join(parts)}))"


def _in(col: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"CHECK ({col} IS NULL OR {col} IN ({quoted}))"


_PHASE_MIN, _PHASE_MAX = _bounds(Program, "phase")


def _literal_values(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The values of an ``Optional[Literal[...]]`` model field."""
    return tuple(v for arg in get_args(model.model_fields[name].annotation) for v in get_args(arg))


SEX_VALUES = _literal_values(Runner, "sex")
EXPERIENCE_VALUES = _literal_values(Runner, "experience")
_NRS = (0, NRS_MAX)
_SECONDS = (0, BALANCE_CAP)
_REPS = (0, REPS_MAX)
_BOOL = "IN (0, 1)"


def _schema_v1() -> list[str]:
    nrs = lambda c: _between(c, *_NRS)  # noqa: E731
    sec = lambda c: _between(c, *_SECONDS)  # noqa: E731
    reps = lambda c: _between(c, *_REPS)  # noqa: E731
    nonneg = lambda c: _between(c, 0, None)  # noqa: E731
    pair = lambda a, b: f"CHECK (({a} IS NULL) = ({b} IS NULL))"  # noqa: E731
    immutable = "SELECT RAISE(ABORT, 'the audit trail is never overwritten');"
    return [
        f"""CREATE TABLE runners (
            id TEXT PRIMARY KEY CHECK (length(id) > 0),
            age INTEGER NOT NULL CHECK (age BETWEEN {AGE_MIN} AND {AGE_MAX}),
            sex TEXT {_in("sex", SEX_VALUES)},
            experience TEXT {_in("experience", EXPERIENCE_VALUES)},
            created_at TEXT NOT NULL
        ) STRICT""",
        f"""CREATE TABLE diary (
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL {nonneg("week")},
            pain_morning INTEGER {nrs("pain_morning")},
            balance_open_left REAL {sec("balance_open_left")},
            balance_open_right REAL {sec("balance_open_right")},
            heel_raises_left INTEGER {reps("heel_raises_left")},
            heel_raises_right INTEGER {reps("heel_raises_right")},
            foot_fatigue INTEGER {nrs("foot_fatigue")},
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (runner_id, week),
            {pair("balance_open_left", "balance_open_right")},
            {pair("heel_raises_left", "heel_raises_right")}
        ) STRICT""",
        f"""CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL {nonneg("week")},
            phase INTEGER NOT NULL CHECK (phase BETWEEN {_PHASE_MIN} AND {_PHASE_MAX}),
            weeks_in_phase INTEGER NOT NULL {nonneg("weeks_in_phase")},
            weeks_in_program INTEGER CHECK (weeks_in_program IS NULL OR weeks_in_program >= weeks_in_phase),
            pain_during INTEGER NOT NULL {nrs("pain_during")},
            pain_after INTEGER NOT NULL {nrs("pain_after")},
            pain_morning INTEGER NOT NULL {nrs("pain_morning")},
            settled_next_morning INTEGER NOT NULL CHECK (settled_next_morning {_BOOL}),
            sharp INTEGER NOT NULL DEFAULT 0 CHECK (sharp {_BOOL}),
            balance_open_left REAL {sec("balance_open_left")},
            balance_open_right REAL {sec("balance_open_right")},
            balance_closed_left REAL {sec("balance_closed_left")},
            balance_closed_right REAL {sec("balance_closed_right")},
            heel_raises_left INTEGER {reps("heel_raises_left")},
            heel_raises_right INTEGER {reps("heel_raises_right")},
            hop_pain INTEGER {nrs("hop_pain")},
            weekly_km REAL {nonneg("weekly_km")},
            previous_weekly_km REAL {nonneg("previous_weekly_km")},
            longest_run_km_30d REAL {nonneg("longest_run_km_30d")},
            planned_long_run_km REAL {nonneg("planned_long_run_km")},
            changed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changed)),
            source TEXT NOT NULL CHECK (source IN ('import', 'diary')),
            recorded_at TEXT NOT NULL,
            {pair("balance_open_left", "balance_open_right")},
            {pair("balance_closed_left", "balance_closed_right")},
            {pair("heel_raises_left", "heel_raises_right")}
        ) STRICT""",
        "CREATE INDEX reports_by_runner ON reports (runner_id, id)",
        f"""CREATE TABLE report_red_flags (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            flag TEXT NOT NULL {_in("flag", RED_FLAG_IDS)},
            PRIMARY KEY (report_id, position)
        ) STRICT""",
        f"""CREATE TABLE report_shoes (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL CHECK (length(name) > 0),
            km REAL {nonneg("km")},
            drop_mm REAL {_between("drop_mm", 0, DROP_MAX_MM)},
            minimalist INTEGER NOT NULL DEFAULT 0 CHECK (minimalist {_BOOL}),
            weeks_worn INTEGER {nonneg("weeks_worn")},
            PRIMARY KEY (report_id, position)
        ) STRICT""",
        f"""CREATE TABLE assessments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            created_at TEXT NOT NULL,
            rulebase_version TEXT NOT NULL CHECK (length(rulebase_version) > 0),
            source TEXT NOT NULL {_in("source", ASSESSMENT_SOURCES)},
            action TEXT {_in("action", ACTIONS)},
            phase_current INTEGER,
            phase_next INTEGER,
            input TEXT NOT NULL CHECK (json_valid(input)),
            assessment TEXT NOT NULL CHECK (json_valid(assessment))
        ) STRICT""",
        "CREATE INDEX assessments_by_runner ON assessments (runner_id, id)",
        f"""CREATE TABLE overrides (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            action TEXT NOT NULL {_in("action", ACTIONS)},
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            author TEXT,
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX overrides_by_assessment ON overrides (assessment_id, id)",
        f"CREATE TRIGGER assessments_keep_update BEFORE UPDATE ON assessments BEGIN {immutable} END",
        f"CREATE TRIGGER assessments_keep_delete BEFORE DELETE ON assessments BEGIN {immutable} END",
        f"CREATE TRIGGER overrides_keep_update BEFORE UPDATE ON overrides BEGIN {immutable} END",
        f"CREATE TRIGGER overrides_keep_delete BEFORE DELETE ON overrides BEGIN {immutable} END",
    ]


# Ordered migrations: MIGRATIONS[i] takes the schema from version i to i + 1.  Append, never edit.
MIGRATIONS: list[Callable[[], list[str]]] = [_schema_v1]
SCHEMA_VERSION = len(MIGRATIONS)

# The tables as the latest schema version defines them (update when a migration changes a table).
_CURRENT_SCHEMA: Callable[[], list[str]] = _schema_v1

_CREATE_TABLE = re.compile(r"\s*CREATE TABLE\s+\"?(\w+)\"?\s*\(")
_CREATE_DEPENDENT = re.compile(r"\s*CREATE (?:INDEX|TRIGGER)\s+\w+\s+(?:BEFORE \w+ )?ON\s+(\w+)")


def _current_tables() -> dict[str, tuple[str, list[str]]]:
    """table -> (CREATE TABLE statement, its indexes and triggers), as the latest schema wants them."""
    tables: dict[str, tuple[str, list[str]]] = {}
    for statement in _CURRENT_SCHEMA():
        m = _CREATE_TABLE.match(statement)
        if m:
            tables[m[1]] = (statement, [])
            continue
        m = _CREATE_DEPENDENT.match(statement)
        if m:
            tables[m[1]][1].append(statement)
    return tables


def _body(create_sql: str) -> str:
    """A CREATE TABLE statement without its name (SQLite quotes the name of a renamed table)."""
    return create_sql[create_sql.index("(") :].strip()


# ---- opening the file ----------------------------------------------------------------------


def resolve_db_path(db_path: str | os.PathLike | None) -> Path:
    """The database file to use: ``db_path`` if given, else ``$FOOTCOACH_DB``, else
    ``<user data dir>/footcoach/footcoach.db`` (platformdirs)."""
    if db_path:
        return Path(db_path).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / DB_FILE_NAME


def _owner_only(path: Path) -> None:
    """SQLite gives -wal/-shm the main file's mode already; make sure, they hold the same data."""
    for extra in ("-wal", "-shm"):
        p = Path(str(path) + extra)
        with suppress(FileNotFoundError):
            os.chmod(p, 0o600)


def connect(db_path: str | os.PathLike | None) -> sqlite3.Connection:
    """Open (creating if needed, mode 0600) and migrate the database; raise StoreError if unusable.

    The connection is in autocommit mode: writes go through :func:`transaction`.
    """
    path = resolve_db_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file ourselves, owner-only, before SQLite opens it: it holds health data.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:
        raise StoreError([f"--db: {path}: cannot create the database file: {exc.strerror}"]) from None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError([f"--db: {path}: not a usable footcoach database ({exc})"]) from None
    except BaseException:
        conn.close()
        raise
    _owner_only(path)
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        _check_application(conn, path)
        _follow_the_models(conn, path)
        return
    if version > SCHEMA_VERSION:
        raise StoreError(
            [
                f"--db: {path}: the database has schema version {version}, newer than this footcoach "
                f"understands (up to {SCHEMA_VERSION}); upgrade footcoach to open it"
            ]
        )
    with transaction(conn):
        # Read again under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
            if tables:
                raise StoreError([f"--db: {path}: a SQLite database that is not footcoach's; choose another file"])
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            _check_application(conn, path)
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]():
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")


def _drifted(conn: sqlite3.Connection) -> list[str]:
    stored = dict(conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall())
    return [
        name for name, (sql, _) in _current_tables().items() if name in stored and _body(stored[name]) != _body(sql)
    ]


def _follow_the_models(conn: sqlite3.Connection, path: Path) -> None:
    """Rebuild the tables whose CHECK ranges no longer match the models.

    The ranges come from ``knowledge/`` (the pain scale top, the balance cap, the red-flag ids live
    there); a clinician who edits them must not be left with a database that refuses or keeps values
    the models now decide otherwise.  SQLite cannot alter a CHECK, so a drifted table is copied into a
    new one (SQLite's documented 12-step procedure), all in one transaction.  Stored values outside the
    new ranges make it fail, and the file is left as it was.
    """
    if not _drifted(conn):
        return
    # Must be off outside the transaction: with it on, DROP TABLE would cascade deletes.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(conn):
            wanted = _current_tables()
            for name in _drifted(conn):  # again, under the write lock
                sql, dependents = wanted[name]
                conn.execute(_CREATE_TABLE.sub(f"CREATE TABLE _new_{name} (", sql, count=1))
                conn.execute(f"INSERT INTO _new_{name} SELECT * FROM {name}")
                conn.execute(f"DROP TABLE {name}")
                conn.execute(f"ALTER TABLE _new_{name} RENAME TO {name}")
                for statement in dependents:
                    conn.execute(statement)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(
                    [
                        f"--db: {path}: rebuilding the tables would break {len(broken)} references; "
                        "the file is left as it was"
                    ]
                )
    except sqlite3.IntegrityError as exc:
        raise StoreError(
            [
                f"--db: {path}: stored values are outside the ranges this footcoach allows ({exc}); "
                "the file is left as it was: restore the previous knowledge/ ranges or correct the "
                "values with the previous version"
            ]
        ) from None
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _check_application(conn: sqlite3.Connection, path: Path) -> None:
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app != APPLICATION_ID:
        raise StoreError([f"--db: {path}: a SQLite database that is not footcoach's; choose another file"])


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rollback on any exception.  IMMEDIATE takes the write lock
    up front so read-then-write steps (next week number, latest report) cannot race."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def _open(db_path: str | os.PathLike | None) -> Iterator[sqlite3.Connection]:
    conn = connect(db_path)
    try:
        yield conn
    finally:
        conn.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _validate(model: type[BaseModel], data: Any, prefix: str = "") -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError([prefix + line for line in describe(exc, model)]) from None


def _require_runner(conn: sqlite3.Connection, runner_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM runners WHERE id = ?", (runner_id,)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT id FROM runners ORDER BY id LIMIT 20")]
        hint = f"; known runners: {', '.join(known)}" if known else "; add one with `footcoach runner add`"
        raise InputError([f"runner: value {json.dumps(runner_id)}: no such runner{hint}"])
    return row


# ---- runners -------------------------------------------------------------------------------


def add_runner(
    db_path: str | None, runner_id: str, age: int, sex: str | None = None, experience: str | None = None
) -> dict[str, Any]:
    """Add a runner profile; return it as the contract's ``runner`` object.  InputError on bad values
    or an id already taken (nothing written)."""
    profile = _validate(Runner, {"id": runner_id, "age": age, "sex": sex, "experience": experience}, "runner.")
    if not runner_id:
        raise InputError(['runner.id: value "": empty; allowed: a non-empty text'])
    with _open(db_path) as conn, transaction(conn):
        if conn.execute("SELECT 1 FROM runners WHERE id = ?", (runner_id,)).fetchone():
            raise InputError([f"runner.id: value {json.dumps(runner_id)}: already exists; allowed: a new id"])
        conn.execute(
            "INSERT INTO runners (id, age, sex, experience, created_at) VALUES (?, ?, ?, ?, ?)",
            (runner_id, profile.age, profile.sex, profile.experience, _now()),
        )
    return profile.model_dump(exclude_none=True)


def _runner_doc(row: sqlite3.Row) -> dict[str, Any]:
    doc = {"id": row["id"], "age": row["age"]}
    if row["sex"] is not None:
        doc["sex"] = row["sex"]
    if row["experience"] is not None:
        doc["experience"] = row["experience"]
    return doc


def list_runners(db_path: str | None) -> list[dict[str, Any]]:
    """Every runner: profile, number of diary entries, latest diary week, latest action (a
    physiotherapist's override of the latest assessment wins)."""
    with _open(db_path) as conn:
        rows = conn.execute(
            """SELECT r.*, (SELECT count(*) FROM diary d WHERE d.runner_id = r.id) AS entries,
                      (SELECT max(week) FROM diary d WHERE d.runner_id = r.id) AS last_week,
                      (SELECT coalesce((SELECT o.action FROM overrides o WHERE o.assessment_id = a.id
                                        ORDER BY o.id DESC LIMIT 1), a.action)
                       FROM assessments a WHERE a.runner_id = r.id ORDER BY a.id DESC LIMIT 1) AS last_action
               FROM runners r ORDER BY r.id"""
        ).fetchall()
    return [
        {
            "runner": _runner_doc(r),
            "created_at": r["created_at"],
            "entries": r["entries"],
            "last_week": r["last_week"],
            "last_action": r["last_action"],
        }
        for r in rows
    ]


def show_runner(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """One runner: profile, diary size, the current report (or None) and the latest assessment (or None)."""
    with _open(db_path) as conn:
        row = _require_runner(conn, runner_id)
        report = _latest_report(conn, runner_id)
        entries = conn.execute(
            "SELECT count(*), min(week), max(week) FROM diary WHERE runner_id = ?", (runner_id,)
        ).fetchone()
        latest = conn.execute(
            "SELECT * FROM assessments WHERE runner_id = ? ORDER BY id DESC LIMIT 1", (runner_id,)
        ).fetchone()
        latest = None if latest is None else _assessment_row(conn, latest)
    return {
        "runner": _runner_doc(row),
        "created_at": row["created_at"],
        "diary": {"entries": entries[0], "first_week": entries[1], "last_week": entries[2]},
        "current_report": None if report is None else {"week": report["week"], **report["doc"]},
        "latest_assessment": latest,
    }


# ---- the current report --------------------------------------------------------------------

_REPORT_COLUMNS = {
    # contract path -> column
    ("program", "phase"): "phase",
    ("program", "weeks_in_phase"): "weeks_in_phase",
    ("program", "weeks_in_program"): "weeks_in_program",
    ("pain", "during"): "pain_during",
    ("pain", "after"): "pain_after",
    ("pain", "morning"): "pain_morning",
    ("pain", "settled_next_morning"): "settled_next_morning",
    ("pain", "sharp"): "sharp",
    ("tests", "balance_eyes_open_s", "left"): "balance_open_left",
    ("tests", "balance_eyes_open_s", "right"): "balance_open_right",
    ("tests", "balance_eyes_closed_s", "left"): "balance_closed_left",
    ("tests", "balance_eyes_closed_s", "right"): "balance_closed_right",
    ("tests", "heel_raises", "left"): "heel_raises_left",
    ("tests", "heel_raises", "right"): "heel_raises_right",
    ("tests", "hop_pain"): "hop_pain",
    ("running", "weekly_km"): "weekly_km",
    ("running", "previous_weekly_km"): "previous_weekly_km",
    ("running", "longest_run_km_30d"): "longest_run_km_30d",
    ("running", "planned_long_run_km"): "planned_long_run_km",
}
_BOOL_COLUMNS = {"settled_next_morning", "sharp"}


def _report_doc(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A reports row (with its red flags and shoes) as the contract's program/pain/red_flags/tests/
    shoes/running, leaving out what is not recorded."""
    doc: dict[str, Any] = {"program": {}, "pain": {}, "red_flags": [], "tests": {}, "shoes": [], "running": {}}
    for path, col in _REPORT_COLUMNS.items():
        value = row[col]
        if value is None:
            continue
        value = bool(value) if col in _BOOL_COLUMNS else _num(value)
        node = doc
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    doc["red_flags"] = [
        r[0]
        for r in conn.execute("SELECT flag FROM report_red_flags WHERE report_id = ? ORDER BY position", (row["id"],))
    ]
    for s in conn.execute("SELECT * FROM report_shoes WHERE report_id = ? ORDER BY position", (row["id"],)):
        shoe: dict[str, Any] = {"name": s["name"]}
        for key in ("km", "drop_mm"):
            if s[key] is not None:
                shoe[key] = _num(s[key])
        shoe["minimalist"] = bool(s["minimalist"])
        if s["weeks_worn"] is not None:
            shoe["weeks_worn"] = s["weeks_worn"]
        doc["shoes"].append(shoe)
    return doc


def _latest_report(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM reports WHERE runner_id = ? ORDER BY id DESC LIMIT 1", (runner_id,)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "week": row["week"], "doc": _report_doc(conn, row)}


def _insert_report(
    conn: sqlite3.Connection, runner_id: str, week: int, doc: dict[str, Any], changed: list[str], source: str
) -> int:
    values: dict[str, Any] = {}
    for path, col in _REPORT_COLUMNS.items():
        node: Any = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        values[col] = int(node) if col in _BOOL_COLUMNS and node is not None else node
    cols = ["runner_id", "week", *values, "changed", "source", "recorded_at"]
    params = [runner_id, week, *values.values(), json.dumps(sorted(changed)), source, _now()]
    cur = conn.execute(f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", params)
    report_id = cur.lastrowid
    conn.executemany(
        "INSERT INTO report_red_flags (report_id, position, flag) VALUES (?, ?, ?)",
        [(report_id, i, f) for i, f in enumerate(doc.get("red_flags", []))],
    )
    conn.executemany(
        "INSERT INTO report_shoes (report_id, position, name, km, drop_mm, minimalist, weeks_worn) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                report_id,
                i,
                s["name"],
                s.get("km"),
                s.get("drop_mm"),
                int(bool(s.get("minimalist", False))),
                s.get("weeks_worn"),
            )
            for i, s in enumerate(doc.get("shoes", []))
        ],
    )
    return report_id


# ---- diary ---------------------------------------------------------------------------------


def _entry_doc(row: sqlite3.Row) -> dict[str, Any]:
    entry: dict[str, Any] = {"week": row["week"]}
    if row["pain_morning"] is not None:
        entry["pain_morning"] = row["pain_morning"]
    if row["balance_open_left"] is not None:
        entry["balance_eyes_open_s"] = {
            "left": _num(row["balance_open_left"]),
            "right": _num(row["balance_open_right"]),
        }
    if row["heel_raises_left"] is not None:
        entry["heel_raises"] = {"left": row["heel_raises_left"], "right": row["heel_raises_right"]}
    if row["foot_fatigue"] is not None:
        entry["foot_fatigue"] = row["foot_fatigue"]
    return entry


def _insert_entry(conn: sqlite3.Connection, runner_id: str, entry: DiaryEntry, replace: bool = False) -> None:
    bal, heel = entry.balance_eyes_open_s, entry.heel_raises
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    conn.execute(
        f"{verb} INTO diary (runner_id, week, pain_morning, balance_open_left, balance_open_right, "
        "heel_raises_left, heel_raises_right, foot_fatigue, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            runner_id,
            entry.week,
            entry.pain_morning,
            bal.left if bal else None,
            bal.right if bal else None,
            heel.left if heel else None,
            heel.right if heel else None,
            entry.foot_fatigue,
            _now(),
        ),
    )


def list_diary(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    """The runner's diary, oldest week first, each entry in the contract's ``history[]`` shape
    plus ``recorded_at`` (UTC)."""
    with _open(db_path) as conn:
        _require_runner(conn, runner_id)
        rows = conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,)).fetchall()
    return [{**_entry_doc(r), "recorded_at": r["recorded_at"]} for r in rows]


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _leaf_paths(doc: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in doc.items():
        if isinstance(value, dict) and key not in ("balance_eyes_open_s", "balance_eyes_closed_s", "heel_raises"):
            out.extend(_leaf_paths(value, f"{prefix}{key}."))
        else:
            out.append(prefix + key)
    return out


_REPORT_PARTS: dict[str, type[BaseModel]] = {"program": Program, "pain": Pain, "tests": Tests, "running": Running}
REQUIRED_FOR_REPORT = (
    "program.phase",
    "program.weeks_in_phase",
    "pain.during",
    "pain.after",
    "pain.morning",
    "pain.settled_next_morning",
)


def add_diary_entry(
    db_path: str | None,
    runner_id: str,
    entry: dict[str, Any],
    report: dict[str, Any] | None = None,
    *,
    replace: bool = False,
) -> dict[str, Any]:
    """Add one weekly diary entry and, for the latest week, update the current report.

    ``entry`` is a contract ``history[]`` entry (``week`` may be None: the week after the latest one).
    ``report`` holds current-report fields in the contract's shape (``{"pain": {"during": 3}}``,
    ``{"red_flags": [...]}``, ...).  When the entry's week is at or after the current report's week a
    new report row is appended: the previous report carried forward, program weeks advanced by the
    weeks elapsed (a new ``program.phase`` restarts ``weeks_in_phase`` at 0 unless given), the diary's
    ``pain_morning``, ``balance_eyes_open_s`` and ``heel_raises`` taken as the newest pain and test
    values, then ``report`` on top.  With no report yet, one is made only once every required field is
    given.  Report fields for an earlier week are refused.

    Everything is validated before anything is written; returns
    ``{"runner", "entry", "report_updated", "report_missing"}``.  InputError on bad values.
    """
    report = report or {}
    given = {k: v for k, v in entry.items() if v is not None}
    given_report = {k: v for k, v in report.items() if v not in (None, {})}
    # Ranges first, every problem at once, before any lock is taken.
    problems: list[str] = []
    checks: list[Callable[[], Any]] = [lambda: _validate(DiaryEntry, {**given, "week": given.get("week", 0)})]
    checks += [
        lambda part=part, model=model: _check_part(model, given_report[part], part)
        for part, model in _REPORT_PARTS.items()
        if part in given_report
    ]
    if "red_flags" in given_report:
        checks.append(lambda: _validate(_RedFlags, {"red_flags": given_report["red_flags"]}))
    unknown = set(given_report) - set(_REPORT_PARTS) - {"red_flags"}
    if unknown:
        problems.append(f"report: unknown sections {sorted(unknown)}; allowed: {sorted(_REPORT_PARTS)} and red_flags")
    for check in checks:
        try:
            check()
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    with _open(db_path) as conn, transaction(conn):
        _require_runner(conn, runner_id)
        if given.get("week") is None:
            last = conn.execute("SELECT max(week) FROM diary WHERE runner_id = ?", (runner_id,)).fetchone()[0]
            prev = _latest_report(conn, runner_id)
            base = max(w for w in (last, prev["week"] if prev else None, 0) if w is not None)
            given["week"] = base + 1 if (last is not None or prev is not None) else 1
        diary_entry = _validate(DiaryEntry, given)
        week = diary_entry.week
        if (
            not replace
            and conn.execute("SELECT 1 FROM diary WHERE runner_id = ? AND week = ?", (runner_id, week)).fetchone()
        ):
            raise InputError(
                [
                    f"week: value {week}: already in the diary of {runner_id}; "
                    "allowed: a week not yet recorded (or --replace to overwrite it)"
                ]
            )
        prev = _latest_report(conn, runner_id)
        report_updated, missing = False, []
        if prev is not None and week < prev["week"]:
            if given_report:
                raise InputError(
                    [
                        f"week: value {week}: current-report fields ({', '.join(_leaf_paths(given_report))}) "
                        f"can only be given for the latest week; allowed: >= {prev['week']}"
                    ]
                )
            new_doc = None
        else:
            new_doc, changed, missing = _next_report(prev, week, diary_entry, given_report)
            if new_doc is None and given_report and missing:
                # Nothing lost: current-report values given now must not vanish because others are
                # still missing; refuse the whole entry instead (the transaction writes nothing).
                raise InputError(
                    [
                        f"{m}: missing; allowed: the first current report needs every required "
                        f"field together (given: {', '.join(_leaf_paths(given_report))})"
                        for m in missing
                    ]
                )
        _insert_entry(conn, runner_id, diary_entry, replace=replace)
        if new_doc is not None:
            runner_row = _require_runner(conn, runner_id)
            history = [
                _entry_doc(r)
                for r in conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,))
            ]
            state = {"runner": _runner_doc(runner_row), **new_doc, "history": history}
            # The whole state must hold (cross-field checks such as weeks_in_program >= weeks_in_phase);
            # store it as the model normalises it (defaults filled in).
            new_doc = _report_from_state(api.load_state(state))
            _insert_report(conn, runner_id, week, new_doc, changed, "diary")
            report_updated = True
    return {
        "runner": runner_id,
        "entry": _entry_doc_from_model(diary_entry),
        "report_updated": report_updated,
        "report_missing": missing,
    }


_RedFlagList = State.model_fields["red_flags"].annotation  # the contract's list of red-flag ids


class _RedFlags(BaseModel):
    model_config = State.model_config
    red_flags: _RedFlagList = []  # type: ignore[valid-type]


def _check_part(model: type[BaseModel], values: dict[str, Any], part: str) -> None:
    """Range-check a partial section (required fields may come from the previous report)."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        lines = [
            line
            for line, err in zip(describe(exc, model), exc.errors())
            if not (err["type"] == "missing" and len(err["loc"]) == 1)
        ]
        if lines:
            raise InputError([f"{part}.{line.removeprefix('(document).')}" for line in lines]) from None


def _entry_doc_from_model(entry: DiaryEntry) -> dict[str, Any]:
    doc = entry.model_dump(exclude_none=True)
    for key in ("balance_eyes_open_s", "heel_raises"):
        if key in doc:
            doc[key] = {k: _num(v) for k, v in doc[key].items()}
    return doc


def _next_report(
    prev: dict[str, Any] | None, week: int, entry: DiaryEntry, update: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """The report row a diary entry for ``week`` makes: (doc or None, changed fields, missing fields)."""
    measured: dict[str, Any] = {}
    if entry.pain_morning is not None:
        measured["pain"] = {"morning": entry.pain_morning}
    if entry.balance_eyes_open_s is not None:
        measured.setdefault("tests", {})["balance_eyes_open_s"] = entry.balance_eyes_open_s.model_dump()
    if entry.heel_raises is not None:
        measured.setdefault("tests", {})["heel_raises"] = entry.heel_raises.model_dump()
    changes = _merge(measured, update)
    if prev is None:
        doc = {"program": {}, "pain": {}, "red_flags": [], "tests": {}, "shoes": [], "running": {}}
    else:
        doc = json.loads(json.dumps(prev["doc"]))
        elapsed = week - prev["week"]
        program = doc["program"]
        new_phase = changes.get("program", {}).get("phase")
        if new_phase is not None and new_phase != program.get("phase"):
            program["weeks_in_phase"] = 0
        else:
            program["weeks_in_phase"] = program["weeks_in_phase"] + elapsed
        if program.get("weeks_in_program") is not None:
            program["weeks_in_program"] += elapsed
    if not changes and prev is None:
        return None, [], list(REQUIRED_FOR_REPORT)
    doc = _merge(doc, changes)
    missing = [p for p in REQUIRED_FOR_REPORT if _get(doc, p) is None]
    if missing:
        return None, [], missing
    return doc, _leaf_paths(changes), []


def _get(doc: dict[str, Any], dotted: str) -> Any:
    node: Any = doc
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


# ---- import / export -----------------------------------------------------------------------


def refuse_database_as_output(db_path: str | None, out: str | os.PathLike) -> None:
    """InputError when ``out`` is the database file (or its WAL/SHM companions): writing a report
    or a response there would destroy every runner's records."""
    db = resolve_db_path(db_path).resolve()
    target = Path(out).resolve()
    if target in {db, Path(f"{db}-wal"), Path(f"{db}-shm")}:
        raise InputError(
            [f"--out: value {json.dumps(str(out))}: that is the footcoach database; allowed: any other file"]
        )


def import_state(
    db_path: str | None,
    runner_id: str,
    document: Any,
    *,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Store a contract state document as runner ``runner_id``: profile, diary (``history``) and current
    report, in one transaction (all or nothing).

    A new runner is created; an existing one is refused unless ``replace`` (its diary and reports are
    then replaced; its assessments are kept).  ``progress(done, total)`` is called after each diary
    entry.  Returns ``{"runner", "entries", "report_week", "created"}``.  InputError on a bad document.
    """
    if not str(runner_id).strip():
        raise InputError([f"ID: value {json.dumps(runner_id)}: empty; allowed: a non-empty runner id"])
    state = api.load_state(document)
    if state.runner.id is not None and state.runner.id != runner_id:
        raise InputError(
            [
                f"runner.id: value {json.dumps(state.runner.id)}: differs from the runner id given "
                f"({runner_id}); allowed: {json.dumps(runner_id)} or no id"
            ]
        )
    report_doc = _report_from_state(state)
    if state.history:
        report_week = max(state.history[-1].week, 0)
    else:
        report_week = state.program.weeks_in_program or state.program.weeks_in_phase
    with _open(db_path) as conn, transaction(conn):
        exists = conn.execute("SELECT 1 FROM runners WHERE id = ?", (runner_id,)).fetchone() is not None
        if exists and not replace:
            raise InputError(
                [
                    f"runner: value {json.dumps(runner_id)}: already stored; allowed: a new runner id, "
                    "or --replace to replace its diary and current report (assessments are kept)"
                ]
            )
        r = state.runner
        if exists:
            conn.execute(
                "UPDATE runners SET age = ?, sex = ?, experience = ? WHERE id = ?",
                (r.age, r.sex, r.experience, runner_id),
            )
            conn.execute("DELETE FROM diary WHERE runner_id = ?", (runner_id,))
            conn.execute("DELETE FROM reports WHERE runner_id = ?", (runner_id,))
        else:
            conn.execute(
                "INSERT INTO runners (id, age, sex, experience, created_at) VALUES (?, ?, ?, ?, ?)",
                (runner_id, r.age, r.sex, r.experience, _now()),
            )
        total = len(state.history)
        for i, entry in enumerate(state.history, 1):
            _insert_entry(conn, runner_id, entry)
            if progress is not None:
                progress(i, total)
        _insert_report(conn, runner_id, report_week, report_doc, _leaf_paths(report_doc), "import")
    return {"runner": runner_id, "entries": len(state.history), "report_week": report_week, "created": not exists}


def _report_from_state(state: State) -> dict[str, Any]:
    """The current-report part of a validated state, without the fields not given."""
    doc = state.model_dump(mode="json")
    return _strip_none({k: doc[k] for k in ("program", "pain", "red_flags", "tests", "shoes", "running")})


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return _num(value)


def _export(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any]:
    row = _require_runner(conn, runner_id)
    report = _latest_report(conn, runner_id)
    if report is None:
        raise InputError(
            [
                f"runner: value {json.dumps(runner_id)}: no current report yet (program and pain); "
                "allowed: a runner with one: import a state document, or record "
                + ", ".join(REQUIRED_FOR_REPORT)
                + " with `footcoach diary add` (see its --help)"
            ]
        )
    history = [
        _entry_doc(r) for r in conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,))
    ]
    doc = report["doc"]
    return {
        "runner": _runner_doc(row),
        "program": doc["program"],
        "pain": doc["pain"],
        "red_flags": doc["red_flags"],
        "tests": doc["tests"],
        "history": history,
        "shoes": doc["shoes"],
        "running": doc["running"],
    }


def export_state(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """The runner's stored records as a contract state document (what ``diary export`` prints and
    ``assess --runner`` assesses).  InputError for an unknown runner or one without a current report."""
    with _open(db_path) as conn:
        return _export(conn, runner_id)


# ---- assessments and the audit trail ------------------------------------------------------


def save_assessment(
    db_path: str | None,
    runner_id: str,
    state_dict: dict[str, Any],
    assessment: dict[str, Any],
    *,
    source: str = "assess",
) -> int:
    """Store one assessment in the audit trail: the input snapshot ``state_dict``, the rule-base version,
    the full assessment (trace included) and the UTC time.  Returns the new assessment id.  Stored
    assessments are never changed (triggers refuse UPDATE and DELETE)."""
    if source not in ASSESSMENT_SOURCES:
        raise InputError([f"source: value {json.dumps(source)}: unknown; allowed: one of {ASSESSMENT_SOURCES}"])
    action = assessment.get("action") if assessment.get("action") in ACTIONS else None
    phase = assessment.get("phase") if isinstance(assessment.get("phase"), dict) else {}
    with _open(db_path) as conn, transaction(conn):
        _require_runner(conn, runner_id)
        cur = conn.execute(
            "INSERT INTO assessments (runner_id, created_at, rulebase_version, source, action, phase_current, "
            "phase_next, input, assessment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                runner_id,
                datetime.now(UTC).isoformat(timespec="microseconds"),
                api.rulebase_version(),
                source,
                action,
                phase.get("current"),
                phase.get("next"),
                json.dumps(state_dict, sort_keys=True),
                json.dumps(assessment, sort_keys=True),
            ),
        )
        return int(cur.lastrowid)


def assess_runner(db_path: str | None, runner_id: str, *, save: bool = True) -> dict[str, Any]:
    """Assess a stored runner: build the state exactly as ``diary export`` gives it, run
    :func:`footcoach.service.assess`, store it in the audit trail (unless ``save`` is false) and return the
    assessment with ``assessment_id`` added (None when not saved)."""
    document = export_state(db_path, runner_id)
    assessment = api.assess(api.load_state(document))
    assessment_id = save_assessment(db_path, runner_id, document, assessment) if save else None
    return {**assessment, "assessment_id": assessment_id}


def _assessment_row(conn: sqlite3.Connection, row: sqlite3.Row, full: bool = False) -> dict[str, Any]:
    overrides = [
        dict(o)
        for o in conn.execute(
            "SELECT id, action, reason, author, created_at FROM overrides WHERE assessment_id = ? ORDER BY id",
            (row["id"],),
        )
    ]
    out = {
        "id": row["id"],
        "runner": row["runner_id"],
        "created_at": row["created_at"],
        "rulebase_version": row["rulebase_version"],
        "source": row["source"],
        "action": row["action"],
        "phase": {"current": row["phase_current"], "next": row["phase_next"]},
        "overrides": overrides,
        "effective_action": overrides[-1]["action"] if overrides else row["action"],
    }
    assessment = json.loads(row["assessment"])
    carrier = next(
        (
            r
            for r in assessment.get("recommendations", [])
            if r.get("kind") in ("progression", "hold", "regression", "referral")
        ),
        None,
    )
    out["summary"] = carrier.get("summary") if carrier else None
    out["kinds"] = [r.get("kind") for r in assessment.get("recommendations", [])]
    if full:
        out["input"] = json.loads(row["input"])
        out["assessment"] = assessment
    return out


def list_assessments(db_path: str | None, runner_id: str, *, full: bool = False) -> list[dict[str, Any]]:
    """The runner's stored assessments, oldest first, each with its overrides (``full``: with the input
    snapshot and the whole assessment)."""
    with _open(db_path) as conn:
        _require_runner(conn, runner_id)
        rows = conn.execute("SELECT * FROM assessments WHERE runner_id = ? ORDER BY id", (runner_id,)).fetchall()
        return [_assessment_row(conn, r, full) for r in rows]


def get_assessment(db_path: str | None, assessment_id: int) -> dict[str, Any]:
    """One stored assessment with input snapshot, full assessment and overrides."""
    with _open(db_path) as conn:
        row = conn.execute("SELECT * FROM assessments WHERE id = ?", (assessment_id,)).fetchone()
        if row is None:
            raise InputError(
                [
                    f"assessment: value {assessment_id}: no such assessment; "
                    "allowed: an id from `footcoach history RUNNER`"
                ]
            )
        return _assessment_row(conn, row, full=True)


def add_override(db_path: str | None, assessment_id: int, action: str, reason: str, author: str | None = None) -> int:
    """Record a physiotherapist's override of a stored assessment (beside it; the original stays).
    Returns the override id.  InputError for an unknown assessment, action or an empty reason."""
    problems = []
    if action not in ACTIONS:
        problems.append(f"--action: value {json.dumps(action)}: unknown; allowed: one of {', '.join(ACTIONS)}")
    if not reason or not reason.strip():
        problems.append('--reason: value "": empty; allowed: a sentence saying why')
    if problems:
        raise InputError(problems)
    with _open(db_path) as conn, transaction(conn):
        if conn.execute("SELECT 1 FROM assessments WHERE id = ?", (assessment_id,)).fetchone() is None:
            raise InputError(
                [
                    f"assessment: value {assessment_id}: no such assessment; "
                    "allowed: an id from `footcoach history RUNNER`"
                ]
            )
        cur = conn.execute(
            "INSERT INTO overrides (assessment_id, action, reason, author, created_at) VALUES (?, ?, ?, ?, ?)",
            (assessment_id, action, reason.strip(), author, _now()),
        )
        return int(cur.lastrowid)


# ---- caseload ------------------------------------------------------------------------------

# Lower rank = needs attention first.
CASELOAD_RANKS = {"referral": 0, "regression": 1, "stall": 2, "overdue": 3, "not_assessed": 4, "ok": 5}


def caseload(
    db_path: str | None, *, overdue_days: int = OVERDUE_DAYS_DEFAULT, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every runner with the latest action (a physiotherapist's override wins), sorted: referrals, then
    regressions, stalls (latest assessment recommends ``reintroduce``), overdue check-ins (no diary
    entry or report for more than ``overdue_days`` days; a runner with neither counts from when it was
    added), not yet assessed, the rest; ties by runner id."""
    now = now or datetime.now(UTC)
    out = []
    with _open(db_path) as conn:
        for r in conn.execute("SELECT * FROM runners ORDER BY id").fetchall():
            # A check-in is a diary entry or a current report (an import brings both).
            last_entry = conn.execute(
                "SELECT max(at), max(week) FROM (SELECT recorded_at AS at, week FROM diary WHERE runner_id = ?1 "
                "UNION ALL SELECT recorded_at, week FROM reports WHERE runner_id = ?1)",
                (r["id"],),
            ).fetchone()
            latest = conn.execute(
                "SELECT * FROM assessments WHERE runner_id = ? ORDER BY id DESC LIMIT 1", (r["id"],)
            ).fetchone()
            since = datetime.fromisoformat(last_entry[0] or r["created_at"])
            days = (now - since) / timedelta(days=1)
            flags = []
            item: dict[str, Any] = {
                "runner": r["id"],
                "age": r["age"],
                "last_week": last_entry[1],
                "last_entry_at": last_entry[0],
                "days_since_entry": int(days),
            }
            if latest is None:
                item.update(action=None, assessment=None)
                flags.append("not_assessed")
            else:
                a = _assessment_row(conn, latest)
                item.update(
                    action=a["effective_action"],
                    assessment={
                        "id": a["id"],
                        "created_at": a["created_at"],
                        "action": a["action"],
                        "overridden": bool(a["overrides"]),
                        "phase": a["phase"],
                        "summary": a["summary"],
                    },
                )
                if a["effective_action"] == "refer":
                    flags.append("referral")
                if a["effective_action"] == "regress":
                    flags.append("regression")
                if "reintroduce" in a["kinds"]:
                    flags.append("stall")
            if days > overdue_days:
                flags.append("overdue")
            flags.sort(key=CASELOAD_RANKS.__getitem__)
            item["flags"] = flags
            item["priority"] = min((CASELOAD_RANKS[f] for f in flags), default=CASELOAD_RANKS["ok"])
            out.append(item)
    out.sort(key=lambda i: (i["priority"], i["runner"]))
    return out


# ---- progress report data ------------------------------------------------------------------


def progress_data(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """What the progress report charts: the diary, the report rows (week, phase, pain during, what
    each row reported) and the assessments with their overrides, oldest first."""
    with _open(db_path) as conn:
        row = _require_runner(conn, runner_id)
        diary = [
            _entry_doc(r) | {"recorded_at": r["recorded_at"]}
            for r in conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,))
        ]
        reports = [
            {
                "id": r["id"],
                "week": r["week"],
                "phase": r["phase"],
                "weeks_in_phase": r["weeks_in_phase"],
                "pain_during": r["pain_during"],
                "pain_after": r["pain_after"],
                "changed": json.loads(r["changed"]),
                "source": r["source"],
                "recorded_at": r["recorded_at"],
                "doc": _report_doc(conn, r),
            }
            for r in conn.execute("SELECT * FROM reports WHERE runner_id = ? ORDER BY id", (runner_id,))
        ]
        assessments = [
            _assessment_row(conn, r)
            for r in conn.execute("SELECT * FROM assessments WHERE runner_id = ? ORDER BY id", (runner_id,))
        ]
        assessments_input_weeks = {}
        for r in conn.execute("SELECT id, input FROM assessments WHERE runner_id = ? ORDER BY id", (runner_id,)):
            hist = json.loads(r["input"]).get("history") or []
            assessments_input_weeks[r["id"]] = hist[-1]["week"] if hist else None
    for a in assessments:
        a["week"] = assessments_input_weeks.get(a["id"])
    return {"runner": _runner_doc(row), "diary": diary, "reports": reports, "assessments": assessments}
