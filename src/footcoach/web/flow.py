"""The runner's triage on the web drives the shared :class:`footcoach.triage.session.TriageSession`,
the one ``footcoach triage`` drives in the terminal: the same pages (``knowledge/questionnaire.yaml``),
the same checks of each answer and of the answers together, the same answer forms, Back, the review
and the red-flag stop.  Nothing here decides what is asked or what an answer may be.

Between requests the session is kept on the server, in the draft row of the runner link it belongs
to (a snapshot, see ``TriageSession.snapshot``): only that link reaches it, and nothing about it
travels in the page but the page's own answers.  This module keeps it and shapes a page's fields
for the template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from footcoach.storage import accounts
from footcoach.triage.questionnaire import Questionnaire, default_questionnaire
from footcoach.triage.session import Field, FieldError, Page, TriageSession, UnknownPage

SNAPSHOT = "session"  # the draft's key holding the session's snapshot


def questionnaire() -> Questionnaire:
    return default_questionnaire()


def load(db_path: str | None, link_id: int, profile: Mapping[str, Any]) -> TriageSession:
    """The link's session where it was left, or a new one (the stored profile fills its questions)."""
    q = questionnaire()
    saved = accounts.load_draft(db_path, link_id).get(SNAPSHOT)
    if isinstance(saved, dict):
        try:
            session = TriageSession.restore(q, saved)
            if session.at_review or session.current() is not None:
                return session
        except (KeyError, TypeError, ValueError, UnknownPage):
            pass  # a snapshot of another questionnaire or version: start again
    return TriageSession(q, record=dict(profile))


def save(db_path: str | None, link_id: int, session: TriageSession | None) -> None:
    """Keep the session for the link's next request (None: forget it, the triage is over)."""
    accounts.save_draft(db_path, link_id, None if session is None else {SNAPSHOT: session.snapshot()})


@dataclass(frozen=True)
class FormField:
    """One input as the page shows it: the session's field, the text in the input (the runner's own
    after a refusal), the refusal in words, the choices (value, label), the hint and why we ask."""

    field: Field
    value: str
    problem: str | None
    options: tuple[tuple[str, str], ...]
    select: bool
    hint: str  # what is allowed, whether optional, whether it came from the record ("" for nothing)
    why: str  # "why we ask" ("" when an earlier field of the page says the same)


def _options(f: Field) -> tuple[tuple[str, str], ...]:
    if f.kind == "boolean":
        return tuple((value, label.capitalize()) for value, label in f.options)
    return f.options


def form_fields(
    page: Page, typed: Mapping[str, str] | None = None, errors: Sequence[FieldError] = ()
) -> list[FormField]:
    """The page's fields for the form: the answers so far, or what was typed when a page is refused."""
    problems: dict[str, str] = {}
    for error in errors:
        problems.setdefault(error.key, error.sentence)
    out: list[FormField] = []
    for f in page.fields:
        select = f.kind in ("boolean", "choice")
        value = typed.get(f.key, "") if typed is not None else f.shown
        # The choices of a list say what is allowed, and "some text" says nothing: no hint for them.
        hint = "" if select or f.kind == "text" else f.allowed
        notes = "; ".join(
            n for n in (hint, "" if f.required else "optional", "on your record" if f.on_record else "") if n
        )
        # The fields of a diary week or a pair of shoes share one reason: it is told once on the page.
        why = f.why if f.why and f.why not in [x.why for x in out] else ""
        out.append(FormField(f, value, problems.get(f.key), _options(f), select, notes[:1].upper() + notes[1:], why))
    return out


def page_problems(errors: Sequence[FieldError], page: Page) -> list[str]:
    """Refusals that belong to no field of the page (for the page as a whole)."""
    keys = {f.key for f in page.fields}
    return [e.sentence for e in errors if e.key not in keys]


def review_groups(session: TriageSession, page_address: str) -> list[dict[str, Any]]:
    """The session's review, a group per page under the page's title: each answer with its question
    (an entry's question without the entry's name, which the title gives) and where to change it."""
    titles = {page.id: page.title for page in session.pages()}
    groups: list[dict[str, Any]] = []
    for item in session.review():
        if not groups or groups[-1]["page"] != item.page:
            href = page_address + quote(item.page)
            groups.append({"page": item.page, "title": titles[item.page], "href": href, "items": []})
        text = item.text.split(": ", 1)[1] if "." in item.key and ": " in item.text else item.text
        groups[-1]["items"].append({"text": text, "answer": item.answer})
    return groups
