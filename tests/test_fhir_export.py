"""FHIR export: a runner's record as a Bundle whose every resource is valid under fhir.resources."""

from __future__ import annotations

import pytest
from fhir.resources.bundle import Bundle

from footcoach.governance.assessing import Assessor
from footcoach.governance.cds import LOINC_PAIN_NRS, MEASURE_SYSTEM
from footcoach.governance.fhir_export import FhirExportError, bundle, validate

from .conftest import load_example


def record(example: str):
    state, _ = load_example(example)
    runner = {**state["runner"], "id": "r/017 ü"}
    return runner, state.get("history", []), Assessor().full(state)


def test_bundle_holds_patient_observations_per_week_and_a_care_plan():
    runner, diary, assessment = record("progress-to-phase-3")
    doc = bundle(runner, diary, assessment, None)
    parsed = Bundle.model_validate(doc)
    kinds = [e.resource.__resource_type__ for e in parsed.entry]
    assert kinds[0] == "Patient" and kinds[-1] == "CarePlan"
    patient = doc["entry"][0]["resource"]
    assert patient["id"] == "r-017--"  # a valid FHIR id made from any runner id
    assert patient["identifier"][0]["value"] == "r/017 ü"
    observations = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"]
    weeks = {o["extension"][0]["valueInteger"] for o in observations}
    assert weeks == {e["week"] for e in diary}
    pain = [o for o in observations if o["code"]["coding"][0]["code"] == "pain-morning"]
    assert pain and all(any(c["code"] == LOINC_PAIN_NRS for c in o["code"]["coding"]) for o in pain)
    raises = [o for o in observations if o["code"]["coding"][0]["code"] == "heel-raises"]
    assert all({c["code"]["coding"][0]["code"] for c in o["component"]} == {"left", "right"} for o in raises)


def test_care_plan_activities_are_the_plan_exercises():
    runner, diary, assessment = record("progress-to-phase-3")
    plan = bundle(runner, diary, assessment, None)["entry"][-1]["resource"]
    names = {c["code"]["concept"]["text"] for c in plan["contained"]}
    expected = {ex["name"] for block in assessment["plan"]["blocks"] for ex in block["exercises"]}
    assert names == expected
    assert len(plan["activity"]) == len(plan["contained"])
    assert all(a["plannedActivityReference"]["reference"].startswith("#") for a in plan["activity"])


def test_a_referral_that_pauses_the_plan_exports_no_care_plan():
    runner, diary, assessment = record("red-flag-numbness")
    doc = bundle(runner, diary, assessment, None)
    assert "CarePlan" not in {e["resource"]["resourceType"] for e in doc["entry"]}


def test_validation_refuses_an_invalid_resource():
    with pytest.raises(FhirExportError, match="Observation"):
        validate({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueInteger": "many"})


def test_measure_codes_are_the_ones_cds_reads():
    runner, diary, assessment = record("stall-reintroduce")
    doc = bundle(runner, diary, assessment, None)
    systems = {
        c["system"]
        for e in doc["entry"]
        if e["resource"]["resourceType"] == "Observation"
        for c in e["resource"]["code"]["coding"]
    }
    assert MEASURE_SYSTEM in systems
