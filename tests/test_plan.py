"""The exercise catalogue (knowledge/exercises.yaml) and this week's plan (footcoach.planning.plan)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from footcoach.common.paths import knowledge_dir
from footcoach.knowledge.base import default_knowledge
from footcoach.planning.plan import CatalogueError, build_plan, load_catalogue
from footcoach.render.plan_text import render_plan_text

PHASES = [1, 2, 3, 4, 5]


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def kb():
    return default_knowledge()


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), folder)
    path = folder / "exercises.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "exercises.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


# -- the catalogue -------------------------------------------------------------------------------
def test_catalogue_loads_and_is_cached(cat):
    assert load_catalogue() is cat


def test_a_copy_of_the_knowledge_folder_loads(tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), folder)
    assert load_catalogue(folder).exercises


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_has_blocks_with_exercises(cat, phase):
    plan = cat.phases[phase]
    assert plan.blocks
    assert all(block.exercises for block in plan.blocks)
    assert plan.sessions_per_week.value >= 1


def test_exercise_ids_are_unique(cat):
    ids = [e.id for e in cat.exercises]
    assert len(ids) == len(set(ids))


def test_sessions_per_week_sources_are_design_or_seed(cat, kb):
    for plan in cat.phases.values():
        src = plan.sessions_per_week.source
        assert src == "seed-routine" or kb.sources[src].evidence == "design"


def test_key_exercise_is_trained_in_the_strength_phases(cat):
    key = cat.heel_raise_dosing.exercise
    assert cat.exercise(key).source == "rathleff2015"
    for phase in (1, 2, 3):
        assert key in cat.phase_exercise_ids(phase)


def test_phase_one_starts_with_its_activation_block(cat):
    first = cat.phases[1].blocks[0]
    assert "activation" in first.name.lower()
    assert {"toe-curls", "toe-spreading", "towel-scrunches"} <= set(first.exercises)


def test_both_legs_rule_names_a_threshold(cat, kb):
    assert cat.heel_raise_dosing.both_legs.below == "heel_raises.start_dose"
    assert cat.heel_raise_dosing.both_legs.below in kb.thresholds


# -- heel-raise dosing ---------------------------------------------------------------------------
def _expected_step(cat, weeks: int):
    for step in cat.heel_raise_dosing.steps:
        if step.weeks_from <= weeks and (step.weeks_to is None or weeks <= step.weeks_to):
            return step
    raise AssertionError(f"no dosing step for week {weeks}")


@pytest.mark.parametrize("weeks,step_index", [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (10, 2)])
def test_heel_raise_dosing_step_by_weeks_in_phase(cat, weeks, step_index):
    d = build_plan(1, weeks, None)["heel_raise_dosing"]
    step = cat.heel_raise_dosing.steps[step_index]
    assert step is _expected_step(cat, weeks)
    assert (d["sets"], d["reps"], d["rm"]) == (step.sets, step.reps, step.rm)
    assert d.get("load", "") == step.load
    assert d["frequency"] == cat.heel_raise_dosing.frequency
    assert d["source"]["key"] == "rathleff2015"


def test_dosing_steps_progress(cat):
    steps = cat.heel_raise_dosing.steps
    assert [s.sets for s in steps] == sorted(s.sets for s in steps)
    assert steps[-1].weeks_to is None and steps[-1].load


def test_both_legs_below_the_start_dose_only(kb):
    start = kb.int_value("heel_raises.start_dose")
    assert build_plan(1, 0, start - 1)["heel_raise_dosing"]["both_legs"] is True
    assert build_plan(1, 0, start)["heel_raise_dosing"]["both_legs"] is False
    assert build_plan(1, 0, start + 5)["heel_raise_dosing"]["both_legs"] is False
    unmeasured = build_plan(1, 0, None)["heel_raise_dosing"]
    assert unmeasured["both_legs"] is False
    assert "not measured" in unmeasured["why"]
    below = build_plan(1, 0, start - 1)["heel_raise_dosing"]
    assert below["threshold"]["name"] == "heel_raises.start_dose" and str(start) in below["why"]
    assert below["threshold"]["name"] == "heel_raises.start_dose"


def test_key_exercise_dosing_is_the_chosen_step(cat):
    plan = build_plan(2, 4, None)
    key = cat.heel_raise_dosing.exercise
    ex = next(e for b in plan["blocks"] for e in b["exercises"] if e["id"] == key)
    step = _expected_step(cat, 4)
    assert f"{step.sets} sets of {step.reps}" in ex["dosing"]


# -- the plan ------------------------------------------------------------------------------------
@pytest.mark.parametrize("phase", PHASES)
def test_plan_shape(cat, kb, phase):
    plan = build_plan(phase, 2, 15)
    assert plan["phase"] == phase
    assert plan["phase_name"] == kb.phase_name(phase)
    assert plan["sessions_per_week"]["value"] == cat.phases[phase].sessions_per_week.value
    assert [b["name"] for b in plan["blocks"]] == [b.name for b in cat.phases[phase].blocks]
    keys = {"id", "name", "purpose", "dosing", "cues", "surface", "equipment", "easier", "harder"}
    for block in plan["blocks"]:
        for ex in block["exercises"]:
            assert set(ex) == keys
    assert plan["mobility_finisher"]
    assert "reintroduce" not in plan
    json.dumps(plan)


def test_phase_one_stall_is_the_activation_block_daily_and_easier_variants_not_a_second_copy(cat):
    plan = build_plan(1, 5, 8, reintroduce_from_phase=1)
    re = plan["reintroduce"]
    assert re["from_phase"] == 1
    first = cat.phases[1].blocks[0]
    assert re["daily_block"] == {"name": first.name, "exercises": [cat.exercise(i).name for i in first.exercises]}
    in_plan = [e["id"] for b in plan["blocks"] for e in b["exercises"]]
    assert [e["id"] for e in re["easier"]] == list(dict.fromkeys(in_plan))
    assert all(e["easier"] == cat.exercise(e["id"]).easier for e in re["easier"])
    assert "exercises" not in re  # no second copy of this week's exercises
    text = render_plan_text(plan)
    assert "every day" in text and f"{cat.exercise('toe-curls').name}, easier: " in text


def test_reintroduce_from_an_earlier_phase_adds_its_steps_not_in_this_phase(cat):
    plan = build_plan(3, 5, 20, reintroduce_from_phase=2)
    got = [e["id"] for e in plan["reintroduce"]["exercises"]]
    current = set(cat.phase_exercise_ids(3))
    assert got
    assert set(got) <= set(cat.phase_exercise_ids(2))
    assert not set(got) & current


def test_reintroduce_skips_blocks_that_are_not_progression_steps(cat):
    plan = build_plan(5, 5, 30, reintroduce_from_phase=4)
    got = {e["id"] for e in plan["reintroduce"]["exercises"]}
    running = {i for b in cat.phases[4].blocks if not b.progression for i in b.exercises}
    assert running and not got & running
    # the key exercise comes back, so its dosing is in the plan
    assert "heel_raise_dosing" in plan


def test_plan_is_deterministic():
    a = json.dumps(build_plan(2, 3, 10, reintroduce_from_phase=1), sort_keys=False)
    b = json.dumps(build_plan(2, 3, 10, reintroduce_from_phase=1), sort_keys=False)
    assert a == b


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(phase=0, weeks_in_phase=0),
        dict(phase=6, weeks_in_phase=0),
        dict(phase=1, weeks_in_phase=-1),
        dict(phase=2, weeks_in_phase=0, reintroduce_from_phase=9),
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        build_plan(heel_raises_weaker=None, **kwargs)


# -- text ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("phase", PHASES)
def test_text_names_every_exercise_and_fits_the_width(phase):
    plan = build_plan(phase, 4, 10, reintroduce_from_phase=max(1, phase - 1))
    text = render_plan_text(plan)
    flat = " ".join(text.split())
    names = [e["name"] for b in plan["blocks"] for e in b["exercises"]]
    names += [e["name"] for e in plan["reintroduce"].get("exercises", plan["reintroduce"].get("easier", []))]
    for name in names:
        assert name in flat, name
    assert plan["phase_name"] in text
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 100
    for item in plan["mobility_finisher"]:
        assert item["name"] in flat


def test_text_shows_cues_and_the_heel_raise_line():
    plan = build_plan(1, 0, 3)
    text = render_plan_text(plan)
    flat = " ".join(text.split())
    cue = plan["blocks"][0]["exercises"][0]["cues"][0]
    assert f"- {cue}" in flat
    assert "both legs together" in flat
    assert "Heel-raise dosing" in text


# -- a broken catalogue is refused with file:line ---------------------------------------------------
def test_unknown_variant_id_is_refused_with_its_line(tmp_path):
    folder = _broken_copy(tmp_path, "harder_id: towel-scrunches", "harder_id: towel-scrunchez")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    line = _line_of(folder, "towel-scrunchez")
    msg = str(info.value)
    assert f"exercises.yaml:{line}:" in msg
    assert "did you mean 'towel-scrunches'" in msg


def test_unknown_field_is_refused_with_its_line(tmp_path):
    folder = _broken_copy(tmp_path, "    name: Toe curls\n", "    name: Toe curls\n    reps: 10\n")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert re.search(r"exercises\.yaml:\d+: exercises\[\d+\]\.reps: ", str(info.value))
    assert f"exercises.yaml:{_line_of(folder, 'reps: 10')}:" in str(info.value)


def test_unknown_exercise_in_a_phase_block_is_refused_with_its_line(tmp_path):
    folder = _broken_copy(tmp_path, "exercises: [uphill-walks]", "exercises: [uphill-walkz]")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert f"exercises.yaml:{_line_of(folder, 'uphill-walkz')}:" in str(info.value)


def test_unknown_threshold_and_source_are_refused(tmp_path):
    folder = _broken_copy(tmp_path, "below: heel_raises.start_dose", "below: heel_raises.start_dos")
    path = folder / "exercises.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("source: rathleff2015\n  tempo", "source: rathlef2015\n  tempo"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    msg = str(info.value)
    assert f"exercises.yaml:{_line_of(folder, 'below: heel_raises.start_dos')}:" in msg
    assert "unknown threshold 'heel_raises.start_dos'" in msg
    assert "unknown source 'rathlef2015'" in msg


def test_dosing_steps_with_a_gap_are_refused(tmp_path):
    folder = _broken_copy(tmp_path, "{weeks_from: 2, weeks_to: 3,", "{weeks_from: 3, weeks_to: 3,")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert re.search(r"exercises\.yaml:\d+: heel_raise_dosing", str(info.value))
