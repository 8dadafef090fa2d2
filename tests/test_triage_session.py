"""The triage session without any interface (footcoach.triage.session): pages, per-answer checks,
back, review, the red-flag stop, a stored runner's profile, and a session kept between requests."""

from __future__ import annotations

import json

import pytest

from footcoach.knowledge.base import default_knowledge
from footcoach.service import assess, assess_triage, load_state
from footcoach.triage.answers import answers_to_state
from footcoach.triage.loading import default_questionnaire
from footcoach.triage.session import TriageSession, UnknownPage

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

Q = default_questionnaire()
NEW_RUNNER = {
    **{q.id: "no" for q in Q.questions if q.red_flag},
    "new_runner": "y",
    "runner_age": "35",
    "runner_sex": "woman",
    "runner_experience": "occasional",
    "pain_during": "2",
    "pain_after": "1",
    "pain_morning": "1",
    "pain_settled_next_morning": "yes",
    "pain_sharp": "no",
    "balance_eyes_open_left": "30",
    "balance_eyes_open_right": "28",
    "balance_eyes_closed_left": "10",
    "balance_eyes_closed_right": "9",
    "heel_raises_left": "14",
    "heel_raises_right": "12",
    "shoes": "1",
    "shoes.1.name": "daily trainer",
    "shoes.1.km": "about 300",
    "shoes.1.drop_mm": "8",
    "shoes.1.minimalist": "no",
    "shoes.1.weeks_worn": "20",
    "running_weekly_km": "20",
    "running_previous_weekly_km": "18",
    "running_longest_run_km_30d": "10",
    "running_planned_long_run_km": "12",
}


def walk(session: TriageSession, typed: dict[str, str]) -> list[str]:
    """Answer every page from ``typed`` until the review; return the page ids seen."""
    seen = []
    while (page := session.current()) is not None:
        seen.append(page.id)
        errors = session.answer(page.id, {f.key: typed.get(f.key) for f in page.fields})
        assert not errors, errors
    return seen


def test_red_flags_come_first_on_short_pages_of_their_own():
    pages = TriageSession(Q).pages()
    flags = [p for p in pages if p.red_flags]
    assert pages[: len(flags)] == flags and flags
    assert sorted(f.question_id for p in flags for f in p.fields) == sorted(q.id for q in Q.questions if q.red_flag)
    assert all(len(p.fields) <= 3 for p in pages)  # a short group a page, fit for a phone


def test_a_whole_session_ends_in_the_assessment_of_the_same_state():
    session = TriageSession(Q)
    seen = walk(session, NEW_RUNNER)
    assert "routine" not in seen and "shoes.1" in seen  # a new runner is not asked about weeks trained
    assert session.at_review and session.finish() == [] and session.finished
    state = answers_to_state(Q, session.answers)
    assert state["runner"]["sex"] == "female" and state["shoes"][0]["km"] == 300
    assert assess_triage(Q, session.answers).assessment == assess(load_state(state))


def test_a_bad_answer_is_refused_with_what_is_allowed_and_the_good_ones_are_kept():
    session = TriageSession(Q)
    walk_to(session, "pain_scores")
    errors = session.answer("pain_scores", {"pain_during": "45", "pain_after": "1", "pain_morning": "about 2"})
    assert [(e.key, e.kind) for e in errors] == [("pain_during", "value")]
    assert errors[0].allowed == f"a whole number from 0 to {SHIPPED.nrs_max}"
    assert session.current().id == "pain_scores"  # the page stays until it is fixed
    assert session.answers["pain_after"] == 1 and session.answers["pain_morning"] == 2


def walk_to(session: TriageSession, page_id: str) -> None:
    while (page := session.current()) is not None and page.id != page_id:
        assert not session.answer(page.id, {f.key: NEW_RUNNER.get(f.key) for f in page.fields})


def test_a_red_flag_stops_at_once_with_only_whom_to_see_how_soon_and_meanwhile():
    session = TriageSession(Q)
    page = session.current()
    errors = session.answer(page.id, {page.fields[0].key: "yes"})  # the second question not answered
    assert errors == [] and session.stopped and session.current() is None and not session.at_review
    (stop,) = session.stops
    assert stop.flag == "numbness_tingling"
    assert stop.whom in stop.message and stop.how_soon in stop.message and stop.meanwhile in stop.message
    result = assess_triage(Q, session.answers)
    assert result.assessment["action"] == "refer"


def test_back_shows_the_previous_page_with_its_answers():
    session = TriageSession(Q)
    walk_to(session, "about_you")
    back = session.back()
    assert back.id == "start" and back.fields[0].shown == "yes"
    assert not session.answer("start", {"new_runner": "no"})
    assert session.current().id == "routine"  # the answer changed the pages that follow


def test_the_review_lists_every_answer_and_a_change_changes_the_decision():
    session = TriageSession(Q)
    walk(session, NEW_RUNNER)
    items = {item.key: item for item in session.review()}
    assert items["runner_sex"].answer == "female" and items["shoes.1.km"].answer == "300"
    before = assess_triage(Q, session.answers).assessment["action"]
    page = session.change(items["pain_during"].page)
    raw = {f.key: f.shown for f in page.fields}
    assert not session.answer(page.id, {**raw, "pain_during": str(SHIPPED.nrs_max)})
    assert session.at_review  # a change returns to the review
    assert session.finish() == []
    after = assess_triage(Q, session.answers).assessment
    assert after == assess(load_state(answers_to_state(Q, session.answers)))
    assert after["action"] != before


def test_answers_that_do_not_fit_together_are_refused_on_their_page():
    session = TriageSession(Q)
    walk_to(session, "start")
    assert not session.answer("start", {"new_runner": "no"})
    errors = session.answer(
        "routine", {"program_phase": "1", "program_weeks_in_phase": "5", "program_weeks_in_program": "2"}
    )
    assert errors and {e.kind for e in errors} == {"together"}


def test_a_stored_profile_fills_its_questions_and_a_different_answer_is_asked_about():
    session = TriageSession(Q, record={"age": 41, "sex": "female"})
    walk_to(session, "about_you")
    fields = {f.key: f for f in session.current().fields}
    assert fields["runner_age"].shown == "41" and fields["runner_age"].on_record
    typed = {"runner_age": "42", "runner_sex": "f", "runner_experience": "regular"}
    (error,) = session.answer("about_you", typed)
    assert error.key == "runner_age" and error.confirm and "41" in error.message and "42" in error.message
    assert session.answer("about_you", typed) == []  # the same answer again: confirmed
    assert session.answers["runner_age"] == 42


def test_a_session_survives_a_json_round_trip_between_requests():
    session = TriageSession(Q)
    walk_to(session, "shoes")
    data = json.loads(json.dumps(session.snapshot()))
    again = TriageSession.restore(Q, data)
    assert again.current() == session.current() and again.answers == session.answers
    walk(again, NEW_RUNNER)
    assert again.finish() == []


def test_an_unknown_page_is_refused():
    with pytest.raises(UnknownPage):
        TriageSession(Q).answer("no_such_page", {})


def test_heel_raises_far_apart_are_taken_with_a_warning_naming_them():
    session = TriageSession(Q)
    walk_to(session, "heel_raises")
    assert session.answer("heel_raises", {"heel_raises_left": "90", "heel_raises_right": "10"}) == []
    (warning,) = session.warnings
    assert "90 left and 10 right" in warning and f"{Q.plausible.heel_raise_lsi_percent.value:g} %" in warning
    assert session.answers["heel_raises_left"] == 90  # taken as typed
    walk_to(session, "hop")
    assert session.answer("hop", {"hop_pain": ""}) == [] and session.warnings == []


def test_no_pairs_of_shoes_answered_shows_0_in_the_review_and_on_the_page_not_unanswered():
    session = TriageSession(Q)
    assert session.page("shoes").fields[0].shown == ""  # not answered yet
    walk(session, {**NEW_RUNNER, "shoes": "0"})
    item = next(i for i in session.review() if i.key == "shoes")
    assert item.answer == "0" and session.page("shoes").fields[0].shown == "0"
    assert "shoes" not in session.answers  # and nothing is kept: the state has no shoes


def test_go_opens_a_page_shown_for_the_answers_and_refuses_others():
    session = TriageSession(Q)
    walk_to(session, "about_you")
    assert session.go("safety_bone").id == "safety_bone" and session.current().id == "safety_bone"
    assert session.back().id == "safety_nerves"
    with pytest.raises(UnknownPage):
        session.go("shoes.1")  # no pair given yet
    assert session.answer("safety_nerves", {f.key: "yes" for f in session.page("safety_nerves").fields}) == []
    with pytest.raises(UnknownPage):
        session.go("about_you")  # stopped by a red flag: nothing more is asked
