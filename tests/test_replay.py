"""Replay a rule change over stored inputs: exactly the runners between the old and the new threshold
move; a new red-flag rule refers exactly the runners with that flag on record; an unchanged rule base
changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from footcoach.governance.assessing import Assessor
from footcoach.governance.replay import StoredInput, latest_per_runner, replay

from .conftest import example_names, load_example

ROOT = Path(__file__).resolve().parent.parent
GREEN = {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True}


def phase_1_runner(i: int, reps: int, red_flags: list[str] | None = None) -> StoredInput:
    doc = {
        "runner": {"id": f"r-{i:03d}", "age": 30 + i % 40},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": dict(GREEN),
        "red_flags": red_flags or [],
        "tests": {"balance_eyes_open_s": {"left": 45, "right": 45}, "heel_raises": {"left": reps, "right": reps + 1}},
    }
    return StoredInput(f"r-{i:03d}", doc, "2026-11-01T10:00:00Z", i)


def runners() -> list[StoredInput]:
    generated = [phase_1_runner(i, reps) for i, reps in enumerate(range(6, 20))]
    shared = [StoredInput(name, load_example(name)[0], "2026-11-01", 100 + n) for n, name in enumerate(example_names())]
    return generated + shared


@pytest.fixture
def knowledge_copy(tmp_path):
    k = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", k)
    return k


def test_an_unchanged_rule_base_changes_nothing():
    report = replay(runners(), Assessor(), Assessor(str(ROOT / "rules"), str(ROOT / "knowledge")))
    assert report.inputs == len(runners()) and report.changes == [] and report.errors == []
    assert report.unchanged == report.inputs and report.knowledge_diff == []
    assert report.rules_diff == {"added": [], "removed": [], "changed": []}


def test_raising_the_phase_1_heel_raise_gate_moves_exactly_the_runners_between_12_and_14(knowledge_copy):
    t = knowledge_copy / "thresholds.yaml"
    text = t.read_text()
    old = "start_dose:\n    value: 12"
    assert old in text
    t.write_text(text.replace(old, "start_dose:\n    value: 14"))
    report = replay(runners(), Assessor(), Assessor(str(ROOT / "rules"), str(knowledge_copy)))
    moved = sorted(c.runner_id for c in report.changes)
    # weaker leg = reps: progress under 12 needs reps >= 12, under 14 reps >= 14: reps 12 and 13 move
    expected = sorted(i.runner_id for i in runners()[:14] if 12 <= i.document["tests"]["heel_raises"]["left"] < 14)
    assert moved == expected and len(moved) == 2
    for change in report.changes:
        assert change.old == {"action": "progress", "next_phase": 2}
        assert change.new == {"action": "hold", "next_phase": 1}
        assert "gate-p1-heel-raises" in change.rules_only_old
        assert {"name": "heel_raises.start_dose", "old": 12, "new": 14} in change.knowledge
    (row,) = report.summary()
    assert row["runners"] == 2 and row["change"].startswith("progress -> hold")
    assert row["change"] == "progress -> hold; gate-p1-heel-raises; heel_raises.start_dose 12 -> 14"


def test_a_new_red_flag_rule_refers_exactly_the_runners_with_that_flag(tmp_path):
    without = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", without)
    (without / "red_flags" / "red-flag-sudden-pop.yaml").unlink()
    items = runners()
    items[3] = phase_1_runner(3, 9, ["sudden_pop"])
    items[10] = phase_1_runner(10, 16, ["sudden_pop"])
    report = replay(items, Assessor(str(without), None), Assessor())
    assert report.rules_diff["added"] == ["red-flag-sudden-pop"]
    assert sorted(c.runner_id for c in report.changes) == ["r-003", "r-010"]
    assert all(c.new["action"] == "refer" for c in report.changes)
    assert all("red-flag-sudden-pop" in c.rules_only_new for c in report.changes)


def test_latest_per_runner_keeps_the_newest_input():
    a = StoredInput("r1", {}, "2026-01-01", 1)
    b = StoredInput("r1", {}, "2026-02-01", 2)
    c = StoredInput("r2", {}, "2026-01-05", 3)
    assert list(latest_per_runner([b, a, c])) == [b, c]


def test_worker_processes_give_the_same_report(knowledge_copy):
    t = knowledge_copy / "thresholds.yaml"
    t.write_text(t.read_text().replace("start_dose:\n    value: 12", "start_dose:\n    value: 14"))
    items = runners() * 12
    one = replay(items, Assessor(), Assessor(None, str(knowledge_copy)), jobs=1).as_record()
    two = replay(items, Assessor(), Assessor(None, str(knowledge_copy)), jobs=2).as_record()
    assert one == two and one["changed"] == 24 and one["inputs"] == len(items)
