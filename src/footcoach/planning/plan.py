"""This week's plan: the exercise catalogue of ``knowledge/exercises.yaml`` and the plan built from it.

``load_catalogue`` validates the catalogue against the models below and cross-checks it with the
knowledge base (source keys, threshold names, exercise ids); a problem is reported as
``file:line: field: message``.  ``build_plan`` turns a phase, the weeks in it and the weaker leg's
heel-raise count into a JSON-ready plan; ``render_plan_text`` prints it for the runner.  Every
number of the plan comes from the data files, none from this module.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from footcoach.common.documents import DataFileError, did_you_mean, load_with_lines, validation_errors
from footcoach.common.paths import knowledge_dir
from footcoach.knowledge.base import Knowledge, KnowledgeError, default_knowledge, load_knowledge
from footcoach.knowledge.base import num as _num

CATALOGUE_FILE = "exercises.yaml"
LINE_WIDTH = 100  # text layout only: the longest line render_plan_text writes

_KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exercise(_Strict):
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


class SessionsPerWeek(_Strict):
    value: int = Field(ge=1)
    source: str
    note: str = ""


class Block(_Strict):
    name: str = Field(min_length=1)
    # False for running and check-in blocks: they are not progression steps to reintroduce.
    progression: bool = True
    exercises: tuple[str, ...] = Field(min_length=1)


class PhasePlan(_Strict):
    sessions_per_week: SessionsPerWeek
    blocks: tuple[Block, ...] = Field(min_length=1)


class Tempo(_Strict):
    up_s: float = Field(gt=0)
    hold_s: float = Field(ge=0)
    down_s: float = Field(gt=0)


class DosingStep(_Strict):
    weeks_from: int = Field(ge=0)
    weeks_to: int | None
    sets: int = Field(ge=1)
    reps: int = Field(ge=1)
    rm: int = Field(ge=1)
    load: str = ""

    @model_validator(mode="after")
    def _weeks_in_order(self) -> DosingStep:
        if self.weeks_to is not None and self.weeks_to < self.weeks_from:
            raise ValueError(f"weeks_to {self.weeks_to} is before weeks_from {self.weeks_from}")
        return self


class BothLegs(_Strict):
    below: str = Field(description="the name of a threshold in thresholds.yaml")
    advice: str


class HeelRaiseDosing(_Strict):
    exercise: str
    source: str
    tempo: Tempo
    frequency: str
    steps: tuple[DosingStep, ...] = Field(min_length=1)
    both_legs: BothLegs

    @model_validator(mode="after")
    def _steps_cover_weeks(self) -> HeelRaiseDosing:
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


class FinisherItem(_Strict):
    name: str
    dosing: str
    source: str


class Diary(_Strict):
    record: tuple[str, ...] = Field(min_length=1)
    note: str = ""
    source: str


class Advice(_Strict):
    text: str
    phases: tuple[int, ...] = Field(min_length=1)
    source: str


class Catalogue(_Strict):
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
_hint = did_you_mean


def _line_finder(line_of):
    """line_of for pydantic locations: YAML keeps the phase keys as text ("1"), pydantic as ints."""

    def find(loc: tuple) -> int | None:
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] == "phases" and isinstance(loc[1], int):
            return line_of(("phases", str(loc[1])) + loc[2:])
        return line_of(loc)

    return find


def _cross_check(cat: Catalogue, kb: Knowledge, path: Path, line) -> list[DataFileError]:
    """References the models cannot see: ids, source keys, threshold names, phase numbers."""
    errors: list[DataFileError] = []

    def err(loc: tuple, message: str) -> None:
        errors.append(DataFileError(path, line(loc), ".".join(str(p) for p in loc), message))

    def check_source(loc: tuple, key: str) -> None:
        if key not in kb.sources:
            err(loc, f"unknown source '{key}'{_hint(key, kb.sources)}")

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
                err(("exercises", i, attr), f"unknown exercise id '{ref}'{_hint(ref, ids)}")
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
                    err(("phases", p, "blocks", b, "exercises", j), f"unknown exercise id '{ref}'{_hint(ref, ids)}")

    check_source(("dosing_source",), cat.dosing_source)
    dosing = cat.heel_raise_dosing
    if dosing.exercise not in ids:
        err(("heel_raise_dosing", "exercise"), f"unknown exercise id '{dosing.exercise}'{_hint(dosing.exercise, ids)}")
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


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    return _load(knowledge_dir(), default_knowledge())


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load and check ``exercises.yaml`` of ``folder`` (default: the shipped knowledge, cached).

    The cross-checks use the knowledge base of the same folder.  Raises CatalogueError (a
    KnowledgeError) listing every problem as ``file:line: field: message``.
    """
    if folder is None:
        return _default_catalogue()
    folder = Path(folder)
    return _load(folder, load_knowledge(folder))


# -- the plan --------------------------------------------------------------------------------------


def _exercise_record(ex: Exercise, dosing: str | None = None) -> dict[str, Any]:
    return {
        "id": ex.id,
        "name": ex.name,
        "purpose": ex.purpose,
        "dosing": dosing or ex.dosing,
        "cues": list(ex.cues),
        "surface": ex.surface,
        "equipment": list(ex.equipment),
        "easier": ex.easier,
        "harder": ex.harder,
    }


def _dosing_step(dosing: HeelRaiseDosing, weeks_in_phase: int) -> DosingStep:
    return next(
        s
        for s in dosing.steps
        if s.weeks_from <= weeks_in_phase and (s.weeks_to is None or weeks_in_phase <= s.weeks_to)
    )


def _weeks_label(step: DosingStep) -> str:
    if step.weeks_to is None:
        return f"week {step.weeks_from} on"
    if step.weeks_to == step.weeks_from:
        return f"week {step.weeks_from}"
    return f"weeks {step.weeks_from}-{step.weeks_to}"


def _heel_raise_dosing(
    cat: Catalogue, kb: Knowledge, weeks_in_phase: int, heel_raises_weaker: int | None
) -> dict[str, Any]:
    dosing = cat.heel_raise_dosing
    step = _dosing_step(dosing, weeks_in_phase)
    threshold = kb.resolve(dosing.both_legs.below)
    start = _num(threshold.value)
    both_legs = heel_raises_weaker is not None and heel_raises_weaker < threshold.value
    t = dosing.tempo
    tempo = f"{_num(t.up_s)} s up, {_num(t.hold_s)} s hold, {_num(t.down_s)} s down"
    why = (
        f"week {weeks_in_phase} in this phase: the {_weeks_label(step)} step ({step.sets} x {step.rm}RM) of the dosing"
    )
    if heel_raises_weaker is None:
        why += (
            f"; single-leg raises not measured - if the weaker leg manages fewer than {start}, "
            f"{dosing.both_legs.advice}"
        )
    elif both_legs:
        why += (
            f"; {heel_raises_weaker} single-leg raises on the weaker leg is fewer than {start}: "
            f"{dosing.both_legs.advice}"
        )
    else:
        why += f"; {heel_raises_weaker} single-leg raises on the weaker leg reaches {start}: single-leg"
    rec: dict[str, Any] = {
        "exercise": dosing.exercise,
        "weeks": _weeks_label(step),
        "sets": step.sets,
        "reps": step.reps,
        "rm": step.rm,
    }
    if step.load:
        rec["load"] = step.load
    rec.update(
        {
            "tempo": tempo,
            "frequency": dosing.frequency,
            "both_legs": both_legs,
            "why": why,
            "threshold": threshold.as_record(kb),
            "source": kb.source_record(dosing.source),
        }
    )
    return rec


def _heel_raise_line(d: dict[str, Any]) -> str:
    text = f"{d['sets']} sets of {d['reps']}, with a load you could lift only {d['rm']} times ({d['rm']}RM)"
    if d.get("load"):
        text += f" ({d['load']})"
    text += f", {d['tempo']}, {d['frequency']}"
    text += ", both legs together" if d["both_legs"] else ", each leg on its own"
    return text


def _reintroduce_ids(cat: Catalogue, phase: int, k: int | None) -> tuple[int, str, list[str]] | None:
    """(phase, why, exercise ids) of a stall's reintroduction (brief section 6), or None."""
    if k is None:
        return None
    if k >= phase:
        # No earlier phase to go back to: the activation block done daily and the easier variants,
        # not a second copy of this week's exercises.
        return k, "no earlier phase: the activation block every day, and the easier variant of each exercise", []
    in_phase = cat.phase_exercise_ids(phase)
    ids: list[str] = []
    for b in cat.phases[k].blocks:
        if b.progression:
            ids.extend(i for i in b.exercises if i not in ids and i not in in_phase)
    return k, f"the progression steps of phase {k} not already in this week's plan", ids


def _daily_and_easier(cat: Catalogue, phase: int) -> dict[str, Any]:
    """A stall with no earlier phase: the first (activation) block every day, and the easier
    variant of each progression exercise of the phase, named as such."""
    blocks = [b for b in cat.phases[phase].blocks if b.progression]
    daily = blocks[0]
    ids: list[str] = []
    for b in blocks:
        ids.extend(i for i in b.exercises if i not in ids)
    return {
        "daily_block": {"name": daily.name, "exercises": [cat.exercise(i).name for i in daily.exercises]},
        "easier": [{"id": i, "name": cat.exercise(i).name, "easier": cat.exercise(i).easier} for i in ids],
    }


def build_plan(
    phase: int,
    weeks_in_phase: int,
    heel_raises_weaker: int | None,
    reintroduce_from_phase: int | None = None,
    catalogue: Catalogue | None = None,
    kb: Knowledge | None = None,
) -> dict[str, Any]:
    """This week's plan for a runner in ``phase`` (1-5), ``weeks_in_phase`` weeks into it.

    ``heel_raises_weaker`` is the weaker leg's single-leg heel-raise count (None when not measured);
    below the starting-dose threshold the key heel raise is done on both legs.  With
    ``reintroduce_from_phase`` (a stall, brief section 6) the plan adds that phase's progression
    steps not already in this phase; when it is not an earlier phase (a stall in phase 1) the
    activation block every day and the easier variant of each exercise, by name.  Returns a JSON-ready dict; ``heel_raise_dosing`` is present
    when the phase trains the key exercise.  Raises ValueError on an unknown phase or negative weeks.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    kb = kb if kb is not None else default_knowledge()
    if phase not in cat.phases:
        raise ValueError(f"unknown phase {phase}; known: {sorted(cat.phases)}")
    if weeks_in_phase < 0:
        raise ValueError(f"weeks_in_phase must be 0 or more, got {weeks_in_phase}")
    if reintroduce_from_phase is not None and reintroduce_from_phase not in cat.phases:
        raise ValueError(f"unknown phase to reintroduce from: {reintroduce_from_phase}; known: {sorted(cat.phases)}")

    pp = cat.phases[phase]
    key_id = cat.heel_raise_dosing.exercise
    in_phase = cat.phase_exercise_ids(phase)

    reintroduce = _reintroduce_ids(cat, phase, reintroduce_from_phase)
    trains_key = key_id in in_phase or (reintroduce is not None and key_id in reintroduce[2])
    dosing = _heel_raise_dosing(cat, kb, weeks_in_phase, heel_raises_weaker) if trains_key else None
    used_sources: list[str] = [pp.sessions_per_week.source, cat.dosing_source]

    def record(ex_id: str) -> dict[str, Any]:
        ex = cat.exercise(ex_id)
        used_sources.extend([ex.source, *ex.also])
        return _exercise_record(ex, _heel_raise_line(dosing) if ex_id == key_id and dosing else None)

    plan: dict[str, Any] = {
        "phase": phase,
        "phase_name": kb.phase_name(phase),
        "weeks_in_phase": weeks_in_phase,
        "sessions_per_week": {
            "value": pp.sessions_per_week.value,
            "note": pp.sessions_per_week.note,
            "source": kb.source_record(pp.sessions_per_week.source),
        },
        "blocks": [{"name": b.name, "exercises": [record(i) for i in b.exercises]} for b in pp.blocks],
    }
    if dosing is not None:
        plan["heel_raise_dosing"] = dosing
        used_sources.append(cat.heel_raise_dosing.source)
    plan["mobility_finisher"] = [{"name": m.name, "dosing": m.dosing} for m in cat.mobility_finisher]
    used_sources.extend(m.source for m in cat.mobility_finisher)
    if reintroduce is not None:
        k, why, ids = reintroduce
        plan["reintroduce"] = {"from_phase": k, "phase_name": kb.phase_name(k), "why": why}
        if k >= phase:
            plan["reintroduce"].update(_daily_and_easier(cat, phase))
        else:
            plan["reintroduce"]["exercises"] = [record(i) for i in ids]

    plan["diary"] = {"record": list(cat.diary.record), "note": cat.diary.note}
    plan["advice"] = [a.text for a in cat.maintenance_advice if phase in a.phases]
    used_sources.append(cat.diary.source)
    used_sources.extend(a.source for a in cat.maintenance_advice if phase in a.phases)
    plan["sources"] = [kb.source_record(s) for s in sorted(dict.fromkeys(used_sources))]
    return plan


# -- text ------------------------------------------------------------------------------------------
def _wrap(text: str, indent: str = "", hang: str | None = None) -> list[str]:
    """Wrap one paragraph to LINE_WIDTH; ``hang`` indents the continuation lines."""
    return textwrap.wrap(
        text,
        width=LINE_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _exercise_lines(ex: dict[str, Any], number: str, indent: str) -> list[str]:
    sub = indent + " " * (len(number) + 1)
    lines = _wrap(f"{number} {ex['name']} - {ex['purpose']}", indent, sub)
    lines += _wrap(f"Dose: {ex['dosing']}", sub, sub + "  ")
    for cue in ex["cues"]:
        lines += _wrap(f"- {cue}", sub, sub + "  ")
    where = f"Surface: {ex['surface']}"
    if ex["equipment"]:
        where += f". Equipment: {', '.join(ex['equipment'])}"
    lines += _wrap(where, sub, sub + "  ")
    lines += _wrap(f"Easier: {ex['easier']}", sub, sub + "  ")
    lines += _wrap(f"Harder: {ex['harder']}", sub, sub + "  ")
    return lines


def render_plan_text(plan: dict[str, Any]) -> str:
    """This week's plan as plain text a runner can follow (no colour, lines <= LINE_WIDTH)."""
    lines: list[str] = []
    title = f"This week's plan: phase {plan['phase']}, {plan['phase_name']}"
    if "weeks_in_phase" in plan:
        title += f" (week {plan['weeks_in_phase']} in this phase)"
    lines += _wrap(title)
    lines.append("=" * min(len(lines[0]), LINE_WIDTH))
    spw = plan["sessions_per_week"]
    value, note = (spw["value"], spw.get("note")) if isinstance(spw, dict) else (spw, "")
    word = "session" if value == 1 else "sessions"
    lines += _wrap(f"{value} {word} a week" + (f"; {note}." if note else "."))

    for b, block in enumerate(plan["blocks"], start=1):
        lines.append("")
        lines += _wrap(f"{b}. {block['name']}")
        for e, ex in enumerate(block["exercises"], start=1):
            lines += _exercise_lines(ex, f"{b}.{e}", "   ")

    dosing = plan.get("heel_raise_dosing")
    if dosing:
        lines.append("")
        lines += _wrap(f"Heel-raise dosing ({dosing['weeks']} in this phase): {_heel_raise_line(dosing)}.", "", "  ")
        lines += _wrap(f"Why: {dosing['why']}.", "  ", "    ")
        src = dosing.get("source") or {}
        if src.get("citation"):
            lines += _wrap(f"Source: {src['citation']}", "  ", "    ")

    lines.append("")
    lines.append("Mobility finisher (end every session with it):")
    for item in plan["mobility_finisher"]:
        if isinstance(item, dict):
            lines += _wrap(f"- {item['name']}: {item['dosing']}", "  ", "    ")
        else:
            lines += _wrap(f"- {item}", "  ", "    ")

    lines += _reintroduce_lines(plan.get("reintroduce"))

    diary = plan.get("diary")
    if diary:
        lines.append("")
        lines += _wrap(
            f"Diary: write down {', '.join(diary['record'])}"
            + (f"; and {diary['note']}." if diary.get("note") else "."),
            "",
            "  ",
        )
    advice = plan.get("advice") or []
    if advice:
        lines.append("")
        lines.append("Advice:")
        for a in advice:
            lines += _wrap(f"- {a}", "  ", "    ")
    return "\n".join(lines) + "\n"


def _reintroduce_lines(re: dict[str, Any] | None) -> list[str]:
    """A stall's reintroduction: earlier steps, or (no earlier phase) the daily block and easier variants."""
    if not re:
        return []
    lines = [""]
    if "daily_block" in re:
        daily = re["daily_block"]
        lines += _wrap(
            f"Progress has stalled: do the {daily['name']} block every day ({', '.join(daily['exercises'])}), "
            "and use the easier variant of each exercise for now:"
        )
        for e in re["easier"]:
            lines += _wrap(f"- {e['name']}, easier: {e['easier']}", "   ", "     ")
        return lines
    lines += _wrap(
        f"Progress has stalled: bring back these earlier steps from phase {re['from_phase']}, "
        f"{re.get('phase_name', '')}, alongside this week's plan.".replace(", ,", ",")
    )
    if not re["exercises"]:
        lines += _wrap("(they are all in this week's plan already)", "   ")
    for e, ex in enumerate(re["exercises"], start=1):
        lines += _exercise_lines(ex, f"R.{e}", "   ")
    return lines
