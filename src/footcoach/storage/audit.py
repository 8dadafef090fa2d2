"""The audit trail: every change to a runner's record (with the old values), every stored assessment
(input snapshot, rule-base version, the whole assessment, what caused it), physiotherapists' overrides,
and the tombstones of erased runners.  Rows are never updated; they are deleted only while their
runner is being erased on request (the tables' triggers enforce both)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

from footcoach.contract.assessment import Action
from footcoach.storage.connection import db_name, load_json, now, now_precise
from footcoach.storage.errors import Conflict, NotFound
from footcoach.storage.records import require_runner
from footcoach.storage.schema import canonical, input_hash, summary_and_kinds

ACTIONS: tuple[str, ...] = get_args(Action)


@dataclass(frozen=True)
class Cause:
    """What a stored assessment was made for: a source ("assess", "triage", "change") and the change
    row it followed, if any."""

    source: str
    change_id: int | None = None


def record_change(
    conn: sqlite3.Connection,
    runner_id: str,
    kind: str,
    *,
    week: int | None = None,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
    author: str | None = None,
) -> int:
    """Log one change to a runner's record (``kind`` such as "diary.edit"), the values before and after."""
    cur = conn.execute(
        "INSERT INTO changes (runner_id, kind, week, old, new, reason, author, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            runner_id,
            kind,
            week,
            None if old is None else canonical(old),
            None if new is None else canonical(new),
            reason,
            author,
            now(),
        ),
    )
    return int(cur.lastrowid or 0)


def list_changes(conn: sqlite3.Connection, runner_id: str) -> list[dict[str, Any]]:
    """The runner's change log, oldest first."""
    path = db_name(conn)
    out = []
    for r in conn.execute("SELECT * FROM changes WHERE runner_id = ? ORDER BY id", (runner_id,)):
        where = f"changes row {r['id']}"
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "week": r["week"],
                "old": None if r["old"] is None else load_json(path, r["old"], where),
                "new": None if r["new"] is None else load_json(path, r["new"], where),
                "reason": r["reason"],
                "author": r["author"],
                "created_at": r["created_at"],
            }
        )
    return out


def save_assessment(
    conn: sqlite3.Connection,
    runner_id: str,
    state_doc: dict[str, Any],
    assessment: dict[str, Any],
    rulebase_version: str,
    cause: Cause,
) -> int:
    """Store one assessment: the input snapshot, the rule-base version, the whole assessment, the UTC
    time and its cause; the summary, kinds and red flags go to their own columns for the caseload."""
    require_runner(conn, runner_id)
    action = assessment.get("action") if assessment.get("action") in ACTIONS else None
    phase = assessment.get("phase")
    if not isinstance(phase, dict):
        phase = {}
    summary, kinds = summary_and_kinds(assessment)
    snapshot = canonical(state_doc)
    cur = conn.execute(
        "INSERT INTO assessments (runner_id, created_at, rulebase_version, source, change_id, action, "
        "phase_current, phase_next, summary, kinds, red_flags, input_hash, input, assessment) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            runner_id,
            now_precise(),
            rulebase_version,
            cause.source,
            cause.change_id,
            action,
            phase.get("current"),
            phase.get("next"),
            summary,
            json.dumps(kinds),
            json.dumps(list(state_doc.get("red_flags") or [])),
            input_hash(snapshot),
            snapshot,
            canonical(assessment),
        ),
    )
    return int(cur.lastrowid or 0)


def latest_key(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any] | None:
    """``{"id", "input_hash", "rulebase_version"}`` of the runner's latest assessment, or None."""
    row = conn.execute(
        "SELECT id, input_hash, rulebase_version FROM assessments WHERE runner_id = ? ORDER BY id DESC LIMIT 1",
        (runner_id,),
    ).fetchone()
    return None if row is None else dict(row)


def _overrides(conn: sqlite3.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, action, reason, author, created_at FROM overrides WHERE assessment_id = ? ORDER BY id",
        (assessment_id,),
    )
    return [dict(o) for o in rows]


def _cause(conn: sqlite3.Connection, change_id: int | None) -> dict[str, Any] | None:
    if change_id is None:
        return None
    row = conn.execute("SELECT id, kind, week, reason, author FROM changes WHERE id = ?", (change_id,)).fetchone()
    return None if row is None else dict(row)


def assessment_row(conn: sqlite3.Connection, row: sqlite3.Row, full: bool = False) -> dict[str, Any]:
    """A stored assessment as a document: columns, overrides, the cause; ``full`` adds the input snapshot
    and the whole assessment."""
    overrides = _overrides(conn, row["id"])
    path, where = db_name(conn), f"assessments row {row['id']}"
    out = {
        "id": row["id"],
        "runner": row["runner_id"],
        "created_at": row["created_at"],
        "rulebase_version": row["rulebase_version"],
        "source": row["source"],
        "cause": _cause(conn, row["change_id"]),
        "action": row["action"],
        "phase": {"current": row["phase_current"], "next": row["phase_next"]},
        "overrides": overrides,
        "effective_action": overrides[-1]["action"] if overrides else row["action"],
        "summary": row["summary"],
        "kinds": load_json(path, row["kinds"], where),
        "red_flags": load_json(path, row["red_flags"], where),
    }
    if full:
        out["input"] = load_json(path, row["input"], where)
        out["assessment"] = load_json(path, row["assessment"], where)
    return out


def list_assessments(conn: sqlite3.Connection, runner_id: str, *, full: bool = False) -> list[dict[str, Any]]:
    """The runner's stored assessments, oldest first, each with its overrides and cause."""
    require_runner(conn, runner_id)
    rows = conn.execute("SELECT * FROM assessments WHERE runner_id = ? ORDER BY id", (runner_id,)).fetchall()
    return [assessment_row(conn, r, full) for r in rows]


def latest_assessment(conn: sqlite3.Connection, runner_id: str, *, full: bool = False) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM assessments WHERE runner_id = ? ORDER BY id DESC LIMIT 1", (runner_id,)
    ).fetchone()
    return None if row is None else assessment_row(conn, row, full)


def get_assessment(conn: sqlite3.Connection, assessment_id: int) -> dict[str, Any]:
    """One stored assessment with input snapshot, full assessment, overrides and cause."""
    row = conn.execute("SELECT * FROM assessments WHERE id = ?", (assessment_id,)).fetchone()
    if row is None:
        raise NotFound("assessment", assessment_id)
    return assessment_row(conn, row, full=True)


def add_override(
    conn: sqlite3.Connection, assessment_id: int, action: str, reason: str, author: str | None = None
) -> int:
    """Record a physiotherapist's override beside a stored assessment (the original stays)."""
    problems = []
    if action not in ACTIONS:
        problems.append(f"action: value {json.dumps(action)}: unknown; allowed: one of {', '.join(ACTIONS)}")
    if not reason or not reason.strip():
        problems.append('reason: value "": empty; allowed: a sentence saying why')
    if problems:
        from footcoach.contract.errors import InputError

        raise InputError(problems)
    if conn.execute("SELECT 1 FROM assessments WHERE id = ?", (assessment_id,)).fetchone() is None:
        raise NotFound("assessment", assessment_id)
    cur = conn.execute(
        "INSERT INTO overrides (assessment_id, action, reason, author, created_at) VALUES (?, ?, ?, ?, ?)",
        (assessment_id, action, reason.strip(), author, now()),
    )
    return int(cur.lastrowid or 0)


def count_assessments(conn: sqlite3.Connection, runner_id: str) -> int:
    return int(conn.execute("SELECT count(*) FROM assessments WHERE runner_id = ?", (runner_id,)).fetchone()[0])


def erase_runner(conn: sqlite3.Connection, runner_id: str, reason: str, author: str | None, *, erase: bool) -> int:
    """Remove the runner and every row of health data about them (diary, reports, assessments,
    overrides, change log) and leave a tombstone (who, when, why, how many assessments; no health
    data).  Without ``erase`` a runner with assessments is refused.  Returns the tombstone id."""
    require_runner(conn, runner_id)
    if not reason or not reason.strip():
        from footcoach.contract.errors import InputError

        raise InputError(['reason: value "": empty; allowed: a sentence saying why'])
    count = count_assessments(conn, runner_id)
    if count and not erase:
        raise Conflict(
            "runner",
            runner_id,
            f"has {count} stored assessment(s) in the audit trail",
            allowed="erase, which removes the runner's health data and keeps a tombstone",
        )
    conn.execute("INSERT INTO erasing (runner_id) VALUES (?)", (runner_id,))
    conn.execute(
        "DELETE FROM overrides WHERE assessment_id IN (SELECT id FROM assessments WHERE runner_id = ?)", (runner_id,)
    )
    for table in ("assessments", "changes", "diary", "reports"):
        conn.execute(f"DELETE FROM {table} WHERE runner_id = ?", (runner_id,))
    conn.execute("DELETE FROM runners WHERE id = ?", (runner_id,))
    conn.execute("DELETE FROM erasing WHERE runner_id = ?", (runner_id,))
    cur = conn.execute(
        "INSERT INTO tombstones (runner_id, erased_at, erased_by, reason, assessments) VALUES (?, ?, ?, ?, ?)",
        (runner_id, now(), author, reason.strip(), count),
    )
    return int(cur.lastrowid or 0)


def tombstones(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM tombstones ORDER BY id")]


def stored_inputs(
    conn: sqlite3.Connection, runner_id: str | None = None, since: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored assessment's input snapshot, oldest first (streamed): id, runner, created_at, input.
    ``since`` is an ISO date: only assessments stored on or after it."""
    sql, params = "SELECT id, runner_id, created_at, input FROM assessments", []
    where = []
    if runner_id is not None:
        require_runner(conn, runner_id)
        where.append("runner_id = ?")
        params.append(runner_id)
    if since is not None:
        where.append("created_at >= ?")
        params.append(since)
    if where:
        sql += " WHERE " + " AND ".join(where)
    path = db_name(conn)
    for row in conn.execute(sql + " ORDER BY id", params):
        yield {
            "id": row["id"],
            "runner": row["runner_id"],
            "created_at": row["created_at"],
            "input": load_json(path, row["input"], f"assessments row {row['id']}"),
        }
