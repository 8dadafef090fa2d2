"""The runner's pages, opened by a personal link ``/t/<token>``: the triage questionnaire a page at a
time, a review where any answer can be changed, and the result (or, after a red flag, only whom to
see and how soon).  A link opens its own runner's pages and nothing else: anything else is 404."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from footcoach.contract.errors import InputError
from footcoach.storage import accounts
from footcoach.web import data, flow, views
from footcoach.web.pages import render
from footcoach.web.security import NothingHere, db, form_with_csrf, link_csrf

router = APIRouter(prefix="/t/{token}")


def _link(request: Request, token: str) -> dict[str, Any]:
    link = accounts.runner_link(db(request), token)
    if link is None:
        raise NothingHere()
    return link


def _context(request: Request, token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    link = _link(request, token)
    try:
        known = data.runner_known(db(request), link["runner_id"])
    except InputError:
        raise NothingHere() from None  # the runner was removed since the link was made
    return link, known, accounts.load_draft(db(request), int(link["id"]))


def _go(token: str, where: str) -> RedirectResponse:
    return RedirectResponse(f"/t/{token}/{where}", status_code=HTTPStatus.SEE_OTHER)


def _page(
    request: Request,
    token: str,
    n: int,
    status: int = HTTPStatus.OK,
    checked: flow.PageAnswers | None = None,
    then: str = "",
) -> Response:
    link, known, answers = _context(request, token)
    q = flow.questionnaire()
    all_pages = flow.pages(q, known, answers)
    if not 1 <= n <= len(all_pages):
        raise NothingHere()
    page = all_pages[n - 1]
    fields = []
    for question in page:
        value = checked.raw.get(question.id) if checked else flow.form_value(question, answers.get(question.id))
        fields.append(
            {
                "q": question,
                "value": value or "",
                "options": flow.options(question),
                "error": checked.problems.get(question.id) if checked else None,
            }
        )
    return render(
        request,
        "triage_page.html",
        status,
        token=token,
        n=n,
        total=len(all_pages),
        fields=fields,
        intro=q.messages.red_flags_intro if n == 1 else None,
        csrf=link_csrf(request, int(link["id"])),
        then=then,
    )


@router.get("")
def start(request: Request, token: str) -> Response:
    return _page(request, token, 1)


@router.get("/p/{n}")
def page(request: Request, token: str, n: int, then: str = "") -> Response:
    return _page(request, token, n, then="review" if then == "review" else "")


@router.post("/p/{n}")
async def answer_page(request: Request, token: str, n: int) -> Response:
    link, known, answers = _context(request, token)
    form = await form_with_csrf(request, link_csrf(request, int(link["id"])))
    q = flow.questionnaire()
    all_pages = flow.pages(q, known, answers)
    if not 1 <= n <= len(all_pages):
        raise NothingHere()
    back = form.get("nav") == "back"
    checked = flow.read_page(all_pages[n - 1], form, answers, strict=not back)
    accounts.save_draft(db(request), int(link["id"]), checked.answers)
    if checked.red_flags:
        return _finish(request, token, link, known, checked.answers)
    if back:
        return _go(token, f"p/{n - 1}") if n > 1 else _go(token, "p/1")
    if checked.problems:
        return _page(request, token, n, HTTPStatus.UNPROCESSABLE_ENTITY, checked, form.get("then", ""))
    if form.get("then") == "review":
        return _go(token, "review")
    now = flow.pages(q, known, checked.answers)
    return _go(token, f"p/{n + 1}") if n < len(now) else _go(token, "review")


@router.get("/review")
def review(request: Request, token: str, problems: list[str] | None = None) -> Response:
    link, known, answers = _context(request, token)
    q = flow.questionnaire()
    rows = []
    for n, page_questions in enumerate(flow.pages(q, known, answers), 1):
        for question in page_questions:
            rows.append({"q": question, "answer": flow.shown(question, answers.get(question.id)), "page": n})
    return render(
        request,
        "triage_review.html",
        HTTPStatus.UNPROCESSABLE_ENTITY if problems else HTTPStatus.OK,
        token=token,
        rows=rows,
        problems=problems or [],
        csrf=link_csrf(request, int(link["id"])),
        last=len(flow.pages(q, known, answers)),
    )


@router.post("/review")
async def submit(request: Request, token: str) -> Response:
    link, known, answers = _context(request, token)
    await form_with_csrf(request, link_csrf(request, int(link["id"])))
    return _finish(request, token, link, known, answers)


def _finish(
    request: Request, token: str, link: dict[str, Any], known: dict[str, Any], answers: dict[str, Any]
) -> Response:
    from footcoach.service import assess_triage

    q = flow.questionnaire()
    try:
        result = assess_triage(q, flow.final_answers(q, known, answers), link["runner_id"], known)
        data.record_triage(db(request), link["runner_id"], result.state, result.assessment, result.red_flags)
    except InputError as exc:
        return review(request, token, exc.problems)
    accounts.save_draft(db(request), int(link["id"]), None)
    return _go(token, "result")


@router.get("/result")
def result(request: Request, token: str) -> Response:
    link = _link(request, token)
    latest = data.latest_assessment(db(request), link["runner_id"])
    if latest is None:
        return _go(token, "p/1")
    assessment = latest["assessment"]
    plan = assessment.get("plan") or {}
    if plan.get("paused"):
        from footcoach.triage.questionnaire import referral_text

        q = flow.questionnaire()
        see = [{**s, "text": referral_text(q, s["red_flag"])} for s in plan.get("see", [])]
        return render(request, "triage_stop.html", token=token, action=assessment["action"], see=see)
    return render(
        request,
        "triage_result.html",
        token=token,
        a=assessment,
        carrier=views.carrier(assessment),
        others=[r for r in assessment.get("recommendations", []) if r.get("kind") not in views.CARRIERS],
        blocks=views.blocks(assessment, "runner"),
        plan=plan,
    )
