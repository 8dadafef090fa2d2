"""What-if and nearest progress, with answers worked out by hand from the clinical brief (§5 gates,
Springer 2007 norms)."""

from __future__ import annotations

import pytest

from footcoach.contract.errors import InputError
from footcoach.governance.assessing import Assessor
from footcoach.governance.whatif import apply_changes, nearest_progress, what_if

GREEN = {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True}


@pytest.fixture(scope="module")
def assessor():
    return Assessor()


def state(age, sex, phase, weeks, tests, pain=GREEN):
    return {
        "runner": {"age": age, "sex": sex},
        "program": {"phase": phase, "weeks_in_phase": weeks},
        "pain": dict(pain),
        "tests": tests,
    }


def changes(result):
    return [[(c.path, c.old, c.new) for c in option] for option in result.options]


def test_phase_1_needs_balance_and_heel_raises_a_pair(assessor):
    # Age 45: eyes-open norm 41 s (40-49); phase 1 gate: both legs >= 12 heel raises.
    doc = state(
        45, "female", 1, 3, {"balance_eyes_open_s": {"left": 33, "right": 45}, "heel_raises": {"left": 10, "right": 12}}
    )
    r = nearest_progress(assessor, doc)
    assert r.action == "hold" and not r.already
    assert changes(r) == [[("tests.balance_eyes_open_s.left", 33, 41), ("tests.heel_raises.left", 10, 12)]]


def test_phase_2_heel_raises_both_legs_20_one_leg_is_enough(assessor):
    # Phase 2 -> 3: both legs >= 20 and LSI >= 90; 0.9 x 22 = 19.8, so the left leg needs 20.
    doc = state(
        30,
        "male",
        2,
        3,
        {"balance_eyes_closed_s": {"left": 17, "right": 17}, "heel_raises": {"left": 18, "right": 22}, "hop_pain": 1},
    )
    assert changes(nearest_progress(assessor, doc)) == [[("tests.heel_raises.left", 18, 20)]]


def test_phase_3_symmetry_sets_the_target_above_the_gate(assessor):
    # Phase 3 -> 4: both >= 25 and LSI >= 90: left 25 against right 30 needs 0.9 x 30 = 27.
    doc = state(35, "female", 3, 2, {"heel_raises": {"left": 25, "right": 30}, "hop_pain": 0})
    assert changes(nearest_progress(assessor, doc)) == [[("tests.heel_raises.left", 25, 27)]]


def test_hop_pain_must_come_down_to_the_gate(assessor):
    doc = state(35, "female", 3, 2, {"heel_raises": {"left": 28, "right": 28}, "hop_pain": 4})
    assert changes(nearest_progress(assessor, doc)) == [[("tests.hop_pain", 4, 2)]]


def test_eyes_closed_norm_with_a_decimal_for_a_woman_in_her_fifties(assessor):
    # Springer 2007: eyes closed, women 50-59: 7.9 s.
    doc = state(
        52,
        "female",
        2,
        2,
        {"balance_eyes_closed_s": {"left": 6.2, "right": 9}, "heel_raises": {"left": 22, "right": 22}, "hop_pain": 0},
    )
    assert changes(nearest_progress(assessor, doc)) == [[("tests.balance_eyes_closed_s.left", 6.2, 7.9)]]


def test_an_unmeasured_test_is_named_for_both_legs(assessor):
    # Phase 1, age 62: eyes-open norm 32 s (60-69); balance never measured.
    doc = state(62, "male", 1, 2, {"heel_raises": {"left": 14, "right": 15}})
    assert changes(nearest_progress(assessor, doc)) == [
        [("tests.balance_eyes_open_s.left", None, 32), ("tests.balance_eyes_open_s.right", None, 32)]
    ]


def test_amber_pain_cannot_be_fixed_by_measures(assessor):
    doc = state(
        35, "female", 3, 2, {"heel_raises": {"left": 28, "right": 28}, "hop_pain": 0}, pain={**GREEN, "during": 4}
    )
    r = nearest_progress(assessor, doc)
    assert r.options == []
    assert any("pain" in words for words in r.not_by_measures)


def test_weeks_in_phase_are_not_a_measure(assessor):
    doc = state(35, "female", 4, 2, {"heel_raises": {"left": 28, "right": 28}})
    r = nearest_progress(assessor, doc)
    assert r.options == [] and any("weeks" in words for words in r.not_by_measures)


def test_a_runner_who_progresses_already_needs_nothing(assessor):
    doc = state(35, "female", 3, 2, {"heel_raises": {"left": 28, "right": 28}, "hop_pain": 0})
    r = nearest_progress(assessor, doc)
    assert r.already and r.action == "progress" and r.options == []


def test_what_if_reports_the_decision_before_and_after_and_the_rules_that_changed(assessor):
    doc = state(
        45, "female", 1, 3, {"balance_eyes_open_s": {"left": 33, "right": 45}, "heel_raises": {"left": 10, "right": 12}}
    )
    r = what_if(assessor, doc, ["tests.balance_eyes_open_s.left=41", "tests.heel_raises.left=12"])
    assert r["before"] == {"action": "hold", "next_phase": 1}
    assert r["after"] == {"action": "progress", "next_phase": 2}
    assert "progress-from-phase-1" in r["rules_now_firing"]
    assert "hold-gates-not-met" in r["rules_no_longer_firing"]
    assert {"kind": "progression", "rule": "progress-from-phase-1"} in r["recommendations_added"]


def test_what_if_one_short_of_the_gate_changes_nothing(assessor):
    doc = state(
        45, "female", 1, 3, {"balance_eyes_open_s": {"left": 33, "right": 45}, "heel_raises": {"left": 10, "right": 12}}
    )
    r = what_if(assessor, doc, ["tests.balance_eyes_open_s.left=40.9", "tests.heel_raises.left=12"])
    assert not r["decision_changed"] and r["after"]["action"] == "hold"


def test_what_if_creates_missing_objects_and_validates_the_result(assessor):
    doc = state(45, "female", 1, 3, {})
    assert apply_changes(doc, ["tests.hop_pain=3"])["tests"] == {"hop_pain": 3}
    with pytest.raises(InputError) as err:
        what_if(assessor, doc, ["tests.heel_raises.left=250"])
    text = "\n".join(err.value.problems)
    assert "tests.heel_raises" in text


@pytest.mark.parametrize("bad", ["no-equals-sign", "=3"])
def test_what_if_refuses_a_change_without_field_and_value(bad):
    with pytest.raises(InputError, match="FIELD=VALUE"):
        apply_changes({}, [bad])


def _cli(*args: str):
    from click.testing import CliRunner

    from footcoach.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_what_if_and_nearest_progress(tmp_path):
    import json

    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            state(
                45,
                "female",
                1,
                3,
                {"balance_eyes_open_s": {"left": 33, "right": 45}, "heel_raises": {"left": 10, "right": 12}},
            )
        )
    )
    r = _cli("assess", str(path), "--nearest-progress")
    assert r.exit_code == 0, r.output
    assert "eyes-open balance left leg 33 -> 41 s; heel raises left leg 10 -> 12 repetitions" in r.stdout
    r = _cli(
        "assess",
        str(path),
        "--what-if",
        "tests.balance_eyes_open_s.left=41",
        "--what-if",
        "tests.heel_raises.left=12",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["before"]["action"] == "hold" and doc["after"] == {"action": "progress", "next_phase": 2}
    r = _cli("assess", str(path), "--what-if", "tests.heel_raises.left=900")
    assert r.exit_code == 2 and r.stdout == ""
    assert "--what-if: tests.heel_raises.left: value 900" in r.stderr
    r = _cli("assess", str(path), "--what-if", "tests.heel_raises.left=12", "--nearest-progress")
    assert r.exit_code == 2 and "--nearest-progress" in r.stderr


def test_three_measures_together_when_no_pair_is_enough(assessor):
    # Age 58 (norm 41 s, 50-59): balance 33 and 35 both under the norm, heel raises 10 under 12:
    # both balance legs and the left heel raises must change together.
    doc = state(
        58, "female", 1, 6, {"balance_eyes_open_s": {"left": 33, "right": 35}, "heel_raises": {"left": 10, "right": 12}}
    )
    assert changes(nearest_progress(assessor, doc)) == [
        [
            ("tests.balance_eyes_open_s.left", 33, 41),
            ("tests.balance_eyes_open_s.right", 35, 41),
            ("tests.heel_raises.left", 10, 12),
        ]
    ]


def test_an_either_or_balance_gate_is_searched(assessor):
    # The eyes-open gate is "age norm or the 45 s cap": its measure must still be tried.
    doc = state(
        58, "female", 1, 6, {"balance_eyes_open_s": {"left": 33, "right": 45}, "heel_raises": {"left": 12, "right": 12}}
    )
    assert changes(nearest_progress(assessor, doc)) == [[("tests.balance_eyes_open_s.left", 33, 41)]]
