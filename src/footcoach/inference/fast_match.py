"""A faster RETE match for experta, built on experta's own extension point (``__matcher__``).

experta is frozen at 1.9.4 (pinned in pyproject.toml).  This module is the only place that relies on
its internals; ``tests/test_fast_match.py`` fails loudly if any of them change.  It relies on:
``ReteMatcher.build_network`` calling ``build_alpha_part(ruleset, root_node)`` (returning
``{fact pattern: alpha terminal}``) then ``build_beta_part``; ``rete.utils.extract_facts`` and
``generate_checks`` (a ``TypeCheck``, a ``FeatureCheck`` per field with ``what``/``how``/``check``/
``expected``, a ``FactCapture``); ``wire_rule`` building the beta network from ``OrdinaryMatchNode``,
``NotNode``, ``WhereNode`` and ``ConflictSetNode`` with ``SameContextCheck``; the
``FeatureTesterNode`` rule merging bindings into a token context; ``Token`` (namedtuple ``tag, data,
context``; a token's context is a function of its facts on one node path); the node attributes
``children`` (``ChildNode(node, callback)``), ``left_memory``/``right_memory`` and
``ConflictSetNode.added``/``removed``/``memory``/``rule``; ``KnowledgeEngine.get_deffacts``,
``facts.declare``, ``get_activations``, ``strategy.update_agenda``, ``agenda.get_next``, ``running``;
``Fact.__init__`` being ``update`` plus a private ``_Fact__defaults`` dict.

What changes against experta's own matcher and engine (the matches, activations and firing order
are the same):

1. **Alpha network indexed by fact type and name**: a declared fact meets only the patterns of its
   own name (experta tests every ``name == X`` against every fact); a pattern is a compiled plan
   (literals, predicates, bindings), without a token copy or a log call per test.
2. **Hash joins**: a two-input node indexes both memories by the values of the variables its sides
   share (a shoe's ``subject``), so the cost is linear in the number of shoes (experta compares
   every left token with every right one).
3. **No token copies, asserts or logging** between beta nodes (no node mutates a token it receives).
4. **Reset only the nodes that hold memory**; collect activations only from changed conflict sets.
5. ``FastKnowledgeEngine`` finds its ``DefFacts`` once per class (experta walks every attribute on
   each ``reset``), and declares and runs without experta's per-fact and per-firing logging.
6. ``FastFact``: a fact of plain scalars is built without experta's per-field ``freeze``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import chain
from typing import Any, ClassVar

from experta import KnowledgeEngine
from experta.fact import Fact, InitialFact
from experta.fieldconstraint import L, P, W
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
from experta.matchers.rete.mixins import ChildNode
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode, WhereNode
from experta.matchers.rete.token import Token
from experta.matchers.rete.utils import extract_facts, generate_checks
from experta.rule import Rule

EXPERTA_VERSION = "1.9.4"
_SCALARS = (str, int, float, bool, Decimal, type(None))
VALID = Token.TagType.VALID
INVALID = Token.TagType.INVALID
_ANY_NAME = object()  # index key of patterns that do not fix a name
_make_token = Token._make  # namedtuple constructor without experta's asserts


class AlphaPattern:
    """The alpha terminal of one fact pattern: its checks in experta's order, then its children.

    A pattern made only of literals, predicates and variables on plain field names (every
    pattern footcoach compiles) is matched by a compiled plan: literals, then predicates, then
    the bindings; anything else takes experta's checks one by one with its merge rules."""

    def __init__(self, checks: list[Any]):
        self.checks = [_fast_check(c) for c in checks]
        self.plan = _plan(checks)
        self.children: list[ChildNode] = []

    def add_child(self, node: Any, callback: Callable) -> None:
        if node not in [c.node for c in self.children]:
            self.children.append(ChildNode(node, callback))

    def match(self, fact: Any) -> dict | None:
        """The token context for ``fact``, or None when the pattern does not match."""
        if self.plan is None:
            return self._match_checks(fact)
        literals, predicates, binds, capture = self.plan
        try:
            for what, value in literals:
                if value != fact[what]:
                    return None
            for what, test in predicates:
                if not test(fact[what]):
                    return None
            context = {bind: fact[what] for what, bind in binds}
        except (IndexError, KeyError, TypeError):
            return None
        context[capture] = fact
        return context

    def _match_checks(self, fact: Any) -> dict | None:
        """experta's ``FeatureTesterNode`` merge rules for bindings and negated bindings."""
        context: dict = {}
        for check in self.checks:
            res = check(fact)
            if not res:
                return None
            if isinstance(res, Mapping):
                for key, value in res.items():
                    if isinstance(key, tuple):
                        if key[1] in context and context[key[1]] == value:
                            return None
                    else:
                        if context.get(key, value) != value:
                            return None
                        if (False, key) in context and context[(False, key)] == value:
                            return None
                context.update(res)
        return context


def _plan(checks: list[Any]) -> tuple | None:
    """(literals, predicates, bindings, capture) of a simple pattern, or None."""
    literals, predicates, binds, captures = [], [], [], []
    for check in checks:
        if isinstance(check, FactCapture):
            captures.append(check.bind)
            continue
        if not (isinstance(check, FeatureCheck) and isinstance(check.what, str) and "__" not in check.what):
            return None
        how = check.how
        if isinstance(how, L):
            literals.append((check.what, how.value))
        elif isinstance(how, P):
            predicates.append((check.what, how.match))
        elif not isinstance(how, W):
            return None
        if how.__bind__ is not None:
            binds.append((check.what, how.__bind__))
    names = [b for _w, b in binds] + captures
    if len(captures) != 1 or len(set(names)) != len(names):
        return None
    return tuple(literals), tuple(predicates), tuple(binds), captures[0]


def _fast_check(check: Any) -> Callable[[Any], Any]:
    """A FeatureCheck without its per-call logging, for a plain field name; others unchanged."""
    if isinstance(check, FeatureCheck) and isinstance(check.what, str) and "__" not in check.what:
        what, fn, expected = check.what, check.check, check.expected

        def feature(fact: Any) -> Any:
            try:
                record = fact[what]
            except (IndexError, KeyError, TypeError):
                return False
            return fn(record, expected)

        return feature
    if isinstance(check, FactCapture):
        bind = check.bind
        return lambda fact: {bind: fact}
    return check


def _name_literal(fact: Any) -> Any:
    return fact["name"] if isinstance(fact.get("name"), str) else _ANY_NAME


class IndexedBusNode:
    """The root of the network: sends a fact to the patterns of its own type and name only."""

    def __init__(self) -> None:
        self.children: list[ChildNode] = []  # kept empty: experta's walkers find nothing to do here
        self.index: dict[tuple[type, Any], list[AlphaPattern]] = {}

    def _patterns(self, fact: Any) -> list[AlphaPattern]:
        kind = type(fact)
        name = fact.get("name") if "name" in fact else None
        named = self.index.get((kind, name), []) if isinstance(name, str) else []
        anyname = self.index.get((kind, _ANY_NAME), [])
        return named + anyname if anyname else named

    def _send(self, fact: Any, tag: Token.TagType) -> None:
        for pattern in self._patterns(fact):
            context = pattern.match(fact)
            if context is None:
                continue
            token = _make_token((tag, {fact}, context))
            for child in pattern.children:
                child.callback(token)

    def add(self, fact: Any) -> None:  # experta's BusNode.add / remove
        self._send(fact, VALID)

    def remove(self, fact: Any) -> None:
        self._send(fact, INVALID)


class JoinIndex:
    """Both memories of a two-input node, indexed by the values of the variables both sides bind.

    An item is ``(data, context)`` of a token (the facts, and the bindings they make on this
    path).  Every token arriving on one side carries the same variable names (its pattern path
    fixes them); when that does not hold, or a side carries negated bindings, or a value is not
    hashable, ``candidates`` returns the whole opposite memory (experta's scan)."""

    def __init__(self) -> None:
        self.items: list[list] = [[], []]  # [(data, context)] per side, in arrival order
        self.width: list[int] = [-1, -1]  # number of variables a side's tokens carry
        self.keys: list[frozenset | None] = [None, None]
        self.shared: tuple[str, ...] | None = None
        self.index: list[dict] = [{}, {}]
        self.scan = False

    def clear(self) -> None:
        for memory in (*self.items, *self.index):
            memory.clear()

    def _learn(self, side: int, context: dict) -> None:
        if self.width[side] != -1 or any(not isinstance(k, str) for k in context):
            self.scan = True  # a side whose tokens differ in their variables, or negated ones
            return
        self.width[side] = len(context)
        self.keys[side] = frozenset(context)
        other = self.keys[1 - side]
        if other is not None and not self.scan:
            self.shared = tuple(sorted(self.keys[side] & other))
            for s, memory in enumerate(self.items):
                for item in memory:
                    self._file(s, item)

    def _file(self, side: int, item: tuple) -> None:
        try:
            self.index[side].setdefault(tuple([item[1][k] for k in self.shared]), []).append(item)  # type: ignore[union-attr]
        except TypeError:  # a value that cannot be hashed: scan from now on
            self.scan = True

    def add(self, side: int, item: tuple) -> None:
        if self.width[side] != len(item[1]):
            self._learn(side, item[1])
        self.items[side].append(item)
        if self.shared is not None and not self.scan:
            self._file(side, item)

    def discard(self, side: int, data: Any) -> None:
        for memory in (self.items[side], *self.index[side].values()):
            for i, (known, _context) in enumerate(memory):
                if known == data:
                    del memory[i]
                    break

    def candidates(self, side: int, context: dict) -> list:
        """The items of the other side that may match ``context`` (arriving on ``side``)."""
        if self.width[side] != len(context):
            self._learn(side, context)
        if self.scan or self.shared is None:
            return self.items[1 - side]
        try:
            return self.index[1 - side].get(tuple([context[k] for k in self.shared]), [])
        except TypeError:
            self.scan = True
            return self.items[1 - side]


class HashJoinNode(OrdinaryMatchNode):
    """experta's join (``OrdinaryMatchNode``) on a ``JoinIndex``: a shoe's facts meet only that
    shoe's tokens."""

    def _reset(self) -> None:
        if "join" in vars(self):
            self.join.clear()  # what the two sides bind is structural: learned once
        else:
            self.join = JoinIndex()
        self.left_memory, self.right_memory = self.join.items

    def _activate_side(self, token: Any, side: int) -> None:
        tag, data, context = token
        if tag is VALID:
            self.join.add(side, (data, context))
        else:
            self.join.discard(side, data)
        matcher = self.matcher
        for other_data, other_context in self.join.candidates(side, context):
            left, right = (context, other_context) if side == 0 else (other_context, context)
            if matcher(left, right):
                newcontext = {k: v for k, v in context.items() if isinstance(k, str)}
                for k, v in other_context.items():
                    if not isinstance(k, tuple):
                        newcontext[k] = v
                newtoken = _make_token((tag, data | other_data, newcontext))
                for child in self.children:
                    child.callback(newtoken)

    def _activate_left(self, token: Any) -> None:
        self._activate_side(token, 0)

    def _activate_right(self, token: Any) -> None:
        self._activate_side(token, 1)


class HashNotNode(NotNode):
    """experta's ``NotNode`` on a ``JoinIndex``: a left token counts only the right tokens that
    share its variable values."""

    def _reset(self) -> None:
        if "join" in vars(self):
            self.join.clear()
        else:
            self.join = JoinIndex()
        self.counts: dict = {}  # left facts -> number of matching right tokens (experta's left_memory)
        self.left_memory = self.counts
        self.right_memory = self.join.items[1]

    def _activate_left(self, token: Any) -> None:
        tag, data, context = token
        key = frozenset(data)
        if tag is VALID:
            matcher = self.matcher
            count = sum(1 for _d, right in self.join.candidates(0, context) if matcher(context, right))
            self.join.add(0, (data, context))
            self.counts[key] = count
        else:
            count = self.counts.pop(key)
            self.join.discard(0, data)
        if count == 0:
            for child in self.children:
                child.callback(token)

    def _activate_right(self, token: Any) -> None:
        tag, data, context = token
        if tag is VALID:
            self.join.add(1, (data, context))
            inc = 1
        else:
            self.join.discard(1, data)
            inc = -1
        matcher = self.matcher
        counts = self.counts
        for left_data, left_context in list(self.join.candidates(1, context)):
            if matcher(left_context, context):
                key = frozenset(left_data)
                count = counts[key] = counts[key] + inc
                if (count == 0 and inc == -1) or (count == 1 and inc == 1):
                    newtoken = _make_token((VALID if inc == -1 else INVALID, left_data, left_context))
                    for child in self.children:
                        child.callback(newtoken)


def _direct(child: ChildNode) -> ChildNode:
    """A child edge calling the node's routine directly: no token copy, no logging."""
    node, callback = child
    name = getattr(callback, "__name__", "")
    if name in ("activate_left", "activate_right", "activate"):
        return ChildNode(node, getattr(node, "_" + name))
    return child


class FastReteMatcher(ReteMatcher):
    """experta's RETE matcher with the alpha index, hash joins and lean reset described above."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.root_node = IndexedBusNode()  # type: ignore[assignment]
        self.build_network()
        self._finish()

    def build_alpha_part(self, ruleset: Any, root_node: Any) -> dict:  # type: ignore[override]
        """experta's alpha part, one terminal per distinct pattern, indexed by (type, name)."""
        ruleset = set(ruleset) | {Rule(InitialFact())}
        patterns = set(chain.from_iterable(extract_facts(rule) for rule in ruleset))
        fact_checks = {fact: set(generate_checks(fact)) for fact in patterns}
        rank: dict = {}
        for checks in fact_checks.values():
            for check in checks:
                rank[check] = rank.get(check, 0) + 1

        def order(check: Any) -> tuple:
            if isinstance(check, TypeCheck):
                return (float("inf"), hash(check))
            if isinstance(check, FactCapture):
                return (float("-inf"), hash(check))
            return (rank[check], hash(check))

        terminals: dict = {}
        for fact in sorted(patterns, key=repr):
            name = _name_literal(fact)
            checks = []
            for check in sorted(fact_checks[fact], key=order, reverse=True):
                if isinstance(check, TypeCheck):
                    continue  # the index holds the type
                if name is not _ANY_NAME and isinstance(check, FeatureCheck) and check.what == "name":
                    continue  # the index holds the name
                checks.append(check)
            pattern = AlphaPattern(checks)
            root_node.index.setdefault((type(fact), name), []).append(pattern)
            terminals[fact] = pattern
        return terminals

    def _walk(self) -> list:
        seen: dict[int, Any] = {}
        stack = [p for patterns in self.root_node.index.values() for p in patterns]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen[id(node)] = node
            stack.extend(child.node for child in node.children)
        return list(seen.values())

    def _finish(self) -> None:
        nodes = self._walk()
        for node in nodes:
            if type(node) is OrdinaryMatchNode and isinstance(node.matcher, SameContextCheck):
                node.__class__ = HashJoinNode
                node._reset()
            elif type(node) is NotNode and isinstance(node.matcher, SameContextCheck):
                node.__class__ = HashNotNode
                node._reset()
            elif type(node) not in (AlphaPattern, NotNode, WhereNode, ConflictSetNode):
                raise TypeError(f"fast_match: unexpected experta node {type(node).__name__}")
        for node in nodes:
            node.children = [_direct(c) for c in node.children]
        self._memory_nodes = [n for n in nodes if isinstance(n, (HashJoinNode, HashNotNode))]
        self._conflict_nodes = sorted(
            (n for n in nodes if isinstance(n, ConflictSetNode)), key=lambda n: n.rule._wrapped.__name__
        )

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list, list]:
        root = self.root_node
        if deleting is not None:
            for fact in deleting:
                root.remove(fact)
        if adding is not None:
            for fact in adding:
                root.add(fact)
        added: list = []
        removed: list = []
        for csn in self._conflict_nodes:
            if csn.added or csn.removed:
                c_added, c_removed = csn.get_activations()
                added.extend(c_added)
                removed.extend(c_removed)
        return added, removed

    def reset(self) -> None:
        """Wipe the memory of the nodes that hold any (most hold none after a small run)."""
        for node in self._memory_nodes:
            if node.left_memory or node.right_memory:
                node._reset()
        for csn in self._conflict_nodes:
            if csn.memory:
                csn._reset()


class FastKnowledgeEngine(KnowledgeEngine):
    """A KnowledgeEngine with the fast matcher; its rules and deffacts are class attributes."""

    __matcher__ = FastReteMatcher
    _deffacts_cache: ClassVar[dict[type, list]] = {}

    def get_deffacts(self) -> list:
        cls = type(self)
        found = FastKnowledgeEngine._deffacts_cache.get(cls)
        if found is None:
            found = FastKnowledgeEngine._deffacts_cache[cls] = super().get_deffacts()
        return found

    def declare(self, *facts: Any) -> Any:
        """experta's ``declare`` without its per-call checks for patterns in facts (facts built by
        the engine's own code never hold them)."""
        last = None
        for fact in facts:
            last = self.facts.declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
        return last

    def run(self, steps: float = float("inf")) -> None:
        """experta's ``run`` loop without its per-firing logging."""
        self.running = True
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False


class FastFact(Fact):
    """A Fact built without per-field checks when every value is a plain scalar."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args or not all(type(v) in _SCALARS for v in kwargs.values()):
            super().__init__(*args, **kwargs)
            return
        dict.update(self, kwargs)
        self._Fact__defaults: dict = {}
