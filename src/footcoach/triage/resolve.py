"""A whole answers document (``triage --answers FILE``): every answer checked, problems named."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from footcoach.common.documents import did_you_mean
from footcoach.triage.answer_forms import AnswerProblem, json_text, parse_answer
from footcoach.triage.answers import answers_to_state, condition_holds, fill_for_referral, state_problems
from footcoach.triage.spec import Question, Questionnaire

SHOWN_MAX = 60  # characters of a bad value quoted in a message


@dataclass
class CheckedAnswers:
    """Checked answers: the native answers, problems, and the red flags answered yes."""

    answers: dict[str, Any]
    problems: list[str]
    red_flags: list[str]
    inferred: dict[str, Any] = field(default_factory=dict)


def _flatten(doc: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(doc, dict):
        out: list[tuple[str, Any]] = []
        for k, v in doc.items():
            out.extend(_flatten(v, f"{prefix}{k}."))
        return out
    return [(prefix[:-1], doc)]


def _parse_group(q: Questionnaire, question: Question, raw: Any, problems: list[str]) -> list[dict[str, Any]] | None:
    where = f"question {question.id} ({question.maps_to})"
    if not isinstance(raw, list):
        problems.append(
            f"{where}: value {json_text(raw)[:SHOWN_MAX]} is not allowed; allowed: a list of "
            f"{question.item or 'entries'}, each an object with {', '.join(f.maps_to for f in question.fields)}"
        )
        return None
    entries = []
    by_path = {f.maps_to: f for f in question.fields}
    by_id = {f.id: f for f in question.fields}
    for n, entry in enumerate(raw):
        ewhere = f"question {question.id}, {question.item or 'entry'} {n + 1}"
        if not isinstance(entry, dict):
            problems.append(
                f"{ewhere}: value {json_text(entry)[:SHOWN_MAX]} is not an object; allowed: an object with "
                f"{', '.join(f.maps_to for f in question.fields)}"
            )
            continue
        parsed: dict[str, Any] = {}
        for key, value in _flatten(entry):
            f = by_path.get(key) or by_id.get(key)
            if f is None:
                known = list(by_path)
                problems.append(
                    f"{ewhere}: unknown field '{key}'" + did_you_mean(key, known) + f"; allowed: {', '.join(known)}"
                )
                continue
            if f.id in parsed:
                problems.append(f"{ewhere}, {f.id}: answered twice")
                continue
            if value is None:
                continue
            try:
                parsed[f.id] = parse_answer(q, f, value)
            except AnswerProblem as exc:
                problems.append(
                    f"{ewhere}, {f.id} ({question.maps_to}[{n}].{f.maps_to}): value {exc}; "
                    f"allowed: {f.allowed.describe()}"
                )
        entries.append(parsed)
    return entries


def _parse_answers(
    q: Questionnaire, raw: dict[Any, Any], source: str, problems: list[str]
) -> tuple[dict[str, Any], set[str]]:
    """Each answer parsed alone; returns (answers, ids given validly or not)."""
    answers: dict[str, Any] = {}
    by_id = {question.id: question for question in q.questions}
    by_path = q.by_maps_to()
    given: set[str] = set()  # answered, validly or not: a bad answer is not also "missing"
    for key, value in raw.items():
        question = by_id.get(key) if isinstance(key, str) else None
        if question is None and isinstance(key, str):
            question = by_path.get(key)
        if question is None:
            problems.append(
                f"{source}: unknown question '{key}'"
                + did_you_mean(str(key), by_id)
                + "; allowed: the ids of `footcoach questionnaire show`"
            )
            continue
        if question.id in answers or question.id in given:
            problems.append(f"question {question.id}: answered twice (by id and by maps_to)")
            continue
        if value is None:
            continue  # null means not answered, as a left-out key does (a required question stays missing)
        given.add(question.id)
        if question.type == "group":
            entries = _parse_group(q, question, value, problems)
            if entries is not None:
                answers[question.id] = entries
            continue
        try:
            answers[question.id] = parse_answer(q, question, value)
        except AnswerProblem as exc:
            problems.append(f"{_label(question)}: value {exc}; allowed: {question.describe()}")
    return answers, given


def _label(question: Question) -> str:
    return f"question {question.id}" + (f" ({question.maps_to})" if question.maps_to else "")


def _infer_controls(q: Questionnaire, answers: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Control questions left out: implied by the answers that depend on them, else their default."""
    inferred: dict[str, Any] = {}
    for question in q.questions:
        if question.maps_to is not None or question.id in answers:
            continue
        implied = {d.when.equals for d in q.dependents(question.id) if d.id in answers and d.when}
        if len(implied) > 1:
            problems.append(f"question {question.id}: answers given imply both {sorted(map(str, implied))}")
        elif implied:
            inferred[question.id] = implied.pop()
        elif question.default is not None:
            inferred[question.id] = question.default
    return inferred


def _check_together(
    q: Questionnaire, answers: dict[str, Any], given: set[str], flags: list[str], problems: list[str]
) -> None:
    for question in q.questions:
        if question.when is not None and question.id in answers and not condition_holds(q, question, answers):
            cond = q.question(question.when.question)
            problems.append(
                f"question {question.id}: answered, but it is asked only when {cond.id} is "
                f"{answer_text(question.when.equals)} (and {cond.id} is "
                f"{answer_text(answers.get(cond.id))})"
            )
    if not flags:
        for question in q.questions:
            if (
                question.required
                and question.id not in given
                and question.id not in answers
                and condition_holds(q, question, answers)
            ):
                problems.append(f"{_label(question)}: missing; allowed: {question.describe()}")


def resolve_answers(q: Questionnaire, raw: Any, *, source: str = "answers") -> CheckedAnswers:
    """Check an answers document (question id -> answer; a key may also be a question's ``maps_to``).

    Every problem names the question, the value and what is allowed.  A red flag answered yes
    stops the questionnaire: the questions after it need no answer then.  A control question
    left out is inferred from the answers that depend on it (a phase given means a returning
    runner), else its ``default`` is used."""
    if not isinstance(raw, dict):
        return CheckedAnswers(
            {},
            [
                f"{source}: value {json_text(raw)[:SHOWN_MAX]}: not allowed; allowed: a mapping of "
                f"question id to answer (see `footcoach questionnaire show`)"
            ],
            [],
        )
    problems: list[str] = []
    answers, given = _parse_answers(q, raw, source, problems)
    flags = [qq.red_flag for qq in q.questions if qq.red_flag and answers.get(qq.id) is True]
    inferred = _infer_controls(q, answers, problems)
    answers.update(inferred)
    _check_together(q, answers, given, flags, problems)
    if not problems:
        state = answers_to_state(q, answers)
        if flags:
            state = fill_for_referral(q, state)
        problems.extend(str(p) for p in state_problems(q, state))
    return CheckedAnswers(answers, problems, [f for f in flags if f], inferred)


def answer_text(v: Any) -> str:
    """An answer in words: yes/no, the value, or ``unanswered``."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "unanswered" if v is None else str(v)
