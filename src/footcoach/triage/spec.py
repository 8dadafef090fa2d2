"""The questionnaire's shape: the file's models, what the contract allows, the loaded questions.

``QuestionnaireSpec`` is ``knowledge/questionnaire.yaml`` as written; ``Questionnaire`` is it
validated against the contract models (:mod:`footcoach.triage.loading` builds one).  ``Allowed``
says what one answer may be, read from the contract models, never repeated in the file.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from footcoach.common.closed_model import ClosedModel
from footcoach.common.documents import DataFileError, did_you_mean
from footcoach.contract import state as models
from footcoach.knowledge.base import Knowledge
from footcoach.knowledge.base import num as _num
from footcoach.rulebook import templates

QUESTIONNAIRE_FILE = "questionnaire.yaml"
TYPES = ("boolean", "integer", "decimal", "choice", "text", "group")
DECISIONS = ("refer", "regress", "hold", "progress", "reintroduce", "shoe_check", "shoe_replace", "load_advice", "plan")
RED_FLAG_PREFIX = "red_flags."
REFERRAL_PLACEHOLDERS = ("reported", "suspected", "whom", "how_soon", "meanwhile")


def text_values(kb: Knowledge) -> dict[str, Any]:
    """The values a question's text may name: the knowledge base's scale tops and ``{phases}``."""
    b = kb.state_bounds
    return {
        "nrs_max": b.nrs_max,
        "balance_cap": b.balance_cap,
        "reps_max": b.reps_max,
        "drop_max_mm": b.drop_max_mm,
        "phases": ", ".join(f"{n} {p.name}" for n, p in sorted(kb.phases.items())),
    }


# ---- the file's shape ---------------------------------------------------------------------------


class CodeSpec(ClosedModel):
    system: str = Field(min_length=1)
    code: str = Field(min_length=1)
    display: str = ""


class WhenSpec(ClosedModel):
    question: str
    equals: bool | int | float | str


class FieldSpec(ClosedModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)
    type: Literal[TYPES]  # type: ignore[valid-type]
    maps_to: str = Field(min_length=1)
    code: str | None = None
    unit: str | None = None


class QuestionSpec(ClosedModel):
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
    labels: dict[str, str] = Field(default_factory=dict)
    sets: dict[bool, dict[str, Any]] = Field(default_factory=dict)
    default: bool | int | float | str | None = None
    item: str | None = None
    fields: tuple[FieldSpec, ...] = ()
    page: str | None = None
    unit: str | None = None


class UnitSpec(ClosedModel):
    """Words naming one unit of a quantity and its size in the stored unit (miles: 1.609344 km)."""

    words: tuple[str, ...] = Field(min_length=1)
    factor: float = Field(gt=0)


class AnswerForms(ClosedModel):
    """The common ways people type an answer, accepted besides the exact values (data, not code)."""

    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    choices: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # option value -> words meaning it
    number_words: tuple[str, ...] = ()  # words allowed around a number ("about 500")
    units: dict[str, tuple[UnitSpec, ...]] = Field(
        default_factory=dict
    )  # stored unit (a question's `unit`) -> accepted units
    back: tuple[str, ...] = ()  # typed to go to the previous question
    skip: tuple[str, ...] = ()  # typed to clear an optional answer


class PlausibleBound(ClosedModel):
    value: float
    reason: str = Field(min_length=1)


class PlausibleSpec(ClosedModel):
    """Answers far outside what people do: taken, with a warning that names them (a typing error
    is likelier than the value).  Not clinical thresholds: no decision reads them."""

    heel_raise_lsi_percent: PlausibleBound  # the weaker leg's raises under this share of the stronger leg's
    heel_raise_jump_reps: PlausibleBound  # one leg's raises changing by more than this from one diary week to the next


class FhirSpec(ClosedModel):
    url: str = Field(min_length=1)
    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9_]*$")
    publisher: str = ""


class Messages(ClosedModel):
    intro: str
    red_flags_intro: str
    referral: str
    referral_plan: str


class QuestionnaireSpec(ClosedModel):
    version: int = Field(ge=1)
    title: str
    fhir: FhirSpec
    not_asked: dict[str, str] = Field(default_factory=dict)
    messages: Messages
    questions: tuple[QuestionSpec, ...] = Field(min_length=1)
    codes: dict[str, CodeSpec] = Field(default_factory=dict)
    pages: dict[str, str] = Field(default_factory=dict)
    answer_forms: AnswerForms = AnswerForms()
    plausible: PlausibleSpec | None = None


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

    @property
    def has_top(self) -> bool:
        """A top a person would name (the storage limit of a count is not one: "0 or more")."""
        return self.hi is not None and self.hi < models.COUNT_MAX

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
        if self.lo is not None and self.has_top:
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
            if self.lo is not None and self.has_top:
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


def unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
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


def allowed_for(model: type[BaseModel], parts: list[str], required: bool = True) -> tuple[Allowed | None, str]:
    """The Allowed of a dotted field path inside ``model``, or (None, why not)."""
    current: Any = model
    for i, part in enumerate(parts):
        fields = getattr(current, "model_fields", None)
        if not fields:
            return None, f"'{'.'.join(parts[:i])}' is not an object with fields"
        if part not in fields:
            hint = did_you_mean(part, fields)
            where = ".".join(parts[:i]) or "the state"
            return None, f"no field '{part}' in {where}{hint}; known: {', '.join(fields)}"
        info = fields[part]
        base, meta, optional = unwrap(info.annotation)
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


def group_model(state: type[models.State], path: str) -> type[BaseModel]:
    """The model of one entry of a list field of ``state`` (a bound State: its ranges)."""
    base, _, _ = unwrap(state.model_fields[path].annotation)
    model: type[BaseModel] = typing.get_args(base)[0]
    return model


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
    unit: str | None = None


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
    page: str | None = None
    unit: str | None = None

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
    pages: dict[str, str] = field(default_factory=dict)
    forms: AnswerForms = field(default_factory=AnswerForms)
    plausible: PlausibleSpec | None = None
    knowledge: Knowledge = field(kw_only=True)

    @property
    def state_model(self) -> type[models.State]:
        """The State its answers are checked with: the contract as its knowledge base bounds it."""
        return self.knowledge.contract_model(models.State)

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


def fill_text(text: str, kb: Knowledge) -> str:
    """Fill {nrs_max} and friends with the knowledge base's values (the rules' template language;
    the loader has checked every name)."""
    values = text_values(kb)
    return templates.render(text, lambda p: values.get(p.name), str)


def contract_leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf field path of the state (groups and the red-flag list count as one leaf each)."""
    out = []
    for name, info in model.model_fields.items():
        base, _, _ = unwrap(info.annotation)
        path = prefix + name
        if isinstance(base, type) and issubclass(base, BaseModel):
            out.extend(contract_leaves(base, path + "."))
        else:
            out.append(path)
    return out
