"""Facts for experta's fact list without its per-fact checks: the fact side of
:mod:`footcoach.inference.fast_match` (which uses them), kept apart so that module stays small.

Like :mod:`footcoach.inference.fast_match` and :mod:`footcoach.inference.fast_prepare`, it relies on
experta 1.9.4 internals, checked by ``tests/test_fast_match.py``: ``FactList`` (``last_index``,
``reference_counter``, ``added``, ``duplication``; a fact's identity, ``_get_fact_id``, is its class
and its non-special items); ``Fact`` being a ``dict`` of its items whose ``__init__`` is ``update``
plus a private ``_Fact__defaults`` dict, whose ``__factid__`` is the item of that name and whose
``__hash__`` is cached in ``_hash``; a fact class's ``__fields__``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from experta.fact import Fact
from experta.factlist import FactList

SCALARS = frozenset({str, int, float, bool, Decimal, type(None)})
PLAIN_KEYS = frozenset({"name", "subject", "value", "by"})  # the fields of the facts footcoach declares


class FastFactList(FactList):  # type: ignore[misc]  # experta is untyped
    """experta's ``FactList``: a fact without fields (nothing to validate) whose keys are all plain
    (``PLAIN_KEYS``: no special key, so its identity is its class and items) is declared without
    the per-key identity walk and the log call."""

    last_index: int

    def declare(self, fact: Any) -> Any:
        if not (isinstance(fact, Fact) and fact.keys() <= PLAIN_KEYS and not fact.__fields__):
            return super().declare(fact)
        return self._list(fact, frozenset([fact.__class__, *fact.items()]))  # experta's _get_fact_id

    def _list(self, fact: Any, fact_id: frozenset[Any]) -> Any:
        counter = self.reference_counter
        if not (self.duplication or fact_id not in counter):
            return None  # an identical fact is already declared
        idx = self.last_index
        dict.__setitem__(fact, "__factid__", idx)  # what experta's __factid__ setter does
        if "_hash" not in vars(fact):
            fact._hash = hash(frozenset(fact.items()))  # Fact.__hash__, computed here rather than on a miss
        self[idx] = fact
        self.last_index = idx + 1
        self.added.append(fact)
        counter[fact_id] = counter.get(fact_id, 0) + 1
        return fact

    def declare_plain(self, kind: type[Fact], rows: Iterable[tuple[str, Any, str]]) -> None:
        """``declare(kind(name=n, value=v, subject=s))`` for each row ``(n, v, s)``, each fact built
        and listed in one step when ``kind`` has no fields and ``v`` is a plain scalar."""
        counter, listed, plain = self.reference_counter, self.added, not kind.__fields__
        new, update, items = dict.__new__, dict.update, dict.items  # looked up once, not per fact
        for name, value, subject in rows:
            if not (plain and type(value) in SCALARS):
                self.declare(kind(name=name, subject=subject, value=value))
                continue
            fact_id = frozenset((kind, ("name", name), ("subject", subject), ("value", value)))
            if fact_id in counter:
                if not self.duplication:
                    continue  # an identical fact is already declared
                counter[fact_id] += 1
            else:
                counter[fact_id] = 1
            fact: Any = new(kind)
            idx = self.last_index
            update(fact, name=name, subject=subject, value=value, __factid__=idx)
            fact._Fact__defaults, fact._hash = {}, hash(frozenset(items(fact)))
            self[idx] = fact
            self.last_index = idx + 1
            listed.append(fact)


class FastFact(Fact):  # type: ignore[misc]  # experta is untyped
    """A Fact built without per-field checks when every value is a plain scalar under a plain key."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args or not (kwargs.keys() <= PLAIN_KEYS and SCALARS.issuperset(map(type, kwargs.values()))):
            super().__init__(*args, **kwargs)
            return
        dict.update(self, kwargs)
        self._Fact__defaults: dict[Any, Any] = {}
