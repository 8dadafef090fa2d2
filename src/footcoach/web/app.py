"""The FastAPI application: physiotherapists' pages, runners' triage links and the JSON API.

Pages are rendered on the server (Jinja2, autoescaped) and work without JavaScript; the only
stylesheet is served by footcoach itself.  Every route needs a session, an API token or a runner
link (see ``PUBLIC_ROUTES`` for the sign-in page and the stylesheet).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from footcoach.web.pages import render, templates
from footcoach.web.security import BadCsrf, Guard, LinkNotLive, NeedSignIn, NothingHere

HERE = Path(__file__).parent
# Reachable without a session: the sign-in form (and its post) and the stylesheet.  The runner's
# pages under /t/{token} are opened by the link itself.
# Paths whose errors are JSON (API and CDS Hooks clients are programs, not people).
JSON_PATHS = ("/api/", "/cds-services")
PUBLIC_ROUTES = {("GET", "/login"), ("POST", "/login"), ("GET", "/static")}


def create_app(
    db_path: str | None = None,
    *,
    https_only: bool = False,
    trusted_proxies: tuple[str, ...] = (),
    body_limit: int | None = None,
) -> Any:
    """The ASGI application for the database at ``db_path`` (None: FOOTCOACH_DB or the default)."""
    from footcoach.web import api, cds, physio, runner, whatif

    app = FastAPI(title="footcoach", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = db_path
    app.state.https_only = https_only
    app.state.trusted_proxies = frozenset(trusted_proxies)
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(physio.router)
    app.include_router(runner.router)
    app.include_router(api.router)
    app.include_router(cds.router)
    app.include_router(whatif.router)
    _handlers(app)
    from footcoach.web.security import BODY_LIMIT_BYTES

    return Guard(app, body_limit or BODY_LIMIT_BYTES) if body_limit != 0 else app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NeedSignIn)
    async def _sign_in(request: Request, exc: NeedSignIn) -> Response:
        return RedirectResponse("/login", status_code=HTTPStatus.SEE_OTHER)

    @app.exception_handler(NothingHere)
    async def _not_found(request: Request, exc: NothingHere) -> Response:
        return _error(request, HTTPStatus.NOT_FOUND, "Not found", "There is nothing here.")

    @app.exception_handler(LinkNotLive)
    async def _link_gone(request: Request, exc: LinkNotLive) -> Response:
        # 404 whether the link expired, was revoked or never existed: the page tells nothing apart
        return render(request, "link_gone.html", HTTPStatus.NOT_FOUND)

    @app.exception_handler(BadCsrf)
    async def _csrf(request: Request, exc: BadCsrf) -> Response:
        return _error(
            request,
            HTTPStatus.FORBIDDEN,
            "Form expired",
            "This form is out of date: go back, reload the page and try again.",
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith(JSON_PATHS):
            return JSONResponse({"errors": [str(exc.detail)]}, exc.status_code, headers=exc.headers)
        if exc.status_code == HTTPStatus.NOT_FOUND:
            return _error(request, HTTPStatus.NOT_FOUND, "Not found", "There is nothing here.")
        return _error(request, exc.status_code, "Not allowed", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith(JSON_PATHS):
            problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
            return JSONResponse({"errors": problems}, HTTPStatus.UNPROCESSABLE_ENTITY)
        return _error(request, HTTPStatus.NOT_FOUND, "Not found", "There is nothing here.")


def _error(request: Request, status: int, title: str, text: str) -> Response:
    if request.url.path.startswith(JSON_PATHS):
        return JSONResponse({"errors": [text]}, status)
    return render(request, "error.html", status, title=title, text=text)
