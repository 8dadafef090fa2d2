"""The physiotherapist's pages: sign-in, caseload, a runner's page (diary, decision, history, the
corrections and overrides), adding a runner and the rule book.  Every page needs a session; every
form carries the session's CSRF token."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from footcoach.contract.errors import InputError
from footcoach.storage import accounts
from footcoach.web import data, views
from footcoach.web.pages import render
from footcoach.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    NothingHere,
    client_address,
    db,
    form_with_csrf,
    is_https,
    login_csrf,
    physio,
    same,
)

router = APIRouter()
LOGIN_FORM_SECONDS = 3600  # not clinical: how long a sign-in form stays valid
User = dict[str, Any]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=HTTPStatus.SEE_OTHER)


@router.get("/")
def home(user: User = Depends(physio)) -> Response:
    return _see_other("/caseload")


@router.get("/login")
def login_page(request: Request, error: str | None = None, status: int = HTTPStatus.OK) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or accounts.new_token()
    response = render(request, "login.html", status, csrf=login_csrf(request, nonce), error=error)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        max_age=LOGIN_FORM_SECONDS,
        path="/login",
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not same(fields.get("csrf"), login_csrf(request, nonce)):
        return login_page(request, "The sign-in form expired: please try again.", HTTPStatus.FORBIDDEN)
    result = accounts.check_password(
        db(request), fields.get("email", ""), fields.get("password", ""), client_address(request)
    )
    if result.limited:
        return login_page(
            request, "Too many failed sign-ins: wait 15 minutes and try again.", HTTPStatus.TOO_MANY_REQUESTS
        )
    if not result.ok or result.user is None:
        return login_page(request, "Wrong email or password.", HTTPStatus.UNAUTHORIZED)
    token, _csrf = accounts.new_session(db(request), int(result.user["id"]))
    response = _see_other("/caseload")
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, user: User = Depends(physio)) -> Response:
    await form_with_csrf(request, user["csrf"])
    accounts.end_session(db(request), request.cookies.get(SESSION_COOKIE, ""))
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/caseload")
def caseload_page(request: Request, q: str = "", show: str = "all", user: User = Depends(physio)) -> Response:
    rows = views.caseload_rows(data.caseload(db(request)), q, show)
    return render(request, "caseload.html", user=user, rows=rows, q=q, show=show, filters=views.CASELOAD_FILTERS)


@router.get("/runners/new")
def new_runner_page(request: Request, user: User = Depends(physio)) -> Response:
    return render(request, "runner_new.html", user=user, values={}, problems=[], choices=views.profile_choices())


@router.post("/runners")
async def add_runner(request: Request, user: User = Depends(physio)) -> Response:
    form = await form_with_csrf(request, user["csrf"])
    try:
        age = views.whole_number(form.get("age", ""), "runner.age")
        data.add_runner(
            db(request), form.get("id", "").strip(), age, form.get("sex") or None, form.get("experience") or None
        )
    except InputError as exc:
        return render(
            request,
            "runner_new.html",
            HTTPStatus.UNPROCESSABLE_ENTITY,
            user=user,
            values=form,
            problems=exc.problems,
            choices=views.profile_choices(),
        )
    return _see_other(f"/runners/{views.quote(form['id'].strip())}")


def _runner_or_404(request: Request, runner_id: str) -> dict[str, Any]:
    try:
        return data.show_runner(db(request), runner_id)
    except InputError:
        raise NothingHere() from None


@router.get("/runners/{runner_id}")
def runner_page(request: Request, runner_id: str, link: str | None = None, user: User = Depends(physio)) -> Response:
    record = _runner_or_404(request, runner_id)
    page = views.runner_view(db(request), runner_id, record)
    return render(request, "runner.html", user=user, r=page, link=link, notice=request.query_params.get("notice"))


@router.get("/runners/{runner_id}/diary/{week}")
def diary_week_page(request: Request, runner_id: str, week: int, user: User = Depends(physio)) -> Response:
    _runner_or_404(request, runner_id)
    entry = data.diary_week(db(request), runner_id, week)
    if entry is None:
        raise NothingHere()
    return render(
        request,
        "diary_edit.html",
        user=user,
        runner_id=runner_id,
        entry=entry,
        values=views.entry_form(entry),
        problems=[],
        fields=views.DIARY_FORM_FIELDS,
    )


@router.post("/runners/{runner_id}/diary/{week}")
async def diary_week_correct(request: Request, runner_id: str, week: int, user: User = Depends(physio)) -> Response:
    form = await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    old = data.diary_week(db(request), runner_id, week)
    if old is None:
        raise NothingHere()
    try:
        new = views.entry_from_form(form, week)
        reason = views.reason(form)
        data.correct_diary_week(db(request), runner_id, new, reason, user["email"])
    except InputError as exc:
        return render(
            request,
            "diary_edit.html",
            HTTPStatus.UNPROCESSABLE_ENTITY,
            user=user,
            runner_id=runner_id,
            entry=old,
            values=form,
            problems=exc.problems,
            fields=views.DIARY_FORM_FIELDS,
        )
    return _see_other(f"/runners/{views.quote(runner_id)}?notice=diary-corrected")


@router.post("/runners/{runner_id}/diary/{week}/delete")
async def diary_week_delete(request: Request, runner_id: str, week: int, user: User = Depends(physio)) -> Response:
    form = await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    old = data.diary_week(db(request), runner_id, week)
    if old is None:
        raise NothingHere()
    try:
        data.delete_diary_week(db(request), runner_id, week, views.reason(form), user["email"])
    except InputError as exc:
        return render(
            request,
            "diary_edit.html",
            HTTPStatus.UNPROCESSABLE_ENTITY,
            user=user,
            runner_id=runner_id,
            entry=old,
            values=views.entry_form(old),
            problems=exc.problems,
            fields=views.DIARY_FORM_FIELDS,
        )
    return _see_other(f"/runners/{views.quote(runner_id)}?notice=diary-deleted")


@router.post("/runners/{runner_id}/phase")
async def accept_phase(request: Request, runner_id: str, user: User = Depends(physio)) -> Response:
    await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    try:
        data.accept_phase(db(request), runner_id, user["email"])
    except InputError as exc:
        return _runner_page_with(request, runner_id, user, exc.problems)
    return _see_other(f"/runners/{views.quote(runner_id)}?notice=phase-accepted")


def _runner_page_with(request: Request, runner_id: str, user: User, problems: list[str]) -> Response:
    page = views.runner_view(db(request), runner_id, _runner_or_404(request, runner_id))
    return render(
        request,
        "runner.html",
        HTTPStatus.UNPROCESSABLE_ENTITY,
        user=user,
        r=page,
        link=None,
        notice=None,
        problems=problems,
    )


@router.post("/runners/{runner_id}/override")
async def override(request: Request, runner_id: str, user: User = Depends(physio)) -> Response:
    form = await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    try:
        if not data.override_latest(
            db(request), runner_id, form.get("action", ""), form.get("reason", ""), user["email"]
        ):
            raise NothingHere()
    except InputError as exc:
        return _runner_page_with(request, runner_id, user, exc.problems)
    return _see_other(f"/runners/{views.quote(runner_id)}?notice=overridden")


@router.post("/runners/{runner_id}/invite")
async def invite(request: Request, runner_id: str, user: User = Depends(physio)) -> Response:
    form = await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    try:
        days = views.whole_number(form.get("days", str(accounts.LINK_DAYS_DEFAULT)), "days")
        token = accounts.new_runner_link(db(request), runner_id, days, user["email"])
    except InputError as exc:
        return _runner_page_with(request, runner_id, user, exc.problems)
    page = views.runner_view(db(request), runner_id, _runner_or_404(request, runner_id))
    url = str(request.base_url).rstrip("/") + f"/t/{token}"
    return render(request, "runner.html", user=user, r=page, link=url, notice=None)


@router.post("/runners/{runner_id}/revoke-links")
async def revoke_links(request: Request, runner_id: str, user: User = Depends(physio)) -> Response:
    await form_with_csrf(request, user["csrf"])
    _runner_or_404(request, runner_id)
    accounts.revoke_runner_links(db(request), runner_id)
    return _see_other(f"/runners/{views.quote(runner_id)}?notice=links-revoked")


@router.get("/rules")
def rules_page(request: Request, user: User = Depends(physio)) -> Response:
    return render(request, "rules.html", user=user, rules=views.rule_book())


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
