"""The runner's questionnaire on the web, page by page: which questions go on which page, and the
answers read from a posted page.  The questions, their wording and what each allows come from
``knowledge/questionnaire.yaml`` through :mod:`footcoach.triage.questionnaire`, as in the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from footcoach.triage.questionnaire import (
    AnswerProblem,
    Question,
    Questionnaire,
    condition_holds,
    default_questionnaire,
    parse_value,
)

# A short group a page: at most this many questions fit a 390 x 844 phone screen with their labels.
PER_PAGE = 4  # not clinical: layout


def questionnaire() -> Questionnaire:
    return default_questionnaire()


def section(question: Question) -> str:
    if question.red_flag:
        return "red_flags"
    if question.maps_to is None:
        return "program"
    return question.maps_to.split(".")[0]


def askable(q: Questionnaire, known: dict[str, Any], answers: dict[str, Any]) -> list[Question]:
    """The questions this runner is asked now: not the repeating groups (the diary and shoes on record
    are used), not the profile values on record, and only those whose condition holds."""
    profile = known.get("runner") or {}
    out = []
    for question in q.questions:
        if question.type == "group":
            continue
        if (
            question.maps_to
            and question.maps_to.startswith("runner.")
            and profile.get(question.maps_to.removeprefix("runner.")) is not None
        ):
            continue
        if condition_holds(q, question, answers):
            out.append(question)
    return out


def _split(run: list[Question]) -> list[list[Question]]:
    n = -(-len(run) // PER_PAGE)
    size = -(-len(run) // n)
    return [run[i : i + size] for i in range(0, len(run), size)]


def pages(q: Questionnaire, known: dict[str, Any], answers: dict[str, Any]) -> list[list[Question]]:
    """The pages, in order: questions of one section together, a question asked on another's answer on
    the page after it, at most PER_PAGE a page (split evenly)."""
    runs: list[list[Question]] = []
    for question in askable(q, known, answers):
        current = runs[-1] if runs else None
        depends_here = (
            current is not None and question.when is not None and any(x.id == question.when.question for x in current)
        )
        if current is None or section(current[0]) != section(question) or depends_here:
            runs.append([question])
        else:
            current.append(question)
    return [page for run in runs for page in _split(run)]


@dataclass
class PageAnswers:
    answers: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    red_flags: list[str] = field(default_factory=list)


def read_page(page: list[Question], form: dict[str, str], answers: dict[str, Any], *, strict: bool) -> PageAnswers:
    """The answers so far updated with this page's form.  ``strict``: a required question left blank is
    a problem (going Back keeps what parses and asks nothing)."""
    out = PageAnswers(dict(answers))
    for question in page:
        raw = form.get(question.id, "").strip()
        out.raw[question.id] = raw
        if not raw:
            out.answers.pop(question.id, None)
            if strict and question.required:
                out.problems[question.id] = f"Please answer this question ({question.describe()})."
            continue
        try:
            value = parse_value(question.allowed, raw, question.labels)
        except AnswerProblem:
            out.problems[question.id] = f"{raw!r} is not an answer to this question: {question.describe()}."
            out.answers.pop(question.id, None)
            continue
        out.answers[question.id] = value
        if question.red_flag and value is True:
            out.red_flags.append(question.red_flag)
    return out


def shown(question: Question, value: Any) -> str:
    """An answer as the runner gave it, for the review page."""
    if value is None:
        return "not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if question.type == "choice":
        return str(question.labels.get(value, value))
    return str(value)


def form_value(question: Question, value: Any) -> str:
    """An answer as its form field holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def options(question: Question) -> list[tuple[str, str]]:
    if question.type == "boolean":
        return [("no", "No"), ("yes", "Yes")]
    return [(o, question.labels.get(o, o)) for o in question.allowed.options]


def final_answers(q: Questionnaire, known: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers to questions still asked (an answer to a question whose condition no longer holds
    is dropped)."""
    asked = {x.id for x in askable(q, known, answers)}
    return {k: v for k, v in answers.items() if k in asked}
