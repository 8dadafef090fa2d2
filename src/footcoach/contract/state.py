"""The input contract as pydantic models: a runner's state (the output is :mod:`.assessment`).

These models are the single definition of ``../shared/contract.md``: ranges and allowed values
exactly as the contract says, unknown fields refused everywhere.  The scale tops that are
clinical numbers (the 0-10 pain scale, the 45 s balance cap) and the red-flag vocabulary are read
from ``knowledge/`` so that they live in one place.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator, model_validator

from footcoach.common.documents import current_limits, did_you_mean
from footcoach.common.limits import Limits
from footcoach.knowledge.base import default_knowledge

_KB = default_knowledge()
NRS_MAX = _KB.nrs_max
BALANCE_CAP = _KB.int_value("balance.test_cap_s")
RED_FLAG_IDS = tuple(_KB.red_flags)

# Contract ranges (contract.md, "allowed"), kept beside the thresholds in knowledge/.
AGE_MIN, AGE_MAX = _KB.int_value("contract.age_min"), _KB.int_value("contract.age_max")
REPS_MAX = _KB.int_value("contract.reps_max")
DROP_MAX_MM = _KB.int_value("contract.drop_max_mm")
# Whole numbers without a contract maximum still fit a 32-bit integer (SQLite, FHIR integer).
COUNT_MAX = 2**31 - 1

Sex = Literal["female", "male"]
Experience = Literal["novice", "occasional", "regular"]

Nrs = Annotated[int, Field(ge=0, le=NRS_MAX, description=f"0-{NRS_MAX} (NRS, worst in the last 7 days)")]
Seconds = Annotated[float, Field(ge=0, le=BALANCE_CAP, allow_inf_nan=False, description=f"seconds, 0-{BALANCE_CAP}")]
Reps = Annotated[int, Field(ge=0, le=REPS_MAX, description=f"repetitions, 0-{REPS_MAX}")]
Km = Annotated[float, Field(ge=0, allow_inf_nan=False, description="kilometres, >= 0 (a finite number)")]


class FieldProblem(ValueError):
    """A cross-field problem that knows which field, value and allowed values it is about."""

    def __init__(self, path: str, value: Any, allowed: str, message: str):
        self.path, self.value, self.allowed = path, value, allowed
        super().__init__(message)


def bounds(info: ValidationInfo | None = None) -> Limits:
    """The bounds on a state (``knowledge/limits.yaml``): a validation context's ``{"limits": Limits}``
    when given, else the shipped file's, read at the first validation and never at import.  This is
    the seam for passing the knowledge base in: a context built per knowledge base brings its limits."""
    context = info.context if info is not None and isinstance(info.context, dict) else {}
    given = context.get("limits")
    return given if isinstance(given, Limits) else current_limits()


def _either(names: tuple[str, ...]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def red_flag_ids(info: ValidationInfo | None = None) -> tuple[str, ...]:
    """The red-flag vocabulary a state is checked against: the validation context's knowledge base
    (``{"knowledge": Knowledge}``, e.g. ``rules check --knowledge DIR``) when given, else the shipped one."""
    context = info.context if info is not None and isinstance(info.context, dict) else {}
    kb = context.get("knowledge")
    return tuple(kb.red_flags) if kb is not None else RED_FLAG_IDS


def _at_most(value: Any, top: float, unit: str, info: ValidationInfo) -> Any:
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


class Strict(BaseModel):
    """Unknown fields are errors; no silent type coercion (``"3"`` is not 3, 1 is not true)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Runner(Strict):
    id: Annotated[str | None, Field(description="text, e.g. r-017")] = None
    age: Annotated[int, Field(ge=AGE_MIN, le=AGE_MAX, description=f"whole years, {AGE_MIN}-{AGE_MAX}")]
    sex: Sex | None = None
    experience: Experience | None = None

    @field_validator("id")
    @classmethod
    def _id_bounded(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = _non_blank(value, bounds(info).id_chars, "runner id")
        if value is not None and not value.isprintable():
            raise FieldProblem("", value, "a runner id of printable characters", "holds a control character")
        return value


class Program(Strict):
    phase: Annotated[int, Field(ge=1, le=5, description="1-5")]
    weeks_in_phase: Annotated[int, Field(ge=0, le=COUNT_MAX, description=">= 0")]
    weeks_in_program: Annotated[int | None, Field(ge=0, le=COUNT_MAX, description=">= weeks_in_phase")] = None

    @field_validator("weeks_in_phase", "weeks_in_program")
    @classmethod
    def _weeks_bounded(cls, value: int | None, info: ValidationInfo) -> int | None:
        return _at_most(value, bounds(info).weeks, "weeks", info)

    @model_validator(mode="after")
    def _program_covers_phase(self) -> Program:
        if self.weeks_in_program is not None and self.weeks_in_program < self.weeks_in_phase:
            raise FieldProblem(
                "weeks_in_program",
                self.weeks_in_program,
                f">= weeks_in_phase ({self.weeks_in_phase})",
                f"less than weeks_in_phase {self.weeks_in_phase}",
            )
        return self


class Pain(Strict):
    during: Nrs
    after: Nrs
    morning: Nrs
    settled_next_morning: StrictBool
    sharp: StrictBool = False


class BalancePair(Strict):
    left: Seconds
    right: Seconds


class RepsPair(Strict):
    left: Reps
    right: Reps


class Tests(Strict):
    balance_eyes_open_s: BalancePair | None = None
    balance_eyes_closed_s: BalancePair | None = None
    heel_raises: RepsPair | None = None
    hop_pain: Nrs | None = None


class DiaryEntry(Strict):
    week: Annotated[int, Field(ge=0, le=COUNT_MAX, description="week number, >= 0, strictly increasing")]
    pain_morning: Nrs | None = None
    balance_eyes_open_s: BalancePair | None = None
    heel_raises: RepsPair | None = None
    foot_fatigue: Nrs | None = None

    @field_validator("week")
    @classmethod
    def _week_bounded(cls, value: int, info: ValidationInfo) -> int:
        return _at_most(value, bounds(info).weeks, "weeks", info)


class Shoe(Strict):
    name: Annotated[str, Field(min_length=1, description="text")]
    km: Km | None = None
    drop_mm: Annotated[
        float | None, Field(ge=0, le=DROP_MAX_MM, allow_inf_nan=False, description=f"0-{DROP_MAX_MM} mm")
    ] = None
    minimalist: StrictBool = False
    weeks_worn: Annotated[int | None, Field(ge=0, le=COUNT_MAX, description=">= 0")] = None

    @field_validator("name")
    @classmethod
    def _name_bounded(cls, value: str, info: ValidationInfo) -> str | None:
        return _non_blank(value, bounds(info).name_chars, "shoe name")

    @field_validator("km")
    @classmethod
    def _km_bounded(cls, value: float | None, info: ValidationInfo) -> float | None:
        return _at_most(value, bounds(info).shoe_km, "km on one pair", info)

    @field_validator("weeks_worn")
    @classmethod
    def _worn_bounded(cls, value: int | None, info: ValidationInfo) -> int | None:
        return _at_most(value, bounds(info).weeks, "weeks", info)


class Running(Strict):
    weekly_km: Km | None = None
    previous_weekly_km: Km | None = None
    longest_run_km_30d: Km | None = None
    planned_long_run_km: Km | None = None

    @field_validator("weekly_km", "previous_weekly_km")
    @classmethod
    def _week_km_bounded(cls, value: float | None, info: ValidationInfo) -> float | None:
        return _at_most(value, bounds(info).weekly_km, "km in a week", info)

    @field_validator("longest_run_km_30d", "planned_long_run_km")
    @classmethod
    def _run_km_bounded(cls, value: float | None, info: ValidationInfo) -> float | None:
        return _at_most(value, bounds(info).run_km, "km in one run", info)


class State(Strict):
    """One runner's state: the input of an assessment."""

    runner: Runner
    program: Program
    pain: Pain
    red_flags: Annotated[list[str], Field(description="ids from the knowledge base's red_flags.yaml")] = []
    tests: Tests = Tests()
    history: list[DiaryEntry] = []
    shoes: list[Shoe] = []
    running: Running = Running()

    @field_validator("shoes", "history", "red_flags", mode="before")
    @classmethod
    def _counted(cls, value: Any, info: ValidationInfo) -> Any:
        """Counted before any entry is validated, so a huge list is refused at once."""
        limit = bounds(info)
        top, unit = {
            "shoes": (limit.shoes, "pairs of shoes"),
            "history": (limit.diary_weeks, "diary entries"),
            "red_flags": (len(red_flag_ids(info)), "red flags (each known red flag once)"),
        }[info.field_name or ""]
        if isinstance(value, list) and len(value) > top:
            raise FieldProblem(
                "", f"{len(value)} entries", f"at most {top} {unit} (knowledge/limits.yaml)", f"more than {top} {unit}"
            )
        return value

    @field_validator("red_flags")
    @classmethod
    def _flags_once(cls, flags: list[str], info: ValidationInfo) -> list[str]:
        known = red_flag_ids(info)
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


def state_json_schema() -> dict[str, Any]:
    """The input's JSON Schema, as committed in ``schema/state.schema.json``."""
    return State.model_json_schema()
