"""The bounds footcoach puts on what it reads, from ``knowledge/limits.yaml``.

Each bound has a default here (used when the file or an entry is missing) and may be changed in
the file, which says why each number is what it is.  The file is read once, at the first use
(never when a module is imported), with the default bounds.  ``limits(folder)`` reads another
knowledge folder's file (``--knowledge DIR``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path

LIMITS_FILE = "limits.yaml"


@dataclass(frozen=True)
class Limits:
    """Every bound on input; see knowledge/limits.yaml for the reasons."""

    document_bytes: int = 2_000_000
    document_depth: int = 32
    string_chars: int = 10_000
    integer_digits: int = 20
    id_chars: int = 64
    name_chars: int = 200
    shoes: int = 20
    diary_weeks: int = 520
    weekly_km: float = 500
    run_km: float = 500
    shoe_km: float = 10_000
    weeks: int = 5_200


DEFAULT_LIMITS = Limits()


class LimitsError(Exception):
    """knowledge/limits.yaml is not a set of positive bounds."""


def load_limits(path: Path) -> Limits:
    """The bounds in ``path`` (defaults for entries it does not name); LimitsError if malformed."""
    from footcoach.common.documents import DataFileError, load_with_lines

    if not path.is_file():
        return DEFAULT_LIMITS
    try:
        data, line_of = load_with_lines(path, limits=DEFAULT_LIMITS)
    except DataFileError as exc:
        raise LimitsError(str(exc)) from None
    known = {f.name: f for f in fields(Limits)}
    values: dict[str, float | int] = {}
    for name, entry in (data or {}).items():
        where = f"{path}:{line_of((name,))}: {name}"
        if name not in known:
            raise LimitsError(f"{where}: unknown bound; known: {', '.join(known)}")
        value = entry.get("value") if isinstance(entry, dict) else None
        whole = known[name].type == "int"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not value > 0:
            kind = "whole number" if whole else "number"
            raise LimitsError(f"{where}.value: {value!r}: allowed: a positive {kind}")
        values[name] = value
    return replace(DEFAULT_LIMITS, **values)


@lru_cache(maxsize=8)
def limits(folder: Path | None = None) -> Limits:
    """The bounds of a knowledge folder (the shipped one by default), read once."""
    from footcoach.common.paths import knowledge_dir

    return load_limits(Path(folder or knowledge_dir()) / LIMITS_FILE)
