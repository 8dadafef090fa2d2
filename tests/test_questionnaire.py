"""The questionnaire (footcoach.triage.questionnaire): loading and checking the file, answers to state,
agreement with `assess`, and the FHIR Questionnaire / QuestionnaireResponse."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footcoach.common.paths import knowledge_dir
from footcoach.contract.errors import InputError
from footcoach.knowledge.base import default_knowledge
from footcoach.service import assess, load_state
from footcoach.service import assess_triage as triage
from footcoach.triage.questionnaire import (
    QUESTIONNAIRE_FILE,
    AnswerProblem,
    QuestionnaireError,
    answers_from_fhir_response,
    answers_to_fhir_response,
    answers_to_state,
    default_questionnaire,
    load_questionnaire,
    parse_value,
    resolve_answers,
    show_json,
    to_fhir_questionnaire,
    validate_fhir,
)

from .conftest import answers_from_show, example_names, load_example

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

Q = default_questionnaire()
SHOW = show_json(Q)
PAIN_LOINC = "72514-3"


# ---- the checker's way of answering: the value at each question's maps_to ----------------------


def answers_from_state(state: dict[str, Any], show: list[dict[str, Any]] = SHOW) -> dict[str, Any]:
    """Answers built only from `questionnaire show`'s maps_to, as an outside checker would build them."""
    return answers_from_show(state, show)


def triage_answers(raw: dict[str, Any]) -> dict[str, Any]:
    resolved = resolve_answers(Q, raw)
    assert not resolved.problems, resolved.problems
    return triage(Q, resolved.answers).assessment


def _same_decision(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert (a["action"], a["phase"]["next"]) == (b["action"], b["phase"]["next"])
    assert sorted(r["kind"] for r in a["recommendations"]) == sorted(r["kind"] for r in b["recommendations"])


# ---- loading ----------------------------------------------------------------------------------


def test_every_question_has_words_why_type_and_a_checked_field():
    ids = [q.id for q in Q.questions]
    assert len(ids) == len(set(ids))
    for q in Q.questions:
        assert q.text and q.why and q.decisions and q.type
        assert q.maps_to is not None or q.sets, q.id
    # Red flags first, all eight of them.
    flags = [q.red_flag for q in Q.questions[: len(SHIPPED.red_flags)]]
    assert sorted(flags) == sorted(SHIPPED.red_flags)


def test_ranges_come_from_the_models():
    by = Q.by_maps_to()
    assert (by["pain.during"].allowed.lo, by["pain.during"].allowed.hi) == (0, SHIPPED.nrs_max)
    assert (by["runner.age"].allowed.lo, by["runner.age"].allowed.hi) == (SHIPPED.age_min, SHIPPED.age_max)
    assert by["tests.balance_eyes_open_s.left"].allowed.hi == SHIPPED.balance_cap
    assert by["tests.heel_raises.right"].allowed.hi == SHIPPED.reps_max
    assert Q.question("shoes").field("drop_mm").allowed.hi == SHIPPED.drop_max_mm
    assert by["runner.sex"].allowed.options == ("female", "male")
    assert by["runner.age"].required and not by["runner.sex"].required
    assert not by["pain.sharp"].required and by["pain.sharp"].allowed.default is False


def test_every_contract_field_is_asked():
    asked = {q["maps_to"] for q in SHOW if q["maps_to"]}
    for leaf in (
        "runner.age",
        "runner.sex",
        "runner.experience",
        "program.phase",
        "program.weeks_in_phase",
        "program.weeks_in_program",
        "pain.during",
        "pain.after",
        "pain.morning",
        "pain.settled_next_morning",
        "pain.sharp",
        "tests.balance_eyes_open_s.left",
        "tests.balance_eyes_open_s.right",
        "tests.balance_eyes_closed_s.left",
        "tests.balance_eyes_closed_s.right",
        "tests.heel_raises.left",
        "tests.heel_raises.right",
        "tests.hop_pain",
        "shoes",
        "history",
        "running.weekly_km",
        "running.previous_weekly_km",
        "running.longest_run_km_30d",
        "running.planned_long_run_km",
    ):
        assert leaf in asked, leaf
    assert {f"red_flags.{f}" for f in SHIPPED.red_flags} <= asked
    assert {f.maps_to for f in Q.question("shoes").fields} == {"name", "km", "drop_mm", "minimalist", "weeks_worn"}


def test_show_json_gives_what_a_checker_needs():
    for q in SHOW:
        assert set(q) >= {"id", "text", "type", "allowed", "maps_to", "condition"}
    by = {q["id"]: q for q in SHOW}
    assert by["pain_during"]["allowed"]["min"] == 0 and by["pain_during"]["allowed"]["max"] == SHIPPED.nrs_max
    assert by["program_weeks_in_phase"]["condition"] == {"question": "new_runner", "equals": False}
    assert by["heel_raises_left"]["intro"]  # the test is explained before it is asked
    assert by["pain_during"]["code"]["code"] == PAIN_LOINC


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / QUESTIONNAIRE_FILE
    text = (knowledge_dir() / QUESTIONNAIRE_FILE).read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "old,new,needle,message",
    [
        ("maps_to: pain.during", "maps_to: pain.durng", "pain.durng", "did you mean 'during'"),
        ("maps_to: red_flags.night_pain", "maps_to: red_flags.night_pains", "night_pains", "did you mean 'night_pain'"),
        (
            "    type: integer\n    maps_to: runner.age",
            "    type: decimal\n    maps_to: runner.age",
            "type: decimal",
            "is integer in the contract models, not decimal",
        ),
        (
            "    when: {question: new_runner, equals: false}\n  - id: program_weeks_in_phase",
            "    whn: {question: new_runner, equals: false}\n  - id: program_weeks_in_phase",
            "whn:",
            "did you mean 'when'",
        ),
        (
            "when: {question: new_runner, equals: false}",
            "when: {question: new_runer, equals: false}",
            "new_runer",
            "did you mean 'new_runner'",
        ),
        (
            "maps_to: tests.heel_raises.left",
            "maps_to: tests.heel_raises",
            "maps_to: tests.heel_raises\n",
            "is an object",
        ),
        (
            "    text: How old are you (in whole years)?",
            "    text: How old are you {age_max}?",
            "{age_max}",
            "unknown placeholder",
        ),
    ],
)
def test_a_broken_questionnaire_is_refused_with_file_line_field(tmp_path, old, new, needle, message):
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(QuestionnaireError) as exc:
        load_questionnaire(path)
    text = str(exc.value)
    assert message in text
    line = _line(path, needle.rstrip("\n"))
    assert f"{path}:{line}: questions[" in text


def test_a_forgotten_contract_field_is_refused(tmp_path):
    path = _broken_copy(tmp_path, "    maps_to: running.planned_long_run_km\n", "\n")
    with pytest.raises(QuestionnaireError) as exc:
        load_questionnaire(path)
    assert "contract field 'running.planned_long_run_km' is not asked" in str(exc.value)


def test_red_flags_must_come_first(tmp_path):
    text = (knowledge_dir() / QUESTIONNAIRE_FILE).read_text(encoding="utf-8")
    block_start = text.index("  - id: red_flag_bilateral_inflammatory")
    block_end = text.index("  # -- where you are in the routine")
    block = text[block_start:block_end]
    text = text[:block_start] + text[block_end:]
    text = text.replace("  # -- the diary", block + "  # -- the diary")
    path = tmp_path / QUESTIONNAIRE_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as exc:
        load_questionnaire(path)
    assert "red-flag questions must come first" in str(exc.value)


# ---- one answer -------------------------------------------------------------------------------


def test_parse_value_accepts_words_and_numbers_and_says_what_is_wrong():
    pain = Q.question("pain_during").allowed
    assert parse_value(pain, " 3 ") == 3 and parse_value(pain, 3) == 3 and parse_value(pain, 3.0) == 3
    for bad in ("3.5", "three", True, -1, SHIPPED.nrs_max + 1, None):
        with pytest.raises(AnswerProblem):
            parse_value(pain, bad)
    yes_no = Q.question("pain_sharp").allowed
    assert (
        parse_value(yes_no, "Yes", forms=Q.forms) is True
        and parse_value(yes_no, "n", forms=Q.forms) is False
        and parse_value(yes_no, False) is False
    )
    with pytest.raises(AnswerProblem):
        parse_value(yes_no, 1)
    with pytest.raises(AnswerProblem):  # without the questionnaire's forms only the exact values count
        parse_value(yes_no, "y")
    sex = Q.question("runner_sex")
    assert parse_value(sex.allowed, "Female") == "female" and parse_value(sex.allowed, "2") == "male"
    km = Q.question("running_weekly_km").allowed
    assert parse_value(km, "12.5") == 12.5 and parse_value(km, 30) == 30


# ---- answers -> state -------------------------------------------------------------------------

NEW_RUNNER = {
    **{f"red_flag_{f}": False for f in SHIPPED.red_flags},
    "runner_age": 35,
    "pain_during": 2,
    "pain_after": 1,
    "pain_morning": 1,
    "pain_settled_next_morning": True,
}


def test_a_new_runner_starts_in_phase_1():
    resolved = resolve_answers(Q, NEW_RUNNER)
    assert not resolved.problems
    assert resolved.inferred == {"new_runner": True}
    state = answers_to_state(Q, resolved.answers)
    assert state["program"] == {"phase": 1, "weeks_in_phase": 0, "weeks_in_program": 0}
    assert triage(Q, resolved.answers).assessment["phase"]["current"] == 1


def test_a_phase_answered_means_a_returning_runner():
    resolved = resolve_answers(Q, {**NEW_RUNNER, "program_phase": 3, "program_weeks_in_phase": 2})
    assert not resolved.problems and resolved.inferred == {"new_runner": False}
    assert answers_to_state(Q, resolved.answers)["program"] == {"phase": 3, "weeks_in_phase": 2}


def test_bad_answers_name_the_question_the_value_and_what_is_allowed():
    resolved = resolve_answers(
        Q,
        {
            **NEW_RUNNER,
            "pain_during": 11,
            "runner_sex": "other",
            "pain_durin": 2,
            "new_runner": True,
            "program_weeks_in_phase": 3,
        },
    )
    text = "\n".join(resolved.problems)
    assert "question pain_during (pain.during): value 11 is out of range; allowed: a whole number from 0 to 10" in text
    assert "question runner_sex (runner.sex): value 'other' is not allowed; allowed: one of: female, male" in text
    assert "unknown question 'pain_durin' (did you mean 'pain_during'?)" in text
    assert "question program_weeks_in_phase: answered, but it is asked only when new_runner is no" in text


def test_answers_that_do_not_fit_together_name_the_question():
    resolved = resolve_answers(
        Q,
        {
            **NEW_RUNNER,
            "program_phase": 2,
            "program_weeks_in_phase": 5,
            "program_weeks_in_program": 3,
            "balance_eyes_open_left": 30,
        },
    )
    text = "\n".join(resolved.problems)
    assert "question program_weeks_in_program (program.weeks_in_program): value 3" in text
    assert "question balance_eyes_open_right (tests.balance_eyes_open_s.right): missing" in text


def test_missing_red_flags_are_missing_answers_not_no():
    raw = {k: v for k, v in NEW_RUNNER.items() if k != "red_flag_night_pain"}
    assert any("red_flag_night_pain" in p and "missing" in p for p in resolve_answers(Q, raw).problems)


def test_a_red_flag_needs_no_other_answer():
    resolved = resolve_answers(Q, {"red_flag_sudden_pop": True})
    assert not resolved.problems and resolved.red_flags == ["sudden_pop"]
    result = triage(Q, resolved.answers)
    assert result.assessment["action"] == "refer" and result.assessment["phase"]["next"] == 1
    assert f"runner.age = {SHIPPED.age_min}" in result.assumed  # not asked: filled, and said so


def test_a_red_flag_keeps_the_answered_phase():
    resolved = resolve_answers(Q, {"red_flag_cannot_hop": "yes", "program_phase": 4})
    assessment = triage(Q, resolved.answers).assessment
    assert assessment["action"] == "refer" and assessment["phase"] == {**assessment["phase"], "current": 4, "next": 4}


# ---- triage agrees with assess ------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_answers_from_maps_to_give_the_assessment_of_the_state(name):
    state, _expected = load_example(name)
    assert triage_answers(answers_from_state(state)) == assess(load_state(state))


def _pair(hi: int, floats: bool):
    value = (
        st.floats(min_value=0, max_value=hi, allow_nan=False).map(lambda v: round(v, 1))
        if floats
        else st.integers(min_value=0, max_value=hi)
    )
    return st.fixed_dictionaries({"left": value, "right": value})


def _optional(d: dict[str, Any]):
    """A dict strategy whose keys may each be left out."""
    return st.fixed_dictionaries({}, optional=d)


@st.composite
def states(draw) -> dict[str, Any]:
    nrs = st.integers(min_value=0, max_value=SHIPPED.nrs_max)
    weeks_in_phase = draw(st.integers(min_value=0, max_value=8))
    program = {"phase": draw(st.integers(min_value=1, max_value=5)), "weeks_in_phase": weeks_in_phase}
    if draw(st.booleans()):
        program["weeks_in_program"] = weeks_in_phase + draw(st.integers(min_value=0, max_value=20))
    runner = {
        "age": draw(st.integers(min_value=SHIPPED.age_min, max_value=SHIPPED.age_max)),
        **draw(
            _optional(
                {
                    "sex": st.sampled_from(["female", "male"]),
                    "experience": st.sampled_from(["novice", "occasional", "regular"]),
                }
            )
        ),
    }
    pain = {
        "during": draw(nrs),
        "after": draw(nrs),
        "morning": draw(nrs),
        "settled_next_morning": draw(st.booleans()),
        **draw(_optional({"sharp": st.booleans()})),
    }
    state: dict[str, Any] = {"runner": runner, "program": program, "pain": pain}
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        state["red_flags"] = draw(st.lists(st.sampled_from(SHIPPED.red_flags), min_size=1, max_size=2, unique=True))
    tests = draw(
        _optional(
            {
                "balance_eyes_open_s": _pair(SHIPPED.balance_cap, True),
                "balance_eyes_closed_s": _pair(SHIPPED.balance_cap, True),
                "heel_raises": _pair(40, False),
                "hop_pain": nrs,
            }
        )
    )
    if tests:
        state["tests"] = tests
    n = draw(st.integers(min_value=0, max_value=6))
    if n:
        first = draw(st.integers(min_value=0, max_value=4))
        state["history"] = [
            {
                "week": first + i,
                **draw(
                    _optional(
                        {
                            "pain_morning": nrs,
                            "balance_eyes_open_s": _pair(SHIPPED.balance_cap, False),
                            "heel_raises": _pair(40, False),
                            "foot_fatigue": nrs,
                        }
                    )
                ),
            }
            for i in range(n)
        ]
    shoes = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["Daily trainer", "Racer", "Trail"])},
                optional={
                    "km": st.integers(min_value=0, max_value=1200),
                    "drop_mm": st.integers(0, SHIPPED.drop_max_mm),
                    "minimalist": st.booleans(),
                    "weeks_worn": st.integers(min_value=0, max_value=60),
                },
            ),
            max_size=2,
        )
    )
    if shoes:
        state["shoes"] = shoes
    running = draw(
        _optional(
            {
                k: st.integers(min_value=0, max_value=60)
                for k in ("weekly_km", "previous_weekly_km", "longest_run_km_30d", "planned_long_run_km")
            }
        )
    )
    if running:
        state["running"] = running
    return state


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states())
def test_property_triage_and_assess_agree_on_the_same_state(state):
    expected = assess(load_state(state))
    got = triage_answers(answers_from_state(state))
    _same_decision(got, expected)
    if not state.get("red_flags"):
        assert got == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states())
def test_property_a_questionnaire_response_round_trips_to_the_same_assessment(state):
    resolved = resolve_answers(Q, answers_from_state(state))
    response = json.loads(json.dumps(answers_to_fhir_response(Q, resolved.answers)))
    assert validate_fhir(response) == []
    again = resolve_answers(Q, answers_from_fhir_response(Q, response))
    assert not again.problems
    assert again.answers == resolved.answers
    assert triage(Q, again.answers).assessment == triage(Q, resolved.answers).assessment


# ---- FHIR -------------------------------------------------------------------------------------


def _items(resource: dict[str, Any]):
    for item in resource.get("item", []):
        yield item
        yield from _items(item)


def test_the_fhir_export_validates_and_carries_the_questionnaire():
    from fhir.resources.questionnaire import Questionnaire

    resource = to_fhir_questionnaire(Q)
    assert validate_fhir(resource) == []
    Questionnaire.model_validate(json.loads(json.dumps(resource)))
    items = {i["linkId"]: i for i in _items(resource)}
    for q in Q.questions:
        assert q.id in items
    pain = items["pain_during"]
    assert pain["type"] == "integer" and pain["code"][0]["code"] == PAIN_LOINC
    assert pain["code"][0]["system"] == "http://loinc.org"
    ext = {e["url"].rsplit("/", 1)[-1]: e["valueInteger"] for e in pain["extension"]}
    assert ext == {"minValue": 0, "maxValue": SHIPPED.nrs_max}
    assert items["program_weeks_in_phase"]["enableWhen"] == [
        {"question": "new_runner", "operator": "=", "answerBoolean": False}
    ]
    assert [o["valueCoding"]["code"] for o in items["runner_sex"]["answerOption"]] == ["female", "male"]
    assert items["balance_eyes_open_left"]["extension"][1]["valueDecimal"] == SHIPPED.balance_cap
    assert items["shoes"]["repeats"] is True and "shoes.km" in items
    assert items["heel_raises_left.intro"]["type"] == "display"


def _full_response() -> dict[str, Any]:
    state, _ = load_example("amber-hold-worn-shoes")
    return answers_to_fhir_response(Q, resolve_answers(Q, answers_from_state(state)).answers)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda r: r.update(status="in-progress"), 'status: value "in-progress": not finished'),
        (lambda r: r.update(questionnaire="http://example.org/Questionnaire/other"), "answers another questionnaire"),
        (lambda r: r["item"].append({"linkId": "pain_durin", "answer": [{"valueInteger": 1}]}), "unknown linkId"),
        (
            lambda r: r["item"].__setitem__(0, {"linkId": r["item"][0]["linkId"], "answer": [{"valueString": "no"}]}),
            "allowed: valueBoolean",
        ),
        (lambda r: r.update(item="not a list"), "not a valid FHIR QuestionnaireResponse"),
        (lambda r: r.update(status="done"), 'status: value "done": not finished; allowed: completed or amended'),
        (
            lambda r: r["item"].__setitem__(
                0, {"linkId": r["item"][0]["linkId"], "answer": [{"valueBoolean": "perhaps"}]}
            ),
            "not a valid FHIR QuestionnaireResponse",
        ),
    ],
)
def test_a_malformed_questionnaire_response_is_refused_clearly(mutate, message):
    response = copy.deepcopy(_full_response())
    mutate(response)
    with pytest.raises(InputError) as exc:
        answers_from_fhir_response(Q, response)
    assert message in str(exc.value)


def test_the_shipped_file_is_the_default(tmp_path):
    shutil.copy(knowledge_dir() / QUESTIONNAIRE_FILE, tmp_path / QUESTIONNAIRE_FILE)
    assert load_questionnaire(tmp_path / QUESTIONNAIRE_FILE).ids == Q.ids


def test_an_answer_may_be_keyed_by_its_maps_to_path():
    by_path = {Q.question(k).maps_to: v for k, v in NEW_RUNNER.items()}
    assert resolve_answers(Q, by_path).answers == resolve_answers(Q, NEW_RUNNER).answers
    both = resolve_answers(Q, {**NEW_RUNNER, "pain.during": 2})
    assert any("question pain_during: answered twice" in p for p in both.problems)


def test_an_omitted_optional_answer_leaves_the_field_out_not_zero():
    state = answers_to_state(Q, resolve_answers(Q, NEW_RUNNER).answers)
    assert "tests" not in state and "running" not in state and "shoes" not in state
    assert "sharp" not in state["pain"]
