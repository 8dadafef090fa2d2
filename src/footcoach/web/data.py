"""Every read and write of the clinical record the web interface makes, in one place: storage's readers
(lists, the caseload, the audit trail; they never create a database) and the service's record use
cases (a triage stored in the diary and audit trail, a diary week, a correction; every change
re-assesses the runner in its own transaction).  Every decision comes from the service's assessment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, get_args

from footcoach import service
from footcoach.contract.state import Experience, Sex
from footcoach.storage import audit, diary, runners
from footcoach.storage.caseload import caseload as _caseload
from footcoach.storage.connection import kept_reader

SEX_VALUES: tuple[str, ...] = get_args(Sex)
EXPERIENCE_VALUES: tuple[str, ...] = get_args(Experience)
T = TypeVar("T")


def _read(db_path: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A storage reader on this thread's kept connection (as ``service.read``, which opens, checks and
    closes the file for each use: too slow on a server's every request)."""
    with kept_reader(db_path) as conn:
        return fn(conn, *args, **kwargs)


def runner_known(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """What is on record for a runner that a triage may use: profile, program and diary."""
    record = show_runner(db_path, runner_id)
    known: dict[str, Any] = {
        "runner": record["runner"],
        "program": (record.get("current_report") or {}).get("program"),
    }
    if record.get("current_report") is not None:
        known["history"] = service.export_state(db_path, runner_id).get("history", [])
    return known


_REPORT_FIELDS = ("program", "pain", "tests", "running", "shoes")


def record_triage(
    db_path: str | None, runner_id: str, state: dict[str, Any], assessment: dict[str, Any], red_flags: list[str]
) -> int:
    """Store a runner's triage as the physiotherapist's ``diary add`` would: a diary week with the answers
    (the values filled in after a red flag are not stored: only the red flags are) and the triage's
    assessment in the audit trail.  Returns the assessment id."""
    has_report = show_runner(db_path, runner_id).get("current_report") is not None
    if red_flags:
        if has_report:
            service.add_diary_entry(db_path, runner_id, {"week": None}, {"red_flags": red_flags})
    else:
        tests = state.get("tests") or {}
        entry: dict[str, Any] = {"week": None, "pain_morning": (state.get("pain") or {}).get("morning")}
        entry["balance_eyes_open_s"] = tests.get("balance_eyes_open_s")
        entry["heel_raises"] = tests.get("heel_raises")
        report = {k: state[k] for k in _REPORT_FIELDS if state.get(k)}
        report["red_flags"] = []
        report["tests"] = {k: v for k, v in tests.items() if k not in ("balance_eyes_open_s", "heel_raises")}
        service.add_diary_entry(db_path, runner_id, entry, {k: v for k, v in report.items() if v or k == "red_flags"})
    look = service.record_triage(db_path, runner_id, state, assessment, record=True)
    return int(look["assessment_id"])


def list_runners(db_path: str | None) -> list[dict[str, Any]]:
    return _read(db_path, runners.list_runners)


def show_runner(db_path: str | None, runner_id: str) -> dict[str, Any]:
    return _read(db_path, runners.show_runner, runner_id)


def list_diary(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    return _read(db_path, diary.list_diary, runner_id)


def diary_week(db_path: str | None, runner_id: str, week: int) -> dict[str, Any] | None:
    return next((e for e in list_diary(db_path, runner_id) if e["week"] == week), None)


def caseload(db_path: str | None) -> list[dict[str, Any]]:
    return _read(db_path, _caseload)


def list_assessments(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    return _read(db_path, audit.list_assessments, runner_id)


def latest_assessment(db_path: str | None, runner_id: str) -> dict[str, Any] | None:
    """The latest stored assessment of the runner (the whole record), or None."""
    return _read(db_path, audit.latest_assessment, runner_id, full=True)


def standing_override(db_path: str | None, runner_id: str) -> dict[str, Any] | None:
    """The physiotherapist's override standing on the runner's record as it is now (the progress
    report's ``current_override``), or None."""
    override: dict[str, Any] | None = service.report_data(db_path, runner_id)["current_override"]
    return override


def add_runner(db_path: str | None, runner_id: str, age: int, sex: str | None, experience: str | None) -> None:
    service.add_runner(db_path, runner_id, age, sex, experience)


def add_diary_week(
    db_path: str | None, runner_id: str, entry: dict[str, Any], report: dict[str, Any] | None
) -> dict[str, Any]:
    """A new diary week (and current-report fields); the runner is re-assessed in the same transaction."""
    return service.add_diary_entry(db_path, runner_id, entry, report)


def correct_diary_week(db_path: str | None, runner_id: str, entry: dict[str, Any], reason: str, author: str) -> None:
    """Correct one diary week (fields given replace the stored ones); the old values, the reason and the
    author go to the change log and the runner is re-assessed in the same transaction."""
    values = {k: v for k, v in entry.items() if k != "week"}
    service.edit_diary_entry(db_path, runner_id, int(entry["week"]), values, reason=reason, author=author)


def delete_diary_week(db_path: str | None, runner_id: str, week: int, reason: str, author: str) -> None:
    """Delete one diary week; the deleted values, the reason and the author go to the change log."""
    service.delete_diary_entry(db_path, runner_id, week, reason, author)


def accept_phase(db_path: str | None, runner_id: str, author: str) -> dict[str, Any]:
    """Record the phase change of the latest progress or regress decision."""
    return service.set_phase(db_path, runner_id, None, author=author)


def changes(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    """The runner's change log (corrections, deletions, phase changes), oldest first."""
    return _read(db_path, audit.list_changes, runner_id)


def override_latest(db_path: str | None, runner_id: str, action: str, reason: str, author: str) -> bool:
    """Override the runner's latest assessment; False when there is none."""
    history = list_assessments(db_path, runner_id)
    if not history:
        return False
    service.write(db_path, audit.add_override, int(history[-1]["id"]), action, reason, author)
    return True
