"""A faster RETE match for experta, built on experta's own extension point (``__matcher__``).

experta is frozen at 1.9.4 (pinned in pyproject.toml).  This module is the only place that relies on
its internals; ``tests/test_fast_match.py`` fails loudly if any of them change.  It relies on:
``ReteMatcher.build_network`` calling ``build_alpha_part(ruleset, root_node)`` (returning
``{fact pattern: alpha terminal}``) then ``build_beta_part``; ``rete.utils.extract_facts`` and
``generate_checks`` (a ``TypeCheck``, a ``FeatureCheck`` per field with ``what``/``how``, a
``FactCapture``); ``wire_rule`` building the beta network from ``OrdinaryMatchNode``, ``NotNode``,
``WhereNode`` (its ``matcher`` a ``WhereCheck`` with ``test`` and ``parameters``) and
``ConflictSetNode`` with ``SameContextCheck``; ``Token`` (namedtuple ``tag, data, context``; a
token's context is a function of its facts on one node path), ``TokenInfo`` and
``Activation(rule, facts, context)``; the node attributes ``children`` (``ChildNode(node,
callback)``), ``left_memory``/``right_memory`` and ``ConflictSetNode.added``/``removed``/``memory``/
``rule``; ``KnowledgeEngine.reset`` (a new ``Agenda`` and ``FactList``, ``matcher.reset``, the
deffacts declared), ``get_deffacts``, ``get_activations``, ``strategy.update_agenda``,
``agenda.get_next``, ``running``; ``FactList`` (``last_index``, ``reference_counter``, ``added``,
``duplication``; a fact's identity is its class and its non-special items); a fact class's
``__fields__``; ``Fact.__init__`` being ``update`` plus a private ``_Fact__defaults`` dict.

What changes against experta's own matcher and engine (the matches, activations and firing order
are the same): (1) the alpha network is indexed by fact type and name, so a fact meets only the
patterns of its own name (experta tests every ``name == X`` against every fact), each a compiled
plan of literals, predicates and bindings; (2) two-input nodes are hash joins on the variables their
sides share (a shoe's ``subject``), linear in the number of shoes, and sides that share none join
every pair untested; (3) no token copies, asserts or logging between nodes (no node mutates a token
it receives); (4) reset touches only the nodes that hold memory, and activations are collected only
from the conflict sets that changed, in experta's order; (5) the engine finds its ``DefFacts`` once
per class, resets without reading their signatures, and declares and runs without per-fact and
per-firing logging, on a fact list that declares a plain fact (no fields, plain keys) without
re-validating it; (6) a ``FastFact`` of plain scalars under plain keys skips experta's ``freeze``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import Any, ClassVar

from experta import KnowledgeEngine
from experta.activation import Activation
from experta.agenda import Agenda
from experta.fact import Fact, InitialFact
from experta.factlist import FactList
from experta.fieldconstraint import L, P, W
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck, WhereCheck
from experta.matchers.rete.mixins import ChildNode
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode, WhereNode
from experta.matchers.rete.token import Token, TokenInfo
from experta.matchers.rete.utils import extract_facts, generate_checks
from experta.rule import Rule

from footcoach.inference.join_index import Context, Item, JoinIndex

EXPERTA_VERSION = "1.9.4"
_SCALARS = frozenset({str, int, float, bool, Decimal, type(None)})
PLAIN_KEYS = frozenset({"name", "subject", "value", "by"})  # the fields of the facts footcoach declares
VALID = Token.TagType.VALID
INVALID = Token.TagType.INVALID
_ANY_NAME = object()  # index key of patterns that do not fix a name
_make_token = Token._make  # namedtuple constructor without experta's asserts
Check = tuple[str, Any]  # (field, literal value or predicate)
Plan = tuple[tuple[Check, ...], tuple[Check, ...], tuple[tuple[str, str], ...], str]


class AlphaPattern:
    """The alpha terminal of one fact pattern, compiled to a plan: its literals, then its
    predicates, then its bindings (experta's checks, in experta's order, without a token copy or a
    log call per test).  Every pattern footcoach compiles is such a plan; any other pattern
    (nested field names, negated bindings, a variable bound twice) is refused when the network is
    built, loudly, rather than matched differently from experta."""

    def __init__(self, checks: list[Any]):
        self.plan = _plan(checks)
        self.children: list[ChildNode] = []

    def add_child(self, node: Any, callback: Callable[[Any], None]) -> None:
        if node not in [c.node for c in self.children]:
            self.children.append(ChildNode(node, callback))

    def match(self, fact: Any) -> Context | None:
        """The token context for ``fact``, or None when the pattern does not match."""
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


def _plan(checks: list[Any]) -> Plan:
    """(literals, predicates, bindings, capture) of a simple pattern; TypeError for another."""
    literals: list[Check] = []
    predicates: list[Check] = []
    binds: list[tuple[str, str]] = []
    captures: list[str] = []
    for check in checks:
        if isinstance(check, FactCapture):
            captures.append(check.bind)
            continue
        plain = isinstance(check, FeatureCheck) and isinstance(check.what, str) and "__" not in check.what
        if not (plain and isinstance(check.how, (L, P, W))):
            raise TypeError(f"fast_match: a pattern check it does not compile: {check!r}")
        how = check.how
        if isinstance(how, L):
            literals.append((check.what, how.value))
        elif isinstance(how, P):
            predicates.append((check.what, how.match))
        if how.__bind__ is not None:
            binds.append((check.what, how.__bind__))
    names = [b for _w, b in binds] + captures
    if len(captures) != 1 or len(set(names)) != len(names):
        raise TypeError(f"fast_match: a pattern binding a name twice: {names}")
    return tuple(literals), tuple(predicates), tuple(binds), captures[0]


def _name_literal(fact: Any) -> Any:
    return fact["name"] if isinstance(fact.get("name"), str) else _ANY_NAME


class IndexedBusNode:
    """The root of the network: sends a fact to the patterns of its own type and name only."""

    def __init__(self) -> None:
        self.children: list[ChildNode] = []  # kept empty: experta's walkers find nothing to do here
        self.index: dict[tuple[type, Any], list[AlphaPattern]] = {}

    def _patterns(self, fact: Any) -> list[AlphaPattern]:
        kind = type(fact)
        name = fact.get("name")
        named = self.index.get((kind, name), []) if isinstance(name, str) else []
        anyname = self.index.get((kind, _ANY_NAME))
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


class HashJoinNode(OrdinaryMatchNode):  # type: ignore[misc]  # experta is untyped
    """experta's join (``OrdinaryMatchNode``) on a ``JoinIndex``: a shoe's facts meet only that
    shoe's tokens."""

    join: JoinIndex

    def _reset(self) -> None:
        if "join" in vars(self):
            self.join.clear()  # what the two sides bind is structural: learned once
        else:
            self.join = JoinIndex()
        self.left_memory, self.right_memory = self.join.items

    def _activate_side(self, token: Token, side: int) -> None:
        tag, data, context = token
        join = self.join
        if tag is VALID:
            join.add(side, (data, context))
        else:
            join.discard(side, data)
        exact, matcher, children = join.exact, self.matcher, self.children
        for other_data, other_context in join.candidates(side, context):
            # Not exact (a side scanned): experta's test; patterns bind no negated variable (see _plan).
            if exact or (matcher(context, other_context) if side == 0 else matcher(other_context, context)):
                newtoken = _make_token((tag, data | other_data, {**context, **other_context}))
                for child in children:
                    child.callback(newtoken)

    def _activate_left(self, token: Token) -> None:
        self._activate_side(token, 0)

    def _activate_right(self, token: Token) -> None:
        self._activate_side(token, 1)


class HashNotNode(NotNode):  # type: ignore[misc]  # experta is untyped
    """experta's ``NotNode`` on a ``JoinIndex``: a left token counts only the right tokens that
    share its variable values."""

    join: JoinIndex
    counts: dict[frozenset[Any], int]

    def _reset(self) -> None:
        if "join" in vars(self):
            self.join.clear()
        else:
            self.join = JoinIndex()
        self.counts = {}  # left facts -> number of matching right tokens (experta's left_memory)
        self.left_memory = self.counts
        self.right_memory = self.join.items[1]

    def _matching(self, candidates: list[Item], context: Context, side: int) -> list[Item]:
        if self.join.exact:
            return candidates
        if side == 0:
            return [c for c in candidates if self.matcher(context, c[1])]
        return [c for c in candidates if self.matcher(c[1], context)]

    def _activate_left(self, token: Token) -> None:
        tag, data, context = token
        key = frozenset(data)
        if tag is VALID:
            count = len(self._matching(self.join.candidates(0, context), context, 0))
            self.join.add(0, (data, context))
            self.counts[key] = count
        else:
            count = self.counts.pop(key)
            self.join.discard(0, data)
        if count == 0:
            for child in self.children:
                child.callback(token)

    def _activate_right(self, token: Token) -> None:
        tag, data, context = token
        if tag is VALID:
            self.join.add(1, (data, context))
            inc = 1
        else:
            self.join.discard(1, data)
            inc = -1
        counts = self.counts
        for left_data, left_context in self._matching(list(self.join.candidates(1, context)), context, 1):
            key = frozenset(left_data)
            count = counts[key] = counts[key] + inc
            if (count == 0 and inc == -1) or (count == 1 and inc == 1):
                newtoken = _make_token((VALID if inc == -1 else INVALID, left_data, left_context))
                for child in self.children:
                    child.callback(newtoken)


class FastWhereNode(WhereNode):  # type: ignore[misc]  # experta is untyped
    """experta's ``WhereNode`` (a ``TEST``) calling its test without the per-call log."""

    def _activate(self, token: Token) -> None:
        check = self.matcher
        context = token.context
        if check.test(**{k: context.get(k) for k in check.parameters}):
            for child in self.children:
                child.callback(token)


class FastConflictSetNode(ConflictSetNode):  # type: ignore[misc]  # experta is untyped
    """experta's ``ConflictSetNode`` that puts itself on its matcher's list of changed conflict sets
    (and of sets with memory) instead of being polled."""

    changed: list[FastConflictSetNode]  # shared with the matcher
    filled: list[FastConflictSetNode]
    rank = 0  # the node's place in the fixed collection order

    def _activate(self, token: Token) -> None:
        tag, data, context = token
        info = TokenInfo(data, context)
        activation = Activation(self.rule, info.data, dict(context))  # no negated bindings (see _plan)
        added, removed = self.added, self.removed
        if not (added or removed):
            self.changed.append(self)
        if tag is VALID:
            if info not in self.memory:
                if not self.memory:
                    self.filled.append(self)
                self.memory.add(info)
                if activation in removed:
                    removed.remove(activation)
                else:
                    added.add(activation)
        elif info in self.memory:
            self.memory.remove(info)
            if activation in added:
                added.remove(activation)
            else:
                removed.add(activation)


def _direct(child: ChildNode) -> ChildNode:
    """A child edge calling the node's routine directly: no token copy, no logging."""
    node, callback = child
    name = getattr(callback, "__name__", "")
    if name in ("activate_left", "activate_right", "activate"):
        return ChildNode(node, getattr(node, "_" + name))
    return child


_FAST_CLASSES: dict[type, tuple[type, type | None]] = {  # experta's node -> ours, and the test it must carry
    OrdinaryMatchNode: (HashJoinNode, SameContextCheck),
    NotNode: (HashNotNode, SameContextCheck),
    WhereNode: (FastWhereNode, WhereCheck),
    ConflictSetNode: (FastConflictSetNode, None),
}


class FastReteMatcher(ReteMatcher):  # type: ignore[misc]  # experta is untyped
    """experta's RETE matcher with the alpha index, hash joins and lean reset described above."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.root_node = IndexedBusNode()
        self.build_network()
        self._finish()

    def build_alpha_part(self, ruleset: Any, root_node: IndexedBusNode) -> dict[Any, AlphaPattern]:
        """experta's alpha part, one terminal per distinct pattern, indexed by (type, name)."""
        ruleset = set(ruleset) | {Rule(InitialFact())}
        patterns = set(chain.from_iterable(extract_facts(rule) for rule in ruleset))
        fact_checks = {fact: set(generate_checks(fact)) for fact in patterns}
        rank: dict[Any, int] = {}
        for found in fact_checks.values():
            for check in found:
                rank[check] = rank.get(check, 0) + 1

        def order(check: Any) -> tuple[float, int]:
            if isinstance(check, TypeCheck):
                return (float("inf"), hash(check))
            if isinstance(check, FactCapture):
                return (float("-inf"), hash(check))
            return (rank[check], hash(check))

        terminals: dict[Any, AlphaPattern] = {}
        for fact in sorted(patterns, key=repr):
            name = _name_literal(fact)
            checks: list[Any] = []
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

    def _walk(self) -> list[Any]:
        seen: dict[int, Any] = {}
        stack: list[Any] = [p for patterns in self.root_node.index.values() for p in patterns]
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
            if type(node) is AlphaPattern:
                continue
            fast, test = _FAST_CLASSES.get(type(node), (None, None))
            if fast is None or (test is not None and not isinstance(node.matcher, test)):
                raise TypeError(f"fast_match: unexpected experta node {type(node).__name__}")
            node.__class__ = fast
            node._reset()
        for node in nodes:
            node.children = [_direct(c) for c in node.children]
        self._memory_nodes = [n for n in nodes if isinstance(n, (HashJoinNode, HashNotNode))]
        self._changed: list[FastConflictSetNode] = []
        self._filled: list[FastConflictSetNode] = []
        conflict_sets = sorted(
            (n for n in nodes if isinstance(n, FastConflictSetNode)), key=lambda n: n.rule._wrapped.__name__
        )
        for i, csn in enumerate(conflict_sets):
            csn.rank, csn.changed, csn.filled = i, self._changed, self._filled
        self._conflict_nodes = conflict_sets

    def changes(
        self, adding: Iterable[Any] | None = None, deleting: Iterable[Any] | None = None
    ) -> tuple[list[Any], list[Any]]:
        root = self.root_node
        if deleting is not None:
            for fact in deleting:
                root.remove(fact)
        if adding is not None:
            for fact in adding:
                root.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        changed = self._changed
        if changed:
            if len(changed) > 1:
                changed.sort(key=attrgetter("rank"))  # experta's order: every conflict set, by rule name
            for csn in changed:
                added.extend(csn.added)
                removed.extend(csn.removed)
                csn.added, csn.removed = set(), set()
            changed.clear()
        return added, removed

    def reset(self) -> None:
        """Wipe the memory of the nodes that hold any (most hold none after a small run)."""
        for node in self._memory_nodes:
            if node.left_memory or node.right_memory:
                node._reset()
        for csn in chain(self._filled, self._changed):
            csn._reset()
            csn.added, csn.removed = set(), set()
        self._filled.clear()
        self._changed.clear()


class FastFactList(FactList):  # type: ignore[misc]  # experta is untyped
    """experta's ``FactList``: a fact without fields (nothing to validate) whose keys are all plain
    (``PLAIN_KEYS``: no special key, so its identity is its class and items) is declared without
    the per-key identity walk and the log call."""

    last_index: int

    def declare(self, fact: Any) -> Any:
        if not (isinstance(fact, Fact) and fact.keys() <= PLAIN_KEYS and not fact.__fields__):
            return super().declare(fact)
        fact_id = frozenset([fact.__class__, *fact.items()])  # experta's _get_fact_id for such a fact
        if self.duplication or fact_id not in self.reference_counter:
            idx = self.last_index
            fact.__factid__ = idx
            self[idx] = fact
            self.last_index = idx + 1
            self.added.append(fact)
            self.reference_counter[fact_id] += 1
            return fact
        return None


class FastKnowledgeEngine(KnowledgeEngine):  # type: ignore[misc]  # experta is untyped
    """A KnowledgeEngine with the fast matcher; its rules and deffacts are class attributes."""

    __matcher__ = FastReteMatcher
    _deffacts_cache: ClassVar[dict[type, list[Any]]] = {}

    def get_deffacts(self) -> list[Any]:
        cls = type(self)
        found = FastKnowledgeEngine._deffacts_cache.get(cls)
        if found is None:
            found = FastKnowledgeEngine._deffacts_cache[cls] = super().get_deffacts()
        return found

    def reset(self, **kwargs: Any) -> None:
        """experta's ``reset`` (new agenda and fact list, matcher reset, deffacts declared) for deffacts
        that take no arguments, without reading their signatures each time."""
        facts = [] if kwargs else [fact for deffact in self.get_deffacts() for fact in deffact()]
        if kwargs or any(f.has_field_constraints() or f.has_nested_accessor() for f in facts):
            super().reset(**kwargs)  # arguments to pass, or facts experta refuses with its own error
            return
        self.agenda, self.facts = Agenda(), FastFactList()
        self.matcher.reset()
        self.declare(*facts)
        self.running = False

    def declare(self, *facts: Any) -> Any:
        """experta's ``declare`` without its per-call checks for patterns in facts (facts built by
        the engine's own code never hold them)."""
        last = None
        declare = self.facts.declare
        for fact in facts:
            last = declare(fact)
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


class FastFact(Fact):  # type: ignore[misc]  # experta is untyped
    """A Fact built without per-field checks when every value is a plain scalar under a plain key."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args or not (kwargs.keys() <= PLAIN_KEYS and _SCALARS.issuperset(map(type, kwargs.values()))):
            super().__init__(*args, **kwargs)
            return
        dict.update(self, kwargs)
        self._Fact__defaults: dict[Any, Any] = {}
