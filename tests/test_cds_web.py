"""CDS Hooks over HTTP: discovery, a patient-view call with prefetch (the decision is the CLI's), missing
and bad prefetch, feedback into the runner's audit trail, and the bearer token on every route."""

from __future__ import annotations

import datetime as dt

import pytest

from footcoach.governance.cds import MEASURE_SYSTEM, SERVICE_ID
from footcoach.storage import audit
from footcoach.storage.connection import opened
from footcoach.triage.questionnaire import answers_to_fhir_response, default_questionnaire, resolve_answers, show_json
from tests.conftest import answers_from_show
from tests.web_support import client, example, make_clinic, token_client

HOOK_URL = f"/cds-services/{SERVICE_ID}"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    return make_clinic(tmp_path_factory.mktemp("cds"))


@pytest.fixture(scope="module")
def ehr(clinic):
    return token_client(clinic)


def _prefetch(state: dict, patient_id: str) -> dict:
    q = default_questionnaire()
    resolved = resolve_answers(q, answers_from_show(state, show_json(q)))
    birth = dt.date.today().year - state["runner"]["age"]
    return {
        "patient": {
            "resourceType": "Patient",
            "id": patient_id,
            "gender": state["runner"].get("sex", "unknown"),
            "birthDate": f"{birth}-01-01",
        },
        "triage": answers_to_fhir_response(q, resolved.answers),
    }


def _call(ehr, state: dict, patient_id: str = "r-017", hook_instance: str = "8c1b5f3e-0d3b-4f2e-9a55-2f1b3c4d5e6f"):
    body = {
        "hook": "patient-view",
        "hookInstance": hook_instance,
        "context": {"userId": "Practitioner/7", "patientId": patient_id},
        "prefetch": _prefetch(state, patient_id),
    }
    return ehr.post(HOOK_URL, json=body)


def test_discovery(ehr):
    r = ehr.get("/cds-services")
    assert r.status_code == 200
    (service,) = r.json()["services"]
    assert service["id"] == SERVICE_ID and service["hook"] == "patient-view" and "patient" in service["prefetch"]


def test_every_cds_route_needs_the_token(clinic):
    anonymous = client(clinic.db)
    assert anonymous.get("/cds-services").status_code == 401
    assert anonymous.post(HOOK_URL, json={}).status_code == 401
    assert anonymous.post(f"{HOOK_URL}/feedback", json={}).status_code == 401


def test_a_progressing_runner_gets_an_info_card_with_a_phase_suggestion_and_a_link(ehr):
    state = example("progress-to-phase-3")
    r = _call(ehr, state)
    assert r.status_code == 200, r.text
    (card,) = r.json()["cards"]
    assert card["indicator"] == "info" and "progress" in card["summary"]
    assert card["links"][0]["url"].endswith("/runners/r-017")
    assert "3" in card["suggestions"][0]["label"]


def test_a_red_flag_is_a_critical_card(ehr):
    r = _call(ehr, example("red-flag-numbness"), patient_id="someone-else")
    assert r.status_code == 200, r.text
    (card,) = r.json()["cards"]
    assert card["indicator"] == "critical" and "links" not in card  # not a footcoach runner: no link


def test_missing_prefetch_is_412_and_bad_prefetch_400(ehr):
    body = {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "r-017"}}
    assert ehr.post(HOOK_URL, json=body).status_code == 412
    body["prefetch"] = {"patient": {"resourceType": "Patient", "birthDate": "31/12/1980"}, "triage": {}}
    r = ehr.post(HOOK_URL, json=body)
    assert r.status_code == 400 and "birthDate" in " ".join(r.json()["errors"])
    assert ehr.post(HOOK_URL, json={"hook": "patient-view"}).status_code == 400
    assert ehr.post("/cds-services/no-such-service", json=body).status_code == 404


def test_feedback_lands_in_the_runner_audit_trail(clinic, ehr):
    r = _call(ehr, example("progress-to-phase-3"), hook_instance="feedback-1")
    card = r.json()["cards"][0]
    fb = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": {"code": "patient-preference"}, "userComment": "wants one more week"},
                "outcomeTimestamp": "2026-11-30T10:00:00Z",
            },
            {"card": "unknown-card", "outcome": "accepted", "outcomeTimestamp": "2026-11-30T10:00:00Z"},
        ]
    }
    r = ehr.post(f"{HOOK_URL}/feedback", json=fb)
    assert r.status_code == 200, r.text
    first, second = r.json()["recorded"]
    assert first["recorded"] and first["runner"] == "r-017" and not second["recorded"]
    with opened(clinic.db, create=False) as conn:
        changes = [c for c in audit.list_changes(conn, "r-017") if c["kind"] == "cds.feedback"]
    assert changes and changes[-1]["new"]["outcome"] == "overridden" and changes[-1]["reason"] == "wants one more week"
    bad = ehr.post(
        f"{HOOK_URL}/feedback", json={"feedback": [{"card": "x", "outcome": "maybe", "outcomeTimestamp": "t"}]}
    )
    assert bad.status_code == 400


def test_observations_in_the_prefetch_override_the_triage_tests(ehr):
    state = example("progress-to-phase-3")
    body = {
        "hook": "patient-view",
        "hookInstance": "obs-1",
        "context": {"patientId": "r-017"},
        "prefetch": {
            **_prefetch(state, "r-017"),
            "observations": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Observation",
                            "status": "final",
                            "code": {"coding": [{"system": MEASURE_SYSTEM, "code": "heel-raises"}]},
                            "component": [
                                {
                                    "code": {"coding": [{"system": MEASURE_SYSTEM, "code": leg}]},
                                    "valueQuantity": {"value": 5},
                                }
                                for leg in ("left", "right")
                            ],
                        }
                    }
                ],
            },
        },
    }
    r = ehr.post(HOOK_URL, json=body)
    assert r.status_code == 200 and r.json()["cards"][0]["indicator"] == "info"
    assert "hold" in r.json()["cards"][0]["summary"]  # 5 heel raises do not pass the phase 2 gate


def test_what_if_page_shows_nearest_progress_and_the_decision_with_changes(clinic):
    from tests.web_support import sign_in

    c = client(clinic.db)
    sign_in(c)
    page = c.get("/runners/r-017")
    assert "/runners/r-017/what-if" in page.text
    r = c.get("/runners/r-017/what-if")
    assert r.status_code == 200 and "Nearest progress" in r.text
    r = c.get("/runners/r-017/what-if", params={"change": "tests.heel_raises.left=5\ntests.heel_raises.right=5"})
    assert r.status_code == 200 and 'data-after="hold"' in r.text
    r = c.get("/runners/r-017/what-if", params={"change": "tests.heel_raises.left=<script>"})
    assert r.status_code == 422 and "<script>" not in r.text and "&lt;script&gt;" in r.text
    assert c.get("/runners/nobody/what-if").status_code == 404
    assert client(clinic.db).get("/runners/r-017/what-if").status_code == 303  # needs a session
