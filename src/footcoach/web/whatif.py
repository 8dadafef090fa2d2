"""The physiotherapist's "what would it take?" page for one runner: the smallest changes to measured
values that would make the runner progress, and a what-if form (read-only: nothing is recorded)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from footcoach import service
from footcoach.contract.errors import InputError
from footcoach.governance.assessing import Assessor
from footcoach.governance.whatif import nearest_progress, what_if
from footcoach.web.pages import render
from footcoach.web.security import NothingHere, db, physio

router = APIRouter()
User = dict[str, Any]


def _document(request: Request, runner_id: str) -> dict[str, Any]:
    try:
        return service.export_state(db(request), runner_id)
    except InputError:
        raise NothingHere() from None


@router.get("/runners/{runner_id}/what-if")
def what_if_page(request: Request, runner_id: str, change: str = "", user: User = Depends(physio)) -> Response:
    """Nearest progress for the runner's record, and the decision with the changes typed in the form."""
    doc = _document(request, runner_id)
    assessor = Assessor()
    nearest = nearest_progress(assessor, doc).as_record()
    changes = [line.strip() for line in change.splitlines() if line.strip()]
    result, problems = None, []
    if changes:
        try:
            result = what_if(assessor, doc, changes)
            result.pop("assessment_after", None)
        except InputError as exc:
            problems = exc.problems
    return render(
        request,
        "whatif.html",
        user=user,
        runner_id=runner_id,
        nearest=nearest,
        change=change,
        result=result,
        problems=problems,
    )
