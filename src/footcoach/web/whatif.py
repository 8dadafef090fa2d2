"""The physiotherapist's "what would it take?" page for one runner: the smallest changes to measured
values that would make the runner progress, and a what-if form (read-only: nothing is recorded)."""

from __future__ import annotations

from http import HTTPStatus
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
CLI_OPTION = "--what-if: "  # how the governance layer names the source of a change: the CLI's option
User = dict[str, Any]


def _document(request: Request, runner_id: str) -> dict[str, Any]:
    try:
        return service.export_state(db(request), runner_id)
    except InputError:
        raise NothingHere() from None


def web_wording(problem: str) -> str:
    """A what-if problem as the form's words: the change typed in, not the CLI's option."""
    return "Change " + problem.removeprefix(CLI_OPTION) if problem.startswith(CLI_OPTION) else problem


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
            problems = [web_wording(p) for p in exc.problems]
    return render(
        request,
        "whatif.html",
        HTTPStatus.UNPROCESSABLE_ENTITY if problems else HTTPStatus.OK,
        user=user,
        runner_id=runner_id,
        nearest=nearest,
        change=change,
        result=result,
        problems=problems,
    )
