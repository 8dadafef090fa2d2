"""The bounds footcoach puts on what it reads, from ``knowledge/limits.yaml``.

Each bound has a default here (used when the file or an entry is missing) and may be changed in
the file, which says why each number is what it is.  :func:`footcoach.common.documents.current_limits`
reads the file once, at the first use (never when a module is imported), with the default bounds;
``current_limits(folder)`` reads another knowledge folder's file (``--knowledge DIR``).
"""

from __future__ import annotations

from dataclasses import dataclass

LIMITS_FILE = "limits.yaml"


@dataclass(frozen=True)
class Limits:
    """Every bound on input; see knowledge/limits.yaml for the reasons."""

    document_bytes: int = 2_000_000  # not clinical: a default bound (knowledge/limits.yaml)
    document_depth: int = 32  # not clinical: a default bound (knowledge/limits.yaml)
    string_chars: int = 10_000  # not clinical: a default bound (knowledge/limits.yaml)
    integer_digits: int = 20  # not clinical: a default bound (knowledge/limits.yaml)
    id_chars: int = 64  # not clinical: a default bound (knowledge/limits.yaml)
    name_chars: int = 200  # not clinical: a default bound (knowledge/limits.yaml)
    shoes: int = 20  # not clinical: a default bound (knowledge/limits.yaml)
    diary_weeks: int = 520  # not clinical: a default bound (knowledge/limits.yaml)
    weekly_km: float = 500  # not clinical: a default bound (knowledge/limits.yaml)
    run_km: float = 500  # not clinical: a default bound (knowledge/limits.yaml)
    shoe_km: float = 10_000  # not clinical: a default bound (knowledge/limits.yaml)
    weeks: int = 5_200  # not clinical: a default bound (knowledge/limits.yaml)


DEFAULT_LIMITS = Limits()


class LimitsError(Exception):
    """knowledge/limits.yaml is not a set of positive bounds."""
