"""Every read and write of the clinical record the web interface makes, in one place: the storage
calls it uses (lists, the caseload, the audit trail), a runner's triage stored in the diary and audit
trail, a correction followed by a re-assessment.  Composes storage and service calls only; every
decision comes from the service's assessment.  (The record's storage API is being reorganised: this
module is the one place the web interface follows it.)"""

from __future__ import annotations

from typing import Any

from footcoach.storage import store

SEX_VALUES = store.SEX_VALUES
EXPERIENCE_VALUES = store.EXPERIENCE_VALUES


def runner_known(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """What is on record for a runner that a triage may use: profile, program and diary."""
    record = store.show_runner(db_path, runner_id)
    known: dict[str, Any] = {
        "runner": record["runner"],
        "program": (record.get("current_report") or {}).get("program"),
    }
    if record.get("current_report") is not None:
        known["history"] = store.export_state(db_path, runner_id).get("history", [])
    return known


_DIARY_FIELDS = ("pain_morning", "balance_eyes_open_s", "heel_raises")
_REPORT_FIELDS = ("program", "pain", "tests", "running", "shoes")


def record_triage(
    db_path: str | None, runner_id: str, state: dict[str, Any], assessment: dict[str, Any], red_flags: list[str]
) -> int:
    """Store a runner's triage as the physiotherapist's ``diary add`` would: a diary week with the answers
    (the values filled in after a red flag are not stored: only the red flags are) and the assessment in
    the audit trail.  Returns the assessment id."""
    has_report = store.show_runner(db_path, runner_id).get("current_report") is not None
    if red_flags:
        if has_report:
            store.add_diary_entry(db_path, runner_id, {"week": None}, {"red_flags": red_flags})
    else:
        tests = state.get("tests") or {}
        entry: dict[str, Any] = {"week": None, "pain_morning": (state.get("pain") or {}).get("morning")}
        entry["balance_eyes_open_s"] = tests.get("balance_eyes_open_s")
        entry["heel_raises"] = tests.get("heel_raises")
        report = {k: state[k] for k in _REPORT_FIELDS if state.get(k)}
        report["red_flags"] = []
        report["tests"] = {k: v for k, v in tests.items() if k not in ("balance_eyes_open_s", "heel_raises")}
        store.add_diary_entry(db_path, runner_id, entry, {k: v for k, v in report.items() if v or k == "red_flags"})
    return store.save_assessment(db_path, runner_id, state, assessment, source="triage")


def reassess(db_path: str | None, runner_id: str) -> int | None:
    """Assess a stored runner after a change to the record and keep it in the audit trail (None when
    the record has no current report yet)."""
    if store.show_runner(db_path, runner_id).get("current_report") is None:
        return None
    saved = store.assess_runner(db_path, runner_id)["assessment_id"]
    return None if saved is None else int(saved)


def list_runners(db_path: str | None) -> list[dict[str, Any]]:
    return store.list_runners(db_path)


def show_runner(db_path: str | None, runner_id: str) -> dict[str, Any]:
    return store.show_runner(db_path, runner_id)


def list_diary(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    return store.list_diary(db_path, runner_id)


def diary_week(db_path: str | None, runner_id: str, week: int) -> dict[str, Any] | None:
    return next((e for e in store.list_diary(db_path, runner_id) if e["week"] == week), None)


def caseload(db_path: str | None) -> list[dict[str, Any]]:
    return store.caseload(db_path)


def list_assessments(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    return store.list_assessments(db_path, runner_id)


def latest_assessment(db_path: str | None, runner_id: str) -> dict[str, Any] | None:
    """The latest stored assessment of the runner (the whole record), or None."""
    history = store.list_assessments(db_path, runner_id)
    return None if not history else store.get_assessment(db_path, int(history[-1]["id"]))


def add_runner(db_path: str | None, runner_id: str, age: int, sex: str | None, experience: str | None) -> None:
    store.add_runner(db_path, runner_id, age, sex, experience)


def add_diary_week(
    db_path: str | None, runner_id: str, entry: dict[str, Any], report: dict[str, Any] | None
) -> dict[str, Any]:
    """A new diary week (and current-report fields), then the runner re-assessed."""
    result = store.add_diary_entry(db_path, runner_id, entry, report)
    reassess(db_path, runner_id)
    return result


def correct_diary_week(db_path: str | None, runner_id: str, entry: dict[str, Any]) -> None:
    """Replace one diary week with corrected values, then re-assess the runner."""
    store.add_diary_entry(db_path, runner_id, entry, replace=True)
    reassess(db_path, runner_id)


def override_latest(db_path: str | None, runner_id: str, action: str, reason: str, author: str) -> bool:
    """Override the runner's latest assessment; False when there is none."""
    history = store.list_assessments(db_path, runner_id)
    if not history:
        return False
    store.add_override(db_path, int(history[-1]["id"]), action, reason, author)
    return True
