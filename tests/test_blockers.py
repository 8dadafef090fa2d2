"""What blocks progress, flat: every failing gate with the value now and the value needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from footcoach.knowledge.base import KnowledgeError, default_knowledge, load_knowledge
from footcoach.knowledge.measurements import load_measurements
from footcoach.service import assess_document

from .conftest import ROOT, load_example

KB = default_knowledge()


def _items(state: dict) -> list[dict]:
    return assess_document(state)["progress_blocked_by"]["items"]


def _state(phase: int, weeks: int, tests: dict | None = None, age: int = 30, **pain) -> dict:
    p = {"during": 2, "after": 2, "morning": 1, "settled_next_morning": True, **pain}
    s = {"runner": {"age": age}, "program": {"phase": phase, "weeks_in_phase": weeks}, "pain": p}
    if tests is not None:
        s["tests"] = tests
    return s


def test_either_or_gate_is_the_easier_branch_with_the_other_kept_as_alternative():
    items = _items(load_example("stall-reintroduce")[0])
    balance = next(i for i in items if i["fact"] == "tests.balance_eyes_open_s.weaker")
    norm = KB.resolve("balance.eyes_open_norm", 58).value
    assert (balance["value"], balance["needed"], balance["threshold"]) == (33, norm, "balance.eyes_open_norm")
    assert balance["norm_for"] == "age" and balance["short_by"] == norm - 33
    assert [a["threshold"] for a in balance["alternatives"]] == ["balance.test_cap_s"]
    # shown once: the cap branch is not a second item
    assert sum(i["fact"] == "tests.balance_eyes_open_s.weaker" for i in items) == 1


def test_every_failing_gate_is_listed_with_now_and_needed():
    state = _state(
        2,
        1,
        {"heel_raises": {"left": 22, "right": 17}, "balance_eyes_closed_s": {"left": 14, "right": 14}, "hop_pain": 4},
        during=4,
    )
    items = {i["fact"]: i for i in _items(state)}
    assert items["program.weeks_in_phase"]["value"] == 1
    assert items["program.weeks_in_phase"]["needed"] == KB.value("phase.min_weeks")
    assert items["pain.worst"]["value"] == 4 and items["pain.worst"]["op"] == "<="
    assert items["tests.heel_raises.weaker"]["needed"] == KB.value("heel_raises.return_to_sport_min")
    assert items["tests.heel_raises.lsi"]["needed"] == KB.value("symmetry.lsi_min")
    assert items["tests.hop_pain"]["value"] == 4
    assert "tests.balance_eyes_closed_s.weaker" not in items  # 14 s passes the norm for age 30


def test_missing_measurement_is_one_item_per_test_with_how_to_measure():
    items = _items(_state(1, 3))
    missing = [i for i in items if i.get("missing")]
    assert [i["measure"]["test"] for i in missing] == ["tests.balance_eyes_open_s", "tests.heel_raises"]
    m = load_measurements(KB)
    for i in missing:
        assert i["measure"]["how"] == m[i["measure"]["test"]].how
        assert i["measure"]["source"]["citation"]
        assert "value" not in i


def test_measurement_how_fills_knowledge_values():
    how = load_measurements(KB)["tests.balance_eyes_open_s"].how
    assert f"{KB.int_value('balance.test_cap_s')} seconds" in how and "{" not in how


@pytest.mark.parametrize(
    "bad,expected",
    [
        ("source: springer2007", "unknown source 'springer2070' (did you mean 'springer2007'?)"),
        ("{k.balance.test_cap_s}", "unknown knowledge value {k.balance.test_cap} (did you mean"),
    ],
)
def test_bad_measurement_file_is_a_located_error(tmp_path: Path, bad: str, expected: str):
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    f = folder / "measurements.yaml"
    wrong = "source: springer2070" if bad.startswith("source") else "{k.balance.test_cap}"
    f.write_text(f.read_text().replace(bad, wrong, 1))
    with pytest.raises(KnowledgeError) as exc:
        load_measurements(load_knowledge(folder))
    assert "measurements.yaml:" in str(exc.value) and expected in str(exc.value)


def test_progress_has_no_blockers_and_maintenance_says_so():
    assert "progress_blocked_by" not in assess_document(load_example("progress-to-phase-3")[0])
    a = assess_document(_state(5, 6))
    assert "no further phase" in a["progress_blocked_by"]["note"]
