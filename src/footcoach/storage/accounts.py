"""Accounts for the web interface: physiotherapists, their API tokens and sessions, runner links.

Kept in the same SQLite file as the diary (so ``db backup`` carries them) but in tables of their own
(``web_*``), created on first use; nothing here reads or writes the clinical tables.  Passwords are
hashed with argon2; tokens (API tokens, session ids, runner links) are 256 random bits, and only
their SHA-256 is stored, so a copy of the database does not open anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footcoach.contract.errors import InputError
from footcoach.storage.connection import BUSY_TIMEOUT_MS, connect, kept_reader, resolve_db_path, transaction

PASSWORD_MIN_LENGTH = 12  # not clinical: security setting
PASSWORD_MAX_LENGTH = 1024
TOKEN_BYTES = 32  # 256 random bits for every token; not clinical
SESSION_SECONDS = 12 * 3600  # not clinical: security setting
LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 90  # not clinical: security setting
# Sign-in attempts: at most this many failures in the window, per account and per address.
LOGIN_WINDOW_SECONDS = 15 * 60  # not clinical: security setting
LOGIN_FAILURES_PER_ACCOUNT = 5  # not clinical: security setting
LOGIN_FAILURES_PER_ADDRESS = 20  # not clinical: security setting
EMAIL_MAX = 320
DAY_SECONDS = 86400
MS_PER_S = 1000
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS web_users (
        id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_api_tokens (
        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES web_users(id), token_hash TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL, revoked_at REAL)""",
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES web_users(id), csrf TEXT NOT NULL,
        expires_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_runner_links (
        id INTEGER PRIMARY KEY, runner_id TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
        expires_at REAL NOT NULL, revoked_at REAL, created_by TEXT)""",
    """CREATE TABLE IF NOT EXISTS web_triage_drafts (
        link_id INTEGER PRIMARY KEY REFERENCES web_runner_links(id), answers TEXT NOT NULL, updated_at REAL NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS web_login_failures (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS web_login_failures_key ON web_login_failures (key, at)",
    "CREATE TABLE IF NOT EXISTS web_secret (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)",
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


_ready: set[str] = set()


def _light(path: Path) -> sqlite3.Connection:
    """A plain connection to a database already opened (and migrated) once by this process: the
    accounts are read on every request, the full check of :func:`connection.connect` is not needed each time."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / MS_PER_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def _open(db_path: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection]:
    path = resolve_db_path(db_path)
    key = str(path)
    conn = _light(path) if key in _ready and path.is_file() else connect(db_path)
    try:
        if key not in _ready:
            with transaction(conn):
                for statement in _SCHEMA:
                    conn.execute(statement)
            _ready.add(key)
        yield conn
    finally:
        conn.close()


@contextmanager
def _lookup(db_path: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection]:
    """A connection for the per-request lookups (token, session, link): the thread's kept reader once
    this process has made sure the tables exist, so a request does not open and close the file."""
    path = resolve_db_path(db_path)
    if str(path) not in _ready or not path.is_file():
        with _open(db_path) as conn:
            yield conn
        return
    with kept_reader(db_path) as conn:
        yield conn


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


# ---- users ----------------------------------------------------------------------------------


def add_user(db_path: str | None, email: str, password: str) -> dict[str, Any]:
    """Create a physiotherapist account; InputError naming the field for a bad email or short password."""
    email = email.strip().lower()
    problems = []
    if not EMAIL_RE.fullmatch(email):
        problems.append(f"EMAIL: value {json.dumps(email)}: not an email address; allowed: name@example.org")
    if len(password) < PASSWORD_MIN_LENGTH or len(password) > PASSWORD_MAX_LENGTH:
        problems.append(
            f"password: {len(password)} characters; allowed: {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters"
        )
    if problems:
        raise InputError(problems)
    digest = _hasher().hash(password)
    with _open(db_path) as conn, transaction(conn):
        if conn.execute("SELECT 1 FROM web_users WHERE email = ?", (email,)).fetchone():
            raise InputError([f"EMAIL: value {json.dumps(email)}: already has an account; allowed: a new email"])
        cur = conn.execute(
            "INSERT INTO web_users (email, password_hash, created_at) VALUES (?, ?, ?)", (email, digest, time.time())
        )
    return {"id": int(cur.lastrowid or 0), "email": email}


def _user_id(conn: sqlite3.Connection, email: str) -> int:
    row = conn.execute("SELECT id FROM web_users WHERE email = ?", (email.strip().lower(),)).fetchone()
    if row is None:
        raise InputError([f"EMAIL: value {json.dumps(email)}: no such account; add one with `footcoach user add`"])
    return int(row["id"])


@dataclass(frozen=True)
class SignIn:
    ok: bool
    limited: bool = False
    user: dict[str, Any] | None = None


def _failures(conn: sqlite3.Connection, key: str, now: float) -> int:
    row = conn.execute(
        "SELECT count(*) FROM web_login_failures WHERE key = ? AND at > ?", (key, now - LOGIN_WINDOW_SECONDS)
    ).fetchone()
    return int(row[0])


def check_password(db_path: str | None, email: str, password: str, address: str) -> SignIn:
    """Verify a sign-in; refused without checking while the account or the address is over its limit."""
    email = email.strip().lower()[:EMAIL_MAX]
    now = time.time()
    keys = (f"account:{email}", f"address:{address}")
    with _open(db_path) as conn:
        if (
            _failures(conn, keys[0], now) >= LOGIN_FAILURES_PER_ACCOUNT
            or _failures(conn, keys[1], now) >= LOGIN_FAILURES_PER_ADDRESS
        ):
            return SignIn(ok=False, limited=True)
        row = conn.execute("SELECT id, email, password_hash FROM web_users WHERE email = ?", (email,)).fetchone()
        ok = False
        if row is not None and len(password) <= PASSWORD_MAX_LENGTH:
            from argon2.exceptions import VerificationError

            try:
                ok = _hasher().verify(row["password_hash"], password)
            except VerificationError:
                ok = False
        with transaction(conn):
            conn.execute("DELETE FROM web_login_failures WHERE at < ?", (now - LOGIN_WINDOW_SECONDS,))
            if not ok:
                conn.executemany("INSERT INTO web_login_failures (key, at) VALUES (?, ?)", [(k, now) for k in keys])
    if not ok or row is None:
        return SignIn(ok=False)
    return SignIn(ok=True, user={"id": row["id"], "email": row["email"]})


# ---- API tokens -----------------------------------------------------------------------------


def new_api_token(db_path: str | None, email: str) -> str:
    """A new API token for the account (printed once; only its hash is stored)."""
    token = new_token()
    with _open(db_path) as conn, transaction(conn):
        uid = _user_id(conn, email)
        conn.execute(
            "INSERT INTO web_api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            (uid, _hash(token), time.time()),
        )
    return token


def revoke_api_tokens(db_path: str | None, email: str) -> int:
    """Revoke every live API token of the account; returns how many."""
    with _open(db_path) as conn, transaction(conn):
        uid = _user_id(conn, email)
        cur = conn.execute(
            "UPDATE web_api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", (time.time(), uid)
        )
    return int(cur.rowcount)


def user_for_api_token(db_path: str | None, token: str) -> dict[str, Any] | None:
    with _lookup(db_path) as conn:
        row = conn.execute(
            "SELECT u.id, u.email FROM web_api_tokens t JOIN web_users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND t.revoked_at IS NULL",
            (_hash(token),),
        ).fetchone()
    return None if row is None else {"id": row["id"], "email": row["email"]}


# ---- sessions -------------------------------------------------------------------------------


def new_session(db_path: str | None, user_id: int) -> tuple[str, str]:
    """A new session: (session token for the cookie, its CSRF token)."""
    token, csrf = new_token(), new_token()
    now = time.time()
    with _open(db_path) as conn, transaction(conn):
        conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now,))
        conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
            (_hash(token), user_id, csrf, now + SESSION_SECONDS),
        )
    return token, csrf


def session_user(db_path: str | None, token: str) -> dict[str, Any] | None:
    """The signed-in user and the session's CSRF token, or None for an unknown or expired session."""
    with _lookup(db_path) as conn:
        row = conn.execute(
            "SELECT u.id, u.email, s.csrf FROM web_sessions s JOIN web_users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            (_hash(token), time.time()),
        ).fetchone()
    return None if row is None else {"id": row["id"], "email": row["email"], "csrf": row["csrf"]}


def end_session(db_path: str | None, token: str) -> None:
    with _open(db_path) as conn, transaction(conn):
        conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))


# ---- runner links ---------------------------------------------------------------------------


def new_runner_link(db_path: str | None, runner_id: str, days: int = LINK_DAYS_DEFAULT, by: str | None = None) -> str:
    """A personal link token for one runner, valid ``days`` days (the caller checks the runner exists)."""
    if not 1 <= days <= LINK_DAYS_MAX:
        raise InputError([f"--days: value {days}: out of range; allowed: 1-{LINK_DAYS_MAX}"])
    token = new_token()
    now = time.time()
    with _open(db_path) as conn, transaction(conn):
        conn.execute(
            "INSERT INTO web_runner_links (runner_id, token_hash, created_at, expires_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (runner_id, _hash(token), now, now + days * DAY_SECONDS, by),
        )
    return token


def runner_link(db_path: str | None, token: str) -> dict[str, Any] | None:
    """The live link for a token: {id, runner_id, expires_at}; None when unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    with _lookup(db_path) as conn:
        row = conn.execute(
            "SELECT id, runner_id, expires_at FROM web_runner_links "
            "WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            (_hash(token), time.time()),
        ).fetchone()
    return None if row is None else dict(row)


def revoke_runner_links(db_path: str | None, runner_id: str) -> int:
    """Revoke every live link of a runner; returns how many."""
    with _open(db_path) as conn, transaction(conn):
        cur = conn.execute(
            "UPDATE web_runner_links SET revoked_at = ? WHERE runner_id = ? AND revoked_at IS NULL",
            (time.time(), runner_id),
        )
    return int(cur.rowcount)


def list_runner_links(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    with _open(db_path) as conn:
        rows = conn.execute(
            "SELECT id, created_at, expires_at, revoked_at, created_by FROM web_runner_links "
            "WHERE runner_id = ? ORDER BY id",
            (runner_id,),
        ).fetchall()
    return [dict(r) for r in rows]


def load_draft(db_path: str | None, link_id: int) -> dict[str, Any]:
    with _open(db_path) as conn:
        row = conn.execute("SELECT answers FROM web_triage_drafts WHERE link_id = ?", (link_id,)).fetchone()
    return {} if row is None else dict(json.loads(row["answers"]))


def save_draft(db_path: str | None, link_id: int, answers: dict[str, Any] | None) -> None:
    """Keep the answers given so far (None clears them)."""
    with _open(db_path) as conn, transaction(conn):
        if answers is None:
            conn.execute("DELETE FROM web_triage_drafts WHERE link_id = ?", (link_id,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO web_triage_drafts (link_id, answers, updated_at) VALUES (?, ?, ?)",
                (link_id, json.dumps(answers, sort_keys=True), time.time()),
            )


def secret(db_path: str | None) -> bytes:
    """The server's signing key (made once, shared by every process on the same database)."""
    with _open(db_path) as conn:
        row = conn.execute("SELECT value FROM web_secret WHERE id = 1").fetchone()
        if row is None:
            with transaction(conn):
                conn.execute("INSERT OR IGNORE INTO web_secret (id, value) VALUES (1, ?)", (new_token(),))
            row = conn.execute("SELECT value FROM web_secret WHERE id = 1").fetchone()
    return str(row["value"]).encode("utf-8")


def sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
