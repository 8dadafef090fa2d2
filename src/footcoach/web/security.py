"""What every response and request goes through: security headers, the body limit, sign-in state
(session cookie, API bearer token), CSRF tokens and the client's address."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from fastapi import Request

from footcoach.storage import accounts

SESSION_COOKIE = "footcoach_session"
LOGIN_COOKIE = "footcoach_login"
BODY_LIMIT_BYTES = 256 * 1024  # a state with a long diary is a few kB; forms far less
URL_LIMIT_BYTES = 16 * 1024  # not clinical: a what-if form of a few changes is well under 1 kB
HEADERS_LIMIT_BYTES = 32 * 1024  # not clinical: our cookies and a browser's headers are about 1 kB

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Guard:
    """ASGI middleware: adds the security headers to every response, refuses a request body over
    the limit with 413 (by its Content-Length, or while it streams in), a URL or headers over theirs
    with 414 or 431, and answers HEAD as GET without the body."""

    def __init__(self, app: ASGIApp, limit: int = BODY_LIMIT_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if await _head_too_large(scope, send):
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(send, self.limit)
            return
        received = 0
        started = False
        head = scope.get("method") == "HEAD"
        if head:  # answered as GET (FastAPI's routes take no HEAD), its body left out below
            scope = dict(scope, method="GET")

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in SECURITY_HEADERS]
                raw += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = raw
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "(body)", limit)


async def _head_too_large(scope: Scope, send: Send) -> bool:
    """Answer 414 for a URL, 431 for headers over the limit, before anything reads them; True when refused."""
    url = len(scope.get("raw_path") or scope.get("path", "").encode()) + len(scope.get("query_string") or b"")
    if url > URL_LIMIT_BYTES:
        await _refuse(send, HTTPStatus.REQUEST_URI_TOO_LONG, "(url)", URL_LIMIT_BYTES)
        return True
    if sum(len(k) + len(v) for k, v in scope.get("headers") or []) > HEADERS_LIMIT_BYTES:
        await _refuse(send, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "(headers)", HEADERS_LIMIT_BYTES)
        return True
    return False


async def _refuse(send: Send, status: HTTPStatus, what: str, limit: int) -> None:
    body = f'{{"errors": ["{what}: larger than {limit} bytes; allowed: at most {limit} bytes"]}}\n'.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class NeedSignIn(Exception):
    """A page was asked for without a live session: the handler sends the browser to sign in."""


class NothingHere(Exception):
    """Nothing here for this caller (also what a runner link gets for anything not its own)."""


class LinkNotLive(NothingHere):
    """A runner link that does not open (never made, expired, revoked or its runner removed): the
    runner is told to ask for a new one, the same words and status whichever it is."""


class BadCsrf(Exception):
    """A form post without the right CSRF token."""


def db(request: Request) -> str | None:
    path = request.app.state.db
    return None if path is None else str(path)


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, the address the proxy saw (X-Forwarded-For)."""
    peer = request.client.host if request.client else "unknown"
    if peer in request.app.state.trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


def is_https(request: Request) -> bool:
    if request.app.state.https_only or request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    return peer in request.app.state.trusted_proxies and request.headers.get("x-forwarded-proto") == "https"


def physio(request: Request) -> dict[str, Any]:
    """The signed-in physiotherapist (with the session's CSRF token), or NeedSignIn."""
    token = request.cookies.get(SESSION_COOKIE)
    user = accounts.session_user(db(request), token) if token else None
    if user is None:
        raise NeedSignIn()
    return user


async def api_user(request: Request) -> dict[str, Any]:
    """The account behind ``Authorization: Bearer <token>``; 401 otherwise.  Async with the (short,
    read-only) SQLite lookup inline: a request is served start to end on the event loop, without a hop
    to a worker thread that would wait for the interpreter lock behind other requests' assessments."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = accounts.user_for_api_token(db(request), token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        from fastapi import HTTPException

        raise HTTPException(
            HTTPStatus.UNAUTHORIZED,
            "a valid API token is needed (Authorization: Bearer <token>)",
            {"WWW-Authenticate": "Bearer"},
        )
    return user


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


async def form_with_csrf(request: Request, expected: str) -> dict[str, str]:
    """The posted form as text fields, after checking its CSRF token (BadCsrf otherwise)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not same(fields.get("csrf"), expected):
        raise BadCsrf()
    return fields


def secret(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "secret", None)
    if key is None:
        key = accounts.secret(db(request))
        request.app.state.secret = key
    return key


def login_csrf(request: Request, nonce: str) -> str:
    return accounts.sign(secret(request), f"login:{nonce}")


def link_csrf(request: Request, link_id: int) -> str:
    return accounts.sign(secret(request), f"link:{link_id}")
