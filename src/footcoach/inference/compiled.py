"""What a compiled rule holds besides experta's patterns: its comparisons, its joined test and its
action, as small callables made of data.

Each holds names and values only (an operator, a literal, a knowledge name, the rule base's
:class:`~footcoach.inference.engine.Values`, the rule), so a built network can be pickled
(:mod:`footcoach.inference.network_cache`) and its parts described the same way in every
process (``repr``).  A comparison is :func:`footcoach.common.comparison.compare`, inlined (it runs
for every fact of its name in every run).
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Protocol

from footcoach.common.comparison import OPS, compare, exact


class KnowledgeValues(Protocol):
    """The knowledge values of the run in progress, by name (the engine's ``Values``)."""

    now: dict[str, Any]


class LiteralCheck:
    """``value op literal``: a field predicate on a fact's value (false when the types do not compare)."""

    __slots__ = ("_fn", "literal", "op")

    def __init__(self, op: str, literal: Any):
        self.op, self.literal, self._fn = op, literal, OPS[op]

    def __call__(self, v: Any) -> bool:
        try:
            return bool(self._fn(v, self.literal))
        except TypeError:
            return False

    def __reduce__(self) -> tuple[Any, ...]:
        return (LiteralCheck, (self.op, self.literal))

    def __repr__(self) -> str:
        return f"LiteralCheck({self.op!r}, {self.literal!r})"


class KnowledgeCheck:
    """``value op knowledge[name]``, the knowledge value resolved for the runner of this run (the
    name interned, as the run's values are: unpickled, it would be compared by content)."""

    __slots__ = ("_fn", "name", "op", "values")

    def __init__(self, op: str, name: str, values: KnowledgeValues):
        self.op, self.name, self.values, self._fn = op, sys.intern(name), values, OPS[op]

    def __call__(self, v: Any) -> bool:
        try:
            return bool(self._fn(v, self.values.now[self.name]))
        except TypeError:
            return False

    def __reduce__(self) -> tuple[Any, ...]:
        return (KnowledgeCheck, (self.op, self.name, self.values))

    def __repr__(self) -> str:
        return f"KnowledgeCheck({self.op!r}, {self.name!r})"


class TimesTest:
    """``value op knowledge[name] x other``: the ``TEST`` joining a fact (bound to ``v``) with the
    fact it is a multiple of (bound to ``x``); experta passes the bindings its signature names."""

    __slots__ = ("name", "op", "v", "values", "x")

    def __init__(self, op: str, name: str, v: str, x: str, values: KnowledgeValues):
        self.op, self.name, self.v, self.x, self.values = op, sys.intern(name), sys.intern(v), sys.intern(x), values

    @property
    def __signature__(self) -> inspect.Signature:
        keyword = inspect.Parameter.KEYWORD_ONLY
        return inspect.Signature([inspect.Parameter(self.v, keyword), inspect.Parameter(self.x, keyword)])

    def __call__(self, **kw: Any) -> bool:
        return compare(kw[self.v], self.op, exact("*", self.values.now[self.name], kw[self.x]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (TimesTest, (self.op, self.name, self.v, self.x, self.values))

    def __repr__(self) -> str:
        return f"TimesTest({self.op!r}, {self.name!r}, {self.v!r}, {self.x!r})"


class Fire:
    """A rule's action: ``on_fire(engine, rule, bindings)``; experta names the rule after it (``__name__``)."""

    __slots__ = ("on_fire", "rule")
    # What experta reads to learn that the action takes every binding (without deriving it each time).
    __signature__ = inspect.Signature(
        [
            inspect.Parameter("engine", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("ctx", inspect.Parameter.VAR_KEYWORD),
        ]
    )

    def __init__(self, on_fire: Any, rule: Any):
        self.on_fire, self.rule = on_fire, rule

    @property
    def __name__(self) -> str:
        return str(self.rule.id)

    def __call__(self, engine: Any, **ctx: Any) -> None:
        self.on_fire(engine, self.rule, ctx)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Fire, (self.on_fire, self.rule))

    def __repr__(self) -> str:
        return f"Fire({self.rule.id!r})"
