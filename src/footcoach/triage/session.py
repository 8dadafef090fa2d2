"""A triage session that knows no interface: the terminal (``footcoach triage``) and the web drive it.

The questionnaire is shown as **pages** (``knowledge/questionnaire.yaml`` ``pages``): red flags
first, then one short group of questions a page; a repeating group is a page asking how many,
then a page per entry.  A driver loops::

    session = TriageSession(questionnaire, record={"age": 41, "sex": "female"})  # record: optional
    while not session.stopped and not session.finished:
        if session.at_review:
            items = session.review()              # every answer; session.change(item.page) edits one
            errors = session.finish()             # [] -> finished; else it moved to the page to fix
        else:
            page = session.current()              # Page: id, title, fields (key, text, options, ...)
            errors = session.answer(page.id, {field.key: "typed text", ...})
            # errors: FieldError(key, message, allowed, confirm); the page stays until they are fixed
    session.stops        # after a red flag: RedFlagStop(message, whom, how_soon, meanwhile), show only these
    session.answers      # when finished: native answers for footcoach.service.assess_triage

- ``answer`` takes the raw text of every field on the page (an empty or missing value is no
  answer), validates each alone and together with the answers before it, and moves on.  It
  accepts the common forms of ``answer_forms`` (``f``, ``about 500``, ``3 miles``).
- A red-flag page answered with any yes stops the session at once (``stopped``; the other fields
  of the page are not needed).
- ``back()`` goes to the previous page; ``check(key, raw)`` validates one field as it is typed.
- A stored runner's profile (``record``) fills its questions; an answer that differs from it is
  refused once with ``confirm=True`` and taken when it is sent again.
- ``snapshot()`` / ``TriageSession.restore(q, data)`` keep a session between web requests (JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from footcoach.triage.answer_forms import AnswerProblem, parse_answer, parse_value
from footcoach.triage.answers import (
    RedFlagStop,
    answers_to_state,
    condition_holds,
    fill_for_referral,
    red_flag_stops,
    state_problems,
)
from footcoach.triage.pages import NEEDED, NOT_ALLOWED, Field, FieldError, Page, ReviewItem, UnknownPage, shown
from footcoach.triage.plausible import heel_raise_warnings
from footcoach.triage.spec import Allowed, GroupField, Question, Questionnaire

__all__ = ["Field", "FieldError", "Page", "ReviewItem", "TriageSession", "UnknownPage", "shown"]

REVIEW = "review"
COUNT = Allowed("integer", lo=0)  # how many entries of a repeating group


@dataclass(frozen=True)
class _Slot:
    """Where one field's answer lives: a question, or an entry's field of a group, or a group's count."""

    question: Question
    entry: int | None = None
    field: GroupField | None = None

    @property
    def key(self) -> str:
        if self.entry is None:
            return self.question.id
        return f"{self.question.id}.{self.entry + 1}.{self.field.id if self.field else ''}"

    @property
    def allowed(self) -> Allowed:
        if self.field is not None:
            return self.field.allowed
        return COUNT if self.question.type == "group" else self.question.allowed


class TriageSession:
    """One runner's way through the questionnaire (see the module's docstring)."""

    def __init__(self, q: Questionnaire, record: Mapping[str, Any] | None = None):
        self.q = q
        self.answers: dict[str, Any] = {}
        self.record: dict[str, Any] = {}  # question id -> the stored profile's value
        for question in q.questions:
            key = (question.maps_to or "").removeprefix("runner.")
            if question.maps_to == f"runner.{key}" and record and record.get(key) is not None:
                self.record[question.id] = record[key]
                self.answers[question.id] = record[key]
        self.position: str = self._page_ids()[0]
        self.reviewing = False  # the review was reached once: answering a page returns to it
        self.done: set[str] = set()
        self.pending: dict[str, Any] = {}  # key -> an answer differing from the record, to confirm
        self.flags: list[str] = []
        self.finished = False
        self.warnings: list[str] = []  # the last page taken: values far outside what people do

    # ---- pages ------------------------------------------------------------------------------

    def _layout(self) -> list[tuple[str, str, list[_Slot]]]:
        """(page id, title, slots) of the pages shown for the answers so far."""
        out: list[tuple[str, str, list[_Slot]]] = []
        for question in self.q.questions:
            if not condition_holds(self.q, question, self.answers):
                continue
            page = question.page or question.id
            title = self.q.pages.get(page, question.text if question.page is None else page)
            if out and out[-1][0] == page:
                out[-1][2].append(_Slot(question))
            else:
                out.append((page, title, [_Slot(question)]))
            if question.type == "group":
                entries = self.answers.get(question.id) or []
                for n in range(len(entries)):
                    slots = [_Slot(question, n, f) for f in question.fields]
                    out.append((f"{page}.{n + 1}", f"{title}: {question.item} {n + 1} of {len(entries)}", slots))
        return out

    def _page_ids(self) -> list[str]:
        return [page for page, _, _ in self._layout()]

    def _slots(self, page_id: str) -> list[_Slot]:
        for page, _, slots in self._layout():
            if page == page_id:
                return slots
        raise UnknownPage(page_id)

    def _value(self, slot: _Slot) -> Any:
        value = self.answers.get(slot.question.id)
        if slot.question.type != "group":
            return value
        if slot.field is None:  # how many: none kept is 0 once the page was answered (else not answered)
            page = slot.question.page or slot.question.id
            return len(value) if value is not None else (0 if page in self.done else None)
        entries = value or []
        return entries[slot.entry].get(slot.field.id) if slot.entry is not None and slot.entry < len(entries) else None

    def _field(self, slot: _Slot) -> Field:
        question, allowed = slot.question, slot.allowed
        if slot.field is not None:
            text, kind, labels = slot.field.text, slot.field.type, {}
        else:
            text, kind, labels = (
                question.text,
                ("integer" if question.type == "group" else question.type),
                question.labels,
            )
        options: tuple[tuple[str, str], ...] = ()
        if kind == "boolean":
            options = (("yes", "yes"), ("no", "no"))
        elif kind == "choice":
            options = tuple((o, labels.get(o, o)) for o in allowed.options)
        value = self._value(slot)
        return Field(
            key=slot.key,
            question_id=question.id,
            entry=slot.entry,
            field_id=None if slot.field is None else slot.field.id,
            text=text,
            why=question.why,
            intro=question.intro if slot.entry is None else None,
            kind=kind,
            required=allowed.required,
            options=options,
            allowed=allowed.describe(labels),
            hint=allowed.hint(),
            value=value,
            shown=shown(value),
            on_record=slot.entry is None and question.id in self.record and value == self.record[question.id],
        )

    def page(self, page_id: str) -> Page:
        """A page shown for the answers so far (UnknownPage otherwise)."""
        layout = self._layout()
        for n, (page, title, slots) in enumerate(layout, 1):
            if page == page_id:
                fields = tuple(self._field(s) for s in slots)
                red = all(s.question.red_flag for s in slots)
                return Page(page, title, fields, red, n, len(layout))
        raise UnknownPage(page_id)

    def pages(self) -> list[Page]:
        return [self.page(p) for p in self._page_ids()]

    @property
    def stopped(self) -> bool:
        return bool(self.flags)

    @property
    def stops(self) -> list[RedFlagStop]:
        """After a red flag: what the runner is told (and nothing else)."""
        return red_flag_stops(self.q, self.flags)

    @property
    def at_review(self) -> bool:
        return self.position == REVIEW and not self.stopped and not self.finished

    def current(self) -> Page | None:
        """The page to show now; None at the review, after a stop or when finished."""
        if self.position == REVIEW or self.stopped or self.finished:
            return None
        return self.page(self.position)

    # ---- answering --------------------------------------------------------------------------

    def _slot(self, key: str) -> _Slot:
        for _, _, slots in self._layout():
            for slot in slots:
                if slot.key == key:
                    return slot
        raise UnknownPage(key)

    def check(self, key: str, raw: str | None) -> tuple[Any, FieldError | None]:
        """One field's raw text alone: (native value or None for no answer, error or None)."""
        return self._parse(self._slot(key), raw)

    def _parse(self, slot: _Slot, raw: str | None) -> tuple[Any, FieldError | None]:
        allowed = slot.allowed
        labels = slot.question.labels if slot.field is None else None
        describe = allowed.describe(labels)
        if raw is None or not str(raw).strip():
            if allowed.required:
                return None, FieldError(slot.key, NEEDED, describe)
            return None, None
        try:
            if slot.field is not None:
                return parse_answer(self.q, slot.field, raw), None
            if slot.question.type == "group":
                return parse_value(COUNT, raw, None, self.q.forms), None
            return parse_answer(self.q, slot.question, raw), None
        except AnswerProblem as exc:
            return None, FieldError(slot.key, f"{NOT_ALLOWED}{exc}", describe)

    def _store(self, slot: _Slot, value: Any) -> None:
        qid = slot.question.id
        if slot.question.type != "group":
            if value is None:
                self.answers.pop(qid, None)
            else:
                self.answers[qid] = value
            return
        entries: list[dict[str, Any]] = self.answers.setdefault(qid, [])
        if slot.field is None:  # the count: keep the entries already given, add or drop at the end
            count = value or 0
            del entries[count:]
            entries.extend({} for _ in range(count - len(entries)))
            if not entries:
                self.answers.pop(qid, None)
        elif slot.entry is not None:
            if value is None:
                entries[slot.entry].pop(slot.field.id, None)
            else:
                entries[slot.entry][slot.field.id] = value

    def _conflict(self, slot: _Slot, value: Any) -> FieldError | None:
        qid = slot.question.id
        if slot.entry is not None or qid not in self.record or value is None or value == self.record[qid]:
            self.pending.pop(slot.key, None)
            return None
        if self.pending.get(slot.key) == value:
            return None  # sent again: confirmed
        self.pending[slot.key] = value
        return FieldError(
            slot.key,
            f"your record says {shown(self.record[qid])}, you answered {shown(value)}; "
            f"answer {shown(value)} again to confirm it, or change it",
            slot.allowed.describe(slot.question.labels),
            kind="record",
        )

    def answer(self, page_id: str, raw: Mapping[str, str | None]) -> list[FieldError]:
        """Answer a page with the raw text of its fields; [] when it is taken (the session moves on)."""
        slots = self._slots(page_id)
        errors: list[FieldError] = []
        parsed: list[tuple[_Slot, Any]] = []
        for slot in slots:
            value, error = self._parse(slot, raw.get(slot.key))
            if slot.question.red_flag and value is True:
                for done_slot, done_value in parsed:
                    self._store(done_slot, done_value)
                self.answers[slot.question.id] = True
                self.flags = [q.red_flag for q in self.q.questions if q.red_flag and self.answers.get(q.id) is True]
                return []  # a red flag stops the questionnaire at once
            if error is None:
                error = self._conflict(slot, value)
            if error is None:
                parsed.append((slot, value))
            else:
                errors.append(error)
        for slot, value in parsed:
            self._store(slot, value)  # valid answers are kept even when another one is refused
        if errors:
            return errors
        errors = self._problems({s.key for s in slots}, final=False)
        if errors:
            return errors
        self.done.add(page_id)
        self.warnings = self._warnings(slots)
        self._advance(page_id)
        return []

    def _warnings(self, slots: list[_Slot]) -> list[str]:
        """Heel-raise counts on this page far outside what people do (taken, named to check)."""
        state = answers_to_state(self.q, self.answers)
        paths = {s.question.maps_to or "" for s in slots if s.field is None}
        if "tests.heel_raises.left" in paths or "tests.heel_raises.right" in paths:
            return heel_raise_warnings(self.q.plausible, (state.get("tests") or {}).get("heel_raises"))
        entry = next((s.entry for s in slots if s.field and s.field.maps_to.startswith("heel_raises.")), None)
        if entry is None:
            return []
        history = state.get("history") or []
        previous = history[entry - 1].get("heel_raises") if entry > 0 else None
        item = slots[0].question.item or "entry"
        return heel_raise_warnings(
            self.q.plausible, history[entry].get("heel_raises"), previous, f"{item} {entry + 1}, heel raises"
        )

    def _problems(self, keys: set[str] | None, final: bool) -> list[FieldError]:
        """Problems of the answers taken together, on the fields ``keys`` (all when None)."""
        state = answers_to_state(self.q, self.answers)
        if final and state.get("red_flags"):
            state = fill_for_referral(self.q, state)
        out = []
        for problem in state_problems(self.q, state):
            if problem.where is None:
                continue
            qid, entry, fid = problem.where.key
            key = qid if entry is None else f"{qid}.{entry + 1}.{fid}"
            if keys is None or key in keys:
                allowed = self._slot(key).allowed.describe() if self._has(key) else ""
                if problem.missing:
                    out.append(FieldError(key, "your other answers need this one too", allowed, "needed"))
                else:
                    out.append(FieldError(key, problem.message, allowed, "together"))
        return out

    def _has(self, key: str) -> bool:
        try:
            self._slot(key)
        except UnknownPage:
            return False
        return True

    def _advance(self, page_id: str) -> None:
        ids = self._page_ids()
        if self.reviewing:
            self.position = next((p for p in ids if p not in self.done), REVIEW)
            return
        at = ids.index(page_id)
        self.position = ids[at + 1] if at + 1 < len(ids) else REVIEW
        if self.position == REVIEW:
            self.reviewing = True

    def back(self) -> Page | None:
        """Go to the page before the current one (from the review: the last page)."""
        if self.stopped or self.finished:
            return None
        ids = self._page_ids()
        if self.position == REVIEW:
            self.position = ids[-1]
        elif self.position in ids and ids.index(self.position) > 0:
            self.position = ids[ids.index(self.position) - 1]
        return self.current()

    # ---- review and finish ------------------------------------------------------------------

    def review(self) -> list[ReviewItem]:
        """Every answer given, in asking order, with the page that changes it."""
        items = []
        for page, _, slots in self._layout():
            for slot in slots:
                f = self._field(slot)
                text = f.text if slot.entry is None else f"{slot.question.item} {slot.entry + 1}: {f.text}"
                items.append(ReviewItem(page, f.key, text, f.shown or "(not answered)"))
        return items

    def change(self, page_id: str) -> Page:
        """From the review: show this page again; answering it returns to the review."""
        return self.go(page_id)

    def go(self, page_id: str) -> Page:
        """Make a page shown for the answers so far the current one (a web address names the page the
        runner is on); answering it moves on as from any page (UnknownPage otherwise)."""
        if self.stopped or self.finished or page_id not in self._page_ids():
            raise UnknownPage(page_id)
        self.position = page_id
        page = self.current()
        assert page is not None
        return page

    def to_review(self) -> None:
        """Back to the review without changing anything (once the review was reached)."""
        if self.reviewing:
            self.position = REVIEW

    def finish(self) -> list[FieldError]:
        """At the review: check all answers together; [] -> finished, else go to the page to fix."""
        missing = [p for p in self._page_ids() if p not in self.done]
        if missing:
            self.position = missing[0]
            return [FieldError("", "this page is not answered yet", "")]
        errors = self._problems(None, final=True)
        if errors:
            keys = {e.key for e in errors}
            page = next((p for p, _, slots in self._layout() if any(s.key in keys for s in slots)), None)
            if page is not None:
                self.position = page
                self.done.discard(page)
            return errors
        self.finished = True
        return []

    # ---- keeping a session between requests -------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything the session holds, as JSON-ready data."""
        return {
            "answers": self.answers,
            "record": self.record,
            "position": self.position,
            "reviewing": self.reviewing,
            "done": sorted(self.done),
            "pending": self.pending,
            "flags": self.flags,
            "finished": self.finished,
            "warnings": self.warnings,
        }

    @classmethod
    def restore(cls, q: Questionnaire, data: Mapping[str, Any]) -> TriageSession:
        """The session a ``snapshot`` was taken of."""
        session = cls(q)
        session.answers = dict(data["answers"])
        session.record = dict(data["record"])
        session.position = data["position"]
        session.reviewing = bool(data["reviewing"])
        session.done = set(data["done"])
        session.pending = dict(data["pending"])
        session.flags = list(data["flags"])
        session.finished = bool(data["finished"])
        session.warnings = list(data.get("warnings", []))
        return session
