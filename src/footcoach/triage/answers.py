"""Answers to a runner's state: conditions, filling the contract fields, locating problems, referral.

Answers are a mapping of question id to native answer (``{"pain_during": 3, ...}``; a group is a
list of ``{field id: value}``).  ``answers_to_state`` turns them into a state document;
``state_problems`` validates one with the contract models and ties each problem to its question;
``triage_state`` prepares the state to assess (a stored runner's record, the fields filled after a
red flag).  The assessment itself is the service layer's (:func:`footcoach.service.assess_triage`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from footcoach.contract import state as models
from footcoach.contract.errors import InputError, describe
from footcoach.rulebook import templates
from footcoach.triage.answer_forms import json_text
from footcoach.triage.spec import REFERRAL_PLACEHOLDERS, GroupField, Question, Questionnaire, contract_leaves


def put(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``doc[a][b] = value`` for ``dotted`` ``a.b``, making the objects on the way."""
    parts = dotted.split(".")
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def get(doc: Any, dotted: str) -> Any:
    """The value at ``dotted`` in ``doc``, or None."""
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def condition_holds(q: Questionnaire, question: Question, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers so far (an unanswered condition does not hold)."""
    if question.when is None:
        return True
    return answers.get(question.when.question) == question.when.equals


def answers_to_state(q: Questionnaire, answers: dict[str, Any], runner_id: str | None = None) -> dict[str, Any]:
    """A runner's state document from parsed answers (question id -> native answer).

    Control questions fill the fields their ``sets`` names; red-flag questions answered yes fill
    ``red_flags``; a group answer (a list of {field id: value}) fills its list.  Unanswered
    questions leave their field out.  The result is for :func:`footcoach.service.load_state`."""
    state: dict[str, Any] = {}
    if runner_id is not None:
        put(state, "runner.id", runner_id)
    flags: list[str] = []
    for question in q.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.maps_to is None:
            for target, v in question.sets.get(bool(value), {}).items():
                put(state, target, v)
        elif question.red_flag:
            if value:
                flags.append(question.red_flag)
        elif question.type == "group":
            entries = []
            for entry in value:
                doc: dict[str, Any] = {}
                for f in question.fields:
                    if f.id in entry:
                        put(doc, f.maps_to, entry[f.id])
                entries.append(doc)
            put(state, question.maps_to, entries)
        else:
            put(state, question.maps_to, value)
    if flags:
        state["red_flags"] = flags
    return state


@dataclass(frozen=True)
class Where:
    """The question (and group entry and field) a contract path belongs to."""

    question: Question
    entry: int | None = None
    field: GroupField | None = None

    @property
    def key(self) -> tuple[str, int | None, str | None]:
        return (self.question.id, self.entry, None if self.field is None else self.field.id)

    def label(self) -> str:
        """``question pain_during (pain.during)``; ``question shoes, pair of shoes 1, km (shoes[0].km)``."""
        q = self.question
        if self.field is None:
            return f"question {q.id}" + (f" ({q.maps_to})" if q.maps_to else "")
        entry = self.entry or 0
        return (
            f"question {q.id}, {q.item or 'entry'} {entry + 1}, {self.field.id} "
            f"({q.maps_to}[{entry}].{self.field.maps_to})"
        )


def locate(q: Questionnaire, path: str) -> Where | None:
    """The question a contract path such as ``pain.during`` or ``shoes[0].km`` belongs to."""
    m = re.fullmatch(r"(?P<group>\w+)\[(?P<entry>\d+)\](?:\.(?P<rest>.+))?", path)
    if m:
        question = q.by_maps_to().get(m["group"])
        if question is None or question.type != "group":
            return None
        rest = m["rest"] or ""
        for f in question.fields:
            if rest == f.maps_to or (f.maps_to.startswith(rest + ".") and rest):
                return Where(question, int(m["entry"]), f)
        return Where(question)
    by = q.by_maps_to()
    probe = path
    while probe:
        if probe in by:
            return Where(by[probe])
        probe = probe.rpartition(".")[0]
    # A problem on an object (e.g. program's weeks check) belongs to its first asked field.
    for question in q.questions:
        if question.maps_to and question.maps_to.startswith(path + "."):
            return Where(question)
    return None


@dataclass(frozen=True)
class AnswersProblem:
    """One problem with the answers, tied to a question where possible."""

    where: Where | None
    message: str
    missing: bool = False

    def __str__(self) -> str:
        return f"{self.where.label()}: {self.message}" if self.where else self.message


def state_problems(q: Questionnaire, state: dict[str, Any]) -> list[AnswersProblem]:
    """Validate a state document with the models; each problem tied to its question."""
    model = q.state_model
    try:
        model.model_validate(state)
    except ValidationError as exc:
        out = []
        for line in describe(exc, model):
            path, _, rest = line.partition(": ")
            out.append(AnswersProblem(locate(q, path), rest if rest else line, missing=rest.startswith("missing")))
        return out
    return []


def fill_for_referral(q: Questionnaire, state: dict[str, Any]) -> dict[str, Any]:
    """A state for a questionnaire stopped at a red flag: the contract's required fields that were
    not asked are filled so the referral can be assessed.  The program comes from the new-runner
    answer (phase 1, no weeks) unless given; the pain scores are 0 and settled (not asked, so
    nothing to act on); the age is the contract's youngest (not asked).  None of them can change a
    referral: a red flag refers whatever else is true."""
    state = copy.deepcopy(state)
    for question in q.questions:
        for target, value in question.sets.get(True, {}).items():
            if get(state, target) is None and target != "program.weeks_in_program":
                put(state, target, value)
    filler: dict[str, Any] = {
        "runner.age": q.knowledge.state_bounds.age_min,
        "pain.during": 0,
        "pain.after": 0,
        "pain.morning": 0,
        "pain.settled_next_morning": True,
    }
    for target, value in filler.items():
        if get(state, target) is None:
            put(state, target, value)
    return state


def assumed_for_referral(q: Questionnaire, answers: dict[str, Any]) -> list[str]:
    """The contract fields ``fill_for_referral`` fills for these answers, as ``path = value``."""
    before = answers_to_state(q, answers)
    after = fill_for_referral(q, before)
    return [
        f"{path} = {json_text(get(after, path))}"
        for path in contract_leaves(models.State)
        if get(before, path) is None and get(after, path) is not None
    ]


def referral_text(q: Questionnaire, flag: str, template: str | None = None) -> str:
    """The plain-words referral for one red flag: what was reported, whom to see, how soon, meanwhile."""
    rf = q.knowledge.red_flags[flag]
    values = {name: getattr(rf, name) for name in REFERRAL_PLACEHOLDERS}
    return templates.render(template or q.messages.referral, lambda p: values.get(p.name), str)


@dataclass(frozen=True)
class RedFlagStop:
    """What a runner stopped by a red flag is told, and nothing else: the message, whom to see,
    how soon and what to do meanwhile (each also on its own, for a page to lay out)."""

    flag: str
    message: str
    whom: str
    how_soon: str
    meanwhile: str


def red_flag_stops(q: Questionnaire, flags: list[str]) -> list[RedFlagStop]:
    """One stop per red flag answered yes, in asking order."""
    out = []
    for flag in flags:
        rf = q.knowledge.red_flags[flag]
        out.append(RedFlagStop(flag, referral_text(q, flag), rf.whom, rf.how_soon, rf.meanwhile))
    return out


@dataclass
class TriageState:
    """A state ready to assess: the document, the red flags answered yes, and what was filled in
    for the record after a red flag (``path = value``; never shown to the runner)."""

    state: dict[str, Any]
    red_flags: list[str]
    assumed: list[str]


@dataclass
class TriageResult:
    """The outcome of a triage: the state assessed, the assessment, and the red flags (if any)."""

    state: dict[str, Any]
    assessment: dict[str, Any]
    red_flags: list[str]
    assumed: list[str]


def _use_record(q: Questionnaire, state: dict[str, Any], answers: dict[str, Any], known: dict[str, Any]) -> None:
    """A stored runner: the diary on record feeds the trend, stall and non-response rules, and the
    profile fills what was not asked.  Answers always win over the record."""
    if known.get("history") and not state.get("history"):
        state["history"] = known["history"]
    for key, value in (known.get("runner") or {}).items():
        if value is not None and get(state, f"runner.{key}") is None:
            put(state, f"runner.{key}", value)


def _fill_after_red_flag(
    q: Questionnaire, state: dict[str, Any], answers: dict[str, Any], known: dict[str, Any] | None
) -> tuple[dict[str, Any], list[str]]:
    answered = {qq.maps_to for qq in q.questions if qq.id in answers and qq.maps_to}
    for section in ("runner", "program"):
        for key, value in ((known or {}).get(section) or {}).items():
            path = f"{section}.{key}"
            # What is on record beats what was inferred (a stored runner is not new), never an answer.
            if value is not None and path not in answered:
                put(state, path, value)
    filled = fill_for_referral(q, state)
    assumed = [
        f"{path} = {json_text(get(filled, path))}"
        for path in contract_leaves(models.State)
        if get(state, path) is None and get(filled, path) is not None
    ]
    return filled, assumed


def triage_state(
    q: Questionnaire, answers: dict[str, Any], runner_id: str | None = None, known: dict[str, Any] | None = None
) -> TriageState:
    """The state to assess for parsed, complete answers (from :func:`resolve_answers` or a session).

    ``known`` is what is already on record for a stored runner (``runner``, ``program``,
    ``history``); after a red flag it fills the questions that were not asked before any
    placeholder does.  Raises InputError when the state is not valid (the problems name the
    questions)."""
    flags = [qq.red_flag for qq in q.questions if qq.red_flag and answers.get(qq.id) is True]
    state = answers_to_state(q, answers, runner_id)
    assumed: list[str] = []
    if known:
        _use_record(q, state, answers, known)
    if flags:
        state, assumed = _fill_after_red_flag(q, state, answers, known)
    problems = state_problems(q, state)
    if problems:
        raise InputError([str(p) for p in problems])
    return TriageState(state, flags, assumed)
