"""CDS Hooks: the discovery document, a patient-view call with prefetch, missing and bad prefetch,
cards per decision. Shapes follow CDS Hooks 2.0 (discovery, request, card, suggestion)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from footcoach.governance.assessing import Assessor
from footcoach.governance.cds import (
    HOOK,
    MEASURE_SYSTEM,
    SERVICE_ID,
    HookRequest,
    PrefetchProblem,
    cards_for,
    discovery,
    state_from_prefetch,
)
from footcoach.triage.questionnaire import answers_to_fhir_response, default_questionnaire, resolve_answers, show_json

from .conftest import answers_from_show, load_example

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def q():
    return default_questionnaire()


def triage_response(q, state):
    answers = answers_from_show(state, show_json(q))
    resolved = resolve_answers(q, answers)
    return answers_to_fhir_response(q, resolved.answers)


def patient(age: int, sex: str) -> dict:
    return {"resourceType": "Patient", "id": "pat-1", "gender": sex, "birthDate": f"{TODAY.year - age}-12-15"}


def legs(code: str, left: float, right: float) -> dict:
    def comp(leg, v):
        return {"code": {"coding": [{"system": MEASURE_SYSTEM, "code": leg}]}, "valueQuantity": {"value": v}}

    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": MEASURE_SYSTEM, "code": code}]},
        "component": [comp("left", left), comp("right", right)],
    }


def bundle(*resources) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def test_discovery_lists_a_patient_view_service_with_prefetch(q):
    doc = discovery(q)
    (service,) = doc["services"]
    assert service["hook"] == HOOK and service["id"] == SERVICE_ID
    assert {"title", "description", "prefetch"} <= set(service)
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    assert "{{context.patientId}}" in service["prefetch"]["triage"]
    json.dumps(doc)


def test_prefetch_builds_the_state_patient_gives_age_and_sex_observations_the_latest_tests(q):
    state, _ = load_example("progress-to-phase-3")
    prefetch = {
        "patient": patient(40, "male"),
        "triage": bundle(triage_response(q, state)),
        "observations": bundle(legs("heel-raises", 30, 31), legs("heel-raises", 1, 1)),
    }
    pid, doc = state_from_prefetch(q, prefetch, TODAY)
    assert pid == "pat-1"
    assert doc["runner"]["age"] == 39 and doc["runner"]["sex"] == "male"  # the birthday, 15 December, is still to come
    assert doc["tests"]["heel_raises"] == {"left": 30, "right": 31}  # the newest, not the older one
    assert doc["program"] == state["program"]


def test_missing_prefetch_is_412_and_names_what_is_missing(q):
    with pytest.raises(PrefetchProblem) as err:
        state_from_prefetch(q, None, TODAY)
    assert err.value.status == 412
    with pytest.raises(PrefetchProblem) as err:
        state_from_prefetch(q, {"patient": patient(40, "male")}, TODAY)
    assert err.value.status == 412 and "triage" in err.value.problems[0]


def test_invalid_fhir_in_prefetch_is_400_naming_the_field(q):
    bad = {"resourceType": "Patient", "id": "p", "birthDate": "not-a-date"}
    with pytest.raises(PrefetchProblem) as err:
        state_from_prefetch(q, {"patient": bad, "triage": {}}, TODAY)
    assert err.value.status == 400 and "birthDate" in " ".join(err.value.problems)


def test_hook_request_shape():
    body = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/1", "patientId": "pat-1"},
        "prefetch": {},
        "fhirServer": "https://ehr.example.org/fhir",
    }
    assert HookRequest.model_validate(body).context["patientId"] == "pat-1"


@pytest.mark.parametrize(
    ("example", "indicator", "suggests"),
    [
        ("red-flag-numbness", "critical", False),
        ("regress-not-settled", "warning", True),
        ("amber-hold-worn-shoes", "info", False),
        ("progress-to-phase-3", "info", True),
    ],
)
def test_cards_per_decision(example, indicator, suggests):
    state, expected = load_example(example)
    assessment = Assessor().full(state)
    (card,) = cards_for(assessment, "hook-1", "pat-1", "https://clinic.example.org/runners/pat-1")
    assert card["indicator"] == indicator
    assert len(card["summary"]) < 140 and expected["action"] in card["summary"]
    assert card["source"]["label"].startswith("footcoach")
    assert card["links"][0]["type"] == "absolute"
    assert ("suggestions" in card) == suggests
    if suggests:
        assert card["selectionBehavior"] == "at-most-one"
        assert str(expected["phase"]["next"]) in card["suggestions"][0]["label"]
    # every recommendation's words reach the card
    for rec in assessment["recommendations"]:
        assert rec["summary"] in card["detail"]


def test_card_ids_are_stable_for_feedback():
    state, _ = load_example("progress-to-phase-3")
    a = Assessor().full(state)
    assert cards_for(a, "h", "p", None)[0]["uuid"] == cards_for(a, "h", "p", None)[0]["uuid"]
    assert cards_for(a, "h", "p", None)[0]["uuid"] != cards_for(a, "h2", "p", None)[0]["uuid"]
