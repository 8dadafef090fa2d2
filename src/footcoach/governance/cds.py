"""CDS Hooks 2.0: footcoach's decision as cards inside an electronic record.

``discovery()`` lists the services; ``state_from_prefetch`` turns the prefetched FHIR resources into a
runner's state (the triage QuestionnaireResponse for the answers, the Patient for age and sex,
Observations for the latest test values); ``cards_for`` words an assessment as cards. The web layer
routes HTTP to these functions and records feedback.

Codes footcoach reads (README, "For an integrator"):

- Observation ``code``: footcoach's measure code system (``MEASURE_SYSTEM``): ``balance-eyes-open``,
  ``balance-eyes-closed`` (seconds) and ``heel-raises`` (repetitions), each with components coded
  ``left`` and ``right``; ``hop-pain`` (0-10) may instead carry LOINC 72514-3 (pain severity, 0-10
  verbal numeric rating) together with footcoach's ``hop-pain`` code. None of the balance or heel-raise
  tests has a LOINC code.
- Patient ``birthDate`` (age on the day of the request) and ``gender`` (female or male; other values
  are treated as not given).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from footcoach.contract.errors import InputError
from footcoach.triage.questionnaire import (
    Questionnaire,
    answers_from_fhir_response,
    answers_to_state,
    fill_for_referral,
    resolve_answers,
)

HOOK = "patient-view"
SERVICE_ID = "footcoach-patient-view"
MEASURE_SYSTEM = "https://footcoach.example.org/fhir/CodeSystem/measure"
LOINC = "http://loinc.org"
LOINC_PAIN_NRS = "72514-3"
LEGS = ("left", "right")
# contract path of each measure code, and whether it has a left and a right leg
MEASURES = {
    "balance-eyes-open": ("balance_eyes_open_s", True),
    "balance-eyes-closed": ("balance_eyes_closed_s", True),
    "heel-raises": ("heel_raises", True),
    "hop-pain": ("hop_pain", False),
}
INDICATOR = {"refer": "critical", "regress": "warning", "hold": "info", "progress": "info"}
SUMMARY_MAX = 140  # not clinical: the CDS Hooks limit on a card summary
MISSING = 412  # HTTP Precondition Failed: the CDS Hooks answer when prefetch data is missing
INVALID = 400  # HTTP Bad Request: prefetch that is not valid FHIR or not a usable triage
ERRORS_SHOWN = 10  # not clinical: validation errors listed per resource
CARD_NAMESPACE = uuid.UUID("6f1f0b4e-5a61-4f0e-9a8e-9b1f3c2d7e10")


class PrefetchProblem(Exception):
    """The hook request cannot be answered: ``status`` 412 (prefetch missing) or 400 (prefetch bad)."""

    def __init__(self, status: int, problems: list[str]):
        super().__init__("; ".join(problems))
        self.status = status
        self.problems = problems


class HookRequest(BaseModel):
    """The body of a CDS Hooks call (fields footcoach reads; others are allowed, as the spec says)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None
    fhirServer: str | None = None


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    card: str
    outcome: str
    acceptedSuggestions: list[dict[str, Any]] = []
    overrideReason: dict[str, Any] | None = None
    outcomeTimestamp: str


class Feedback(BaseModel):
    model_config = ConfigDict(extra="allow")

    feedback: list[FeedbackItem]


def discovery(q: Questionnaire) -> dict[str, Any]:
    """The ``GET /cds-services`` document."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "footcoach: ankle and foot strengthening decision",
                "description": (
                    "Refer, regress, hold or progress a runner's ankle and foot strengthening routine, with the "
                    "reasons and sources (decision support, not a diagnosis)."
                ),
                "prefetch": {
                    "patient": "Patient/{{context.patientId}}",
                    "triage": f"QuestionnaireResponse?subject=Patient/{{{{context.patientId}}}}&questionnaire={q.fhir.url}"
                    "&_sort=-authored&_count=1",
                    "observations": f"Observation?subject=Patient/{{{{context.patientId}}}}&code={MEASURE_SYSTEM}|"
                    "&_sort=-date",
                },
                "usageRequirements": "A completed footcoach triage QuestionnaireResponse for the patient.",
            }
        ]
    }


def _resources(value: Any, resource_type: str, key: str) -> list[dict[str, Any]]:
    """The resources of ``resource_type`` in a prefetch value: one resource, or a searchset Bundle."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise PrefetchProblem(INVALID, [f"prefetch.{key}: not a FHIR resource (a JSON object)"])
    if value.get("resourceType") == "Bundle":
        _validate("Bundle", value, key)
        return [
            e["resource"]
            for e in value.get("entry") or []
            if (e.get("resource") or {}).get("resourceType") == resource_type
        ]
    if value.get("resourceType") != resource_type:
        raise PrefetchProblem(
            INVALID, [f"prefetch.{key}: resourceType {value.get('resourceType')!r}; allowed: {resource_type} or Bundle"]
        )
    return [value]


def _validate(resource_type: str, resource: dict[str, Any], key: str) -> Any:
    import importlib

    module = importlib.import_module(f"fhir.resources.{resource_type.lower()}")
    try:
        return getattr(module, resource_type).model_validate(resource)
    except ValidationError as exc:
        problems = [f"prefetch.{key}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:ERRORS_SHOWN]]
        raise PrefetchProblem(INVALID, problems) from None


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _patient(prefetch: dict[str, Any], today: dt.date) -> tuple[str | None, dict[str, Any]]:
    found = _resources(prefetch.get("patient"), "Patient", "patient")
    if not found:
        raise PrefetchProblem(MISSING, ["prefetch.patient: missing; footcoach needs the Patient (birthDate, gender)"])
    patient = _validate("Patient", found[0], "patient")
    runner: dict[str, Any] = {}
    if patient.birthDate is not None:
        runner["age"] = _age(patient.birthDate, today)
    if patient.gender in ("female", "male"):
        runner["sex"] = patient.gender
    return patient.id, runner


def _codes(concept: Any) -> set[tuple[str, str]]:
    return {(c.system or "", c.code or "") for c in (concept.coding or [])} if concept else set()


def _observation_values(prefetch: dict[str, Any]) -> dict[str, Any]:
    """The latest value of each measure (Observations newest first, as prefetched with -date)."""
    tests: dict[str, Any] = {}
    for n, raw in enumerate(_resources(prefetch.get("observations"), "Observation", "observations")):
        obs = _validate("Observation", raw, f"observations[{n}]")
        if obs.status not in ("final", "amended", "corrected"):
            continue
        codes = _codes(obs.code)
        measure = next((code for system, code in codes if system == MEASURE_SYSTEM and code in MEASURES), None)
        if measure is None:
            continue
        field, legged = MEASURES[measure]
        if field in tests:
            continue  # an older one
        if legged:
            legs = {}
            for comp in obs.component or []:
                leg = next(
                    (code for system, code in _codes(comp.code) if system == MEASURE_SYSTEM and code in LEGS), None
                )
                if leg and comp.valueQuantity is not None and comp.valueQuantity.value is not None:
                    legs[leg] = _number(comp.valueQuantity.value)
            if set(legs) == set(LEGS):
                tests[field] = legs
        elif obs.valueQuantity is not None and obs.valueQuantity.value is not None:
            tests[field] = _number(obs.valueQuantity.value)
        elif obs.valueInteger is not None:
            tests[field] = obs.valueInteger
    return tests


def _number(value: Any) -> int | float:
    f = float(value)
    return int(f) if f.is_integer() else f


def state_from_prefetch(
    q: Questionnaire, prefetch: dict[str, Any] | None, today: dt.date
) -> tuple[str | None, dict[str, Any]]:
    """(patient id, state document) from the prefetch; raises PrefetchProblem (412 missing, 400 bad)."""
    if not prefetch:
        raise PrefetchProblem(MISSING, ["prefetch: missing; footcoach needs the prefetch it declares in /cds-services"])
    patient_id, runner = _patient(prefetch, today)
    responses = _resources(prefetch.get("triage"), "QuestionnaireResponse", "triage")
    if not responses:
        raise PrefetchProblem(
            MISSING, ["prefetch.triage: missing; footcoach needs a completed triage QuestionnaireResponse"]
        )
    try:
        raw = answers_from_fhir_response(q, responses[0], source="prefetch.triage")
    except InputError as exc:
        raise PrefetchProblem(INVALID, exc.problems) from None
    resolved = resolve_answers(q, raw, source="prefetch.triage")
    if resolved.problems and not resolved.red_flags:
        raise PrefetchProblem(INVALID, resolved.problems)
    state = answers_to_state(q, resolved.answers, runner_id=patient_id)
    state.setdefault("runner", {}).update(runner)
    tests = _observation_values(prefetch)
    if tests:
        state["tests"] = {**(state.get("tests") or {}), **tests}
    if resolved.red_flags:
        state = fill_for_referral(q, state)
    return patient_id, state


def card_uuid(hook_instance: str, patient_id: str | None, action: str) -> str:
    """A stable id for the card of this decision in this hook call (feedback refers to it)."""
    return str(uuid.uuid5(CARD_NAMESPACE, f"{hook_instance}|{patient_id}|{action}"))


def _summary(text: str) -> str:
    return text if len(text) < SUMMARY_MAX else text[: SUMMARY_MAX - 2].rstrip() + "…"


def cards_for(
    assessment: dict[str, Any], hook_instance: str, patient_id: str | None, link: str | None
) -> list[dict[str, Any]]:
    """One card for the decision (critical refer, warning regress, info hold/progress) with its reasons."""
    action = assessment["action"]
    phase = assessment["phase"]
    main = next(
        (r for r in assessment["recommendations"] if r["kind"] in ("referral", "regression", "hold", "progression")),
        None,
    )
    headline = main["summary"] if main else action
    others = [r for r in assessment["recommendations"] if r is not main]
    detail = [f"**Decision: {action}** (phase {phase['current']} -> {phase['next']}).", "", headline]
    if others:
        detail += ["", "Also:"] + [f"- {r['summary']}" for r in others]
    detail += ["", assessment.get("disclaimer", "")]
    card: dict[str, Any] = {
        "uuid": card_uuid(hook_instance, patient_id, action),
        "summary": _summary(f"footcoach: {action} - {headline}"),
        "detail": "\n".join(detail).strip(),
        "indicator": INDICATOR[action],
        "source": {
            "label": f"footcoach rule base {assessment.get('rules_version', '')}".strip(),
            "topic": {"system": MEASURE_SYSTEM.replace("/measure", "/decision"), "code": action, "display": action},
        },
    }
    if link:
        card["links"] = [{"label": "Open the runner in footcoach", "url": link, "type": "absolute"}]
    if action in ("progress", "regress") and phase["next"] != phase["current"]:
        card["selectionBehavior"] = "at-most-one"
        card["suggestions"] = [
            {
                "label": f"Accept: train in phase {phase['next']} from now on",
                "uuid": str(uuid.uuid5(CARD_NAMESPACE, f"{card['uuid']}|accept-phase|{phase['next']}")),
                "isRecommended": True,
            }
        ]
    return [card]
