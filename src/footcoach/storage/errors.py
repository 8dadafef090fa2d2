"""What can go wrong in storage, as data: the interfaces word it (the CLI names its options, the web its
fields and status codes).

Every class is an :class:`~footcoach.contract.errors.InputError` (the caller's input or file is the
problem, never a bug), so an interface that does not word one still exits 2 with a neutral message.
"""

from __future__ import annotations

import json
from pathlib import Path

from footcoach.contract.errors import InputError


class StorageError(InputError):
    """Base of the errors storage raises."""


class DatabaseUnusable(StorageError):
    """The database file cannot be used: damaged, foreign, newer, unreadable, not a regular file.

    ``path`` is the file, ``reason`` what is wrong with it; ``damaged`` says whether an integrity check
    would help the user find out more.
    """

    def __init__(self, path: str | Path, reason: str, *, damaged: bool = False):
        self.path, self.reason, self.damaged = str(path), reason, damaged
        super().__init__([f"{self.path}: {reason}"])


class NotFound(StorageError):
    """No record with that key: ``kind`` ("runner", "assessment", "week"), ``value``, and some ``known``
    values to suggest."""

    def __init__(self, kind: str, value: object, known: list[str] | None = None, *, runner: str | None = None):
        self.kind, self.value, self.known, self.runner = kind, value, known or [], runner
        where = f" of runner {json.dumps(runner)}" if runner is not None else ""
        hint = f"; known: {', '.join(self.known)}" if self.known else ""
        super().__init__([f"{kind}: value {json.dumps(value)}: no such {kind}{where}{hint}"])


class Conflict(StorageError):
    """The change contradicts what is stored (an id already taken, a week already recorded, assessments
    that an unforced delete would lose).  ``kind`` and ``value`` name the record; ``reason`` says why."""

    def __init__(self, kind: str, value: object, reason: str, *, allowed: str = ""):
        self.kind, self.value, self.reason, self.allowed = kind, value, reason, allowed
        tail = f"; allowed: {allowed}" if allowed else ""
        super().__init__([f"{kind}: value {json.dumps(value)}: {reason}{tail}"])
