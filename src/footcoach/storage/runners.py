"""Runner profiles: add, edit, list, show."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from footcoach.contract.errors import InputError
from footcoach.contract.state import Runner
from footcoach.storage.connection import now
from footcoach.storage.errors import Conflict
from footcoach.storage.records import latest_report, require_runner, runner_doc, validate

PROFILE_FIELDS = ("age", "sex", "experience")


def add_runner(
    conn: sqlite3.Connection, runner_id: str, age: int, sex: str | None = None, experience: str | None = None
) -> dict[str, Any]:
    """Add a runner profile; return it as the contract's ``runner`` object.  InputError on bad values,
    Conflict for an id already taken (nothing written)."""
    if not str(runner_id).strip():
        raise InputError([f"runner.id: value {json.dumps(runner_id)}: blank; allowed: a non-blank text"])
    profile = validate(Runner, {"id": runner_id, "age": age, "sex": sex, "experience": experience}, "runner.")
    if conn.execute("SELECT 1 FROM runners WHERE id = ?", (runner_id,)).fetchone():
        raise Conflict("runner.id", runner_id, "already exists", allowed="a new id")
    conn.execute(
        "INSERT INTO runners (id, age, sex, experience, created_at) VALUES (?, ?, ?, ?, ?)",
        (runner_id, profile.age, profile.sex, profile.experience, now()),
    )
    return dict(profile.model_dump(exclude_none=True))


def edit_runner(
    conn: sqlite3.Connection, runner_id: str, changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change profile fields (``age``, ``sex``, ``experience``; None leaves one as it is).  Returns the
    profile before and after.  InputError on bad values or nothing to change."""
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = sorted(set(given) - set(PROFILE_FIELDS))
    if unknown or not given:
        raise InputError(
            [
                f"runner: fields {unknown or 'none'}: nothing to change; allowed: one or more of {', '.join(PROFILE_FIELDS)}"
            ]
        )
    old = runner_doc(require_runner(conn, runner_id))
    profile = validate(Runner, {**old, **given}, "runner.")
    conn.execute(
        "UPDATE runners SET age = ?, sex = ?, experience = ? WHERE id = ?",
        (profile.age, profile.sex, profile.experience, runner_id),
    )
    return old, dict(profile.model_dump(exclude_none=True))


def list_runners(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every runner: profile, number of diary entries, latest diary week, latest action (a
    physiotherapist's override of the latest assessment wins)."""
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
            "runner": runner_doc(r),
            "created_at": r["created_at"],
            "entries": r["entries"],
            "last_week": r["last_week"],
            "last_action": r["last_action"],
        }
        for r in rows
    ]


def show_runner(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any]:
    """One runner: profile, diary size, the current report (or None) and the latest assessment (or None)."""
    from footcoach.storage.audit import latest_assessment

    row = require_runner(conn, runner_id)
    report = latest_report(conn, runner_id)
    entries = conn.execute(
        "SELECT count(*), min(week), max(week) FROM diary WHERE runner_id = ?", (runner_id,)
    ).fetchone()
    return {
        "runner": runner_doc(row),
        "created_at": row["created_at"],
        "diary": {"entries": entries[0], "first_week": entries[1], "last_week": entries[2]},
        "current_report": None if report is None else {"week": report["week"], **report["doc"]},
        "latest_assessment": latest_assessment(conn, runner_id),
    }
