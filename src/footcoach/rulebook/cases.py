"""A rule's own cases as data: each case is the shared base state with the case's changes merged on
(they are run by :mod:`footcoach.inference.cases`)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from footcoach.rulebook.model import Case, Rule


def merge(base: Any, changes: Any) -> Any:
    """Deep-merge ``changes`` onto ``base``: mappings merge, lists and scalars replace, None removes."""
    if not isinstance(base, dict) or not isinstance(changes, dict):
        return copy.deepcopy(changes)
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def case_state(base: dict[str, Any], case: Case) -> dict[str, Any]:
    """The state document a case describes."""
    return copy.deepcopy(case.state) if case.full_state else merge(base, case.state)


def iter_cases(rule: Rule) -> Iterator[tuple[str, Case]]:
    for case in rule.spec.cases.fires:
        yield "fires", case
    for case in rule.spec.cases.does_not_fire:
        yield "does_not_fire", case
