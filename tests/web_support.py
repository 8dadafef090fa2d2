"""Shared set-up for the web tests: a database with a physiotherapist, runners and links, an app
and signed-in clients (httpx through Starlette's TestClient)."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import footcoach.inference  # noqa: F401  (experta needs it imported first)
from footcoach.storage import accounts
from tests import record_calls as store
from tests.conftest import EXAMPLES

EMAIL = "physio@example.org"
PASSWORD = "correct horse battery staple"


@dataclass
class Clinic:
    db: str
    links: dict[str, str]
    token: str


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def make_clinic(tmp: Path) -> Clinic:
    """Two runners on record: r-017 (should progress) and ben (a red flag), each with a link."""
    db = str(tmp / "clinic.db")
    accounts.add_user(db, EMAIL, PASSWORD)
    store.import_state(db, "r-017", example("progress-to-phase-3"))
    red = example("red-flag-numbness")
    red["runner"].pop("id", None)
    red["history"] = [{"week": 1, "pain_morning": 3}, {"week": 2, "pain_morning": 2}]
    store.import_state(db, "ben", red)
    for rid in ("r-017", "ben"):
        store.assess_runner(db, rid)
    links = {rid: accounts.new_runner_link(db, rid) for rid in ("r-017", "ben")}
    return Clinic(db, links, accounts.new_api_token(db, EMAIL))


def client(db: str, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from footcoach.web.app import create_app

    return TestClient(create_app(db, **kwargs), follow_redirects=False)


def token_client(clinic: Clinic) -> Any:
    """A client of the clinic's app that sends the physiotherapist's API token (the JSON API, CDS Hooks)."""
    c = client(clinic.db)
    c.headers["Authorization"] = f"Bearer {clinic.token}"
    return c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(c: Any, email: str = EMAIL, password: str = PASSWORD) -> Any:
    page = c.get("/login")
    return c.post("/login", data={"email": email, "password": password, "csrf": csrf_of(page.text)})
