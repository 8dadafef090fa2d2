"""The exercise catalogue of ``knowledge/exercises.yaml``: its models, loading and cross-checks.

``load_catalogue`` validates the catalogue against the models below and cross-checks it with the
knowledge base (source keys, threshold names, exercise ids); a problem is reported as
``file:line: field: message``.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from footcoach.common.closed_model import ClosedModel
from footcoach.common.documents import DataFileError, LineOf, did_you_mean, load_with_lines, validation_errors
from footcoach.common.paths import knowledge_dir
from footcoach.knowledge.base import Knowledge, KnowledgeError, default_knowledge, load_knowledge

CATALOGUE_FILE = "exercises.yaml"

_KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Exercise(ClosedModel):
    id: str = Field(pattern=_KEBAB, description="a kebab-case id, unique in the catalogue")
    name: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    dosing: str = Field(min_length=1)
    cues: tuple[str, ...] = Field(min_length=1)
    surface: str = Field(min_length=1)
    equipment: tuple[str, ...] = ()
    easier: str = Field(min_length=1)
    harder: str = Field(min_length=1)
    easier_id: str | None = None
    harder_id: str | None = None
    source: str
    also: tuple[str, ...] = ()


class SessionsPerWeek(ClosedModel):
    value: int = Field(ge=1)
    source: str
    note: str = ""


class Block(ClosedModel):
    name: str = Field(min_length=1)
    # False for running and check-in blocks: they are not progression steps to reintroduce.
    progression: bool = True
    exercises: tuple[str, ...] = Field(min_length=1)


class PhasePlan(ClosedModel):
    sessions_per_week: SessionsPerWeek
    blocks: tuple[Block, ...] = Field(min_length=1)


class Tempo(ClosedModel):
    up_s: float = Field(gt=0)
    hold_s: float = Field(ge=0)
    down_s: float = Field(gt=0)


class DosingStep(ClosedModel):
    weeks_from: int = Field(ge=0)
    weeks_to: int | None
    sets: int = Field(ge=1)
    reps: int = Field(ge=1)
    rm: int = Field(ge=1)
    load: str = ""

    @model_validator(mode="after")
    def _weeks_in_order(self) -> "DosingStep":
        if self.weeks_to is not None and self.weeks_to < self.weeks_from:
            raise ValueError(f"weeks_to {self.weeks_to} is before weeks_from {self.weeks_from}")
        return self


class BothLegs(ClosedModel):
    below: str = Field(description="the name of a threshold in thresholds.yaml")
    advice: str


class HeelRaiseDosing(ClosedModel):
    exercise: str
    source: str
    tempo: Tempo
    frequency: str
    steps: tuple[DosingStep, ...] = Field(min_length=1)
    both_legs: BothLegs

    @model_validator(mode="after")
    def _steps_cover_weeks(self) -> "HeelRaiseDosing":
        expected = 0
        for i, s in enumerate(self.steps):
            if s.weeks_from != expected:
                raise ValueError(
                    f"step {i} starts at week {s.weeks_from}; expected {expected} "
                    "(steps must start at week 0 and leave no gaps or overlaps)"
                )
            if s.weeks_to is None:
                if i != len(self.steps) - 1:
                    raise ValueError(f"step {i} is open-ended (weeks_to: null) but is not the last step")
                return self
            expected = s.weeks_to + 1
        raise ValueError("the last step must be open-ended (weeks_to: null)")


class FinisherItem(ClosedModel):
    name: str
    dosing: str
    source: str


class Diary(ClosedModel):
    record: tuple[str, ...] = Field(min_length=1)
    note: str = ""
    source: str


class Advice(ClosedModel):
    text: str
    phases: tuple[int, ...] = Field(min_length=1)
    source: str


class Catalogue(ClosedModel):
    dosing_source: str
    phases: dict[int, PhasePlan]
    exercises: tuple[Exercise, ...] = Field(min_length=1)
    heel_raise_dosing: HeelRaiseDosing
    mobility_finisher: tuple[FinisherItem, ...] = Field(min_length=1)
    diary: Diary
    maintenance_advice: tuple[Advice, ...] = ()
    _by_id: dict[str, Exercise] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        # Duplicate ids are reported by the cross-check; the first definition wins here.
        for e in reversed(self.exercises):
            self._by_id[e.id] = e

    def exercise(self, exercise_id: str) -> Exercise:
        return self._by_id[exercise_id]

    def phase_exercise_ids(self, phase: int) -> list[str]:
        """The ids of a phase's exercises, in block order, each once."""
        out: list[str] = []
        for block in self.phases[phase].blocks:
            out.extend(i for i in block.exercises if i not in out)
        return out


class CatalogueError(KnowledgeError):
    """The exercise catalogue is invalid; ``errors`` holds one DataFileError per problem."""


# -- loading ---------------------------------------------------------------------------------------


def _line_finder(line_of: LineOf) -> LineOf:
    """line_of for pydantic locations: YAML keeps the phase keys as text ("1"), pydantic as ints."""

    def find(loc: tuple[Any, ...]) -> int | None:
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] == "phases" and isinstance(loc[1], int):
            return line_of(("phases", str(loc[1])) + loc[2:])
        return line_of(loc)

    return find


def _cross_check(cat: Catalogue, kb: Knowledge, path: Path, line: LineOf) -> list[DataFileError]:
    """References the models cannot see: ids, source keys, threshold names, phase numbers."""
    errors: list[DataFileError] = []

    def err(loc: tuple[Any, ...], message: str) -> None:
        errors.append(DataFileError(path, line(loc), ".".join(str(p) for p in loc), message))

    def check_source(loc: tuple[Any, ...], key: str) -> None:
        if key not in kb.sources:
            err(loc, f"unknown source '{key}'{did_you_mean(key, kb.sources)}")

    ids: dict[str, int] = {}
    for i, ex in enumerate(cat.exercises):
        if ex.id in ids:
            err(("exercises", i, "id"), f"duplicate exercise id '{ex.id}' (first at exercises[{ids[ex.id]}])")
        else:
            ids[ex.id] = i
    for i, ex in enumerate(cat.exercises):
        for attr in ("easier_id", "harder_id"):
            ref = getattr(ex, attr)
            if ref is not None and ref not in ids:
                err(("exercises", i, attr), f"unknown exercise id '{ref}'{did_you_mean(ref, ids)}")
            if ref == ex.id:
                err(("exercises", i, attr), "an exercise cannot be its own variant")
        check_source(("exercises", i, "source"), ex.source)
        for j, k in enumerate(ex.also):
            check_source(("exercises", i, "also", j), k)

    known_phases = sorted(kb.phases)
    if sorted(cat.phases) != known_phases:
        err(("phases",), f"phases {sorted(cat.phases)} do not match phases.yaml {known_phases}")
    for p in sorted(cat.phases):
        plan = cat.phases[p]
        check_source(("phases", p, "sessions_per_week", "source"), plan.sessions_per_week.source)
        for b, block in enumerate(plan.blocks):
            for j, ref in enumerate(block.exercises):
                if ref not in ids:
                    err(
                        ("phases", p, "blocks", b, "exercises", j),
                        f"unknown exercise id '{ref}'{did_you_mean(ref, ids)}",
                    )

    check_source(("dosing_source",), cat.dosing_source)
    dosing = cat.heel_raise_dosing
    if dosing.exercise not in ids:
        err(
            ("heel_raise_dosing", "exercise"),
            f"unknown exercise id '{dosing.exercise}'{did_you_mean(dosing.exercise, ids)}",
        )
    check_source(("heel_raise_dosing", "source"), dosing.source)
    if not kb.has(dosing.both_legs.below):
        err(
            ("heel_raise_dosing", "both_legs", "below"),
            f"unknown threshold '{dosing.both_legs.below}'{kb.suggest(dosing.both_legs.below)}",
        )
    elif dosing.both_legs.below not in kb.thresholds:
        err(("heel_raise_dosing", "both_legs", "below"), "must be a scalar threshold, not an age-banded norm")
    for i, item in enumerate(cat.mobility_finisher):
        check_source(("mobility_finisher", i, "source"), item.source)
    check_source(("diary", "source"), cat.diary.source)
    for i, adv in enumerate(cat.maintenance_advice):
        check_source(("maintenance_advice", i, "source"), adv.source)
        for j, p in enumerate(adv.phases):
            if p not in kb.phases:
                err(("maintenance_advice", i, "phases", j), f"unknown phase {p}; known: {known_phases}")
    return errors


def _load(folder: Path, kb: Knowledge) -> Catalogue:
    path = folder / CATALOGUE_FILE
    if not path.is_file():
        raise CatalogueError([DataFileError(path, None, "", "file is missing")])
    try:
        data, line_of = load_with_lines(path)
    except DataFileError as e:
        raise CatalogueError([e]) from None
    line = _line_finder(line_of)
    if not isinstance(data, dict):
        raise CatalogueError([DataFileError(path, line(()), "", "the catalogue must be a mapping")])
    try:
        cat = Catalogue.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(validation_errors(path, line, exc)) from None
    errors = _cross_check(cat, kb, path, line)
    if errors:
        raise CatalogueError(errors)
    return cat


CATALOGUE_FORMAT = "catalogue-v1"  # bump when what is pickled changes shape


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    """The shipped catalogue, from the on-disk cache (:mod:`footcoach.common.disk_cache`) when it
    holds these exact knowledge files and code."""
    from footcoach.common import disk_cache

    folder = knowledge_dir()
    code = disk_cache.code_fingerprint(("common", "knowledge", "planning"))
    key = disk_cache.cache_key(CATALOGUE_FORMAT, disk_cache.data_fingerprint(folder), code)
    return disk_cache.cached("catalogue", key, Catalogue, lambda: _load(folder, default_knowledge()))


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load and check ``exercises.yaml`` of ``folder`` (default: the shipped knowledge, cached).

    The cross-checks use the knowledge base of the same folder.  Raises CatalogueError (a
    KnowledgeError) listing every problem as ``file:line: field: message``.
    """
    if folder is None:
        return _default_catalogue()
    folder = Path(folder)
    return _load(folder, load_knowledge(folder))


def catalogue_beside(folder: Path) -> Catalogue:
    """The catalogue of the knowledge folder ``folder``: the shipped one (loaded once) when it is the
    shipped knowledge folder (asked on every assessment: the paths are resolved once per folder)."""
    return load_catalogue(None if _is_shipped(folder) else folder)


@lru_cache(maxsize=8)  # not clinical: knowledge folders remembered
def _is_shipped(folder: Path) -> bool:
    return Path(folder).resolve() == knowledge_dir().resolve()
