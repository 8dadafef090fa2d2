"""The input contract as pydantic models: a runner's state (the output is :mod:`.assessment`).

These models are the single definition of ``../shared/contract.md``: ranges and allowed values
exactly as the contract says, unknown fields refused everywhere.  What a knowledge base decides
(the scale tops such as the 0-10 pain scale and the 45 s balance cap, the contract ranges, the
phases, the red-flag vocabulary and the input limits of ``limits.yaml``) is not read here: a state
is checked against one knowledge base, whose :class:`StateBounds` build the models it is checked
with (:func:`bound_model`; ``Knowledge.contract_model`` in :mod:`footcoach.knowledge.base`).
Importing this module reads no file.

The classes below (``State``, ``Pain``, ...) are the shape and the type of a state; only their
bound subclasses validate a document.  Validating with a bare class is a programming error
(:class:`UnboundModelError`), so no state is ever checked against no knowledge, or the wrong one.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from footcoach.common.documents import did_you_mean
from footcoach.common.limits import DEFAULT_LIMITS, Limits

# Whole numbers without a contract maximum still fit a 32-bit integer (SQLite, FHIR integer).
COUNT_MAX = 2**31 - 1

Sex = Literal["female", "male"]
Experience = Literal["novice", "occasional", "regular"]


@dataclass(frozen=True)
class StateBounds:
    """What one knowledge base decides about a valid state: scale tops, contract ranges
    (``contract.*`` in thresholds.yaml), the phases, the red-flag ids and the input limits."""

    nrs_max: int
    balance_cap: int
    age_min: int
    age_max: int
    reps_max: int
    drop_max_mm: int
    phase_min: int
    phase_max: int
    red_flags: tuple[str, ...]
    limits: Limits = DEFAULT_LIMITS


class UnboundModelError(TypeError):
    """A contract model was asked to validate without a knowledge base (use :func:`bound_model`)."""


class FieldProblem(ValueError):
    """A cross-field problem that knows which field, value and allowed values it is about."""

    def __init__(self, path: str, value: Any, allowed: str, message: str):
        self.path, self.value, self.allowed = path, value, allowed
        super().__init__(message)


def _either(names: tuple[str, ...]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


N = TypeVar("N", bound=float | None)


def _at_most(value: N, top: float, unit: str) -> N:
    if value is not None and value > top:
        raise FieldProblem("", value, f"0-{top:g} {unit} (knowledge/limits.yaml)", f"more than {top:g} {unit}")
    return value


def _non_blank(value: str | None, longest: int, what: str) -> str | None:
    if value is not None and not value.strip():
        raise FieldProblem("", value, f"a non-blank {what}", "blank (only spaces)")
    if value is not None and len(value) > longest:
        raise FieldProblem(
            "", value, f"a {what} of at most {longest} characters (knowledge/limits.yaml)", f"{len(value)} characters"
        )
    return value


Km = Annotated[float, Field(ge=0, allow_inf_nan=False, description="kilometres, >= 0 (a finite number)")]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX, description=">= 0")]


ID_SEPARATORS = "/\\"  # not clinical: characters a runner id may not hold (it names a web page)


class Strict(BaseModel):
    """Unknown fields are errors; no silent type coercion (``"3"`` is not 3, 1 is not true)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    # The knowledge base this class checks against: set on the subclasses :func:`bound_model` builds.
    knowledge_bounds: ClassVar[StateBounds | None] = None

    @classmethod
    def bounds(cls) -> StateBounds:
        if cls.knowledge_bounds is None:
            raise UnboundModelError(
                f"{cls.__name__} is checked against a knowledge base: validate with "
                f"bound_model({cls.__name__}, knowledge.state_bounds) (or Knowledge.contract_model)"
            )
        return cls.knowledge_bounds


class Runner(Strict):
    id: Annotated[str | None, Field(description="text, e.g. r-017")] = None
    age: int
    sex: Sex | None = None
    experience: Experience | None = None

    @field_validator("id")
    @classmethod
    def _id_bounded(cls, value: str | None) -> str | None:
        value = _non_blank(value, cls.bounds().limits.id_chars, "runner id")
        if value is not None and not value.isprintable():
            raise FieldProblem("", value, "a runner id of printable characters", "holds a control character")
        if value is not None and any(c in value for c in ID_SEPARATORS):
            # an id is one segment of a web address (/runners/ID) and of file names: no path separator
            raise FieldProblem("", value, "a runner id without '/' or '\\'", "holds a path separator")
        return value


class Program(Strict):
    phase: int
    weeks_in_phase: Count
    weeks_in_program: Annotated[int | None, Field(ge=0, le=COUNT_MAX, description=">= weeks_in_phase")] = None

    @field_validator("weeks_in_phase", "weeks_in_program")
    @classmethod
    def _weeks_bounded(cls, value: int | None) -> int | None:
        return _at_most(value, cls.bounds().limits.weeks, "weeks")

    @model_validator(mode="after")
    def _program_covers_phase(self) -> "Program":
        if self.weeks_in_program is not None and self.weeks_in_program < self.weeks_in_phase:
            raise FieldProblem(
                "weeks_in_program",
                self.weeks_in_program,
                f">= weeks_in_phase ({self.weeks_in_phase})",
                f"less than weeks_in_phase {self.weeks_in_phase}",
            )
        return self


class Pain(Strict):
    during: int
    after: int
    morning: int
    settled_next_morning: StrictBool
    sharp: StrictBool = False


class BalancePair(Strict):
    left: float
    right: float


class RepsPair(Strict):
    left: int
    right: int


class Tests(Strict):
    balance_eyes_open_s: BalancePair | None = None
    balance_eyes_closed_s: BalancePair | None = None
    heel_raises: RepsPair | None = None
    hop_pain: int | None = None


class DiaryEntry(Strict):
    week: Annotated[int, Field(ge=0, le=COUNT_MAX, description="week number, >= 0, strictly increasing")]
    pain_morning: int | None = None
    balance_eyes_open_s: BalancePair | None = None
    heel_raises: RepsPair | None = None
    foot_fatigue: int | None = None

    @field_validator("week")
    @classmethod
    def _week_bounded(cls, value: int) -> int:
        return _at_most(value, cls.bounds().limits.weeks, "weeks")


class Shoe(Strict):
    name: Annotated[str, Field(min_length=1, description="text")]
    km: Km | None = None
    drop_mm: float | None = None
    minimalist: StrictBool = False
    weeks_worn: Annotated[int | None, Field(ge=0, le=COUNT_MAX, description=">= 0")] = None

    @field_validator("name")
    @classmethod
    def _name_bounded(cls, value: str) -> str | None:
        return _non_blank(value, cls.bounds().limits.name_chars, "shoe name")

    @field_validator("km")
    @classmethod
    def _km_bounded(cls, value: float | None) -> float | None:
        return _at_most(value, cls.bounds().limits.shoe_km, "km on one pair")

    @field_validator("weeks_worn")
    @classmethod
    def _worn_bounded(cls, value: int | None) -> int | None:
        return _at_most(value, cls.bounds().limits.weeks, "weeks")


class Running(Strict):
    weekly_km: Km | None = None
    previous_weekly_km: Km | None = None
    longest_run_km_30d: Km | None = None
    planned_long_run_km: Km | None = None

    @field_validator("weekly_km", "previous_weekly_km")
    @classmethod
    def _week_km_bounded(cls, value: float | None) -> float | None:
        return _at_most(value, cls.bounds().limits.weekly_km, "km in a week")

    @field_validator("longest_run_km_30d", "planned_long_run_km")
    @classmethod
    def _run_km_bounded(cls, value: float | None) -> float | None:
        return _at_most(value, cls.bounds().limits.run_km, "km in one run")


class State(Strict):
    """One runner's state: the input of an assessment."""

    runner: Runner
    program: Program
    pain: Pain
    red_flags: Annotated[list[str], Field(description="ids from the knowledge base's red_flags.yaml")] = []
    tests: Tests = Tests.model_construct()  # its defaults, without building the model's validator
    history: list[DiaryEntry] = []
    shoes: list[Shoe] = []
    running: Running = Running.model_construct()

    @field_validator("shoes", "history", "red_flags", mode="before")
    @classmethod
    def _counted(cls, value: Any, info: ValidationInfo) -> Any:
        """Counted before any entry is validated, so a huge list is refused at once."""
        bounds = cls.bounds()
        top, unit = {
            "shoes": (bounds.limits.shoes, "pairs of shoes"),
            "history": (bounds.limits.diary_weeks, "diary entries"),
            "red_flags": (len(bounds.red_flags), "red flags (each known red flag once)"),
        }[info.field_name or ""]
        if isinstance(value, list) and len(value) > top:
            raise FieldProblem(
                "", f"{len(value)} entries", f"at most {top} {unit} (knowledge/limits.yaml)", f"more than {top} {unit}"
            )
        return value

    @field_validator("red_flags")
    @classmethod
    def _flags_once(cls, flags: list[str]) -> list[str]:
        known = cls.bounds().red_flags
        for i, flag in enumerate(flags):
            if flag not in known:
                raise FieldProblem(
                    f"[{i}]",
                    flag,
                    "one of " + _either(known),
                    "not one of the allowed values" + did_you_mean(flag, known),
                )
            if flag in flags[:i]:
                raise FieldProblem(f"[{i}]", flag, "each red flag once", f"{flag} is listed twice")
        return flags

    @field_validator("history")
    @classmethod
    def _weeks_increase(cls, history: list[DiaryEntry]) -> list[DiaryEntry]:
        for i in range(1, len(history)):
            prev, cur = history[i - 1], history[i]
            if cur.week <= prev.week:
                raise FieldProblem(
                    f"[{i}].week",
                    cur.week,
                    f"> {prev.week} (weeks strictly increasing, oldest first)",
                    f"week {cur.week} follows week {prev.week}",
                )
        return history


# ---- the models of one knowledge base ----------------------------------------------------------

M = TypeVar("M", bound=Strict)


def _bound(base: type[M], bounds: StateBounds, **fields: Any) -> type[M]:
    """``base`` checked against ``bounds``: same name (so the JSON Schema reads the same), the
    knowledge-derived fields redeclared with their ranges."""
    model = create_model(base.__name__, __base__=base, __module__=base.__module__, __doc__=base.__doc__, **fields)
    model.knowledge_bounds = bounds
    return model


@lru_cache(maxsize=8)  # not clinical: knowledge bases validated against in one process
def _bound_models(bounds: StateBounds) -> dict[type[Strict], type[Strict]]:
    b = bounds
    nrs = Annotated[int, Field(ge=0, le=b.nrs_max, description=f"0-{b.nrs_max} (NRS, worst in the last 7 days)")]
    seconds = Annotated[
        float, Field(ge=0, le=b.balance_cap, allow_inf_nan=False, description=f"seconds, 0-{b.balance_cap}")
    ]
    reps = Annotated[int, Field(ge=0, le=b.reps_max, description=f"repetitions, 0-{b.reps_max}")]
    balance = _bound(BalancePair, b, left=(seconds, ...), right=(seconds, ...))
    raises = _bound(RepsPair, b, left=(reps, ...), right=(reps, ...))
    phase = Annotated[int, Field(ge=b.phase_min, le=b.phase_max, description=f"{b.phase_min}-{b.phase_max}")]
    age = Annotated[int, Field(ge=b.age_min, le=b.age_max, description=f"whole years, {b.age_min}-{b.age_max}")]
    drop = Annotated[
        float | None, Field(ge=0, le=b.drop_max_mm, allow_inf_nan=False, description=f"0-{b.drop_max_mm} mm")
    ]
    tests = _bound(
        Tests,
        b,
        balance_eyes_open_s=(balance | None, None),
        balance_eyes_closed_s=(balance | None, None),
        heel_raises=(raises | None, None),
        hop_pain=(nrs | None, None),
    )
    diary = _bound(
        DiaryEntry,
        b,
        pain_morning=(nrs | None, None),
        balance_eyes_open_s=(balance | None, None),
        heel_raises=(raises | None, None),
        foot_fatigue=(nrs | None, None),
    )
    runner = _bound(Runner, b, age=(age, ...))
    program = _bound(Program, b, phase=(phase, ...))
    pain = _bound(Pain, b, during=(nrs, ...), after=(nrs, ...), morning=(nrs, ...))
    shoe = _bound(Shoe, b, drop_mm=(drop, None))
    running = _bound(Running, b)
    state = _bound(
        State,
        b,
        runner=(runner, ...),
        program=(program, ...),
        pain=(pain, ...),
        tests=(tests, tests.model_construct()),
        history=(list[diary], []),  # type: ignore[valid-type]
        shoes=(list[shoe], []),  # type: ignore[valid-type]
        running=(running, running.model_construct()),
    )
    models: list[type[Strict]] = [balance, raises, tests, diary, runner, program, pain, shoe, running, state]
    return {cast("type[Strict]", m.__mro__[1]): m for m in models}


def bound_model(model: type[M], bounds: StateBounds) -> type[M]:
    """The contract model ``model`` (``State``, ``DiaryEntry``, ``Pain``, ...) as checked against one
    knowledge base's bounds; built once per knowledge base."""
    return cast("type[M]", _bound_models(bounds)[model])


def state_json_schema(bounds: StateBounds) -> dict[str, Any]:
    """The input's JSON Schema for a knowledge base (the shipped one's is ``schema/state.schema.json``)."""
    return bound_model(State, bounds).model_json_schema()
