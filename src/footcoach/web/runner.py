"""The runner's pages, opened by a personal link ``/t/<token>``: the triage questionnaire a page at a
time, a review where any answer can be changed, and the result (or, after a red flag, only whom to
see and how soon).  A link opens its own runner's pages and nothing else: anything else is 404."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from footcoach.contract.errors import InputError
from footcoach.storage import accounts
from footcoach.triage.session import FieldError, Page, TriageSession, UnknownPage
from footcoach.web import data, flow, views
from footcoach.web.pages import render
from footcoach.web.security import LinkNotLive, NothingHere, db, form_with_csrf, link_csrf

router = APIRouter(prefix="/t/{token}")
BLOCKS = "What blocks progress"  # the summary section whose items the page words with how to measure
DECISION = "Decision: "  # the terminal's label before the decision, not repeated under the page's heading


def _link(request: Request, token: str) -> dict[str, Any]:
    link = accounts.runner_link(db(request), token)
    if link is None:
        raise LinkNotLive()
    return link


def _context(request: Request, token: str) -> tuple[dict[str, Any], dict[str, Any], TriageSession]:
    """The link, what is on record for its runner, and the link's triage session."""
    link = _link(request, token)
    try:
        known = data.runner_known(db(request), link["runner_id"])
    except InputError:
        raise LinkNotLive() from None  # the runner was removed since the link was made
    return link, known, flow.load(db(request), int(link["id"]), known.get("runner") or {})


def _go(token: str, where: str) -> RedirectResponse:
    return RedirectResponse(f"/t/{token}/{where}", status_code=HTTPStatus.SEE_OTHER)


def _next(token: str, session: TriageSession) -> RedirectResponse:
    """Where the session is now: its current page or the review."""
    page = session.current()
    return _go(token, "review") if page is None else _go(token, f"p/{quote(page.id)}")


def _page(
    request: Request,
    token: str,
    link: dict[str, Any],
    session: TriageSession,
    page: Page,
    typed: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    first = page.number == 1
    return render(
        request,
        "triage_page.html",
        HTTPStatus.UNPROCESSABLE_ENTITY if errors else HTTPStatus.OK,
        token=token,
        page=page,
        action=f"/t/{token}/p/{quote(page.id)}",
        fields=flow.form_fields(page, typed, errors or ()),
        problems=flow.page_problems(errors or (), page),
        warnings=session.warnings if errors is None else [],
        intro=session.q.messages.red_flags_intro if first else None,
        first=first,
        csrf=link_csrf(request, int(link["id"])),
    )


@router.get("")
def start(request: Request, token: str) -> Response:
    """Where the runner left off: the current page (the first for a new triage) or the review."""
    link, _known, session = _context(request, token)
    page = session.current()
    return review(request, token) if page is None else _page(request, token, link, session, page)


@router.get("/p/{page_id}")
def show_page(request: Request, token: str, page_id: str) -> Response:
    link, _known, session = _context(request, token)
    try:
        page = session.page(page_id)
    except UnknownPage:
        raise NothingHere() from None
    return _page(request, token, link, session, page)


@router.post("/p/{page_id}")
async def answer_page(request: Request, token: str, page_id: str) -> Response:
    link, known, session = _context(request, token)
    form = await form_with_csrf(request, link_csrf(request, int(link["id"])))
    try:
        page = session.go(page_id)
    except UnknownPage:
        raise NothingHere() from None
    if form.get("nav") == "back":
        session.back()
        flow.save(db(request), int(link["id"]), session)
        return _next(token, session)
    typed = {f.key: form.get(f.key, "") for f in page.fields}
    errors = session.answer(page_id, typed)
    if session.stopped:
        return _finish(request, token, link, known, session)
    flow.save(db(request), int(link["id"]), session)  # valid answers are kept even when one is refused
    if errors:
        return _page(request, token, link, session, session.page(page_id), typed, errors)
    return _next(token, session)


@router.get("/review")
def review(request: Request, token: str, problems: list[str] | None = None) -> Response:
    link, _known, session = _context(request, token)
    pages = session.pages()
    return render(
        request,
        "triage_review.html",
        HTTPStatus.UNPROCESSABLE_ENTITY if problems else HTTPStatus.OK,
        token=token,
        groups=flow.review_groups(session, f"/t/{token}/p/"),
        problems=problems or [],
        warnings=session.warnings,
        csrf=link_csrf(request, int(link["id"])),
        back=f"/t/{token}/p/{quote(pages[-1].id)}",
    )


@router.post("/review")
async def submit(request: Request, token: str) -> Response:
    link, known, session = _context(request, token)
    await form_with_csrf(request, link_csrf(request, int(link["id"])))
    errors = session.finish()
    if errors:
        flow.save(db(request), int(link["id"]), session)
        page = session.current()
        if page is None:
            return review(request, token, [e.sentence for e in errors])
        return _page(request, token, link, session, page, errors=errors)
    return _finish(request, token, link, known, session)


def _finish(
    request: Request, token: str, link: dict[str, Any], known: dict[str, Any], session: TriageSession
) -> Response:
    """The answers assessed as the terminal's are (the service), stored in the diary and audit trail."""
    from footcoach.service import assess_triage

    try:
        result = assess_triage(session.q, session.answers, link["runner_id"], known)
        data.record_triage(db(request), link["runner_id"], result.state, result.assessment, result.red_flags)
    except InputError as exc:
        return review(request, token, exc.problems)
    flow.save(db(request), int(link["id"]), None)
    return _go(token, "result")


@router.get("/result")
def result(request: Request, token: str) -> Response:
    """The decision in the runner's words, as the terminal gives it (the same summary sections: why,
    what blocks progress, this week, shoes and running load), the plan and when to check in; after a
    red flag only whom to see, how soon and what to do meanwhile."""
    from footcoach.render.text import decision_line, summary_sections
    from footcoach.triage.answers import red_flag_stops

    link = _link(request, token)
    latest = data.latest_assessment(db(request), link["runner_id"])
    if latest is None:
        return RedirectResponse(f"/t/{token}", status_code=HTTPStatus.SEE_OTHER)
    assessment = latest["assessment"]
    override = data.standing_override(db(request), link["runner_id"])  # as the report shows it
    action = override["action"] if override else assessment["action"]
    plan = assessment.get("plan") or {}
    if plan.get("paused"):
        stops = red_flag_stops(flow.questionnaire(), [s["red_flag"] for s in plan.get("see", [])])
        return render(request, "triage_stop.html", token=token, action=action, stops=stops)
    sections = [
        (heading, views.blocks(assessment, "runner") if heading == BLOCKS else items)
        for heading, items in summary_sections(assessment, "runner")
    ]
    return render(
        request,
        "triage_result.html",
        token=token,
        a=assessment,
        action=action,
        override=override,
        decision=decision_line(assessment, "runner").removeprefix(DECISION),
        sections=sections,
        plan=plan,
    )
