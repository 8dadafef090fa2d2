"""The stored record by database path, for tests: the service's record use cases and storage's readers."""

from __future__ import annotations

from typing import Any

from footcoach import service
from footcoach.storage import audit, diary, runners
from footcoach.storage.caseload import caseload as _caseload

import_state = service.import_state
add_runner = service.add_runner
add_diary_entry = service.add_diary_entry
export_state = service.export_state


def show_runner(db: str, runner_id: str) -> dict[str, Any]:
    return service.read(db, runners.show_runner, runner_id)


def list_diary(db: str, runner_id: str) -> list[dict[str, Any]]:
    return service.read(db, diary.list_diary, runner_id)


def list_assessments(db: str, runner_id: str) -> list[dict[str, Any]]:
    return service.read(db, audit.list_assessments, runner_id)


def caseload(db: str, **kw: Any) -> list[dict[str, Any]]:
    return service.read(db, _caseload, **kw)


def assess_runner(db: str, runner_id: str, record: bool = False) -> dict[str, Any]:
    """The assessment of the stored runner now, with the id of the stored assessment it matches."""
    assessment, look = service.assess_runner(db, runner_id, record=record)
    latest = list_assessments(db, runner_id)
    return {**assessment, "assessment_id": look["assessment_id"] or (latest[-1]["id"] if latest else None)}
