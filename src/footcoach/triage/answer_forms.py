"""One answer: a typed text or a JSON/YAML value turned into the native value a question allows."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from footcoach.triage.spec import Allowed

YES = ("yes", "y", "true")
NO = ("no", "n", "false")


class AnswerProblem(ValueError):
    """An answer that is not allowed; the message says what is."""


def parse_value(allowed: Allowed, raw: Any, labels: dict[str, str] | None = None) -> Any:
    """Turn a typed text or a JSON/YAML value into the native answer, or raise AnswerProblem.

    ``yes``/``no`` and ``true``/``false`` for booleans, numbers as numbers or text; a choice by its
    value (case-insensitive) or its number in the list."""
    shown = repr(raw) if isinstance(raw, str) else json_text(raw)
    if allowed.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in YES:
            return True
        if isinstance(raw, str) and raw.strip().lower() in NO:
            return False
        raise AnswerProblem(f"{shown} is not allowed")
    if allowed.type in ("integer", "decimal"):
        value: Any
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise AnswerProblem(f"{shown} is not allowed")
        if isinstance(raw, str):
            text = raw.strip()
            if re.fullmatch(r"[+-]?\d+", text):
                value = int(text)
            elif allowed.type == "decimal" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                value = float(text)
            else:
                raise AnswerProblem(f"{shown} is not allowed")
        else:
            value = raw
        if isinstance(value, float):
            if not math.isfinite(value):
                raise AnswerProblem(f"{shown} is not allowed")
            if allowed.type == "integer":
                if not value.is_integer():
                    raise AnswerProblem(f"{shown} is not allowed")
                value = int(value)
        if (allowed.lo is not None and value < allowed.lo) or (allowed.hi is not None and value > allowed.hi):
            raise AnswerProblem(f"{shown} is out of range")
        return value
    if allowed.type == "choice":
        if isinstance(raw, str):
            text = raw.strip().lower()
            for n, option in enumerate(allowed.options, 1):
                if text in (option.lower(), str(n)) or (labels and text == labels.get(option, "").lower()):
                    return option
        raise AnswerProblem(f"{shown} is not allowed")
    if allowed.type == "text":
        if not isinstance(raw, str) or len(raw.strip()) < max(1, allowed.min_length or 0):
            raise AnswerProblem(f"{shown} is not allowed")
        return raw.strip()
    raise AnswerProblem(f"{shown}: a group is answered entry by entry")


def json_text(v: Any) -> str:
    """A value as JSON text (for messages), or its repr when it is not JSON."""
    try:
        return json.dumps(v, ensure_ascii=False)
    except TypeError:
        return repr(v)
