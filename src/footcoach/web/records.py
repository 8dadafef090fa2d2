"""What the web interface records: a runner's triage in the diary and audit trail, a re-assessment
after a correction.  Composes storage calls only; every decision comes from the service's assessment.

(These belong in the service layer; they live here until storage no longer imports the service,
which would make a cycle.)"""

from __future__ import annotations

from typing import Any

from footcoach.storage import store


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
    return store.assess_runner(db_path, runner_id)["assessment_id"]  # type: ignore[no-any-return]
