"""The runner triage questionnaire: ``knowledge/questionnaire.yaml``, its answers, and FHIR.

``load_questionnaire`` reads and validates the questionnaire: every ``maps_to`` must name a field
of the contract models (:mod:`footcoach.contract.state`), the declared type must match the field, and every
contract field must be asked or listed under ``not_asked``.  The allowed answers of a question
(range, choices, required or not) are read from the models, so the questionnaire never repeats a
number of the contract.  A problem is reported as ``file:line: field: message``.

Answers are a mapping of question id to answer (``{"pain_during": 3, ...}``).  ``resolve_answers``
checks a whole answers document (the ``--answers`` file) and ``answers_to_state`` turns answers into
a runner's state document for :func:`footcoach.service.load_state`.  ``triage`` does both and assesses.

``to_fhir_questionnaire`` renders the questionnaire as a FHIR R5 Questionnaire;
``answers_from_fhir_response`` reads a QuestionnaireResponse to it back into answers, and
``answers_to_fhir_response`` writes one.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footcoach.common.documents import DataFileError, did_you_mean, load_with_lines, validation_errors
from footcoach.common.paths import knowledge_dir
from footcoach.contract import state as models
from footcoach.contract.errors import InputError, path_of
from footcoach.knowledge.base import default_knowledge
from footcoach.knowledge.base import num as _num

QUESTIONNAIRE_FILE = "questionnaire.yaml"
TYPES = ("boolean", "integer", "decimal", "choice", "text", "group")
DECISIONS = ("refer", "regress", "hold", "progress", "reintroduce", "shoe_check", "shoe_replace", "load_advice", "plan")
RED_FLAG_PREFIX = "red_flags."
YES = ("yes", "y", "true")
NO = ("no", "n", "false")
# Placeholders a question's text may use; the values are the models' scale tops.
# {phases} lists the phases of knowledge/phases.yaml.
TEXT_VALUES = {
    "nrs_max": models.NRS_MAX,
    "balance_cap": models.BALANCE_CAP,
    "reps_max": models.REPS_MAX,
    "drop_max_mm": models.DROP_MAX_MM,
    "phases": ", ".join(f"{n} {p.name}" for n, p in sorted(default_knowledge().phases.items())),
}

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


# ---- the file's shape ---------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeSpec(_Strict):
    system: str = Field(min_length=1)
    code: str = Field(min_length=1)
    display: str = ""


class WhenSpec(_Strict):
    question: str
    equals: bool | int | float | str


class FieldSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)
    type: Literal[TYPES]  # type: ignore[valid-type]
    maps_to: str = Field(min_length=1)
    code: str | None = None


class QuestionSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case, unique")
    text: str = Field(min_length=1)
    why: str = Field(min_length=1)
    decisions: tuple[Literal[DECISIONS], ...] = Field(min_length=1)  # type: ignore[valid-type]
    type: Literal[TYPES]  # type: ignore[valid-type]
    maps_to: str | None = None
    when: WhenSpec | None = None
    intro: str | None = None
    code: str | None = None
    system: str | None = None
    labels: dict[str, str] = {}
    sets: dict[bool, dict[str, Any]] = {}
    default: bool | int | float | str | None = None
    item: str | None = None
    fields: tuple[FieldSpec, ...] = ()


class FhirSpec(_Strict):
    url: str = Field(min_length=1)
    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9_]*$")
    publisher: str = ""


class Messages(_Strict):
    intro: str
    red_flags_intro: str
    referral: str
    referral_plan: str

    @field_validator("referral", "referral_plan")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        for name in re.findall(r"{(\w+)}", text):
            if name not in ("reported", "suspected", "whom", "how_soon"):
                raise ValueError(f"unknown placeholder {{{name}}}; allowed: reported, suspected, whom, how_soon")
        return text


class QuestionnaireSpec(_Strict):
    version: int = Field(ge=1)
    title: str
    fhir: FhirSpec
    not_asked: dict[str, str] = {}
    messages: Messages
    questions: tuple[QuestionSpec, ...] = Field(min_length=1)
    codes: dict[str, CodeSpec] = {}


# ---- what the models allow ----------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """The answers a question or group field allows, read from the contract models."""

    type: str
    lo: float | None = None
    hi: float | None = None
    options: tuple[str, ...] = ()
    required: bool = False
    default: Any = None
    min_length: int | None = None

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """What is allowed, in words: ``a whole number from 0 to 10``."""
        if self.type == "boolean":
            return "yes or no"
        if self.type == "choice":
            labels = labels or {}
            return "one of: " + ", ".join(f"{o} ({labels[o]})" if o in labels else o for o in self.options)
        if self.type == "text":
            return "some text"
        if self.type == "group":
            return "a list of entries (a whole number of them, 0 or more, when asked)"
        kind = "a whole number" if self.type == "integer" else "a number"
        if self.lo is not None and self.hi is not None:
            return f"{kind} from {_num(self.lo)} to {_num(self.hi)}"
        if self.lo is not None:
            return f"{kind}, {_num(self.lo)} or more"
        return kind

    def hint(self) -> str:
        """A short prompt hint: ``0-10``, ``yes/no``, ``female/male``."""
        if self.type == "boolean":
            return "yes/no"
        if self.type == "choice":
            return "/".join(self.options)
        if self.type in ("integer", "decimal"):
            if self.lo is not None and self.hi is not None:
                return f"{_num(self.lo)}-{_num(self.hi)}"
            if self.lo is not None:
                return f"{_num(self.lo)} or more"
            return "a number"
        return ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.type in ("integer", "decimal"):
            out["min"] = None if self.lo is None else _num(self.lo)
            out["max"] = None if self.hi is None else _num(self.hi)
        elif self.type == "boolean":
            out["options"] = [True, False]
        elif self.type == "choice":
            out["options"] = list(self.options)
        out["required"] = self.required
        if self.default is not None:
            out["default"] = self.default
        out["text"] = self.describe()
        return out


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(base type, constraint metadata, optional) of an annotation: Optional and Annotated peeled off."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *meta = typing.get_args(annotation)
            for m in meta:
                inner = getattr(m, "metadata", None)
                metadata.extend(inner if isinstance(inner, list) else [m])
            annotation = base
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, metadata, optional
            annotation = args[0]
        else:
            return annotation, metadata, optional


def _allowed_for(model: type[BaseModel], parts: list[str], required: bool = True) -> tuple[Allowed | None, str]:
    """The Allowed of a dotted field path inside ``model``, or (None, why not)."""
    current: Any = model
    for i, part in enumerate(parts):
        fields = getattr(current, "model_fields", None)
        if not fields:
            return None, f"'{'.'.join(parts[:i])}' is not an object with fields"
        if part not in fields:
            close = difflib.get_close_matches(part, list(fields), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            where = ".".join(parts[:i]) or "the state"
            return None, f"no field '{part}' in {where}{hint}; known: {', '.join(fields)}"
        info = fields[part]
        base, meta, optional = _unwrap(info.annotation)
        meta = list(info.metadata) + meta
        required = required and info.is_required() and not optional
        if i < len(parts) - 1:
            if not (isinstance(base, type) and issubclass(base, BaseModel)):
                return None, f"'{'.'.join(parts[: i + 1])}' is a value, not an object"
            current = base
            continue
        default = None if info.is_required() else info.default
        lo = next((m.ge for m in meta if hasattr(m, "ge")), None)
        hi = next((m.le for m in meta if hasattr(m, "le")), None)
        min_len = next((m.min_length for m in meta if hasattr(m, "min_length")), None)
        origin = typing.get_origin(base)
        if origin is Literal:
            return Allowed("choice", options=tuple(typing.get_args(base)), required=required, default=default), ""
        if origin is list:
            (item,) = typing.get_args(base)
            if isinstance(item, type) and issubclass(item, BaseModel):
                return Allowed("group", required=required), ""
            return None, f"'{'.'.join(parts)}' is a list of values; ask each as a question of its own"
        if base is bool:
            return Allowed("boolean", required=required, default=default), ""
        if base is int:
            return Allowed("integer", lo, hi, required=required, default=default), ""
        if base is float:
            return Allowed("decimal", lo, hi, required=required, default=default), ""
        if base is str:
            return Allowed("text", required=required, default=default, min_length=min_len), ""
        if isinstance(base, type) and issubclass(base, BaseModel):
            return None, f"'{'.'.join(parts)}' is an object; map to one of its fields: {', '.join(base.model_fields)}"
        return None, f"'{'.'.join(parts)}' has a type the questionnaire cannot ask ({base})"
    return None, "empty path"


def _group_model(path: str) -> type[BaseModel]:
    base, _, _ = _unwrap(models.State.model_fields[path].annotation)
    return typing.get_args(base)[0]


# ---- the loaded questionnaire -------------------------------------------------------------------


@dataclass(frozen=True)
class GroupField:
    """One field of a repeating group (a shoe's ``km``, a diary week's ``pain_morning``)."""

    id: str
    text: str
    type: str
    maps_to: str
    allowed: Allowed
    code: CodeSpec | None = None


@dataclass(frozen=True)
class Question:
    """One question: its words, the contract field it fills and what it allows."""

    id: str
    text: str
    why: str
    decisions: tuple[str, ...]
    type: str
    maps_to: str | None
    allowed: Allowed
    when: WhenSpec | None = None
    intro: str | None = None
    code: CodeSpec | None = None
    system: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    sets: dict[bool, dict[str, Any]] = field(default_factory=dict)
    default: Any = None
    item: str | None = None
    fields: tuple[GroupField, ...] = ()

    @property
    def red_flag(self) -> str | None:
        """The red-flag id this question asks about, or None."""
        if self.maps_to and self.maps_to.startswith(RED_FLAG_PREFIX):
            return self.maps_to[len(RED_FLAG_PREFIX) :]
        return None

    @property
    def required(self) -> bool:
        return self.allowed.required

    def describe(self) -> str:
        return self.allowed.describe(self.labels)

    def field(self, field_id: str) -> GroupField:
        return next(f for f in self.fields if f.id == field_id)


@dataclass(frozen=True)
class Questionnaire:
    """The validated questionnaire, in asking order."""

    path: Path
    version: int
    title: str
    fhir: FhirSpec
    messages: Messages
    questions: tuple[Question, ...]
    not_asked: dict[str, str]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def by_maps_to(self) -> dict[str, Question]:
        return {q.maps_to: q for q in self.questions if q.maps_to}

    def dependents(self, qid: str) -> list[Question]:
        return [q for q in self.questions if q.when is not None and q.when.question == qid]

    def canonical(self) -> str:
        return f"{self.fhir.url}|{self.version}"


class QuestionnaireError(Exception):
    """The questionnaire file has problems; ``errors`` holds one DataFileError each."""

    def __init__(self, errors: list[DataFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _fill_text(text: str) -> str:
    """Replace {nrs_max} and friends by the models' values (unknown names are left for the check)."""
    return re.sub(r"{(\w+)}", lambda m: str(TEXT_VALUES.get(m.group(1), m.group(0))), text)


def _contract_leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf field path of the state (groups and the red-flag list count as one leaf each)."""
    out = []
    for name, info in model.model_fields.items():
        base, _, _ = _unwrap(info.annotation)
        path = prefix + name
        if isinstance(base, type) and issubclass(base, BaseModel):
            out.extend(_contract_leaves(base, path + "."))
        else:
            out.append(path)
    return out


def _check_value(allowed: Allowed, value: Any) -> str | None:
    """None when ``value`` is an allowed native value, else what is wrong."""
    try:
        parse_value(allowed, value)
    except AnswerProblem as exc:
        return f"value {exc}; allowed: {allowed.describe()}"
    return None


def _build(spec: QuestionnaireSpec, path: Path, line) -> Questionnaire:
    errors: list[DataFileError] = []

    def err(loc: tuple, msg: str) -> None:
        errors.append(DataFileError(path, line(loc), path_of(loc), msg))

    for key in spec.not_asked:
        allowed, why = _allowed_for(models.State, key.split("."))
        if allowed is None:
            err(("not_asked", key), why)
    for mname, text in spec.messages.model_dump().items():
        for name in re.findall(r"{(\w+)}", text):
            if mname not in ("referral", "referral_plan") and name not in TEXT_VALUES:
                err(("messages", mname), f"unknown placeholder {{{name}}}; allowed: {', '.join(TEXT_VALUES)}")

    seen: dict[str, int] = {}
    questions: list[Question] = []
    covered: dict[str, int] = {}
    red_flags_asked: dict[str, int] = {}
    for i, qs in enumerate(spec.questions):
        loc = ("questions", i)
        if qs.id in seen:
            err(loc + ("id",), f"duplicate id '{qs.id}' (first at question {seen[qs.id] + 1})")
        seen.setdefault(qs.id, i)
        for key, text in (("text", qs.text), ("why", qs.why), ("intro", qs.intro or "")):
            for name in re.findall(r"{(\w+)}", text):
                if name not in TEXT_VALUES:
                    err(loc + (key,), f"unknown placeholder {{{name}}}; allowed: {', '.join(TEXT_VALUES)}")
        code = None
        if qs.code is not None:
            if qs.code not in spec.codes:
                err(loc + ("code",), f"unknown code '{qs.code}'; known: {', '.join(spec.codes) or 'none'}")
            else:
                code = spec.codes[qs.code]

        allowed: Allowed | None
        fields: list[GroupField] = []
        if qs.maps_to is None:
            # A control question: it fills no field itself, only through `sets`.
            if qs.type != "boolean":
                err(loc + ("type",), f"a question without maps_to must be boolean (got {qs.type})")
            if not qs.sets:
                err(loc + ("sets",), "a question without maps_to must set fields (sets: {yes: {...}})")
            allowed = Allowed("boolean", required=True)
        elif qs.maps_to.startswith(RED_FLAG_PREFIX):
            flag = qs.maps_to[len(RED_FLAG_PREFIX) :]
            if flag not in models.RED_FLAG_IDS:
                close = difflib.get_close_matches(flag, models.RED_FLAG_IDS, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                err(loc + ("maps_to",), f"unknown red flag '{flag}'{hint}; known: {', '.join(models.RED_FLAG_IDS)}")
            elif flag in red_flags_asked:
                err(loc + ("maps_to",), f"red flag '{flag}' is already asked by question {red_flags_asked[flag] + 1}")
            red_flags_asked.setdefault(flag, i)
            if qs.type != "boolean":
                err(loc + ("type",), f"a red-flag question is boolean (got {qs.type})")
            # Safety first: a red flag is never skipped.
            allowed = Allowed("boolean", required=True)
            covered.setdefault("red_flags", i)
        else:
            allowed, why = _allowed_for(models.State, qs.maps_to.split("."))
            if allowed is None:
                err(loc + ("maps_to",), why)
            else:
                if allowed.type != qs.type:
                    err(loc + ("type",), f"'{qs.maps_to}' is {allowed.type} in the contract models, not {qs.type}")
                if qs.maps_to in covered:
                    err(loc + ("maps_to",), f"'{qs.maps_to}' is already asked by question {covered[qs.maps_to] + 1}")
                covered.setdefault(qs.maps_to, i)
            if allowed is not None and allowed.type == "group":
                item_model = _group_model(qs.maps_to)
                done: set[str] = set()
                for j, fs in enumerate(qs.fields):
                    floc = loc + ("fields", j)
                    fa, why = _allowed_for(item_model, fs.maps_to.split("."))
                    if fa is None:
                        err(floc + ("maps_to",), why)
                        continue
                    if fa.type != fs.type:
                        err(floc + ("type",), f"'{fs.maps_to}' is {fa.type} in the contract models, not {fs.type}")
                    fcode = None
                    if fs.code is not None:
                        fcode = spec.codes.get(fs.code)
                        if fcode is None:
                            err(floc + ("code",), f"unknown code '{fs.code}'; known: {', '.join(spec.codes)}")
                    done.add(fs.maps_to)
                    fields.append(GroupField(fs.id, _fill_text(fs.text), fs.type, fs.maps_to, fa, fcode))
                for leaf in _contract_leaves(item_model):
                    if leaf not in done:
                        err(loc + ("fields",), f"'{qs.maps_to}[].{leaf}' is not asked; add a field for it")
                if len({f.id for f in qs.fields}) != len(qs.fields):
                    err(loc + ("fields",), "field ids must be unique within the group")
                if not qs.item:
                    err(loc + ("item",), "a group needs `item`: what one entry is called (e.g. pair of shoes)")
            elif qs.fields:
                err(loc + ("fields",), "only a group question has fields")
        if qs.labels and (allowed is None or allowed.type != "choice" or set(qs.labels) - set(allowed.options)):
            err(
                loc + ("labels",),
                "labels must name options of a choice question"
                + (f" ({', '.join(allowed.options)})" if allowed and allowed.options else ""),
            )
        if qs.system and (allowed is None or allowed.type != "choice"):
            err(loc + ("system",), "only a choice question has a code system")

        sets: dict[bool, dict[str, Any]] = {}
        for answer, values in qs.sets.items():
            if qs.maps_to is not None:
                err(loc + ("sets",), "only a question without maps_to sets fields")
            for target, value in values.items():
                ta, why = _allowed_for(models.State, target.split("."))
                if ta is None:
                    err(loc + ("sets", answer, target), why)
                elif (problem := _check_value(ta, value)) is not None:
                    err(loc + ("sets", answer, target), problem)
            sets[answer] = dict(values)
        if qs.default is not None and allowed is not None and (problem := _check_value(allowed, qs.default)):
            err(loc + ("default",), problem)
        if allowed is not None:
            questions.append(
                Question(
                    id=qs.id,
                    text=_fill_text(qs.text),
                    why=_fill_text(qs.why),
                    decisions=qs.decisions,
                    type=qs.type,
                    maps_to=qs.maps_to,
                    allowed=allowed,
                    when=qs.when,
                    intro=_fill_text(qs.intro) if qs.intro else None,
                    code=code,
                    system=qs.system,
                    labels=dict(qs.labels),
                    sets=sets,
                    default=qs.default,
                    item=qs.item,
                    fields=tuple(fields),
                )
            )

    # Conditions name an earlier question and one of its answers.
    index = {q.id: n for n, q in enumerate(questions)}
    for i, qs in enumerate(spec.questions):
        if qs.when is None:
            continue
        target = qs.when.question
        if target not in index:
            close = difflib.get_close_matches(target, list(index), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            err(("questions", i, "when", "question"), f"unknown question '{target}'{hint}")
        elif index[target] >= index.get(qs.id, i):
            err(
                ("questions", i, "when", "question"),
                f"'{target}' is asked after this question; a condition must name an earlier question",
            )
        elif (problem := _check_value(questions[index[target]].allowed, qs.when.equals)) is not None:
            err(("questions", i, "when", "equals"), problem)

    # Every contract field is asked, set by a control question, or listed as not asked.
    set_by_control = {t for q in questions for values in q.sets.values() for t in values}
    for leaf in _contract_leaves(models.State):
        if leaf == "red_flags":
            missing = [f for f in models.RED_FLAG_IDS if f not in red_flags_asked]
            if missing:
                err(("questions",), f"red flags not asked: {', '.join(missing)}")
            continue
        if leaf not in covered and leaf not in spec.not_asked:
            err(
                ("questions",),
                f"contract field '{leaf}' is not asked; add a question with maps_to: {leaf} "
                "or list it under not_asked with the reason",
            )
        if leaf in covered and leaf in spec.not_asked:
            err(("not_asked", leaf), "it is asked by a question")
        allowed, _ = _allowed_for(models.State, leaf.split("."))
        if allowed is not None and allowed.required and leaf not in covered and leaf not in set_by_control:
            err(("questions",), f"required contract field '{leaf}' is never filled")
    # Red flags come first: nothing may be asked before them.
    flags_at = [n for n, q in enumerate(questions) if q.red_flag]
    if flags_at and flags_at != list(range(len(flags_at))):
        err(("questions",), "red-flag questions must come first, before any other question")
    if errors:
        raise QuestionnaireError(errors)
    return Questionnaire(
        path, spec.version, spec.title, spec.fhir, spec.messages, tuple(questions), dict(spec.not_asked)
    )


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """Read and validate a questionnaire file (default: the shipped ``knowledge/questionnaire.yaml``).

    Raises QuestionnaireError listing every problem as ``file:line: field: message``."""
    path = Path(path) if path is not None else knowledge_dir() / QUESTIONNAIRE_FILE
    data, line = load_with_lines(path)
    try:
        spec = QuestionnaireSpec.model_validate(data)
    except ValidationError as exc:

        def unknown_key(e: dict, loc: tuple) -> str | None:
            if e["type"] != "extra_forbidden":
                return None
            known = _known_keys(loc)
            return f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], known)}" + (
                f"; known: {', '.join(known)}" if known else ""
            )

        raise QuestionnaireError(validation_errors(path, line, exc, message=unknown_key)) from None
    return _build(spec, path, line)


def _known_keys(loc: tuple) -> list[str]:
    model: Any = QuestionnaireSpec
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        base, _, _ = _unwrap(info.annotation)
        while typing.get_origin(base) in (tuple, list):
            base = typing.get_args(base)[0]
        model = base
    return list(getattr(model, "model_fields", {}))


@lru_cache(maxsize=1)
def default_questionnaire() -> Questionnaire:
    """The shipped questionnaire, loaded once."""
    return load_questionnaire()


# ---- one answer ---------------------------------------------------------------------------------


class AnswerProblem(ValueError):
    """An answer that is not allowed; the message says what is."""


def parse_value(allowed: Allowed, raw: Any, labels: dict[str, str] | None = None) -> Any:
    """Turn a typed text or a JSON/YAML value into the native answer, or raise AnswerProblem.

    ``yes``/``no`` and ``true``/``false`` for booleans, numbers as numbers or text; a choice by its
    value (case-insensitive) or its number in the list."""
    shown = repr(raw) if isinstance(raw, str) else _json_text(raw)
    if allowed.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in YES:
            return True
        if isinstance(raw, str) and raw.strip().lower() in NO:
            return False
        raise AnswerProblem(f"{shown} is not allowed")
    if allowed.type in ("integer", "decimal"):
        value: Any
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise AnswerProblem(f"{shown} is not allowed")
        if isinstance(raw, str):
            text = raw.strip()
            if re.fullmatch(r"[+-]?\d+", text):
                value = int(text)
            elif allowed.type == "decimal" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                value = float(text)
            else:
                raise AnswerProblem(f"{shown} is not allowed")
        else:
            value = raw
        if isinstance(value, float):
            if not math.isfinite(value):
                raise AnswerProblem(f"{shown} is not allowed")
            if allowed.type == "integer":
                if not value.is_integer():
                    raise AnswerProblem(f"{shown} is not allowed")
                value = int(value)
        if (allowed.lo is not None and value < allowed.lo) or (allowed.hi is not None and value > allowed.hi):
            raise AnswerProblem(f"{shown} is out of range")
        return value
    if allowed.type == "choice":
        if isinstance(raw, str):
            text = raw.strip().lower()
            for n, option in enumerate(allowed.options, 1):
                if text in (option.lower(), str(n)) or (labels and text == labels.get(option, "").lower()):
                    return option
        raise AnswerProblem(f"{shown} is not allowed")
    if allowed.type == "text":
        if not isinstance(raw, str) or len(raw.strip()) < max(1, allowed.min_length or 0):
            raise AnswerProblem(f"{shown} is not allowed")
        return raw.strip()
    raise AnswerProblem(f"{shown}: a group is answered entry by entry")


def _json_text(v: Any) -> str:
    import json

    try:
        return json.dumps(v, ensure_ascii=False)
    except TypeError:
        return repr(v)


# ---- answers -> state ---------------------------------------------------------------------------


def _put(doc: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def _get(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def condition_holds(q: Questionnaire, question: Question, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers so far (an unanswered condition does not hold)."""
    if question.when is None:
        return True
    return answers.get(question.when.question) == question.when.equals


def answers_to_state(q: Questionnaire, answers: dict[str, Any], runner_id: str | None = None) -> dict[str, Any]:
    """A runner's state document from parsed answers (question id -> native answer).

    Control questions fill the fields their ``sets`` names; red-flag questions answered yes fill
    ``red_flags``; a group answer (a list of {field id: value}) fills its list.  Unanswered
    questions leave their field out.  The result is for :func:`footcoach.service.load_state`."""
    state: dict[str, Any] = {}
    if runner_id is not None:
        _put(state, "runner.id", runner_id)
    flags: list[str] = []
    for question in q.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.maps_to is None:
            for target, v in question.sets.get(bool(value), {}).items():
                _put(state, target, v)
        elif question.red_flag:
            if value:
                flags.append(question.red_flag)
        elif question.type == "group":
            entries = []
            for entry in value:
                doc: dict[str, Any] = {}
                for f in question.fields:
                    if f.id in entry:
                        _put(doc, f.maps_to, entry[f.id])
                entries.append(doc)
            _put(state, question.maps_to, entries)
        else:
            _put(state, question.maps_to, value)
    if flags:
        state["red_flags"] = flags
    return state


@dataclass(frozen=True)
class Where:
    """The question (and group entry and field) a contract path belongs to."""

    question: Question
    entry: int | None = None
    field: GroupField | None = None

    @property
    def key(self) -> tuple[str, int | None, str | None]:
        return (self.question.id, self.entry, None if self.field is None else self.field.id)

    def label(self) -> str:
        """``question pain_during (pain.during)``; ``question shoes, pair of shoes 1, km (shoes[0].km)``."""
        q = self.question
        if self.field is None:
            return f"question {q.id}" + (f" ({q.maps_to})" if q.maps_to else "")
        return (
            f"question {q.id}, {q.item or 'entry'} {self.entry + 1}, {self.field.id} "
            f"({q.maps_to}[{self.entry}].{self.field.maps_to})"
        )


def locate(q: Questionnaire, path: str) -> Where | None:
    """The question a contract path such as ``pain.during`` or ``shoes[0].km`` belongs to."""
    m = re.fullmatch(r"(\w+)\[(\d+)\](?:\.(.+))?", path)
    if m:
        question = q.by_maps_to().get(m.group(1))
        if question is None or question.type != "group":
            return None
        rest = m.group(3) or ""
        for f in question.fields:
            if rest == f.maps_to or (f.maps_to.startswith(rest + ".") and rest):
                return Where(question, int(m.group(2)), f)
        return Where(question)
    by = q.by_maps_to()
    probe = path
    while probe:
        if probe in by:
            return Where(by[probe])
        probe = probe.rpartition(".")[0]
    # A problem on an object (e.g. program's weeks check) belongs to its first asked field.
    for question in q.questions:
        if question.maps_to and question.maps_to.startswith(path + "."):
            return Where(question)
    return None


@dataclass(frozen=True)
class Problem:
    """One problem with the answers, tied to a question where possible."""

    where: Where | None
    message: str
    missing: bool = False

    def __str__(self) -> str:
        return f"{self.where.label()}: {self.message}" if self.where else self.message


def state_problems(q: Questionnaire, state: dict[str, Any]) -> list[Problem]:
    """Validate a state document with the models; each problem tied to its question."""
    from footcoach.service import load_state

    try:
        load_state(state)
    except InputError as exc:
        out = []
        for line in exc.problems:
            path, _, rest = line.partition(": ")
            out.append(Problem(locate(q, path), rest if rest else line, missing=rest.startswith("missing")))
        return out
    return []


# ---- a whole answers document -------------------------------------------------------------------


@dataclass
class Resolved:
    """Checked answers: the native answers, problems, and the red flags answered yes."""

    answers: dict[str, Any]
    problems: list[str]
    red_flags: list[str]
    inferred: dict[str, Any] = field(default_factory=dict)


def _flatten(doc: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(doc, dict):
        out: list[tuple[str, Any]] = []
        for k, v in doc.items():
            out.extend(_flatten(v, f"{prefix}{k}."))
        return out
    return [(prefix[:-1], doc)]


def _parse_group(question: Question, raw: Any, problems: list[str]) -> list[dict[str, Any]] | None:
    where = f"question {question.id} ({question.maps_to})"
    if not isinstance(raw, list):
        problems.append(
            f"{where}: value {_json_text(raw)[:60]} is not allowed; allowed: a list of "
            f"{question.item or 'entries'}, each an object with {', '.join(f.maps_to for f in question.fields)}"
        )
        return None
    entries = []
    by_path = {f.maps_to: f for f in question.fields}
    by_id = {f.id: f for f in question.fields}
    for n, entry in enumerate(raw):
        ewhere = f"question {question.id}, {question.item or 'entry'} {n + 1}"
        if not isinstance(entry, dict):
            problems.append(
                f"{ewhere}: value {_json_text(entry)[:60]} is not an object; allowed: an object with "
                f"{', '.join(f.maps_to for f in question.fields)}"
            )
            continue
        parsed: dict[str, Any] = {}
        for key, value in _flatten(entry):
            f = by_path.get(key) or by_id.get(key)
            if f is None:
                known = list(by_path)
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                problems.append(
                    f"{ewhere}: unknown field '{key}'"
                    + (f" (did you mean '{close[0]}'?)" if close else "")
                    + f"; allowed: {', '.join(known)}"
                )
                continue
            if f.id in parsed:
                problems.append(f"{ewhere}, {f.id}: answered twice")
                continue
            if value is None:
                continue
            try:
                parsed[f.id] = parse_value(f.allowed, value)
            except AnswerProblem as exc:
                problems.append(
                    f"{ewhere}, {f.id} ({question.maps_to}[{n}].{f.maps_to}): value {exc}; "
                    f"allowed: {f.allowed.describe()}"
                )
        entries.append(parsed)
    return entries


def resolve_answers(q: Questionnaire, raw: Any, *, source: str = "answers") -> Resolved:
    """Check an answers document (question id -> answer; a key may also be a question's ``maps_to``).

    Every problem names the question, the value and what is allowed.  A red flag answered yes
    stops the questionnaire: the questions after it need no answer then.  A control question
    left out is inferred from the answers that depend on it (a phase given means a returning
    runner), else its ``default`` is used."""
    problems: list[str] = []
    answers: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return Resolved(
            {},
            [
                f"{source}: value {_json_text(raw)[:60]}: not allowed; allowed: a mapping of "
                f"question id to answer (see `footcoach questionnaire show`)"
            ],
            [],
        )
    by_id = {question.id: question for question in q.questions}
    by_path = q.by_maps_to()
    given: set[str] = set()  # answered, validly or not: a bad answer is not also "missing"
    for key, value in raw.items():
        question = by_id.get(key) if isinstance(key, str) else None
        if question is None and isinstance(key, str):
            question = by_path.get(key)
        if question is None:
            close = difflib.get_close_matches(str(key), list(by_id), n=1, cutoff=0.6)
            problems.append(
                f"{source}: unknown question '{key}'"
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + "; allowed: the ids of `footcoach questionnaire show`"
            )
            continue
        if question.id in answers or question.id in given:
            problems.append(f"question {question.id}: answered twice (by id and by maps_to)")
            continue
        if value is None:
            continue  # null means not answered, as a left-out key does (a required question stays missing)
        given.add(question.id)
        if question.type == "group":
            entries = _parse_group(question, value, problems)
            if entries is not None:
                answers[question.id] = entries
            continue
        try:
            answers[question.id] = parse_value(question.allowed, value, question.labels)
        except AnswerProblem as exc:
            label = f"question {question.id}" + (f" ({question.maps_to})" if question.maps_to else "")
            problems.append(f"{label}: value {exc}; allowed: {question.describe()}")

    flags = [qq.red_flag for qq in q.questions if qq.red_flag and answers.get(qq.id) is True]
    inferred: dict[str, Any] = {}
    for question in q.questions:
        if question.maps_to is not None or question.id in answers:
            continue
        implied = {d.when.equals for d in q.dependents(question.id) if d.id in answers}
        if len(implied) > 1:
            problems.append(f"question {question.id}: answers given imply both {sorted(map(str, implied))}")
        elif implied:
            inferred[question.id] = implied.pop()
        elif question.default is not None:
            inferred[question.id] = question.default
    answers.update(inferred)

    for question in q.questions:
        if question.when is not None and question.id in answers and not condition_holds(q, question, answers):
            cond = q.question(question.when.question)
            problems.append(
                f"question {question.id}: answered, but it is asked only when {cond.id} is "
                f"{_answer_text(question.when.equals)} (and {cond.id} is "
                f"{_answer_text(answers.get(cond.id))})"
            )
    if not flags:
        for question in q.questions:
            if (
                question.required
                and question.id not in given
                and question.id not in answers
                and condition_holds(q, question, answers)
            ):
                label = f"question {question.id}" + (f" ({question.maps_to})" if question.maps_to else "")
                problems.append(f"{label}: missing; allowed: {question.describe()}")
    if not problems:
        state = answers_to_state(q, answers)
        if flags:
            state = fill_for_referral(q, state)
        problems.extend(str(p) for p in state_problems(q, state))
    return Resolved(answers, problems, flags, inferred)


def _answer_text(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "unanswered" if v is None else str(v)


def fill_for_referral(q: Questionnaire, state: dict[str, Any]) -> dict[str, Any]:
    """A state for a questionnaire stopped at a red flag: the contract's required fields that were
    not asked are filled so the referral can be assessed.  The program comes from the new-runner
    answer (phase 1, no weeks) unless given; the pain scores are 0 and settled (not asked, so
    nothing to act on); the age is the contract's youngest (not asked).  None of them can change a
    referral: a red flag refers whatever else is true."""
    import copy

    state = copy.deepcopy(state)
    for question in q.questions:
        for target, value in question.sets.get(True, {}).items():
            if _get(state, target) is None and target != "program.weeks_in_program":
                _put(state, target, value)
    filler: dict[str, Any] = {
        "runner.age": models.AGE_MIN,
        "pain.during": 0,
        "pain.after": 0,
        "pain.morning": 0,
        "pain.settled_next_morning": True,
    }
    for target, value in filler.items():
        if _get(state, target) is None:
            _put(state, target, value)
    return state


def assumed_for_referral(q: Questionnaire, answers: dict[str, Any]) -> list[str]:
    """The contract fields ``fill_for_referral`` fills for these answers, as ``path = value``."""
    before = answers_to_state(q, answers)
    after = fill_for_referral(q, before)
    return [
        f"{path} = {_json_text(_get(after, path))}"
        for path in _contract_leaves(models.State)
        if _get(before, path) is None and _get(after, path) is not None
    ]


@dataclass
class TriageResult:
    """The outcome of a triage: the state assessed, the assessment, and the red flags (if any)."""

    state: dict[str, Any]
    assessment: dict[str, Any]
    red_flags: list[str]
    assumed: list[str]


def triage(
    q: Questionnaire, answers: dict[str, Any], runner_id: str | None = None, known: dict[str, Any] | None = None
) -> TriageResult:
    """Assess parsed, complete answers (from :func:`resolve_answers` or an interactive session).

    ``known`` is what is already on record for a stored runner (``runner`` and ``program``); after a
    red flag it fills the questions that were not asked before any placeholder does.
    Raises InputError when the state they make is not valid (the problems name the questions)."""
    from footcoach.service import assess, load_state

    flags = [qq.red_flag for qq in q.questions if qq.red_flag and answers.get(qq.id) is True]
    state = answers_to_state(q, answers, runner_id)
    assumed: list[str] = []
    if known:
        # A stored runner: the diary on record feeds the trend, stall and non-response rules, and
        # the profile fills what was not asked.  Answers always win over the record.
        if known.get("history") and not state.get("history"):
            state["history"] = known["history"]
        for key, value in (known.get("runner") or {}).items():
            if value is not None and _get(state, f"runner.{key}") is None:
                _put(state, f"runner.{key}", value)
    if flags:
        answered = {qq.maps_to for qq in q.questions if qq.id in answers and qq.maps_to}
        for section in ("runner", "program"):
            for key, value in ((known or {}).get(section) or {}).items():
                path = f"{section}.{key}"
                # What is on record beats what was inferred (a stored runner is not new), never an answer.
                if value is not None and path not in answered:
                    _put(state, path, value)
        before = state
        state = fill_for_referral(q, state)
        assumed = [
            f"{path} = {_json_text(_get(state, path))}"
            for path in _contract_leaves(models.State)
            if _get(before, path) is None and _get(state, path) is not None
        ]
    problems = state_problems(q, state)
    if problems:
        raise InputError([str(p) for p in problems])
    return TriageResult(state, assess(load_state(state)), flags, assumed)


def referral_text(q: Questionnaire, flag: str, template: str | None = None) -> str:
    """The plain-words referral for one red flag: what it may mean, whom to see, how soon."""
    rf = default_knowledge().red_flags[flag]
    return (template or q.messages.referral).format(
        reported=rf.reported, suspected=rf.suspected, whom=rf.whom, how_soon=rf.how_soon
    )


# ---- show ---------------------------------------------------------------------------------------


def _condition_json(when: WhenSpec | None) -> dict[str, Any] | None:
    return None if when is None else {"question": when.question, "equals": when.equals}


def show_json(q: Questionnaire) -> list[dict[str, Any]]:
    """The questions in asking order: id, text, type, allowed answers, maps_to, condition, ..."""
    out = []
    for question in q.questions:
        rec: dict[str, Any] = {
            "id": question.id,
            "text": question.text,
            "type": question.type,
            "allowed": question.allowed.as_json(),
            "maps_to": question.maps_to,
            "condition": _condition_json(question.when),
            "why": question.why,
            "decisions": list(question.decisions),
        }
        if question.labels:
            rec["allowed"]["labels"] = dict(question.labels)
        if question.red_flag:
            rec["red_flag"] = question.red_flag
        if question.intro:
            rec["intro"] = question.intro
        if question.code:
            rec["code"] = question.code.model_dump()
        if question.sets:
            rec["sets"] = {("yes" if k else "no"): v for k, v in question.sets.items()}
        if question.default is not None:
            rec["default"] = question.default
        if question.type == "group":
            rec["item"] = question.item
            rec["fields"] = [
                {"id": f.id, "text": f.text, "type": f.type, "maps_to": f.maps_to, "allowed": f.allowed.as_json()}
                for f in question.fields
            ]
        out.append(rec)
    return out


def show_text(q: Questionnaire) -> str:
    """The questionnaire for people: each question with what it allows, fills and when it is asked."""
    lines = [f"{q.title} (version {q.version}, {len(q.questions)} questions)", ""]
    for n, question in enumerate(q.questions, 1):
        lines.append(f"{n:>2}. [{question.id}] {question.text}")
        if question.intro:
            lines.append(f"      explained first: {question.intro}")
        lines.append(f"      allowed: {question.describe()}" + ("" if question.required else " (optional)"))
        if question.maps_to:
            lines.append(f"      fills: {question.maps_to}")
        if question.sets:
            lines.append(
                "      fills: "
                + "; ".join(
                    f"if {'yes' if k else 'no'}: " + ", ".join(f"{t} = {v}" for t, v in vals.items())
                    for k, vals in question.sets.items()
                )
            )
        if question.when:
            lines.append(f"      asked when: {question.when.question} is {_answer_text(question.when.equals)}")
        lines.append(f"      why: {question.why}")
        for f in question.fields:
            lines.append(
                f"      - {f.id}: {f.text} ({f.allowed.describe()}"
                + ("" if f.allowed.required else ", optional")
                + f") -> {f.maps_to}"
            )
    if q.not_asked:
        lines.append("")
        lines.append("Not asked:")
        for path, why in q.not_asked.items():
            lines.append(f"  {path}: {why}")
    return "\n".join(lines) + "\n"


# ---- FHIR ---------------------------------------------------------------------------------------


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
        "id": re.sub(r"[^A-Za-z0-9\-.]", "-", q.fhir.url.rstrip("/").rsplit("/", 1)[-1])[:64],
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
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if kind == "Questionnaire":
        from fhir.resources.questionnaire import Questionnaire as Model
    elif kind == "QuestionnaireResponse":
        from fhir.resources.questionnaireresponse import QuestionnaireResponse as Model
    else:
        return [f"resourceType: value {_json_text(kind)}: allowed: Questionnaire or QuestionnaireResponse"]
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
            f"{source}: questionnaire: value {_json_text(canonical)}: answers another questionnaire; "
            f"allowed: {q.canonical()} (or {q.fhir.url})"
        )
    if resource.get("status") not in FHIR_RESPONSE_STATUSES:
        problems.append(
            f"{source}: status: value {_json_text(resource.get('status'))}: not finished; "
            f"allowed: {' or '.join(FHIR_RESPONSE_STATUSES)}"
        )
    by_id = {question.id: question for question in q.questions}
    raw: dict[str, Any] = {}
    for n, item in enumerate(resource.get("item") or []):
        link = item.get("linkId")
        where = f"{source}: item[{n}] (linkId {link})"
        question = by_id.get(link)
        if question is None:
            close = difflib.get_close_matches(str(link), list(by_id), n=1, cutoff=0.6)
            problems.append(
                f"{where}: unknown linkId"
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + f"; allowed: a linkId of {q.fhir.url}"
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
