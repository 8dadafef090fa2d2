"""This week's plan, built from the exercise catalogue (:mod:`footcoach.planning.catalogue`).

``build_plan`` turns a phase, the weeks in it and the weaker leg's heel-raise count into a
JSON-ready plan; ``footcoach.render.plan_text`` prints it for the runner.  Every number of the plan comes
from the data files, none from this module.
"""

from __future__ import annotations

from typing import Any

from footcoach.knowledge.base import Knowledge, default_knowledge
from footcoach.knowledge.base import num as _num
from footcoach.planning.catalogue import (
    CATALOGUE_FILE,
    Catalogue,
    CatalogueError,
    DosingStep,
    Exercise,
    HeelRaiseDosing,
    load_catalogue,
)

__all__ = ["CATALOGUE_FILE", "Catalogue", "CatalogueError", "build_plan", "heel_raise_line", "load_catalogue"]


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
    """The weeks of a dosing step as a runner counts them: after 0 full weeks in a phase is its week 1."""
    first = step.weeks_from + 1
    if step.weeks_to is None:
        return f"week {first} on"
    if step.weeks_to == step.weeks_from:
        return f"week {first}"
    return f"weeks {first}-{step.weeks_to + 1}"


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
    why = f"week {weeks_in_phase + 1} in this phase: the {_weeks_label(step)} step ({step.sets} x {step.rm}RM) of the dosing"
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


def heel_raise_line(d: dict[str, Any]) -> str:
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
        return _exercise_record(ex, heel_raise_line(dosing) if ex_id == key_id and dosing else None)

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
