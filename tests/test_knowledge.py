"""The knowledge base: norms by age and sex, sources, and no clinical number in the code."""

from __future__ import annotations

import pytest

from footcoach.knowledge.base import default_knowledge

KB = default_knowledge()


@pytest.mark.parametrize(
    "age,sex,expected",
    [
        (15, None, 13.1),
        (25, "male", 16.9),
        (42, "female", 13.5),
        (42, "male", 12.0),
        (42, None, 12.0),
        (55, "female", 7.9),
        (65, "male", 5.1),
        (75, None, 2.6),
        (85, "female", 2.1),
        (39, "female", 13.1),
        (40, "female", 13.5),
        (80, "male", 1.8),
    ],
)
def test_eyes_closed_norm_by_age_and_sex(age, sex, expected):
    assert KB.resolve("balance.eyes_closed_norm", age, sex).value == expected


@pytest.mark.parametrize(
    "age,expected", [(12, 44), (39, 44), (40, 41), (59, 41), (60, 32), (79, 21), (80, 9), (100, 9)]
)
def test_eyes_open_norm_by_age(age, expected):
    assert KB.resolve("balance.eyes_open_norm", age).value == expected


def test_under_18_says_youngest_band_is_used():
    assert "youngest band" in KB.resolve("balance.eyes_open_norm", 16).note
    assert "youngest band" not in KB.resolve("balance.eyes_open_norm", 30).note


def test_every_threshold_has_unit_and_known_source():
    for name, t in KB.thresholds.items():
        assert t.unit and t.source in KB.sources, name
    for name, n in KB.norms.items():
        assert n.unit and n.source in KB.sources, name


def test_evidence_labels_are_the_briefs():
    assert {s.evidence for s in KB.sources.values()} <= {"guideline", "trial", "norm", "consensus", "design"}
    for key, s in KB.sources.items():
        if s.evidence == "design":
            assert "footcoach" in s.citation or key == "design-lsi" or s.based_on, key


def test_time_at_the_45_s_cap_meets_any_eyes_open_norm(tmp_path, root):
    """Brief §5: a measured time at the cap meets every eyes-open norm, even a norm set above it."""
    import shutil

    from footcoach.contract.state import State
    from footcoach.inference.engine import RuleBase
    from footcoach.knowledge.base import load_knowledge
    from footcoach.rulebook.loader import load_rules

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(root / "knowledge", kb_dir)
    norms = kb_dir / "norms.yaml"
    norms.write_text(
        norms.read_text().replace("{age_min: null, age_max: 39, value: 44}", "{age_min: null, age_max: 39, value: 50}")
    )
    kb = load_knowledge(kb_dir)
    rb = RuleBase(load_rules(root / "rules", kb), kb)
    base = {
        "runner": {"age": 30},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
        "tests": {"heel_raises": {"left": 15, "right": 15}},
    }
    model = kb.contract_model(State)
    at_cap = model.model_validate(
        {**base, "tests": {**base["tests"], "balance_eyes_open_s": {"left": 45, "right": 45}}}
    )
    below = model.model_validate({**base, "tests": {**base["tests"], "balance_eyes_open_s": {"left": 44, "right": 45}}})
    assert rb.assess(at_cap).action == "progress"
    assert rb.assess(below).action == "hold"
