"""What a triage session shows and answers: pages, their fields, refusals and the review (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from footcoach.knowledge.base import num

NOT_ALLOWED = "not allowed: "  # how a refused value's message starts
NEEDED = "an answer is needed here"  # the message of a required field left blank


@dataclass(frozen=True)
class Field:
    """One input of a page.  ``key`` is its form name: ``runner_age``, ``shoes`` (how many pairs),
    ``shoes.2.km`` (pair 2's km)."""

    key: str
    question_id: str
    entry: int | None  # 0-based entry of a repeating group
    field_id: str | None
    text: str
    why: str
    intro: str | None
    kind: str  # boolean | integer | decimal | choice | text
    required: bool
    options: tuple[tuple[str, str], ...]  # (value, label) of a choice or yes/no
    allowed: str  # what is allowed, in words
    hint: str  # short: 0-10, yes/no
    value: Any  # the current native answer, or None
    shown: str  # the current answer as text, "" when none
    on_record: bool  # filled from the stored runner's profile


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    fields: tuple[Field, ...]
    red_flags: bool
    number: int  # 1-based among the pages shown for the answers so far
    count: int


@dataclass(frozen=True)
class FieldError:
    """A refused answer.  ``kind``: ``value`` (not allowed alone), ``together`` (does not fit the
    other answers), ``needed`` (the other answers need it), ``record`` (differs from the stored
    profile: sending the same answer again confirms it)."""

    key: str
    message: str
    allowed: str
    kind: str = "value"

    @property
    def confirm(self) -> bool:
        return self.kind == "record"

    @property
    def sentence(self) -> str:
        """The refusal as the runner is told it (the terminal and the web say the same words)."""
        if self.kind == "record":
            return f"Please check: {self.message}."
        if self.kind == "together":
            return f"That does not fit with your other answers: {self.message}."
        if self.kind == "value" and self.message.startswith(NOT_ALLOWED):
            return f"Not allowed: {self.message.removeprefix(NOT_ALLOWED)}. Please answer {self.allowed}."
        if self.kind == "value" and self.message == NEEDED and self.allowed:
            return f"An answer is needed here: {self.allowed}."
        return self.message[:1].upper() + self.message[1:] + "."


@dataclass(frozen=True)
class ReviewItem:
    page: str
    key: str
    text: str
    answer: str


class UnknownPage(KeyError):
    """A page id that is not shown for the answers so far."""


def shown(value: Any) -> str:
    """An answer as the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(num(value))
    return str(value)
