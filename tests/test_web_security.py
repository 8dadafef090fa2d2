"""The web interface's security: every route needs a session, a token or a runner link; links reach
only their own runner; CSRF; escaping; the sign-in rate limit; headers and the body limit."""

from __future__ import annotations

import re

import pytest

from footcoach.storage import accounts
from tests import record_calls as store
from tests.web_support import EMAIL, PASSWORD, client, csrf_of, make_clinic, sign_in

PUBLIC = {("GET", "/login"), ("POST", "/login")}


@pytest.fixture
def clinic(tmp_path):
    return make_clinic(tmp_path)


def _walk(routes, prefix=""):
    """Every route, also those of included routers (however this FastAPI version keeps them)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _walk(included.routes, prefix + route.include_context.prefix)
        else:
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method != "HEAD":
                    yield method, prefix + route.path


def _routes(app):
    return sorted(set(_walk(app.app.routes)))  # app.app: the security middleware wraps the FastAPI app


def _fill(path: str, token: str = "not-a-token") -> str:
    return (
        path.replace("{token}", token)
        .replace("{runner_id}", "r-017")
        .replace("{week}", "1")
        .replace("{n}", "1")
        .replace("{page_id}", "safety_nerves")
        .replace("{path:path}", "style.css")
        .replace("{service_id}", "footcoach-patient-view")
    )


def test_every_route_is_refused_without_a_session_token_or_link(clinic):
    """Enumerates the app's routes, so a route added later cannot be forgotten."""
    c = client(clinic.db)
    routes = _routes(c.app)
    assert len(routes) >= 20, routes
    for method, path in routes:
        if (method, path) in PUBLIC or path == "/static":
            continue
        r = c.request(method, _fill(path))
        if path.startswith(("/api/", "/cds-services")):
            assert r.status_code == 401, (method, path, r.status_code)
        elif path.startswith("/t/"):
            assert r.status_code == 404, (method, path, r.status_code)  # an unknown link opens nothing
        else:
            assert r.status_code == 303 and r.headers["location"] == "/login", (method, path, r.status_code)
        assert "r-017" not in r.text and "ben" not in r.text


def test_a_revoked_api_token_is_refused(clinic):
    c = client(clinic.db)
    ok = c.get("/api/v1/caseload", headers={"Authorization": f"Bearer {clinic.token}"})
    assert ok.status_code == 200
    accounts.revoke_api_tokens(clinic.db, EMAIL)
    assert c.get("/api/v1/caseload", headers={"Authorization": f"Bearer {clinic.token}"}).status_code == 401


def test_sign_in_sets_an_httponly_lax_session_cookie_and_sign_out_ends_it(clinic):
    c = client(clinic.db)
    r = sign_in(c)
    assert r.status_code == 303 and r.headers["location"] == "/caseload"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = c.get("/caseload")
    assert page.status_code == 200
    out = c.post("/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    assert c.get("/caseload").status_code == 303


def test_session_cookie_is_secure_with_https_only_and_behind_a_trusted_https_proxy(clinic):
    assert "Secure" in sign_in(client(clinic.db, https_only=True)).headers["set-cookie"]
    proxied = client(clinic.db, trusted_proxies=("testclient",))
    page = proxied.get("/login", headers={"X-Forwarded-Proto": "https"})
    r = proxied.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf": csrf_of(page.text)},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in r.headers["set-cookie"]
    # an untrusted peer cannot claim https
    plain = client(clinic.db)
    page = plain.get("/login", headers={"X-Forwarded-Proto": "https"})
    r = plain.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf": csrf_of(page.text)},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" not in r.headers["set-cookie"]


def test_wrong_password_is_refused(clinic):
    c = client(clinic.db)
    r = sign_in(c, password="not the password at all")
    assert r.status_code == 401 and "Wrong email or password" in r.text
    assert c.get("/caseload").status_code == 303


def test_sign_in_rate_limit_per_account_holds_even_with_the_right_password(clinic):
    c = client(clinic.db)
    for _ in range(accounts.LOGIN_FAILURES_PER_ACCOUNT):
        assert sign_in(c, password="wrong password here").status_code == 401
    r = sign_in(c)
    assert r.status_code == 429 and "Too many" in r.text
    assert c.get("/caseload").status_code == 303


def test_sign_in_rate_limit_per_address_across_accounts(clinic):
    c = client(clinic.db)
    for i in range(accounts.LOGIN_FAILURES_PER_ADDRESS):
        sign_in(c, email=f"nobody{i}@example.org", password="wrong password here")
    accounts.add_user(clinic.db, "second@example.org", PASSWORD)
    assert sign_in(c, email="second@example.org").status_code == 429


def test_form_posts_without_the_csrf_token_are_refused(clinic):
    c = client(clinic.db)
    sign_in(c)
    before = len(store.list_assessments(clinic.db, "r-017")[-1]["overrides"])
    for data in ({"action": "hold", "reason": "x"}, {"action": "hold", "reason": "x", "csrf": "forged"}):
        r = c.post("/runners/r-017/override", data=data)
        assert r.status_code == 403
    assert len(store.list_assessments(clinic.db, "r-017")[-1]["overrides"]) == before
    assert c.post("/runners", data={"id": "x", "age": "40"}).status_code == 403
    assert c.post("/logout", data={}).status_code == 403
    # the sign-in form has its own token
    assert c.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 403


def test_runner_link_forms_need_their_csrf_token(clinic):
    c = client(clinic.db)
    r = c.post(f"/t/{clinic.links['r-017']}/p/safety_nerves", data={"red_flag_numbness_tingling": "yes"})
    assert r.status_code == 403
    assert store.list_assessments(clinic.db, "r-017")[-1]["source"] == "change"  # the import's, no triage


def test_a_runner_link_reaches_only_its_own_runner(clinic):
    c = client(clinic.db)
    link = clinic.links["r-017"]
    assert c.get(f"/t/{link}").status_code == 200
    assert c.get(f"/t/{link}/result").status_code in (200, 303)
    for path in ("/caseload", "/runners/ben", "/runners/r-017", "/api/v1/caseload", "/rules"):
        r = c.get(path)
        assert r.status_code in (303, 401), path
    # the link is not a session: nothing else opens with it, and another runner's data is 404 not 403
    for path in (
        f"/t/{link}/../runners/ben",
        f"/t/{link}/p/99",
        f"/t/{link}/p/diary.9",
        f"/t/{link}x",
        f"/t/{link}/runners/ben",
    ):
        r = c.get(path)
        assert r.status_code in (404, 303), (path, r.status_code)
        assert "ben" not in r.text
    result = c.get(f"/t/{clinic.links['ben']}/result")
    assert "r-017" not in result.text


def test_expired_and_revoked_links_are_refused(clinic, monkeypatch):
    c = client(clinic.db)
    link = clinic.links["r-017"]
    accounts.revoke_runner_links(clinic.db, "r-017")
    assert c.get(f"/t/{link}").status_code == 404
    fresh = accounts.new_runner_link(clinic.db, "ben", days=1)
    assert c.get(f"/t/{fresh}").status_code == 200
    import time as _time

    later = _time.time() + 2 * 86400
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert c.get(f"/t/{fresh}").status_code == 404


def test_links_are_long_random_and_stored_hashed(clinic):
    token = accounts.new_runner_link(clinic.db, "ben")
    assert len(token) >= 43  # 32 bytes base64url: 256 bits
    import sqlite3

    conn = sqlite3.connect(clinic.db)
    stored = [r[0] for r in conn.execute("SELECT token_hash FROM web_runner_links")]
    users = [r[0] for r in conn.execute("SELECT password_hash FROM web_users")]
    conn.close()
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert users[0].startswith("$argon2") and PASSWORD not in users[0]


def test_security_headers_on_every_kind_of_response(clinic):
    c = client(clinic.db)
    for r in (
        c.get("/login"),
        c.get("/caseload"),
        c.get("/t/nope"),
        c.get("/static/style.css"),
        c.get("/api/v1/caseload"),
    ):
        csp = r.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_a_body_over_the_limit_is_413(clinic):
    c = client(clinic.db)
    big = b"{" + b" " * (300 * 1024) + b"}"
    r = c.post("/api/v1/assess", content=big, headers={"Authorization": f"Bearer {clinic.token}"})
    assert r.status_code == 413
    assert c.post("/login", content=big).status_code == 413


def test_pages_have_no_inline_script_or_style(clinic):
    c = client(clinic.db)
    sign_in(c)
    for path in ("/caseload", "/runners/r-017", "/runners/new", "/rules", f"/t/{clinic.links['r-017']}"):
        html = c.get(path).text
        assert "<script" not in html and " style=" not in html and "<style" not in html, path
        assert re.search(r"\son[a-z]+=", html) is None, path


EVIL = '<script>alert("x")'  # no end tag: the runner id holds it too, and ids may not hold '/'


def test_script_in_every_user_supplied_field_comes_back_escaped(clinic):
    """Runner id, a diary correction's reason, an override's reason, the physio's email, a shoe name."""
    evil_email = "a<script>@example.org"
    accounts.add_user(clinic.db, evil_email, PASSWORD)
    c = client(clinic.db)
    sign_in(c, email=evil_email)
    page = c.get("/runners/new")
    r = c.post("/runners", data={"csrf": csrf_of(page.text), "id": EVIL, "age": "40"})
    assert r.status_code == 303
    state = {
        "runner": {"age": 40},
        "program": {"phase": 2, "weeks_in_phase": 3},
        "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
        "shoes": [{"name": EVIL, "km": 900}],
        "history": [{"week": 1, "pain_morning": 2}],
    }
    store.import_state(clinic.db, "shoe<b>runner", state)
    store.assess_runner(clinic.db, "shoe<b>runner")
    page = c.get("/runners/shoe%3Cb%3Erunner")
    csrf = csrf_of(page.text)
    c.post("/runners/shoe%3Cb%3Erunner/override", data={"csrf": csrf, "action": "hold", "reason": EVIL})
    c.post(
        "/runners/shoe%3Cb%3Erunner/diary/1",
        data={"csrf": csrf, "pain_morning": "3", "reason": EVIL},
    )
    pages = [
        c.get("/caseload").text,
        c.get("/runners/shoe%3Cb%3Erunner").text,
        c.get("/runners/" + "%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E").text,
        c.get("/runners/shoe%3Cb%3Erunner/diary/1").text,
    ]
    joined = "\n".join(pages)
    assert "<script" not in joined and "shoe<b>runner" not in joined
    assert "&lt;script&gt;" in joined
    assert joined.count("&lt;script&gt;alert(") >= 3  # the id, the override reason, the correction reason
    assert "shoe&lt;b&gt;runner" in joined
    link = accounts.new_runner_link(clinic.db, "shoe<b>runner")
    result = c.get(f"/t/{link}/result").text
    assert "<script" not in result and "&lt;script&gt;" in result  # the shoe name in the runner's advice
