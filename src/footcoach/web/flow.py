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
    after a refusal), the refusal in words, and the choices (value, label)."""

    field: Field
    value: str
    problem: str | None
    options: tuple[tuple[str, str], ...]
    select: bool


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
    return [
        FormField(
            f,
            typed.get(f.key, "") if typed is not None else f.shown,
            problems.get(f.key),
            _options(f),
            f.kind in ("boolean", "choice"),
        )
        for f in page.fields
    ]


def page_problems(errors: Sequence[FieldError], page: Page) -> list[str]:
    """Refusals that belong to no field of the page (for the page as a whole)."""
    keys = {f.key for f in page.fields}
    return [e.sentence for e in errors if e.key not in keys]
