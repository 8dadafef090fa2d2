"""Properties over generated runner states (hypothesis)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footcoach.cli import main
from footcoach.knowledge.base import default_knowledge
from footcoach.service import assess_document

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

KB = default_knowledge()
SAFE = KB.value("pain.safe_max")
nrs = st.integers(0, SHIPPED.nrs_max)
secs = st.floats(0, SHIPPED.balance_cap, allow_nan=False).map(lambda x: round(x, 1))
reps = st.integers(0, SHIPPED.reps_max // 4)


def pair(values):
    return st.fixed_dictionaries({"left": values, "right": values})


@st.composite
def states(draw):
    phase = draw(st.integers(1, 5))
    weeks = draw(st.integers(0, 10))
    state = {
        "runner": draw(
            st.fixed_dictionaries(
                {"age": st.integers(12, 100)},
                optional={
                    "sex": st.sampled_from(["female", "male"]),
                    "experience": st.sampled_from(["novice", "occasional", "regular"]),
                },
            )
        ),
        "program": {"phase": phase, "weeks_in_phase": weeks, "weeks_in_program": weeks + draw(st.integers(0, 20))},
        "pain": {
            "during": draw(nrs),
            "after": draw(nrs),
            "morning": draw(nrs),
            "settled_next_morning": draw(st.booleans()),
            "sharp": draw(st.booleans()),
        },
        "red_flags": draw(st.lists(st.sampled_from(SHIPPED.red_flags), max_size=2, unique=True)),
        "tests": draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "balance_eyes_open_s": pair(secs),
                    "balance_eyes_closed_s": pair(secs),
                    "heel_raises": pair(reps),
                    "hop_pain": nrs,
                },
            )
        ),
    }
    n = draw(st.integers(0, 6))
    state["history"] = [
        draw(
            st.fixed_dictionaries(
                {"week": st.just(i + 1)},
                optional={"pain_morning": nrs, "balance_eyes_open_s": pair(secs), "heel_raises": pair(reps)},
            )
        )
        for i in range(n)
    ]
    state["shoes"] = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["A", "B"])},
                optional={
                    "km": st.integers(0, 1200),
                    "drop_mm": st.integers(0, 12),
                    "minimalist": st.booleans(),
                    "weeks_worn": st.integers(0, 30),
                },
            ),
            max_size=2,
        )
    )
    state["running"] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "weekly_km": st.integers(0, 80),
                "previous_weekly_km": st.integers(0, 80),
                "longest_run_km_30d": st.integers(0, 30),
                "planned_long_run_km": st.integers(0, 35),
            },
        )
    )
    return state


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rising(state) -> bool:
    vals = [e.get("pain_morning") for e in state["history"][-KB.int_value("pain.rising_entries") :]]
    return (
        len(vals) == KB.int_value("pain.rising_entries")
        and None not in vals
        and all(a < b for a, b in zip(vals, vals[1:]))
    )


@SETTINGS
@given(states())
def test_any_red_flag_refers(state):
    a = assess_document(state)
    if state["red_flags"]:
        assert a["action"] == "refer"
        assert any(r["kind"] == "referral" for r in a["recommendations"])


@SETTINGS
@given(states())
def test_no_progress_unless_pain_is_green(state):
    a = assess_document(state)
    p = state["pain"]
    if max(p["during"], p["after"]) > SAFE or not p["settled_next_morning"] or p["sharp"] or _rising(state):
        assert a["action"] != "progress"


@SETTINGS
@given(states())
def test_exactly_one_action_and_consistent_next_phase(state):
    a = assess_document(state)
    carrying = [r for r in a["recommendations"] if r["kind"] in ("progression", "hold", "regression", "referral")]
    kinds = {r["kind"] for r in carrying}
    assert len(kinds) == 1
    expected_kind = {"progress": "progression", "hold": "hold", "regress": "regression", "refer": "referral"}
    assert kinds == {expected_kind[a["action"]]}
    cur = state["program"]["phase"]
    nxt = {"progress": cur + 1, "regress": max(1, cur - 1), "hold": cur, "refer": cur}[a["action"]]
    assert a["phase"] == {**a["phase"], "current": cur, "next": nxt}
    assert 1 <= a["phase"]["next"] <= 5
    assert a["plan"]["phase"] == nxt


@SETTINGS
@given(states())
def test_every_recommendation_rule_is_in_the_trace(state):
    a = assess_document(state)
    fired = {t["rule"] for t in a["trace"]}
    steps = {t["step"]: t["rule"] for t in a["trace"]}
    for r in a["recommendations"]:
        assert r["rule"] in fired
        assert steps[max(r["because"])] == r["rule"]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "runner",
                        "program",
                        "pain",
                        "age",
                        "phase",
                        "during",
                        "weeks_in_phase",
                        "red_flags",
                        "tests",
                        "history",
                        "x",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_no_input_produces_a_traceback(doc):
    r = CliRunner().invoke(main, ["assess", "-", "--format", "json"], input=json.dumps(doc))
    assert r.exit_code in (0, 2), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    if r.exit_code == 2:
        assert r.stdout == "" and "error:" in r.stderr
