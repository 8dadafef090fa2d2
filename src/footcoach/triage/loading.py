"""Reading and checking ``knowledge/questionnaire.yaml`` against the contract models.

``load_questionnaire`` reads the file and checks it: every ``maps_to`` must name a field of the
contract models (:mod:`footcoach.contract.state`), the declared type must match the field, and
every contract field must be asked or listed under ``not_asked``.  The allowed answers of a
question (range, choices, required or not) are read from the models, so the questionnaire never
repeats a number of the contract.  A problem is reported as ``file:line: field: message``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footcoach.common.documents import DataFileError, did_you_mean, load_with_lines, validation_errors
from footcoach.common.paths import knowledge_dir
from footcoach.contract import state as models
from footcoach.contract.errors import path_of
from footcoach.knowledge.base import Knowledge, default_knowledge
from footcoach.rulebook import templates
from footcoach.triage.answer_forms import AnswerProblem, parse_value
from footcoach.triage.spec import (
    QUESTIONNAIRE_FILE,
    RED_FLAG_PREFIX,
    REFERRAL_PLACEHOLDERS,
    Allowed,
    CodeSpec,
    GroupField,
    Question,
    Questionnaire,
    QuestionnaireError,
    QuestionnaireSpec,
    QuestionSpec,
    allowed_for,
    contract_leaves,
    fill_text,
    group_model,
    text_values,
    unwrap,
)

Loc = tuple[Any, ...]


def check_value(allowed: Allowed, value: Any) -> str | None:
    """None when ``value`` is an allowed native value, else what is wrong."""
    try:
        parse_value(allowed, value)
    except AnswerProblem as exc:
        return f"value {exc}; allowed: {allowed.describe()}"
    return None


class _Checker:
    """Builds the Questionnaire from its spec, collecting every problem with its file line."""

    def __init__(self, spec: QuestionnaireSpec, path: Path, line: Callable[[tuple], int | None], kb: Knowledge):
        self.spec, self.path, self.line, self.kb = spec, path, line, kb
        self.state = kb.contract_model(models.State)  # the contract as this knowledge base bounds it
        self.red_flag_ids = kb.state_bounds.red_flags
        self.errors: list[DataFileError] = []
        self.covered: dict[str, int] = {}  # contract path -> question index
        self.red_flags_asked: dict[str, int] = {}
        self.placeholders = list(text_values(kb))

    def fill(self, text: str) -> str:
        return fill_text(text, self.kb)

    def err(self, loc: Loc, msg: str) -> None:
        self.errors.append(DataFileError(self.path, self.line(loc), path_of(loc), msg))

    def check_placeholders(self, loc: Loc, text: str, names: list[str] | None = None) -> None:
        """Placeholders in the rules' template language, naming what a question's text may name
        (or ``names``), each unknown one an error with did you mean."""
        for problem in templates.check_names(text, self.placeholders if names is None else names):
            self.err(loc, problem)

    def header(self) -> None:
        for key in self.spec.not_asked:
            allowed, why = allowed_for(self.state, key.split("."))
            if allowed is None:
                self.err(("not_asked", key), why)
        for mname, text in self.spec.messages.model_dump().items():
            referral = mname in ("referral", "referral_plan")
            self.check_placeholders(("messages", mname), text, list(REFERRAL_PLACEHOLDERS) if referral else None)

    def code(self, loc: Loc, name: str | None) -> CodeSpec | None:
        if name is None:
            return None
        if name not in self.spec.codes:
            self.err(loc + ("code",), f"unknown code '{name}'; known: {', '.join(self.spec.codes) or 'none'}")
            return None
        return self.spec.codes[name]

    def red_flag_allowed(self, i: int, loc: Loc, qs: QuestionSpec) -> Allowed:
        flag = (qs.maps_to or "")[len(RED_FLAG_PREFIX) :]
        if flag not in self.red_flag_ids:
            hint = did_you_mean(flag, self.red_flag_ids)
            self.err(loc + ("maps_to",), f"unknown red flag '{flag}'{hint}; known: {', '.join(self.red_flag_ids)}")
        elif flag in self.red_flags_asked:
            self.err(
                loc + ("maps_to",), f"red flag '{flag}' is already asked by question {self.red_flags_asked[flag] + 1}"
            )
        self.red_flags_asked.setdefault(flag, i)
        if qs.type != "boolean":
            self.err(loc + ("type",), f"a red-flag question is boolean (got {qs.type})")
        self.covered.setdefault("red_flags", i)
        return Allowed("boolean", required=True)  # safety first: a red flag is never skipped

    def field_allowed(self, i: int, loc: Loc, qs: QuestionSpec) -> Allowed | None:
        maps_to = qs.maps_to or ""
        allowed, why = allowed_for(self.state, maps_to.split("."))
        if allowed is None:
            self.err(loc + ("maps_to",), why)
            return None
        if allowed.type != qs.type:
            self.err(loc + ("type",), f"'{maps_to}' is {allowed.type} in the contract models, not {qs.type}")
        if maps_to in self.covered:
            self.err(loc + ("maps_to",), f"'{maps_to}' is already asked by question {self.covered[maps_to] + 1}")
        self.covered.setdefault(maps_to, i)
        return allowed

    def allowed(self, i: int, loc: Loc, qs: QuestionSpec) -> Allowed | None:
        if qs.maps_to is None:
            # A control question: it fills no field itself, only through `sets`.
            if qs.type != "boolean":
                self.err(loc + ("type",), f"a question without maps_to must be boolean (got {qs.type})")
            if not qs.sets:
                self.err(loc + ("sets",), "a question without maps_to must set fields (sets: {yes: {...}})")
            return Allowed("boolean", required=True)
        if qs.maps_to.startswith(RED_FLAG_PREFIX):
            return self.red_flag_allowed(i, loc, qs)
        return self.field_allowed(i, loc, qs)

    def group_fields(self, loc: Loc, qs: QuestionSpec) -> list[GroupField]:
        item_model = group_model(self.state, qs.maps_to or "")
        fields: list[GroupField] = []
        done: set[str] = set()
        for j, fs in enumerate(qs.fields):
            floc = loc + ("fields", j)
            fa, why = allowed_for(item_model, fs.maps_to.split("."))
            if fa is None:
                self.err(floc + ("maps_to",), why)
                continue
            if fa.type != fs.type:
                self.err(floc + ("type",), f"'{fs.maps_to}' is {fa.type} in the contract models, not {fs.type}")
            self.check_placeholders(floc + ("text",), fs.text)
            self.unit(floc, fs.unit, fa)
            done.add(fs.maps_to)
            code = self.code(floc, fs.code)
            fields.append(GroupField(fs.id, self.fill(fs.text), fs.type, fs.maps_to, fa, code, fs.unit))
        for leaf in contract_leaves(item_model):
            if leaf not in done:
                self.err(loc + ("fields",), f"'{qs.maps_to}[].{leaf}' is not asked; add a field for it")
        if len({f.id for f in qs.fields}) != len(qs.fields):
            self.err(loc + ("fields",), "field ids must be unique within the group")
        if not qs.item:
            self.err(loc + ("item",), "a group needs `item`: what one entry is called (e.g. pair of shoes)")
        return fields

    def unit(self, loc: Loc, unit: str | None, allowed: Allowed | None) -> None:
        if unit is None:
            return
        units = self.spec.answer_forms.units
        if unit not in units:
            self.err(loc + ("unit",), f"unknown unit '{unit}'{did_you_mean(unit, units)}; known: {', '.join(units)}")
        if allowed is not None and allowed.type not in ("integer", "decimal"):
            self.err(loc + ("unit",), f"only a number has a unit (this answer is {allowed.type})")

    def page(self, loc: Loc, qs: QuestionSpec) -> None:
        pages = self.spec.pages
        if qs.page is not None and qs.page not in pages:
            self.err(
                loc + ("page",), f"unknown page '{qs.page}'{did_you_mean(qs.page, pages)}; known: {', '.join(pages)}"
            )

    def sets(self, loc: Loc, qs: QuestionSpec) -> dict[bool, dict[str, Any]]:
        sets: dict[bool, dict[str, Any]] = {}
        for answer, values in qs.sets.items():
            if qs.maps_to is not None:
                self.err(loc + ("sets",), "only a question without maps_to sets fields")
            for target, value in values.items():
                ta, why = allowed_for(self.state, target.split("."))
                if ta is None:
                    self.err(loc + ("sets", answer, target), why)
                elif (problem := check_value(ta, value)) is not None:
                    self.err(loc + ("sets", answer, target), problem)
            sets[answer] = dict(values)
        return sets

    def options(self, loc: Loc, qs: QuestionSpec, allowed: Allowed | None) -> None:
        if qs.labels and (allowed is None or allowed.type != "choice" or set(qs.labels) - set(allowed.options)):
            self.err(
                loc + ("labels",),
                "labels must name options of a choice question"
                + (f" ({', '.join(allowed.options)})" if allowed and allowed.options else ""),
            )
        if qs.system and (allowed is None or allowed.type != "choice"):
            self.err(loc + ("system",), "only a choice question has a code system")
        if qs.default is not None and allowed is not None and (problem := check_value(allowed, qs.default)):
            self.err(loc + ("default",), problem)

    def question(self, i: int, qs: QuestionSpec) -> Question | None:
        loc: Loc = ("questions", i)
        for key, text in (("text", qs.text), ("why", qs.why), ("intro", qs.intro or "")):
            self.check_placeholders(loc + (key,), text)
        code = self.code(loc, qs.code)
        allowed = self.allowed(i, loc, qs)
        fields: list[GroupField] = []
        if allowed is not None and allowed.type == "group":
            fields = self.group_fields(loc, qs)
        elif qs.fields:
            self.err(loc + ("fields",), "only a group question has fields")
        self.options(loc, qs, allowed)
        self.unit(loc, qs.unit, allowed)
        self.page(loc, qs)
        sets = self.sets(loc, qs)
        if allowed is None:
            return None
        return Question(
            id=qs.id,
            text=self.fill(qs.text),
            why=self.fill(qs.why),
            decisions=qs.decisions,
            type=qs.type,
            maps_to=qs.maps_to,
            allowed=allowed,
            when=qs.when,
            intro=self.fill(qs.intro) if qs.intro else None,
            code=code,
            system=qs.system,
            labels=dict(qs.labels),
            sets=sets,
            default=qs.default,
            item=qs.item,
            fields=tuple(fields),
            page=qs.page,
            unit=qs.unit,
        )

    def questions(self) -> list[Question]:
        seen: dict[str, int] = {}
        out: list[Question] = []
        for i, qs in enumerate(self.spec.questions):
            if qs.id in seen:
                self.err(("questions", i, "id"), f"duplicate id '{qs.id}' (first at question {seen[qs.id] + 1})")
            seen.setdefault(qs.id, i)
            question = self.question(i, qs)
            if question is not None:
                out.append(question)
        return out

    def conditions(self, questions: list[Question]) -> None:
        """Conditions name an earlier question and one of its answers."""
        index = {q.id: n for n, q in enumerate(questions)}
        for i, qs in enumerate(self.spec.questions):
            if qs.when is None:
                continue
            loc: Loc = ("questions", i, "when")
            target = qs.when.question
            if target not in index:
                hint = did_you_mean(target, index)
                self.err(loc + ("question",), f"unknown question '{target}'{hint}")
            elif index[target] >= index.get(qs.id, i):
                self.err(
                    loc + ("question",),
                    f"'{target}' is asked after this question; a condition must name an earlier question",
                )
            elif (problem := check_value(questions[index[target]].allowed, qs.when.equals)) is not None:
                self.err(loc + ("equals",), problem)

    def coverage(self, questions: list[Question]) -> None:
        """Every contract field is asked, set by a control question, or listed as not asked."""
        set_by_control = {t for q in questions for values in q.sets.values() for t in values}
        for leaf in contract_leaves(models.State):
            if leaf == "red_flags":
                missing = [f for f in self.red_flag_ids if f not in self.red_flags_asked]
                if missing:
                    self.err(("questions",), f"red flags not asked: {', '.join(missing)}")
                continue
            if leaf not in self.covered and leaf not in self.spec.not_asked:
                self.err(
                    ("questions",),
                    f"contract field '{leaf}' is not asked; add a question with maps_to: {leaf} "
                    "or list it under not_asked with the reason",
                )
            if leaf in self.covered and leaf in self.spec.not_asked:
                self.err(("not_asked", leaf), "it is asked by a question")
            allowed, _ = allowed_for(self.state, leaf.split("."))
            if allowed is not None and allowed.required and leaf not in self.covered and leaf not in set_by_control:
                self.err(("questions",), f"required contract field '{leaf}' is never filled")
        # Red flags come first: nothing may be asked before them.
        flags_at = [n for n, q in enumerate(questions) if q.red_flag]
        if flags_at and flags_at != list(range(len(flags_at))):
            self.err(("questions",), "red-flag questions must come first, before any other question")

    def pages(self, questions: list[Question]) -> None:
        """A page holds consecutive questions; a red-flag page holds only red flags; a group is alone."""
        seen: list[str] = []
        for n, question in enumerate(questions):
            page = question.page
            if page is None:
                continue
            loc: Loc = ("questions", n, "page")
            if page in seen and questions[n - 1].page != page:
                self.err(loc, f"page '{page}' is used again after another page; a page's questions are together")
            seen.append(page)
            on_page = [q for q in questions if q.page == page]
            if len({bool(q.red_flag) for q in on_page}) > 1:
                self.err(loc, f"page '{page}' mixes red-flag questions with others")
            if question.when is not None and question.when.question in {q.id for q in on_page}:
                self.err(
                    loc,
                    f"'{question.id}' depends on '{question.when.question}' on the same page; put it on a later page",
                )
            if question.type == "group" and len(on_page) > 1:
                self.err(loc, f"a group question is alone on its page ('{page}')")

    def forms(self, questions: list[Question]) -> None:
        forms = self.spec.answer_forms
        options = {o for q in questions if q.type == "choice" for o in q.allowed.options}
        owner: dict[str, str] = {}
        for option, words in forms.choices.items():
            loc: Loc = ("answer_forms", "choices", option)
            if option not in options:
                self.err(loc, f"'{option}' is not an option of any choice question{did_you_mean(option, options)}")
            for word in words:
                if word.lower() in owner and owner[word.lower()] != option:
                    self.err(loc, f"'{word}' already means '{owner[word.lower()]}'; a word means one option")
                owner.setdefault(word.lower(), option)
        if set(map(str.lower, forms.yes)) & set(map(str.lower, forms.no)):
            self.err(("answer_forms",), "a word cannot mean both yes and no")

    def build(self) -> Questionnaire:
        self.header()
        questions = self.questions()
        self.conditions(questions)
        self.coverage(questions)
        self.pages(questions)
        self.forms(questions)
        if self.errors:
            raise QuestionnaireError(self.errors)
        spec = self.spec
        return Questionnaire(
            self.path,
            spec.version,
            spec.title,
            spec.fhir,
            spec.messages,
            tuple(questions),
            dict(spec.not_asked),
            dict(spec.pages),
            spec.answer_forms,
            spec.plausible,
            knowledge=self.kb,
        )


def load_questionnaire(path: str | Path | None = None, knowledge: Knowledge | None = None) -> Questionnaire:
    """Read and validate a questionnaire file (default: the shipped ``knowledge/questionnaire.yaml``)
    against a knowledge base (default: the shipped one): its red flags, ranges and scale tops.

    Raises QuestionnaireError listing every problem as ``file:line: field: message``."""
    path = Path(path) if path is not None else knowledge_dir() / QUESTIONNAIRE_FILE
    data, line = load_with_lines(path)
    try:
        spec = QuestionnaireSpec.model_validate(data)
    except ValidationError as exc:

        def unknown_key(e: dict[str, Any], loc: tuple[Any, ...]) -> str:
            if e["type"] != "extra_forbidden":
                return ""  # pydantic's own message
            known = _known_keys(loc)
            return f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], known)}" + (
                f"; known: {', '.join(known)}" if known else ""
            )

        raise QuestionnaireError(validation_errors(path, line, exc, message=unknown_key)) from None
    return _Checker(spec, path, line, knowledge or default_knowledge()).build()


def _known_keys(loc: tuple) -> list[str]:
    model: Any = QuestionnaireSpec
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        base, _, _ = unwrap(info.annotation)
        while typing.get_origin(base) in (tuple, list):
            base = typing.get_args(base)[0]
        model = base
    return list(getattr(model, "model_fields", {}))


@lru_cache(maxsize=1)
def default_questionnaire() -> Questionnaire:
    """The shipped questionnaire, loaded once."""
    return load_questionnaire()
