"""The two memories of a join, indexed by the values of the variables both sides bind.

Plain Python (no experta): :mod:`footcoach.inference.fast_match` puts one under each two-input
node of experta's network.
"""

from __future__ import annotations

from typing import Any

Context = dict[Any, Any]  # variable name (or experta's (False, name) for a negated one) -> value
Item = tuple[set[Any], Context]  # (facts, bindings) of a token in a join memory
_NONE: list[Item] = []  # no candidates (never added to)


class JoinIndex:
    """Both memories of a two-input node, indexed by the values of the variables both sides bind.

    An item is ``(data, context)`` of a token (the facts, and the bindings they make on this
    path).  Every token arriving on one side carries the same variable names (its pattern path
    fixes them); when that does not hold, or a side carries negated bindings, or a value is not
    hashable, ``candidates`` returns the whole opposite memory (experta's scan) and ``exact`` is
    false: the caller tests each candidate.  While ``exact`` holds, every candidate matches."""

    def __init__(self, touched: list[JoinIndex] | None = None) -> None:
        self.touched = [] if touched is None else touched  # shared: every index that holds an item
        self.held = False  # on ``touched`` since the last clear
        self.counts: dict[Any, int] = {}  # a negation's count per left item (cleared with the rest)
        self.items: list[list[Item]] = [[], []]  # [(data, context)] per side, in arrival order
        self.width: list[int] = [-1, -1]  # number of variables a side's tokens carry
        self.keys: list[frozenset[Any] | None] = [None, None]
        self.shared: tuple[str, ...] | None = None
        self.index: list[dict[tuple[Any, ...], list[Item]]] = [{}, {}]
        self.scan = False
        self.exact = False  # both sides learned, no scan: the index (or no shared variable) decides

    def clear(self) -> None:
        clear_all([self])

    def _learn(self, side: int, context: Context) -> None:
        if self.width[side] != -1 or any(not isinstance(k, str) for k in context):
            self.scan, self.exact = True, False  # a side whose tokens differ in their variables, or negated ones
            return
        self.width[side] = len(context)
        mine = self.keys[side] = frozenset(context)
        other = self.keys[1 - side]
        if other is not None and not self.scan:
            self.shared = tuple(sorted(mine & other))
            self.exact = True
            if self.shared:
                for s, memory in enumerate(self.items):
                    for item in memory:
                        self._file(s, item)

    def _file(self, side: int, item: Item) -> None:
        try:
            self.index[side].setdefault(tuple([item[1][k] for k in self.shared or ()]), []).append(item)
        except TypeError:  # a value that cannot be hashed: scan from now on
            self.scan, self.exact = True, False

    def add(self, side: int, item: Item) -> None:
        if not self.held:
            self.held = True
            self.touched.append(self)
        if self.width[side] != len(item[1]):
            self._learn(side, item[1])
        self.items[side].append(item)
        if self.shared and not self.scan:
            self._file(side, item)

    def enter(self, side: int, item: Item) -> list[Item]:
        """``add(side, item)`` then ``candidates(side, item's context)``, in one step (what a join
        does with every token it receives)."""
        if not self.held:
            self.held = True
            self.touched.append(self)
        context = item[1]
        if self.width[side] != len(context):
            self._learn(side, context)
        self.items[side].append(item)
        shared = self.shared
        if not shared or self.scan:
            return self.items[1 - side]
        try:
            key = tuple([context[k] for k in shared])
            self.index[side].setdefault(key, []).append(item)
        except TypeError:  # a value that cannot be hashed: scan from now on
            self.scan, self.exact = True, False
            return self.items[1 - side]
        return self.index[1 - side].get(key, _NONE)

    def discard(self, side: int, data: set[Any]) -> None:
        for memory in (self.items[side], *self.index[side].values()):
            for i, (known, _context) in enumerate(memory):
                if known == data:
                    del memory[i]
                    break

    def candidates(self, side: int, context: Context) -> list[Item]:
        """The items of the other side that may match ``context`` (arriving on ``side``)."""
        if self.width[side] != len(context):
            self._learn(side, context)
        if self.scan or not self.shared:
            return self.items[1 - side]
        try:
            return self.index[1 - side].get(tuple([context[k] for k in self.shared]), [])
        except TypeError:
            self.scan, self.exact = True, False
            return self.items[1 - side]


def clear_all(joins: list[JoinIndex]) -> None:
    """``join.clear()`` for each of ``joins`` (the touched ones), inline, then forget them."""
    for join in joins:
        left, right = join.items
        left.clear()
        right.clear()
        if join.shared:
            join.index[0].clear()
            join.index[1].clear()
        if join.counts:
            join.counts.clear()
        join.held = False
    joins.clear()
