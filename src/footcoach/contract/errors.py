"""Bad input, said clearly: every problem names the field path, the value given and what is allowed."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from footcoach.common.documents import did_you_mean, dotted
from footcoach.common.errors import BadInput
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK  # noqa: F401 - re-exported
from footcoach.contract.state import FieldProblem

_SHOWN_MAX = 64  # longest value quoted back in an error message


class InputError(BadInput):
    """Input that cannot be assessed; ``problems`` holds one line per problem."""


def path_of(loc: tuple[Any, ...]) -> str:
    """('history', 0, 'week') -> 'history[0].week'."""
    return dotted(loc) or "(document)"


def _field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The pydantic FieldInfo a location points at, or None."""
    current: Any = model
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        current = _inner_model(info.annotation)
    return info


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside Optional[...] / list[...] annotations, if any."""
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
        stack.extend(getattr(a, "__args__", ()) or ())
    return None


def _annotated_description(annotation: Any) -> str | None:
    """The description of an ``Annotated[..., Field(description=...)]`` inside Optional/Union."""
    stack = [annotation]
    while stack:
        a = stack.pop()
        for m in getattr(a, "__metadata__", ()) or ():
            if getattr(m, "description", None):
                return str(m.description)
        stack.extend(getattr(a, "__args__", ()) or ())
    return None


def _allowed(model: type[BaseModel], loc: tuple[Any, ...], err: Any) -> str:
    info = _field_info(model, loc)
    if err["type"] == "extra_forbidden":
        parent = _field_info(model, loc[:-1])
        sub = _inner_model(parent.annotation) if parent else model
        names = ", ".join(sub.model_fields) if sub else ""
        return f"no such field{did_you_mean(loc[-1], sub.model_fields if sub else [])}; known fields here: {names}"
    if err["type"] == "missing":
        return "a value is required"
    if err["type"].startswith("literal") or err["type"] == "enum":
        return f"one of {err.get('ctx', {}).get('expected', '')}"
    desc = None
    if info is not None:
        desc = info.description or _annotated_description(info.annotation)
        if desc is None:
            for m in info.metadata:
                desc = getattr(m, "description", None) or desc
    if desc:
        return desc
    if err["type"] == "bool_type":
        return "true or false"
    if err["type"] in ("dict_type", "model_type"):
        return "an object"
    if err["type"] in ("list_type", "tuple_type"):
        return "a list"
    return str(err["msg"])


_ELIDED = "..."


def _value(v: Any) -> str:
    try:
        text = json.dumps(v, ensure_ascii=False)
    except TypeError:
        text = repr(v)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - len(_ELIDED)] + _ELIDED


def _literal_values(err: Any) -> list[str]:
    return re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))


def describe(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per problem: ``path: value V is not allowed (msg); allowed: A``."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        problem = err.get("ctx", {}).get("error")
        if isinstance(problem, FieldProblem):
            path = path_of(loc) + ("" if problem.path.startswith("[") or not problem.path else ".") + problem.path
            lines.append(f"{path}: value {_value(problem.value)}: {problem}; allowed: {problem.allowed}")
            continue
        path = path_of(loc)
        if err["type"] == "missing":
            lines.append(f"{path}: missing; allowed: {_allowed(model, loc, err)}")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"].startswith("literal") or err["type"] == "enum":
            msg = "not one of the allowed values" + did_you_mean(err["input"], _literal_values(err))
        lines.append(f"{path}: value {_value(err['input'])}: {msg}; allowed: {_allowed(model, loc, err)}")
    return lines
