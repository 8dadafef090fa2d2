"""The weekly diary and the current report: add, edit and delete a week, import and export a whole
state document, and move the runner to another phase.

The current report (program, pain, red flags, tests, shoes, running) is a series of rows, appended
and never edited in place: the latest row is the current report, older rows give the progress report
its series.  ``changed`` lists the fields a row actually reported (the rest were carried forward).
Every function here runs inside the caller's transaction and validates through the contract's models
before writing.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, create_model

from footcoach.contract.errors import InputError, describe
from footcoach.contract.state import DiaryEntry, Pain, Program, Runner, Running, Shoe, State, Tests
from footcoach.knowledge.base import default_knowledge, num
from footcoach.storage import records as rec
from footcoach.storage.connection import now
from footcoach.storage.errors import Conflict, NotFound

REPORT_MODELS: dict[str, type[BaseModel]] = {"program": Program, "pain": Pain, "tests": Tests, "running": Running}
_SHOWN = 10  # not clinical: weeks named in a "no such week" message
REQUIRED_FOR_REPORT = (
    "program.phase",
    "program.weeks_in_phase",
    "pain.during",
    "pain.after",
    "pain.morning",
    "pain.settled_next_morning",
)


@functools.cache
def _list_model(name: str, item: Any) -> type[BaseModel]:
    """One list of a current report alone, its entries checked as ``item`` (``red_flags``: the
    shipped ids; ``shoes``: the shipped knowledge's Shoe; a new list replaces the last one)."""
    fields: Any = {name: (list[item], [])}
    return create_model(f"_{name}", __config__=State.model_config, **fields)


def _check_part(model: type[BaseModel], values: dict[str, Any], part: str) -> None:
    """Range-check a partial section (required fields may come from the previous report)."""
    model = rec.checked(model)
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


def check_values(entry: dict[str, Any], report: dict[str, Any]) -> None:
    """Every range problem of a diary entry and current-report fields at once (InputError)."""
    problems: list[str] = []
    checks: list[Callable[[], Any]] = [lambda: rec.validate(DiaryEntry, {**entry, "week": entry.get("week", 0)})]
    checks += [
        functools.partial(_check_part, model, report[part], part)
        for part, model in REPORT_MODELS.items()
        if part in report
    ]
    if "red_flags" in report:
        red_flags = _list_model("red_flags", Literal[default_knowledge().state_bounds.red_flags])
        checks.append(lambda: rec.validate(red_flags, {"red_flags": report["red_flags"]}))
    if "shoes" in report:
        shoes = _list_model("shoes", default_knowledge().contract_model(Shoe))
        checks.append(lambda: rec.validate(shoes, {"shoes": report["shoes"]}))
    unknown = set(report) - set(REPORT_MODELS) - {"red_flags", "shoes"}
    if unknown:
        problems.append(
            f"report: unknown sections {sorted(unknown)}; allowed: {sorted(REPORT_MODELS)}, red_flags and shoes"
        )
    for check in checks:
        try:
            check()
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


def _given(entry: dict[str, Any], report: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {k: v for k, v in entry.items() if v is not None},
        {k: v for k, v in (report or {}).items() if v not in (None, {})},
    )


def _next_week(conn: sqlite3.Connection, runner_id: str) -> int:
    last = conn.execute("SELECT max(week) FROM diary WHERE runner_id = ?", (runner_id,)).fetchone()[0]
    prev = rec.latest_report(conn, runner_id)
    if last is None and prev is None:
        return 1
    return max(w for w in (last, prev["week"] if prev else None, 0) if w is not None) + 1


def add_entry(
    conn: sqlite3.Connection,
    runner_id: str,
    entry: dict[str, Any],
    report: dict[str, Any] | None = None,
    *,
    replace: bool = False,
) -> dict[str, Any]:
    """Add one weekly diary entry and, for the latest week, a new current report.

    ``entry`` is a contract ``history[]`` entry (``week`` None: the week after the latest one);
    ``report`` holds current-report fields in the contract's shape.  When the week is at or after the
    current report's week a report row is appended: the previous one carried forward, program weeks
    advanced by the weeks elapsed (a new phase restarts ``weeks_in_phase`` at 0 unless given), the
    entry's measurements as the newest pain and test values, then ``report`` on top.  The first report
    is made once every required field is known.  Report fields for an earlier week are refused.
    Returns ``{"runner", "entry", "report_updated", "report_missing", "replaced"}``.
    """
    given, given_report = _given(entry, report)
    check_values(given, given_report)
    rec.require_runner(conn, runner_id)
    if given.get("week") is None:
        given["week"] = _next_week(conn, runner_id)
    diary_entry = rec.validate(DiaryEntry, given)
    week = diary_entry.week
    old = conn.execute("SELECT * FROM diary WHERE runner_id = ? AND week = ?", (runner_id, week)).fetchone()
    if old is not None and not replace:
        raise Conflict("week", week, f"already in the diary of {runner_id}", allowed="a week not yet recorded")
    prev = rec.latest_report(conn, runner_id)
    new_doc, changed, missing = _report_for(prev, week, diary_entry, given_report)
    rec.insert_entry(conn, runner_id, diary_entry, replace=replace)
    if new_doc is not None:
        _append_report(conn, runner_id, week, new_doc, changed, "diary")
    return {
        "runner": runner_id,
        "entry": entry_from_model(diary_entry),
        "report_updated": new_doc is not None,
        "report_missing": missing,
        "replaced": None if old is None else rec.entry_doc(old),
    }


def _report_for(
    prev: dict[str, Any] | None, week: int, entry: DiaryEntry, given_report: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """The report row an entry for ``week`` makes (doc or None, changed, missing); refuses report
    fields for an earlier week and a first report with some required fields missing."""
    if prev is not None and week < prev["week"]:
        if given_report:
            raise InputError(
                [
                    f"week: value {week}: current-report fields ({', '.join(rec.leaf_paths(given_report))}) "
                    f"can only be given for the latest week; allowed: >= {prev['week']}"
                ]
            )
        return None, [], []
    new_doc, changed, missing = next_report(prev, week, entry, given_report)
    if new_doc is None and given_report and missing:
        # Nothing lost: values given now must not vanish because others are still missing.
        raise InputError(
            [
                f"{m}: missing; allowed: the first current report needs every required "
                f"field together (given: {', '.join(rec.leaf_paths(given_report))})"
                for m in missing
            ]
        )
    return new_doc, changed, missing


def _append_report(
    conn: sqlite3.Connection, runner_id: str, week: int, doc: dict[str, Any], changed: list[str], source: str
) -> dict[str, Any]:
    """Validate the whole state the new report makes (cross-field checks included), store the report
    as the model normalises it, and return it."""
    runner = rec.runner_doc(rec.require_runner(conn, runner_id))
    state = rec.validate(State, {"runner": runner, **doc, "history": rec.diary(conn, runner_id)})
    normalised = rec.report_from_state(state)
    rec.insert_report(conn, runner_id, week, normalised, changed, source)
    return normalised


def entry_from_model(entry: DiaryEntry) -> dict[str, Any]:
    doc = entry.model_dump(exclude_none=True)
    for key in ("balance_eyes_open_s", "heel_raises"):
        if key in doc:
            doc[key] = {k: num(v) for k, v in doc[key].items()}
    return dict(doc)


def _measured(entry: DiaryEntry, only: set[str] | None = None) -> dict[str, Any]:
    """The current-report values a diary entry measures (``only``: of these diary fields)."""
    measured: dict[str, Any] = {}
    wanted = only if only is not None else {"pain_morning", "balance_eyes_open_s", "heel_raises"}
    if entry.pain_morning is not None and "pain_morning" in wanted:
        measured["pain"] = {"morning": entry.pain_morning}
    if entry.balance_eyes_open_s is not None and "balance_eyes_open_s" in wanted:
        measured.setdefault("tests", {})["balance_eyes_open_s"] = entry.balance_eyes_open_s.model_dump()
    if entry.heel_raises is not None and "heel_raises" in wanted:
        measured.setdefault("tests", {})["heel_raises"] = entry.heel_raises.model_dump()
    return measured


def next_report(
    prev: dict[str, Any] | None, week: int, entry: DiaryEntry, update: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """The report row a diary entry for ``week`` makes: (doc or None, changed fields, missing fields)."""
    changes = rec.merge(_measured(entry), update)
    if prev is None:
        doc: dict[str, Any] = {"program": {}, "pain": {}, "red_flags": [], "tests": {}, "shoes": [], "running": {}}
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
    doc = rec.merge(doc, changes)
    missing = [p for p in REQUIRED_FOR_REPORT if rec.get(doc, p) is None]
    if missing:
        return None, [], missing
    return doc, rec.leaf_paths(changes), []


def _entry_row(conn: sqlite3.Connection, runner_id: str, week: int) -> sqlite3.Row:
    rec.require_runner(conn, runner_id)
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM diary WHERE runner_id = ? AND week = ?", (runner_id, week)
    ).fetchone()
    if row is None:
        weeks = conn.execute(
            "SELECT week FROM diary WHERE runner_id = ? ORDER BY week DESC LIMIT ?", (runner_id, _SHOWN)
        )
        raise NotFound("week", week, [str(w) for w in sorted(r[0] for r in weeks)], runner=runner_id)
    return row


def edit_entry(
    conn: sqlite3.Connection, runner_id: str, week: int, entry: dict[str, Any], report: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Correct the diary entry of ``week`` (fields given replace the stored ones; one leg of a pair may be
    given alone) and, when it is the current report's week, the current report too (a corrected row is
    appended).  Returns the values before and after: ``{"entry", "report"}`` each."""
    given, given_report = _given({**entry, "week": None}, report)
    if not given and not given_report:
        raise InputError(["(edit): nothing to change; allowed: one or more diary or current-report fields"])
    check_values({k: v for k, v in given.items() if k not in ("balance_eyes_open_s", "heel_raises")}, given_report)
    old_entry = rec.entry_doc(_entry_row(conn, runner_id, week))
    diary_entry = rec.validate(DiaryEntry, rec.merge(old_entry, given))
    prev = rec.latest_report(conn, runner_id)
    at_report_week = prev is not None and prev["week"] == week
    if given_report and not at_report_week:
        allowed = f"= {prev['week']} (the current report's week)" if prev else "none: there is no current report"
        raise InputError(
            [
                f"week: value {week}: current-report fields ({', '.join(rec.leaf_paths(given_report))}) can only be "
                f"corrected for the current report's week; allowed: {allowed}"
            ]
        )
    rec.insert_entry(conn, runner_id, diary_entry, replace=True)
    old = {"entry": old_entry, "report": None}
    new = {"entry": entry_from_model(diary_entry), "report": None}
    if at_report_week and prev is not None:
        changes = rec.merge(_measured(diary_entry, set(given)), given_report)
        if changes:
            old["report"] = prev["doc"]
            doc = rec.merge(json.loads(json.dumps(prev["doc"])), changes)
            new["report"] = _append_report(conn, runner_id, week, doc, rec.leaf_paths(changes), "edit")
    return old, new


def delete_entry(conn: sqlite3.Connection, runner_id: str, week: int) -> dict[str, Any]:
    """Delete the diary entry of ``week`` and the current-report rows that entry (or a correction of it)
    made, so the report before it is current again.  Returns the deleted values."""
    old_entry = rec.entry_doc(_entry_row(conn, runner_id, week))
    rows = conn.execute(
        "SELECT * FROM reports WHERE runner_id = ? AND week = ? AND source IN ('diary', 'edit') ORDER BY id",
        (runner_id, week),
    ).fetchall()
    reports = [rec.report_doc(conn, r) for r in rows]
    conn.execute("DELETE FROM diary WHERE runner_id = ? AND week = ?", (runner_id, week))
    conn.executemany("DELETE FROM reports WHERE id = ?", [(r["id"],) for r in rows])
    return {"entry": old_entry, "reports": reports}


def set_phase(conn: sqlite3.Connection, runner_id: str, phase: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move the runner to ``phase`` from the current report's week on (weeks in phase restart at 0): a
    report row is appended.  Returns the program before and after."""
    prev = rec.latest_report(conn, runner_id)
    if prev is None:
        rec.require_runner(conn, runner_id)
        raise Conflict("runner", runner_id, "has no current report yet, so no phase", allowed="a runner with one")
    old = prev["doc"]["program"]
    doc = json.loads(json.dumps(prev["doc"]))
    doc["program"]["phase"] = phase
    doc["program"]["weeks_in_phase"] = 0
    new = _append_report(conn, runner_id, prev["week"], doc, ["program.phase", "program.weeks_in_phase"], "phase")
    return old, new["program"]


def import_state(
    conn: sqlite3.Connection,
    runner_id: str,
    state: State,
    *,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Store a validated state as runner ``runner_id``: profile, diary (``history``) and current report.

    A new runner is created; an existing one is refused unless ``replace`` (its diary and reports are
    then replaced; its assessments are kept).  ``progress(done, total)`` is called after each diary
    entry.  Returns ``{"runner", "entries", "report_week", "created", "old"}`` (``old``: the state
    document replaced, or None)."""
    if state.runner.id is None:  # the id given is checked as the state's own would be ('/' refused, ...)
        rec.validate(Runner, {"id": runner_id, "age": state.runner.age}, "runner.")
    if state.runner.id is not None and state.runner.id != runner_id:
        raise InputError(
            [
                f"runner.id: value {json.dumps(state.runner.id)}: differs from the runner id given "
                f"({runner_id}); allowed: {json.dumps(runner_id)} or no id"
            ]
        )
    if state.history:
        report_week = max(state.history[-1].week, 0)
    else:
        report_week = state.program.weeks_in_program or state.program.weeks_in_phase
    exists = conn.execute("SELECT 1 FROM runners WHERE id = ?", (runner_id,)).fetchone() is not None
    if exists and not replace:
        raise Conflict("runner", runner_id, "already stored", allowed="a new runner id, or replacing its records")
    old = rec.state_document(conn, runner_id) if exists else None
    r = state.runner
    if exists:
        conn.execute(
            "UPDATE runners SET age = ?, sex = ?, experience = ? WHERE id = ?", (r.age, r.sex, r.experience, runner_id)
        )
        conn.execute("DELETE FROM diary WHERE runner_id = ?", (runner_id,))
        conn.execute("DELETE FROM reports WHERE runner_id = ?", (runner_id,))
    else:
        conn.execute(
            "INSERT INTO runners (id, age, sex, experience, created_at) VALUES (?, ?, ?, ?, ?)",
            (runner_id, r.age, r.sex, r.experience, now()),
        )
    total = len(state.history)
    for i, entry in enumerate(state.history, 1):
        rec.insert_entry(conn, runner_id, entry)
        if progress is not None:
            progress(i, total)
    report_doc = rec.report_from_state(state)
    rec.insert_report(conn, runner_id, report_week, report_doc, rec.leaf_paths(report_doc), "import")
    return {"runner": runner_id, "entries": total, "report_week": report_week, "created": not exists, "old": old}


def list_diary(conn: sqlite3.Connection, runner_id: str) -> list[dict[str, Any]]:
    """The runner's diary, oldest week first, in the contract's ``history[]`` shape plus ``recorded_at``."""
    rec.require_runner(conn, runner_id)
    rows = conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,)).fetchall()
    return [{**rec.entry_doc(r), "recorded_at": r["recorded_at"]} for r in rows]
