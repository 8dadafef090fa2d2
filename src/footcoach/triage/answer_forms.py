"""One answer: a typed text or a JSON/YAML value turned into the native value a question allows.

Besides the exact values (``true``, ``female``, ``12.5``) the common forms people type are
accepted, as the questionnaire's ``answer_forms`` lists them (data, never lists in this code):
``y``/``yes``/``n``/``no``; ``f``/``woman`` for ``female``; a number with words around it when it
is the only number and the words are listed (``about 500``); a distance with its unit, converted
to the stored unit (``300 miles`` -> 482.8 km).  Anything else is refused with what is allowed;
ambiguous input (two numbers, ``more than 5``, a unit on a question that is not a distance) is
refused rather than guessed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from footcoach.triage.spec import Allowed, AnswerForms, GroupField, Question, Questionnaire

# The exact values: a yes/no question's own two options and the JSON words, accepted whatever
# the questionnaire's forms (what a form's select or a program sends).
EXACT_YES, EXACT_NO = ("yes", "true"), ("no", "false")
STRICT = AnswerForms()  # no common forms: only the exact values
CONVERTED_DECIMALS = 1  # a converted distance is rounded to 0.1 of the stored unit
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_WORD = re.compile(r"[^\W\d_]+|[~]")


class AnswerProblem(ValueError):
    """An answer that is not allowed; the message says what is."""


def _shown(raw: Any) -> str:
    return repr(raw) if isinstance(raw, str) else json_text(raw)


def _boolean(raw: Any, forms: AnswerForms) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in forms.yes or text in EXACT_YES:
            return True
        if text in forms.no or text in EXACT_NO:
            return False
    raise AnswerProblem(f"{_shown(raw)} is not allowed")


def _choice(allowed: Allowed, raw: Any, labels: dict[str, str] | None, forms: AnswerForms) -> str:
    if isinstance(raw, str):
        text = raw.strip().lower()
        for n, option in enumerate(allowed.options, 1):
            words = {option.lower(), str(n), *(w.lower() for w in forms.choices.get(option, ()))}
            if labels and option in labels:
                words.add(labels[option].lower())
            if text in words:
                return option
    raise AnswerProblem(f"{_shown(raw)} is not allowed")


def _unit_words(forms: AnswerForms) -> dict[str, tuple[str, float]]:
    """Every unit word -> (stored unit, factor)."""
    out: dict[str, tuple[str, float]] = {}
    for stored, units in forms.units.items():
        for unit in units:
            for word in unit.words:
                out[word.lower()] = (stored, unit.factor)
    return out


def _number_in_words(text: str, allowed: Allowed, forms: AnswerForms, unit: str | None) -> float | int:
    """The one number in ``text`` with only listed words around it, converted to ``unit``."""
    shown = repr(text)
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        why = "more than one number" if numbers else "no number"
        raise AnswerProblem(f"{shown} is not allowed ({why}; type one number)")
    before, _, after = text.partition(numbers[0])
    factor = 1.0
    units = _unit_words(forms)
    for word in _WORD.findall(before.lower()) + _WORD.findall(after.lower()):
        if word in units:
            stored, word_factor = units[word]
            if unit != stored:
                raise AnswerProblem(f"{shown} is not allowed ({word} is not a unit for this question)")
            factor = word_factor
        elif word not in forms.number_words:
            raise AnswerProblem(f"{shown} is not allowed (type just the number)")
    leftover = re.sub(r"[\s.,!~]", "", _WORD.sub("", before + after))
    if leftover:
        raise AnswerProblem(f"{shown} is not allowed (type just the number)")
    value = float(numbers[0]) * factor
    if factor != 1:
        return round(value, CONVERTED_DECIMALS)
    return int(numbers[0]) if re.fullmatch(r"[+-]?\d+", numbers[0]) else value


def _number(allowed: Allowed, raw: Any, forms: AnswerForms, unit: str | None) -> float | int:
    shown = _shown(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise AnswerProblem(f"{shown} is not allowed")
    value: float | int
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            value = int(text)
        elif re.fullmatch(_NUMBER.pattern, text):
            value = float(text)
        else:
            value = _number_in_words(text, allowed, forms, unit)
    else:
        value = raw
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AnswerProblem(f"{shown} is not allowed")
        if allowed.type == "integer":
            if not value.is_integer():
                raise AnswerProblem(f"{shown} is not allowed (a whole number)")
            value = int(value)
    if (allowed.lo is not None and value < allowed.lo) or (allowed.hi is not None and value > allowed.hi):
        raise AnswerProblem(f"{shown} is out of range")
    return value


def parse_value(
    allowed: Allowed,
    raw: Any,
    labels: dict[str, str] | None = None,
    forms: AnswerForms = STRICT,
    unit: str | None = None,
) -> Any:
    """Turn a typed text or a JSON/YAML value into the native answer, or raise AnswerProblem.

    ``forms`` are the questionnaire's accepted forms (default: exact values only); ``unit`` is
    the stored unit of a distance question (``km``), so ``300 miles`` is converted.  A choice is
    also accepted by its number in the list or its label."""
    if allowed.type == "boolean":
        return _boolean(raw, forms)
    if allowed.type in ("integer", "decimal"):
        return _number(allowed, raw, forms, unit)
    if allowed.type == "choice":
        return _choice(allowed, raw, labels, forms)
    if allowed.type == "text":
        if not isinstance(raw, str) or len(raw.strip()) < max(1, allowed.min_length or 0):
            raise AnswerProblem(f"{_shown(raw)} is not allowed")
        return raw.strip()
    raise AnswerProblem(f"{_shown(raw)}: a group is answered entry by entry")


def json_text(v: Any) -> str:
    """A value as JSON text (for messages), or its repr when it is not JSON."""
    try:
        return json.dumps(v, ensure_ascii=False)
    except TypeError:
        return repr(v)


def parse_answer(q: Questionnaire, asked: Question | GroupField, raw: Any) -> Any:
    """``parse_value`` for one question or group field of ``q``, with its accepted forms and unit."""
    labels = asked.labels if isinstance(asked, Question) else None
    return parse_value(asked.allowed, raw, labels, q.forms, asked.unit)
