"""The server keeps one read connection per thread (storage.connection.kept_reader) for the lookups of
every request (API token, session, runner link) and the API's reads.  Keeping it must never show an
old picture: a revoked token, a new runner or a replaced file is seen by the very next request."""

from __future__ import annotations

import os
import shutil

from footcoach.storage import accounts
from footcoach.storage.connection import kept_reader
from tests import record_calls as store
from tests.web_support import EMAIL, client, example, make_clinic, sign_in


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_revoked_api_token_is_refused_on_the_next_request(tmp_path):
    clinic = make_clinic(tmp_path)
    with client(clinic.db) as c:
        assert c.get("/api/v1/caseload", headers=_bearer(clinic.token)).status_code == 200
        assert c.get("/api/v1/caseload", headers=_bearer(clinic.token)).status_code == 200
        assert accounts.revoke_api_tokens(clinic.db, EMAIL) == 1
        assert c.get("/api/v1/caseload", headers=_bearer(clinic.token)).status_code == 401


def test_a_runner_link_revoked_elsewhere_is_refused_on_the_next_request(tmp_path):
    clinic = make_clinic(tmp_path)
    with client(clinic.db) as c:
        assert c.get(f"/t/{clinic.links['ben']}").status_code == 200
        accounts.revoke_runner_links(clinic.db, "ben")
        assert c.get(f"/t/{clinic.links['ben']}").status_code == 404


def test_a_session_ended_elsewhere_is_signed_out_on_the_next_request(tmp_path):
    clinic = make_clinic(tmp_path)
    with client(clinic.db) as c:
        sign_in(c)
        assert c.get("/caseload").status_code == 200
        session = c.cookies.get("footcoach_session")
        accounts.end_session(clinic.db, session)
        assert c.get("/caseload").status_code == 303


def test_a_runner_stored_by_another_process_is_in_the_next_caseload(tmp_path):
    clinic = make_clinic(tmp_path)
    with client(clinic.db) as c:
        before = [row["runner"] for row in c.get("/api/v1/caseload", headers=_bearer(clinic.token)).json()]
        assert "r-new" not in before
        store.import_state(clinic.db, "r-new", example("stall-reintroduce"))
        after = [row["runner"] for row in c.get("/api/v1/caseload", headers=_bearer(clinic.token)).json()]
        assert set(after) == {*before, "r-new"}


def test_a_database_file_replaced_under_the_server_is_read_afresh(tmp_path):
    clinic = make_clinic(tmp_path)
    other = make_clinic(tmp_path / "other")
    store.import_state(other.db, "only-in-the-other", example("stall-reintroduce"))
    with client(clinic.db) as c:
        assert c.get("/api/v1/caseload", headers=_bearer(clinic.token)).status_code == 200
        assert c.get("/api/v1/caseload", headers=_bearer(other.token)).status_code == 401
        shutil.copy(other.db, tmp_path / "replacement.db")
        os.replace(tmp_path / "replacement.db", clinic.db)
        assert c.get("/api/v1/caseload", headers=_bearer(clinic.token)).status_code == 401
        rows = c.get("/api/v1/caseload", headers=_bearer(other.token)).json()
        assert "only-in-the-other" in [row["runner"] for row in rows]


def test_the_kept_connection_is_reused_for_the_same_file_and_never_left_in_a_transaction(tmp_path):
    clinic = make_clinic(tmp_path)
    with kept_reader(clinic.db) as first:
        first.execute("BEGIN")
        first.execute("SELECT count(*) FROM runners").fetchone()
    with kept_reader(clinic.db) as second:
        assert second is first
        assert not second.in_transaction
    with kept_reader(str(tmp_path / "missing.db")) as stand_in:
        assert stand_in is not first
    assert not (tmp_path / "missing.db").exists()
