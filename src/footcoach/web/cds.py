"""CDS Hooks 2.0 endpoints: discovery, the ``patient-view`` service and its feedback.

The CDS client (the electronic record) authenticates like any API client, with ``Authorization:
Bearer <token>`` (``footcoach user token EMAIL``). The decision is the service layer's, byte for
byte the one ``footcoach assess`` gives for the same state.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from footcoach import service
from footcoach.common.json_text import dump_json
from footcoach.contract.errors import InputError
from footcoach.governance import cds
from footcoach.web.security import api_user, db

router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])
User = dict[str, Any]


def _json(data: Any, status: int = HTTPStatus.OK) -> Response:
    return Response(dump_json(data), status_code=status, media_type="application/json")


def _errors(problems: list[str], status: int) -> Response:
    return _json({"errors": problems}, status)


async def _body(request: Request) -> Any:
    """The JSON body through the one document reader (size, UTF-8, duplicate keys, depth, numbers);
    None when it is refused."""
    from footcoach.common.documents import DataFileError, load_json_bytes

    try:
        return load_json_bytes(await request.body(), "(body)")
    except DataFileError:
        return None


def _questionnaire() -> Any:
    from footcoach.triage.questionnaire import default_questionnaire

    return default_questionnaire()


@router.get("")
def discovery(request: Request, user: User = Depends(api_user)) -> Response:
    """The services this CDS service offers (CDS Hooks discovery)."""
    return _json(cds.discovery(_questionnaire()))


def _runner_link(request: Request, patient_id: str | None) -> str | None:
    """A link back to the runner's page when the patient is a runner footcoach knows."""
    from footcoach.governance.stored import runner_known

    if not patient_id or not runner_known(db(request), patient_id):
        return None
    return str(request.url_for("runner_page", runner_id=patient_id))


@router.post("/{service_id}")
async def call(request: Request, service_id: str, user: User = Depends(api_user)) -> Response:
    """A ``patient-view`` hook call: the prefetched record in, one card for the decision out."""
    if service_id != cds.SERVICE_ID:
        return _errors([f"no CDS service {service_id!r}; allowed: {cds.SERVICE_ID}"], HTTPStatus.NOT_FOUND)
    try:
        hook = cds.HookRequest.model_validate(await _body(request))
    except ValidationError as exc:
        return _errors([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()], HTTPStatus.BAD_REQUEST)
    if hook.hook != cds.HOOK:
        return _errors([f"hook: value {hook.hook!r}; allowed: {cds.HOOK}"], HTTPStatus.BAD_REQUEST)
    try:
        patient_id, doc = cds.state_from_prefetch(_questionnaire(), hook.prefetch, dt.date.today())
        assessment = service.assess_document(doc)
    except cds.PrefetchProblem as exc:
        return _errors(exc.problems, exc.status)
    except InputError as exc:
        return _errors([f"prefetch: {p}" for p in exc.problems], HTTPStatus.BAD_REQUEST)
    link = _runner_link(request, patient_id)
    cards = cds.cards_for(assessment, hook.hookInstance, patient_id, link)
    if link and patient_id:
        from footcoach.governance.stored import remember_cards

        remember_cards(db(request), patient_id, hook.hookInstance, cards, assessment)
    return _json({"cards": cards})


@router.post("/{service_id}/feedback")
async def feedback(request: Request, service_id: str, user: User = Depends(api_user)) -> Response:
    """When a card was accepted or overridden: recorded in the audit trail of the runner it was about."""
    if service_id != cds.SERVICE_ID:
        return _errors([f"no CDS service {service_id!r}; allowed: {cds.SERVICE_ID}"], HTTPStatus.NOT_FOUND)
    try:
        body = cds.Feedback.model_validate(await _body(request))
    except ValidationError as exc:
        return _errors([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()], HTTPStatus.BAD_REQUEST)
    bad = [
        f"feedback[{i}].outcome: value {f.outcome!r}; allowed: accepted, overridden"
        for i, f in enumerate(body.feedback)
        if f.outcome not in ("accepted", "overridden")
    ]
    if bad:
        return _errors(bad, HTTPStatus.BAD_REQUEST)
    from footcoach.governance.stored import record_feedback

    recorded = record_feedback(db(request), [f.model_dump() for f in body.feedback], user.get("email"))
    return _json({"recorded": recorded})
