"""Rows <-> the contract's documents: a runner's profile, a diary entry, a current report; and the
lookups every other storage module shares (the runner, the latest report, the diary)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pydantic import BaseModel, ValidationError

from footcoach.contract.errors import InputError, describe
from footcoach.contract.state import DiaryEntry, State, Strict
from footcoach.knowledge.base import default_knowledge, num
from footcoach.storage.connection import db_name, load_json, now
from footcoach.storage.errors import NotFound

# contract path -> reports column
REPORT_COLUMNS: dict[tuple[str, ...], str] = {
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
BOOL_COLUMNS = {"settled_next_morning", "sharp"}
PAIRS = ("balance_eyes_open_s", "balance_eyes_closed_s", "heel_raises")
REPORT_PARTS = ("program", "pain", "red_flags", "tests", "shoes", "running")


def checked(model: type[BaseModel]) -> type[BaseModel]:
    """The model that checks stored records: a contract model as the shipped knowledge bounds it."""
    if issubclass(model, Strict) and model.knowledge_bounds is None:
        return default_knowledge().contract_model(model)
    return model


def validate(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    """``model.model_validate(data)`` (a contract model checked against the shipped knowledge);
    InputError naming every field path otherwise."""
    model = checked(model)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError([prefix + line for line in describe(exc, model)]) from None


def require_runner(conn: sqlite3.Connection, runner_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM runners WHERE id = ?", (runner_id,)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT id FROM runners ORDER BY id LIMIT 20")]
        raise NotFound("runner", runner_id, known)
    return row


def runner_doc(row: sqlite3.Row) -> dict[str, Any]:
    doc = {"id": row["id"], "age": row["age"]}
    for key in ("sex", "experience"):
        if row[key] is not None:
            doc[key] = row[key]
    return doc


def entry_doc(row: sqlite3.Row) -> dict[str, Any]:
    """A diary row as the contract's ``history[]`` entry."""
    entry: dict[str, Any] = {"week": row["week"]}
    if row["pain_morning"] is not None:
        entry["pain_morning"] = row["pain_morning"]
    if row["balance_open_left"] is not None:
        entry["balance_eyes_open_s"] = {"left": num(row["balance_open_left"]), "right": num(row["balance_open_right"])}
    if row["heel_raises_left"] is not None:
        entry["heel_raises"] = {"left": row["heel_raises_left"], "right": row["heel_raises_right"]}
    if row["foot_fatigue"] is not None:
        entry["foot_fatigue"] = row["foot_fatigue"]
    return entry


def diary(conn: sqlite3.Connection, runner_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,))
    return [entry_doc(r) for r in rows]


def insert_entry(conn: sqlite3.Connection, runner_id: str, entry: DiaryEntry, replace: bool = False) -> None:
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
            now(),
        ),
    )


def report_doc(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A reports row (with its red flags and shoes) as the contract's program/pain/red_flags/tests/
    shoes/running, leaving out what is not recorded."""
    doc: dict[str, Any] = {"program": {}, "pain": {}, "red_flags": [], "tests": {}, "shoes": [], "running": {}}
    for path, col in REPORT_COLUMNS.items():
        value = row[col]
        if value is None:
            continue
        node = doc
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = bool(value) if col in BOOL_COLUMNS else num(value)
    flags = conn.execute("SELECT flag FROM report_red_flags WHERE report_id = ? ORDER BY position", (row["id"],))
    doc["red_flags"] = [r[0] for r in flags]
    for s in conn.execute("SELECT * FROM report_shoes WHERE report_id = ? ORDER BY position", (row["id"],)):
        shoe: dict[str, Any] = {"name": s["name"]}
        for key in ("km", "drop_mm"):
            if s[key] is not None:
                shoe[key] = num(s[key])
        shoe["minimalist"] = bool(s["minimalist"])
        if s["weeks_worn"] is not None:
            shoe["weeks_worn"] = s["weeks_worn"]
        doc["shoes"].append(shoe)
    return doc


def latest_report(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any] | None:
    """The current report: ``{"id", "week", "source", "changed", "doc"}`` or None."""
    row = conn.execute("SELECT * FROM reports WHERE runner_id = ? ORDER BY id DESC LIMIT 1", (runner_id,)).fetchone()
    if row is None:
        return None
    changed = load_json(db_name(conn), row["changed"], f"reports row {row['id']}: changed")
    return {
        "id": row["id"],
        "week": row["week"],
        "source": row["source"],
        "changed": changed,
        "doc": report_doc(conn, row),
    }


def insert_report(
    conn: sqlite3.Connection, runner_id: str, week: int, doc: dict[str, Any], changed: list[str], source: str
) -> int:
    values: dict[str, Any] = {}
    for path, col in REPORT_COLUMNS.items():
        node: Any = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        values[col] = int(node) if col in BOOL_COLUMNS and node is not None else node
    cols = ["runner_id", "week", *values, "changed", "source", "recorded_at"]
    params = [runner_id, week, *values.values(), json.dumps(sorted(changed)), source, now()]
    cur = conn.execute(f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", params)
    report_id = int(cur.lastrowid or 0)
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
                int(bool(s.get("minimalist"))),
                s.get("weeks_worn"),
            )
            for i, s in enumerate(doc.get("shoes", []))
        ],
    )
    return report_id


def strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_none(v) for v in value]
    return num(value)


def report_from_state(state: State) -> dict[str, Any]:
    """The current-report part of a validated state, without the fields not given."""
    doc = state.model_dump(mode="json")
    report: dict[str, Any] = strip_none({k: doc[k] for k in REPORT_PARTS})
    return report


def leaf_paths(doc: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in doc.items():
        if isinstance(value, dict) and key not in PAIRS:
            out.extend(leaf_paths(value, f"{prefix}{key}."))
        else:
            out.append(prefix + key)
    return out


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def get(doc: dict[str, Any], dotted: str) -> Any:
    node: Any = doc
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def state_document(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any] | None:
    """The runner's stored records as a contract state document, or None without a current report."""
    row = require_runner(conn, runner_id)
    report = latest_report(conn, runner_id)
    if report is None:
        return None
    doc = report["doc"]
    return {
        "runner": runner_doc(row),
        "program": doc["program"],
        "pain": doc["pain"],
        "red_flags": doc["red_flags"],
        "tests": doc["tests"],
        "history": diary(conn, runner_id),
        "shoes": doc["shoes"],
        "running": doc["running"],
    }
