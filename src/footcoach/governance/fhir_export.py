"""FHIR R5 out: one runner's record as a Bundle (Patient, Observations per diary week, the triage
QuestionnaireResponse, and this week's plan as a CarePlan whose activities are contained
ServiceRequests), every resource validated with ``fhir.resources``.

The codes are footcoach's own (``MEASURE_SYSTEM``, shared with the CDS Hooks service), with LOINC
72514-3 beside the morning pain score, the one measure with a LOINC code.
"""

from __future__ import annotations

import importlib
import re
import uuid
from typing import Any

from pydantic import ValidationError

from footcoach.governance.cds import LOINC, LOINC_PAIN_NRS, MEASURE_SYSTEM

BUNDLE_NAMESPACE = uuid.UUID("0c6b8f2e-2f5e-4d8a-8f55-4b9f5f0a6c31")
UCUM = "http://unitsofmeasure.org"
PROGRAM_WEEK = "https://footcoach.example.org/fhir/StructureDefinition/program-week"
PLAN_CATEGORY = "https://footcoach.example.org/fhir/CodeSystem/plan"
# diary field -> (measure code, display, UCUM unit, two legs)
DIARY_MEASURES = {
    "pain_morning": ("pain-morning", "Morning first-steps pain (0-10 NRS)", "{score}", False),
    "balance_eyes_open_s": ("balance-eyes-open", "Single-leg balance, eyes open", "s", True),
    "balance_eyes_closed_s": ("balance-eyes-closed", "Single-leg balance, eyes closed", "s", True),
    "heel_raises": ("heel-raises", "Single-leg heel raises", "{repetitions}", True),
    "hop_pain": ("hop-pain", "Pain on single-leg hopping (0-10 NRS)", "{score}", False),
}


class FhirExportError(Exception):
    """A resource footcoach built is not valid FHIR (a bug, reported with the resource and field)."""


def _id(text: str) -> str:
    """A FHIR id (letters, digits, '-' and '.', at most 64) for any runner id."""
    clean = re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]  # not clinical: FHIR's id length
    return clean or "runner"


def validate(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` checked against its fhir.resources model; returned unchanged."""
    kind = resource["resourceType"]
    model = getattr(importlib.import_module(f"fhir.resources.{kind.lower()}"), kind)
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        raise FhirExportError(f"{kind}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    return resource


def patient(runner: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id(str(runner["id"])),
        "identifier": [{"system": "https://footcoach.example.org/runner-id", "value": str(runner["id"])}],
    }
    if runner.get("sex") in ("female", "male"):
        out["gender"] = runner["sex"]
    if runner.get("age") is not None:
        out["extension"] = [
            {"url": "https://footcoach.example.org/fhir/StructureDefinition/age-years", "valueInteger": runner["age"]}
        ]
    return out


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit.strip("{}"), "system": UCUM, "code": unit}


def _coding(code: str, display: str, pain: bool) -> dict[str, Any]:
    codings = [{"system": MEASURE_SYSTEM, "code": code, "display": display}]
    if pain and code == "pain-morning":
        codings.append(
            {"system": LOINC, "code": LOINC_PAIN_NRS, "display": "Pain severity - 0-10 verbal numeric rating"}
        )
    return {"coding": codings, "text": display}


def observations(patient_ref: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """One Observation for each measure recorded in a diary week."""
    out = []
    for field, (code, display, unit, legged) in DIARY_MEASURES.items():
        value = entry.get(field)
        if value is None:
            continue
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": _id(f"{patient_ref.split('/')[-1]}-w{entry['week']}-{code}"),
            "status": "final",
            "code": _coding(code, display, pain=True),
            "subject": {"reference": patient_ref},
            "extension": [{"url": PROGRAM_WEEK, "valueInteger": entry["week"]}],
        }
        if entry.get("recorded_at"):
            obs["effectiveDateTime"] = entry["recorded_at"]
        if legged:
            obs["component"] = [
                {
                    "code": {"coding": [{"system": MEASURE_SYSTEM, "code": leg}]},
                    "valueQuantity": _quantity(value[leg], unit),
                }
                for leg in ("left", "right")
                if value.get(leg) is not None
            ]
        else:
            obs["valueInteger"] = int(value)
        out.append(obs)
    return out


def care_plan(patient_ref: str, assessment: dict[str, Any]) -> dict[str, Any] | None:
    """This week's plan: a CarePlan whose activities are contained ServiceRequests, one per exercise."""
    plan = assessment.get("plan")
    if not plan or not plan.get("blocks"):
        return None
    contained: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    for block in plan["blocks"]:
        for ex in block.get("exercises", []):
            rid = _id(f"ex-{ex['id']}")
            if any(c["id"] == rid for c in contained):
                continue
            instructions = "\n".join([f"**{ex['dosing']}**"] + [f"- {cue}" for cue in ex.get("cues", [])])
            contained.append(
                {
                    "resourceType": "ServiceRequest",
                    "id": rid,
                    "status": "active",
                    "intent": "plan",
                    "subject": {"reference": patient_ref},
                    "code": {"concept": {"text": ex["name"]}},
                    "patientInstruction": [{"instructionMarkdown": instructions}],
                    "note": [{"text": f"{block['name']}: {ex.get('purpose', '')}".strip(": ")}],
                }
            )
            activities.append({"plannedActivityReference": {"reference": f"#{rid}"}})
    main = next(
        (r for r in assessment["recommendations"] if r["kind"] in ("referral", "regression", "hold", "progression")),
        None,
    )
    return {
        "resourceType": "CarePlan",
        "id": _id(f"{patient_ref.split('/')[-1]}-plan"),
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [{"system": PLAN_CATEGORY, "code": f"phase-{plan['phase']}"}]}],
        "title": f"Ankle and foot strengthening, phase {plan['phase']}: {plan.get('phase_name', '')}".rstrip(": "),
        "description": main["summary"] if main else assessment["action"],
        "subject": {"reference": patient_ref},
        "contained": contained,
        "activity": activities,
        "note": [{"text": assessment.get("disclaimer", "")}],
    }


def bundle(
    runner: dict[str, Any],
    diary: list[dict[str, Any]],
    assessment: dict[str, Any] | None,
    triage_response: dict[str, Any] | None,
) -> dict[str, Any]:
    """The runner's record as a FHIR collection Bundle; every resource is validated."""
    pat = patient(runner)
    ref = f"Patient/{pat['id']}"
    resources = [pat]
    for entry in diary:
        resources.extend(observations(ref, entry))
    if triage_response:
        resources.append({**triage_response, "subject": {"reference": ref}})
    if assessment:
        plan = care_plan(ref, assessment)
        if plan:
            resources.append(plan)
    entries: list[dict[str, Any]] = []
    for res in resources:
        validate(res)
        key = f"{res['resourceType']}/{res.get('id', len(entries))}"
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid5(BUNDLE_NAMESPACE, f'{ref}|{key}')}", "resource": res})
    return validate({"resourceType": "Bundle", "type": "collection", "entry": entries})
