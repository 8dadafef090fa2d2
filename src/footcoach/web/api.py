"""The JSON API under ``/api/v1``, in the CLI's JSON shapes, for ``Authorization: Bearer <token>``
(``footcoach user token EMAIL``).  ``POST /assess`` answers with exactly the bytes of
``footcoach assess --format json``; bad input is 422 with the CLI's messages (``{"errors": [...]}``)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from footcoach import service
from footcoach.common.json_text import dump_json
from footcoach.contract.errors import InputError
from footcoach.web import data
from footcoach.web.security import api_user, db

router = APIRouter(prefix="/api/v1", tags=["footcoach"])
User = dict[str, Any]


def _json_response(data: Any, status: int = HTTPStatus.OK) -> Response:
    return Response(dump_json(data), status_code=status, media_type="application/json")


def _problems(problems: list[str], status: int = HTTPStatus.UNPROCESSABLE_ENTITY) -> Response:
    return _json_response({"errors": problems}, status)


async def _body(request: Request) -> Any:
    """The JSON body through the one document reader (size, UTF-8, duplicate keys, depth, numbers)."""
    from footcoach.common.documents import DataFileError, load_json_bytes

    try:
        return load_json_bytes(await request.body(), "(body)")
    except DataFileError as exc:
        raise InputError([exc.saying_allowed("a JSON runner state")]) from None


def _state_schema() -> dict[str, Any]:
    from footcoach.contract.state import state_json_schema
    from footcoach.knowledge.base import default_knowledge

    return state_json_schema(default_knowledge().state_bounds)


@router.post(
    "/assess",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/State"}}},
        }
    },
    responses={
        HTTPStatus.OK: {"description": "the assessment, as `footcoach assess --format json` prints it"},
        HTTPStatus.UNPROCESSABLE_ENTITY: {"description": "bad input: every problem, as the CLI reports it"},
    },
)
async def assess(request: Request, user: User = Depends(api_user)) -> Response:
    """Assess one runner's state (the contract's input) and return the assessment."""
    try:
        return _json_response(service.assess_document(await _body(request)))
    except InputError as exc:
        return _problems(exc.problems)


@router.get("/runners")
async def runners(request: Request, user: User = Depends(api_user)) -> Response:
    """Every runner (as `footcoach runner list --format json`)."""
    return _json_response(data.list_runners(db(request)))


def _call(fn: Any, *args: Any) -> Response:
    try:
        return _json_response(fn(*args))
    except InputError as exc:
        return _problems(
            exc.problems,
            HTTPStatus.NOT_FOUND if "no such runner" in " ".join(exc.problems) else HTTPStatus.UNPROCESSABLE_ENTITY,
        )


@router.get("/runners/{runner_id}")
async def runner(request: Request, runner_id: str, user: User = Depends(api_user)) -> Response:
    """One runner (as `footcoach runner show ID --format json`)."""
    return _call(data.show_runner, db(request), runner_id)


@router.get("/runners/{runner_id}/diary")
async def diary(request: Request, runner_id: str, user: User = Depends(api_user)) -> Response:
    """The runner's diary (as `footcoach diary list ID --format json`)."""
    return _call(data.list_diary, db(request), runner_id)


@router.post("/runners/{runner_id}/diary")
async def diary_add(request: Request, runner_id: str, user: User = Depends(api_user)) -> Response:
    """Add a diary week: ``{"entry": {history[] entry}, "report": {current-report fields}}``; the runner
    is re-assessed."""
    try:
        body = await _body(request)
        if not isinstance(body, dict) or set(body) - {"entry", "report"}:
            raise InputError(['(body): allowed: {"entry": {...}, "report": {...}}'])
        result = data.add_diary_week(db(request), runner_id, body.get("entry") or {}, body.get("report"))
    except InputError as exc:
        return _problems(
            exc.problems,
            HTTPStatus.NOT_FOUND if "no such runner" in " ".join(exc.problems) else HTTPStatus.UNPROCESSABLE_ENTITY,
        )
    return _json_response(result, HTTPStatus.CREATED)


@router.get("/runners/{runner_id}/history")
async def history(request: Request, runner_id: str, user: User = Depends(api_user)) -> Response:
    """The runner's stored assessments with overrides (as `footcoach history ID --format json`)."""
    return _call(data.list_assessments, db(request), runner_id)


@router.get("/caseload")
async def caseload(request: Request, user: User = Depends(api_user)) -> Response:
    """Every runner, referrals first (as `footcoach caseload --format json`)."""
    return _json_response(data.caseload(db(request)))


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request, user: User = Depends(api_user)) -> Response:
    """The OpenAPI document of this API (the state schema from the pydantic models)."""
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title="footcoach API", version="1", routes=router.routes)
    schema = _state_schema()
    defs = schema.pop("$defs", {})
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.update(defs)
    components["State"] = json.loads(json.dumps(schema).replace("#/$defs/", "#/components/schemas/"))
    doc = json.loads(json.dumps(doc).replace("#/$defs/", "#/components/schemas/"))
    doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    doc["security"] = [{"bearer": []}]
    return JSONResponse(doc)
