"""FHIR R5: the questionnaire as a Questionnaire resource, answers in and out as a QuestionnaireResponse.

``to_fhir_questionnaire`` renders the questionnaire; ``answers_from_fhir_response`` reads a
QuestionnaireResponse to it back into raw answers, and ``answers_to_fhir_response`` writes one.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from footcoach.common.documents import did_you_mean
from footcoach.contract.errors import InputError, path_of
from footcoach.triage.answer_forms import json_text
from footcoach.triage.spec import Allowed, CodeSpec, Question, Questionnaire, WhenSpec

FHIR_MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
FHIR_MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
FHIR_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
FHIR_ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
FHIR_TYPES = {
    "boolean": "boolean",
    "integer": "integer",
    "decimal": "decimal",
    "choice": "coding",
    "text": "string",
    "group": "group",
}
FHIR_VALUE_KEYS = {
    "boolean": ("valueBoolean",),
    "integer": ("valueInteger",),
    "decimal": ("valueDecimal", "valueInteger"),
    "choice": ("valueCoding", "valueString"),
    "text": ("valueString",),
}
FHIR_RESPONSE_STATUSES = ("completed", "amended")
FHIR_ID_MAX_LENGTH = 64  # the FHIR id datatype's limit


def _coding(code: CodeSpec) -> dict[str, Any]:
    out = {"system": code.system, "code": code.code}
    if code.display:
        out["display"] = code.display
    return out


def _choice_system(q: Questionnaire, question: Question) -> str:
    return question.system or f"{q.fhir.url.rsplit('/Questionnaire/', 1)[0]}/CodeSystem/{question.id}"


def _range_extensions(allowed: Allowed) -> list[dict[str, Any]]:
    key = "valueInteger" if allowed.type == "integer" else "valueDecimal"
    conv = int if allowed.type == "integer" else float
    ext = []
    if allowed.lo is not None:
        ext.append({"url": FHIR_MIN_VALUE, key: conv(allowed.lo)})
    if allowed.hi is not None:
        ext.append({"url": FHIR_MAX_VALUE, key: conv(allowed.hi)})
    return ext


def _enable_when(q: Questionnaire, when: WhenSpec) -> dict[str, Any]:
    target = q.question(when.question)
    out: dict[str, Any] = {"question": target.id, "operator": "="}
    if target.type == "boolean":
        out["answerBoolean"] = when.equals
    elif target.type == "integer":
        out["answerInteger"] = when.equals
    elif target.type == "decimal":
        out["answerDecimal"] = when.equals
    elif target.type == "choice":
        out["answerCoding"] = {"system": _choice_system(q, target), "code": when.equals}
    else:
        out["answerString"] = when.equals
    return out


def _help_item(link_id: str, text: str) -> dict[str, Any]:
    return {
        "linkId": f"{link_id}.why",
        "text": text,
        "type": "display",
        "extension": [
            {
                "url": FHIR_ITEM_CONTROL,
                "valueCodeableConcept": {
                    "coding": [{"system": FHIR_ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}],
                    "text": "Why we ask",
                },
            }
        ],
    }


def _fhir_answer_item(
    link_id: str,
    text: str,
    type_: str,
    allowed: Allowed,
    code: CodeSpec | None,
    options: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id}
    if code is not None:
        item["code"] = [_coding(code)]
    item["text"] = text
    item["type"] = FHIR_TYPES[type_]
    item["required"] = allowed.required
    if type_ in ("integer", "decimal"):
        ext = _range_extensions(allowed)
        if ext:
            item["extension"] = ext
    if options:
        item["answerConstraint"] = "optionsOnly"
        item["answerOption"] = options
    return item


def to_fhir_questionnaire(q: Questionnaire) -> dict[str, Any]:
    """The questionnaire as a FHIR R5 Questionnaire resource (a JSON-ready dict).

    linkId is the question id; a condition is an enableWhen; integer and decimal items carry the
    minValue/maxValue extensions; choices are answerOptions; pain scores carry their LOINC code;
    "why we ask" is a help display item; a repeating group's fields are ``<group>.<field>``."""
    items: list[dict[str, Any]] = []
    for question in q.questions:
        enable = [_enable_when(q, question.when)] if question.when else None
        if question.intro:
            intro: dict[str, Any] = {"linkId": f"{question.id}.intro", "text": question.intro, "type": "display"}
            if enable:
                intro["enableWhen"] = enable
            items.append(intro)
        if question.type == "group":
            item: dict[str, Any] = {
                "linkId": question.id,
                "text": question.text,
                "type": "group",
                "required": False,
                "repeats": True,
            }
            children = [
                _fhir_answer_item(f"{question.id}.{f.id}", f.text, f.type, f.allowed, f.code) for f in question.fields
            ]
            item["item"] = [_help_item(question.id, question.why), *children]
        else:
            options = None
            if question.type == "choice":
                system = _choice_system(q, question)
                options = [
                    {"valueCoding": {"system": system, "code": o, "display": question.labels.get(o, o)}}
                    for o in question.allowed.options
                ]
            item = _fhir_answer_item(
                question.id, question.text, question.type, question.allowed, question.code, options
            )
            item["item"] = [_help_item(question.id, question.why)]
        if enable:
            item["enableWhen"] = enable
        items.append(item)
    out: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": re.sub(r"[^A-Za-z0-9\-.]", "-", q.fhir.url.rstrip("/").rsplit("/", 1)[-1])[:FHIR_ID_MAX_LENGTH],
        "url": q.fhir.url,
        "version": str(q.version),
        "name": q.fhir.name,
        "title": q.title,
        "status": "active",
        "subjectType": ["Patient"],
    }
    if q.fhir.publisher:
        out["publisher"] = q.fhir.publisher
    out["description"] = q.messages.intro
    out["item"] = items
    return out


def validate_fhir(resource: dict[str, Any]) -> list[str]:
    """Validate a Questionnaire or QuestionnaireResponse dict with ``fhir.resources`` (R5); return problems."""
    from fhir.resources.questionnaire import Questionnaire as FhirQuestionnaire
    from fhir.resources.questionnaireresponse import QuestionnaireResponse

    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    models: dict[Any, type[BaseModel]] = {
        "Questionnaire": FhirQuestionnaire,
        "QuestionnaireResponse": QuestionnaireResponse,
    }
    Model = models.get(kind)
    if Model is None:
        return [f"resourceType: value {json_text(kind)}: allowed: Questionnaire or QuestionnaireResponse"]
    try:
        Model.model_validate(resource)
    except ValidationError as exc:
        return [f"{path_of(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
    return []


def _fhir_value(question_type: str, allowed: Allowed, value: Any, system: str | None = None) -> dict[str, Any]:
    if question_type == "boolean":
        return {"valueBoolean": bool(value)}
    if question_type == "integer":
        return {"valueInteger": int(value)}
    if question_type == "decimal":
        return {"valueDecimal": value}
    if question_type == "choice":
        return {"valueCoding": {"system": system, "code": value}}
    return {"valueString": str(value)}


def answers_to_fhir_response(q: Questionnaire, answers: dict[str, Any], *, status: str = "completed") -> dict[str, Any]:
    """A FHIR R5 QuestionnaireResponse to :func:`to_fhir_questionnaire` carrying these parsed answers.

    A repeating group becomes one item per entry; an inferred control answer is written too."""
    items: list[dict[str, Any]] = []
    for question in q.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.type == "group":
            for entry in value:
                children = [
                    {"linkId": f"{question.id}.{f.id}", "answer": [_fhir_value(f.type, f.allowed, entry[f.id])]}
                    for f in question.fields
                    if f.id in entry
                ]
                item: dict[str, Any] = {"linkId": question.id}
                if children:
                    item["item"] = children
                items.append(item)
            continue
        system = _choice_system(q, question) if question.type == "choice" else None
        items.append({"linkId": question.id, "answer": [_fhir_value(question.type, question.allowed, value, system)]})
    out: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "questionnaire": q.canonical(), "status": status}
    if items:
        out["item"] = items
    return out


def _one_value(where: str, item: dict[str, Any], question_type: str, problems: list[str]) -> Any:
    answers = item.get("answer") or []
    if not answers:
        return None
    if len(answers) > 1:
        problems.append(f"{where}: {len(answers)} answers; allowed: one")
        return None
    answer = answers[0]
    keys = [k for k in answer if k.startswith("value")]
    expected = FHIR_VALUE_KEYS[question_type]
    if len(keys) != 1 or keys[0] not in expected:
        problems.append(f"{where}: answer {', '.join(keys) or '(no value)'}; allowed: {' or '.join(expected)}")
        return None
    value = answer[keys[0]]
    if keys[0] == "valueCoding":
        if not isinstance(value, dict) or not value.get("code"):
            problems.append(f"{where}: valueCoding without a code; allowed: a coding with a code")
            return None
        return value["code"]
    return value


def answers_from_fhir_response(
    q: Questionnaire, resource: dict[str, Any], *, source: str = "response"
) -> dict[str, Any]:
    """The raw answers (question id -> value) of a QuestionnaireResponse to this questionnaire.

    Raises InputError when the resource is not a valid R5 QuestionnaireResponse, answers another
    questionnaire, is not completed, or has items this questionnaire does not know."""
    problems = [f"{source}: not a valid FHIR QuestionnaireResponse: {p}" for p in validate_fhir(resource)]
    if problems:
        raise InputError(problems)
    canonical = resource.get("questionnaire")
    base, _, version = (canonical or "").partition("|")
    if base != q.fhir.url or (version and version != str(q.version)):
        problems.append(
            f"{source}: questionnaire: value {json_text(canonical)}: answers another questionnaire; "
            f"allowed: {q.canonical()} (or {q.fhir.url})"
        )
    if resource.get("status") not in FHIR_RESPONSE_STATUSES:
        problems.append(
            f"{source}: status: value {json_text(resource.get('status'))}: not finished; "
            f"allowed: {' or '.join(FHIR_RESPONSE_STATUSES)}"
        )
    by_id = {question.id: question for question in q.questions}
    raw: dict[str, Any] = {}
    for n, item in enumerate(resource.get("item") or []):
        link = item.get("linkId")
        where = f"{source}: item[{n}] (linkId {link})"
        question = by_id.get(link)
        if question is None:
            problems.append(
                f"{where}: unknown linkId" + did_you_mean(str(link), by_id) + f"; allowed: a linkId of {q.fhir.url}"
            )
            continue
        if question.type == "group":
            entry: dict[str, Any] = {}
            fields = {f"{question.id}.{f.id}": f for f in question.fields}
            if item.get("answer"):
                problems.append(f"{where}: a group has items, not answers")
            for m, child in enumerate(item.get("item") or []):
                cwhere = f"{where}.item[{m}] (linkId {child.get('linkId')})"
                f = fields.get(child.get("linkId"))
                if f is None:
                    problems.append(f"{cwhere}: unknown linkId; allowed: {', '.join(fields)}")
                    continue
                value = _one_value(cwhere, child, f.type, problems)
                if value is not None:
                    entry[f.id] = value
            raw.setdefault(question.id, []).append(entry)
            continue
        if question.id in raw:
            problems.append(f"{where}: answered twice; allowed: once")
            continue
        if item.get("item"):
            problems.append(f"{where}: nested items are not part of this questionnaire")
        value = _one_value(where, item, question.type, problems)
        if value is not None:
            raw[question.id] = value
    if problems:
        raise InputError(problems)
    return raw
