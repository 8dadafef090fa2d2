"""Answer forms (footcoach.triage.answer_forms): the common ways people type an answer, read from the
questionnaire's `answer_forms`, and the ambiguous input refused rather than guessed."""

from __future__ import annotations

import pytest

from footcoach.knowledge.base import default_knowledge
from footcoach.triage.answer_forms import AnswerProblem, parse_answer
from footcoach.triage.loading import default_questionnaire

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

Q = default_questionnaire()
MILE_KM = next(u.factor for u in Q.forms.units["km"] if "miles" in u.words)


def answer(question_id: str, raw: str):
    return parse_answer(Q, Q.question(question_id), raw)


def shoe_km(raw: str):
    return parse_answer(Q, Q.question("shoes").field("km"), raw)


@pytest.mark.parametrize("typed", ["f", "F", "female", "Woman", " woman "])
def test_female_in_its_common_forms(typed):
    assert answer("runner_sex", typed) == "female"


@pytest.mark.parametrize("typed", ["m", "male", "MAN"])
def test_male_in_its_common_forms(typed):
    assert answer("runner_sex", typed) == "male"


@pytest.mark.parametrize(("typed", "value"), [("yes", True), ("Y", True), ("no", False), ("n", False)])
def test_yes_and_no_in_their_common_forms(typed, value):
    assert answer("pain_sharp", typed) is value


def test_the_forms_are_data_in_the_questionnaire_not_code():
    assert "woman" in Q.forms.choices["female"] and "y" in Q.forms.yes and "n" in Q.forms.no
    assert MILE_KM > 1  # a mile is longer than a kilometre


@pytest.mark.parametrize(("typed", "value"), [("about 500", 500), ("around 12.5", 12.5), ("~30", 30)])
def test_a_number_with_words_around_it_when_it_is_the_only_number(typed, value):
    assert shoe_km(typed) == value


def test_age_with_years_around_it():
    assert answer("runner_age", "35 years old") == 35


@pytest.mark.parametrize(("typed", "value"), [("500 km", 500), ("500km", 500), ("5k", 5), ("12 kilometres", 12)])
def test_kilometres_with_the_unit(typed, value):
    assert shoe_km(typed) == value


@pytest.mark.parametrize(("typed", "miles"), [("300 miles", 300), ("about 10 mi", 10), ("1 mile", 1)])
def test_miles_are_converted_to_kilometres(typed, miles):
    assert shoe_km(typed) == round(miles * MILE_KM, 1)
    assert answer("running_weekly_km", typed) == round(miles * MILE_KM, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "5 or 6",  # two numbers
        "5-6",  # a range
        "10 to 12",
        "more than 5",  # not a number but a bound
        "less than 20",
        "not 5",
        "1,5",  # a decimal comma or a thousands separator: which one?
        "five hundred",  # no digits
        "500 metres",  # an unknown unit
    ],
)
def test_ambiguous_distances_are_refused_not_guessed(typed):
    with pytest.raises(AnswerProblem):
        shoe_km(typed)


def test_a_unit_on_a_question_that_is_not_a_distance_is_refused():
    with pytest.raises(AnswerProblem, match="km is not a unit for this question"):
        answer("runner_age", "35 km")
    with pytest.raises(AnswerProblem, match="miles is not a unit"):
        answer("heel_raises_left", "12 miles")


def test_converted_values_still_meet_the_range():
    with pytest.raises(AnswerProblem, match="out of range"):
        answer("runner_age", f"about {SHIPPED.age_max + 1}")
    with pytest.raises(AnswerProblem):
        shoe_km("-3 miles")


@pytest.mark.parametrize("typed", ["maybe", "yess", "1", "true-ish"])
def test_yes_no_refuses_anything_else(typed):
    with pytest.raises(AnswerProblem):
        answer("pain_sharp", typed)


def test_a_whole_number_question_refuses_a_fraction_even_in_words():
    with pytest.raises(AnswerProblem, match="whole number"):
        answer("pain_during", "about 3.5")
