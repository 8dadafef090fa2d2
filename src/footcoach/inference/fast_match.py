"""A faster RETE match for experta, built on experta's own extension point (``__matcher__``).

experta is frozen at 1.9.4 (pinned in pyproject.toml).  This module, with its parts kept apart
(:mod:`footcoach.inference.fast_prepare`, the rules; :mod:`footcoach.inference.fast_beta`, the beta
part; :mod:`footcoach.inference.fast_facts`, the fact list; :mod:`footcoach.inference.network_cache`,
the network pickled and restored: each lists what it relies on), is the only place that relies on its
internals; ``tests/test_fast_match.py`` fails loudly if any of them change.  It relies on:
``ReteMatcher.build_network`` calling ``build_alpha_part(ruleset, root_node)`` (returning
``{fact pattern: alpha terminal}``) then ``build_beta_part``; ``rete.utils.extract_facts`` and
``generate_checks`` (a ``TypeCheck``, a ``FeatureCheck`` per field with ``what``/``how``, a
``FactCapture``); ``wire_rule`` building the beta network from ``OrdinaryMatchNode`` and ``NotNode``
(with ``SameContextCheck``), ``WhereNode`` (``WhereCheck``) and ``ConflictSetNode``; ``Token``
(namedtuple ``tag, data, context``; a token's context is a function of its facts on one node path),
``TokenInfo``, ``Activation(rule, facts, context)`` and its ``key``; the node attributes ``children``
(``ChildNode(node, callback)``), ``left_memory``/``right_memory``, ``ConflictSetNode.added``/
``removed``/``memory``/``rule``; ``KnowledgeEngine.reset`` (a new ``Agenda`` and ``FactList``,
``matcher.reset``, the deffacts declared), ``get_deffacts``, ``get_activations``, ``strategy``,
``agenda.get_next``, ``running``; ``DepthStrategy`` (``get_key``, ``_update_agenda`` keeping
``agenda.activations`` sorted by key); experta's own deffacts ``_declare_initial_fact`` (its
``_wrapped`` yields one ``InitialFact``); a rule's ``salience`` and ``_wrapped`` (its function, whose
name is the rule's); what fast_facts lists.

What changes (the matches, activations and firing order stay experta's): (1) the alpha network is
indexed by fact type and name (experta tests every ``name == X`` against every fact), each pattern a
compiled plan of literals, predicates and bindings; (2) joins are hash joins on the variables both
sides share (a shoe's ``subject``), linear in the number of shoes; sides sharing none join every
pair untested; (3) no token copies, asserts or logging between nodes (none mutates a token it
receives); (4) reset clears only what holds memory; activations are collected, unhashed, only from
the conflict sets that changed; (5) the engine resets without reading deffact signatures, declares
and runs without per-fact or per-firing logging, on a fact list that takes a plain fact (no fields,
plain keys) as is, the facts of a run built and listed in one pass (``declare_plain``); (6) a
``FastFact`` of plain scalars skips ``freeze``; (7) ``StableStrategy``:
experta's depth order with the rule name breaking ties (whatever the hash seed), bisected on keys;
(8) rules already in disjunctive normal form are prepared without experta's rewrite (fast_prepare);
(9) rules and branches share the beta nodes experta would build alike (fast_beta).
"""

from __future__ import annotations

import sys
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import partial, partialmethod
from itertools import chain
from operator import attrgetter
from typing import Any, ClassVar

from experta import KnowledgeEngine
from experta.activation import Activation
from experta.agenda import Agenda
from experta.fact import Fact, InitialFact
from experta.fieldconstraint import L, P, W
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck, WhereCheck
from experta.matchers.rete.mixins import ChildNode
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode, WhereNode
from experta.matchers.rete.token import Token, TokenInfo
from experta.matchers.rete.utils import extract_facts, generate_checks
from experta.rule import Rule
from experta.strategies import DepthStrategy

from footcoach.inference.fast_beta import build_beta_part
from footcoach.inference.fast_facts import PLAIN_KEYS as PLAIN_KEYS  # re-exported: the fact side
from footcoach.inference.fast_facts import FastFact as FastFact
from footcoach.inference.fast_facts import FastFactList
from footcoach.inference.fast_prepare import prepare_ruleset
from footcoach.inference.join_index import Context, Item, JoinIndex, clear_all

EXPERTA_VERSION = "1.9.4"
VALID = Token.TagType.VALID
INVALID = Token.TagType.INVALID
_ANY_NAME = object()  # index key of patterns that do not fix a name
_INITIAL_DEFFACTS_OBJ = vars(KnowledgeEngine)["_declare_initial_fact"]  # experta's deffacts of the InitialFact
_INITIAL_DEFFACTS = _INITIAL_DEFFACTS_OBJ._wrapped
_KEY = attrgetter("key")  # an activation's place on the agenda
_make_token = partial(tuple.__new__, Token)  # Token((tag, data, context)) without experta's asserts
Check = tuple[str, Any]  # (field, literal value or predicate)
Plan = tuple[tuple[Check, ...], tuple[Check, ...], tuple[tuple[str, str], ...], str]


class AlphaPattern:
    """The alpha terminal of one fact pattern, compiled to a plan: its literals, then its
    predicates, then its bindings (experta's checks, in experta's order, without a token copy or a
    log call per test).  Every pattern footcoach compiles is such a plan; any other pattern
    (nested field names, negated bindings, a variable bound twice) is refused when the network is
    built, loudly, rather than matched differently from experta.  The bus node runs the plan."""

    def __init__(self, checks: list[Any]):
        self.plan = _plan(checks)
        self.children: list[ChildNode] = []

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled (a cached network): attributes set one by one (kept in place, not in a dict),
        the plan's names interned (``fact[what]`` then finds a fact's key by identity)."""
        for key, value in state.items():
            setattr(self, key, _interned(value) if key == "plan" else value)

    def add_child(self, node: Any, callback: Callable[[Any], None]) -> None:
        if node not in [c.node for c in self.children]:
            self.children.append(ChildNode(node, callback))


def _interned(x: Any) -> Any:
    """``x`` with every string in it (through tuples) interned."""
    return sys.intern(x) if type(x) is str else tuple(map(_interned, x)) if type(x) is tuple else x


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


class IndexedBusNode:
    """The root of the network: sends a fact to the patterns of its own type and name only."""

    def __init__(self) -> None:
        self.children: list[ChildNode] = []  # kept empty: experta's walkers find nothing to do here
        self.index: dict[tuple[type, Any], list[AlphaPattern]] = {}
        self.routes: dict[tuple[type, str], list[AlphaPattern]] = {}  # filled as facts arrive (index fixed)

    def _send(self, fact: Any, tag: Token.TagType) -> None:
        kind, name = type(fact), fact.get("name")
        route: list[AlphaPattern] | None
        if not isinstance(name, str):
            route = self.index.get((kind, _ANY_NAME), [])
        elif (route := self.routes.get((kind, name))) is None:  # its name's patterns, then any name's
            route = self.routes[kind, name] = [
                *self.index.get((kind, name), ()),
                *self.index.get((kind, _ANY_NAME), ()),
            ]
        for pattern in route:  # each pattern's plan, run inline (not a call per pattern of every fact)
            literals, predicates, binds, capture = pattern.plan
            context: Context | None = None
            try:
                for what, value in literals:
                    if value != fact[what]:
                        break
                else:
                    for what, test in predicates:
                        if not test(fact[what]):
                            break
                    else:
                        context = {bind: fact[what] for what, bind in binds} if binds else {}
            except (IndexError, KeyError, TypeError):
                continue
            if context is not None:
                context[capture] = fact
                token = _make_token((tag, {fact}, context))
                for child in pattern.children:
                    child.callback(token)


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
            candidates = join.enter(side, (data, context))
        else:
            join.discard(side, data)
            candidates = join.candidates(side, context)
        exact, matcher, children = join.exact, self.matcher, self.children
        for other_data, other_context in candidates:
            # Not exact (a side scanned): experta's test; patterns bind no negated variable (see _plan).
            if exact or (matcher(context, other_context) if side == 0 else matcher(other_context, context)):
                newtoken = _make_token((tag, data | other_data, {**context, **other_context}))
                for child in children:
                    child.callback(newtoken)

    _activate_left = partialmethod(_activate_side, side=0)
    _activate_right = partialmethod(_activate_side, side=1)


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
        self.counts = self.join.counts  # left facts -> number of matching right tokens (experta's left_memory)
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
            count = len(self._matching(self.join.enter(0, (data, context)), context, 0))
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


class FastConflictSetNode(ConflictSetNode):  # type: ignore[misc]  # experta is untyped
    """experta's ``ConflictSetNode``, on its matcher's lists of changed and filled sets instead of
    polled; ``added``/``removed`` map a token's ``TokenInfo`` (facts and bindings: what makes two
    activations of one rule equal) to its activation, so no activation (nor its rule) is hashed."""

    changed: list[FastConflictSetNode]  # shared with the matcher
    filled: list[FastConflictSetNode]
    memory: set[TokenInfo]
    added: dict[TokenInfo, Activation]
    removed: dict[TokenInfo, Activation]
    rank = 0  # the node's place in the fixed collection order

    def _reset(self) -> None:
        self.memory, self.added, self.removed = set(), {}, {}

    def _activate(self, token: Token) -> None:
        tag, data, context = token
        info = TokenInfo(data, context)
        added, removed, memory = self.added, self.removed, self.memory
        if not (added or removed):
            self.changed.append(self)
        if tag is VALID:
            if info not in memory:
                if not memory:
                    self.filled.append(self)
                memory.add(info)
                if removed.pop(info, None) is None:
                    added[info] = Activation(self.rule, info.data, dict(context))  # no negated bindings (_plan)
        elif info in memory:
            memory.remove(info)
            if added.pop(info, None) is None:
                removed[info] = Activation(self.rule, info.data, dict(context))


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
    WhereNode: (WhereNode, WhereCheck),  # a TEST: experta's own node
    ConflictSetNode: (FastConflictSetNode, None),
}


class FastReteMatcher(ReteMatcher):  # type: ignore[misc]  # experta is untyped
    """experta's RETE matcher with the alpha index, hash joins and lean reset described above."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.root_node = IndexedBusNode()
        self.build_network()
        self._finish()

    prepare_ruleset = staticmethod(prepare_ruleset)  # experta's, without its rewrite of plain rules
    build_beta_part = staticmethod(build_beta_part)  # experta's, on shared nodes

    def build_alpha_part(self, ruleset: Any, root_node: IndexedBusNode) -> dict[Any, AlphaPattern]:
        """experta's alpha part, one terminal per distinct pattern, indexed by (type, name)."""
        ruleset = set(ruleset) | {Rule(InitialFact())}
        patterns = set(chain.from_iterable(extract_facts(rule) for rule in ruleset))
        fact_checks = {fact: set(generate_checks(fact)) for fact in patterns}
        rank: dict[Any, int] = {}
        for found in fact_checks.values():
            for check in found:
                rank[check] = rank.get(check, 0) + 1
        terminals: dict[Any, AlphaPattern] = {}
        for fact in sorted(patterns, key=repr):
            name = fact["name"] if isinstance(fact.get("name"), str) else _ANY_NAME
            checks: list[Any] = []
            for check in sorted(fact_checks[fact], key=rank.__getitem__, reverse=True):  # shared tests first
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
        self._touched: list[JoinIndex] = []  # the join memories that hold something
        for node in self._memory_nodes:
            node.join.touched = self._touched
        self._changed: list[FastConflictSetNode] = []
        self._filled: list[FastConflictSetNode] = []
        csns = sorted((n for n in nodes if isinstance(n, FastConflictSetNode)), key=lambda n: n.rule._wrapped.__name__)
        for i, csn in enumerate(csns):
            csn.rank, csn.changed, csn.filled = i, self._changed, self._filled

    def changes(
        self, adding: Iterable[Any] | None = None, deleting: Iterable[Any] | None = None
    ) -> tuple[list[Any], list[Any]]:
        root = self.root_node
        for fact in deleting or ():
            root._send(fact, INVALID)
        for fact in adding or ():
            root._send(fact, VALID)
        added: list[Any]
        removed: list[Any]
        added, removed, changed = [], [], self._changed
        if changed:
            if len(changed) > 1:
                changed.sort(key=attrgetter("rank"))  # experta's order: every conflict set, by rule name
            for csn in changed:
                added.extend(csn.added.values())
                removed.extend(csn.removed.values())
                csn.added, csn.removed = {}, {}
            changed.clear()
        return added, removed

    def reset(self) -> None:
        """Wipe the join memories that hold something, and the conflict sets filled or changed."""
        clear_all(self._touched)
        for csn in chain(self._filled, self._changed):
            csn.memory, csn.added, csn.removed = set(), {}, {}  # csn._reset(), inline
        self._filled.clear()
        self._changed.clear()


class StableStrategy(DepthStrategy):  # type: ignore[misc]  # experta is untyped
    """experta's depth strategy with the rule's name as the last tie-breaker (experta's own order of
    activations of equal salience depends on the hash seed), bisecting on the keys."""

    def get_key(self, activation: Any) -> tuple[int, list[int], str]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts, activation.rule._wrapped.__name__)

    def _update_agenda(self, agenda: Any, added: list[Any], removed: list[Any]) -> None:
        activations = agenda.activations
        for act in removed:
            act.key = self.get_key(act)
            idx = bisect_left(activations, act.key, key=_KEY)
            for i in (idx, idx + 1, idx - 1):  # experta's probes (idx - 1 may be -1: the last one)
                with suppress(IndexError):
                    if activations[i] == act:
                        del activations[i]
                        break
        for act in added:
            act.key = self.get_key(act)
            insort(activations, act, key=_KEY)


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
        deffacts = [] if kwargs else self.get_deffacts()
        if len(deffacts) == 1 and deffacts[0]._wrapped is _INITIAL_DEFFACTS:
            facts = [InitialFact()]  # what experta's own deffacts yields (a copy of), without the generator
        else:
            facts = [fact for deffact in deffacts for fact in deffact()]
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
            self.strategy._update_agenda(self.agenda, added, removed)  # update_agenda without its log check
        return last

    def declare_plain(self, kind: type[Fact], rows: Iterable[tuple[str, Any, str]]) -> None:
        """``declare`` of ``kind(name=n, value=v, subject=s)`` for each row ``(n, v, s)`` (FastFactList.declare_plain)."""
        self.facts.declare_plain(kind, rows)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy._update_agenda(self.agenda, added, removed)

    def run(self, steps: float = float("inf")) -> None:
        """experta's ``run`` loop without its per-firing logging."""
        self.running = True
        while steps > 0 and self.running:
            added, removed = self.matcher.changes(*self.facts.changes)  # get_activations
            self.strategy._update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            rule, context = activation.rule, {k: v for k, v in activation.context.items() if not k.startswith("__")}
            if rule._wrapped_args or rule._wrapped_self is not None:
                rule(self, **context)  # experta's call: it passes only the named bindings, or a bound self
            else:
                rule._wrapped(self, **context)  # what that call does for a function taking every binding
        self.running = False
