"""The beta part of experta's network with the nodes two rules (or two branches of one rule's
``any``) would build alike built once: the part :mod:`footcoach.inference.fast_match` wires.

experta wires each rule, and each branch of a rule in disjunctive normal form, on nodes of its
own, so a rule with three ``any`` of two branches repeats its leading joins eight times and every
fact reaching them is joined eight times.  Here a node is shared when experta would build one of
the same kind on the same two inputs (a join, a negation: the same left and right node; a
``TEST``: the same parent and the same test): the tokens it passes on are the same, so every
conflict set receives what it did; only the order in which a node's children hear of a token
changes, and experta's order of children already follows the hash-ordered rule set (the firing
order does not depend on it: ``StableStrategy``).  Each branch keeps its own conflict set.

Like :mod:`footcoach.inference.fast_match` (whose matcher uses it), it relies on experta 1.9.4
internals, checked by ``tests/test_fast_match.py``: ``ReteMatcher.build_beta_part(ruleset,
alpha_terminals)`` wiring each rule (each branch of a leading ``OR``) with ``rete.utils.wire_rule``:
consecutive conditions joined left-deep by ``OrdinaryMatchNode`` (``NotNode`` for a ``NOT``), each
with a ``SameContextCheck``, a ``TEST`` as a ``WhereNode(WhereCheck(test))`` after the node before
it, a ``NOT`` of a fact read from that fact's alpha terminal, then a ``ConflictSetNode(rule)``;
``add_child(node, callback)`` and the nodes' ``activate``/``activate_left``/``activate_right``.
A rule with another element (``FORALL``, ``EXISTS``, a nested ``OR``) is wired by experta.
"""

from __future__ import annotations

from typing import Any

from experta.conditionalelement import AND, NOT, OR, TEST
from experta.fact import Fact
from experta.matchers.rete.check import SameContextCheck, WhereCheck
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode, WhereNode
from experta.matchers.rete.utils import wire_rule


def _plain(lhs: Any) -> bool:
    """Whether every condition is a fact, a ``NOT`` of one or a ``TEST`` (what is wired here)."""
    return all(
        isinstance(ce, (Fact, TEST)) or (isinstance(ce, NOT) and len(ce) == 1 and isinstance(ce[0], Fact)) for ce in lhs
    )


class SharedWiring:
    """Wires rules on the nodes already built for the same inputs."""

    def __init__(self, alpha_terminals: dict[Any, Any]):
        self.alpha = alpha_terminals
        self.nodes: dict[tuple[Any, ...], Any] = {}

    def _terminal(self, ce: Any) -> Any:
        return self.alpha[ce[0] if isinstance(ce, NOT) else ce]

    def _join(self, kind: type, left: Any, right: Any) -> Any:
        key = (kind, id(left), id(right))
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = kind(SameContextCheck())
            left.add_child(node, node.activate_left)
            right.add_child(node, node.activate_right)
        return node

    def _where(self, parent: Any, test: Any) -> Any:
        key = (WhereNode, id(parent), id(test[0]))
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = WhereNode(WhereCheck(test[0]))
            parent.add_child(node, node.activate)
        return node

    def last_node(self, lhs: Any) -> Any:
        """The node a rule's conditions end on (experta's ``wire_rule`` for a ``Rule`` or ``AND``)."""
        ces = list(lhs)
        if len(ces) == 1:
            return self._terminal(ces[0])
        current = None
        for first, ce in zip(ces, ces[1:]):
            left = self._terminal(first) if current is None else current
            if isinstance(ce, TEST):
                current = self._where(left, ce)
            else:
                current = self._join(NotNode if isinstance(ce, NOT) else OrdinaryMatchNode, left, self._terminal(ce))
        return current

    def wire(self, rule: Any, lhs: Any) -> None:
        """One rule (or one branch of it) wired, ending on a conflict set of its own."""
        if not (isinstance(lhs, (AND, type(rule))) and _plain(lhs)) or isinstance(lhs[0], TEST):
            wire_rule(rule, self.alpha, lhs=lhs)
            return
        csn = ConflictSetNode(rule)
        self.last_node(lhs).add_child(csn, csn.activate)


def build_beta_part(ruleset: Any, alpha_terminals: dict[Any, Any]) -> None:
    """experta's ``ReteMatcher.build_beta_part`` on shared nodes."""
    wiring = SharedWiring(alpha_terminals)
    for rule in ruleset:
        if isinstance(rule[0], OR):
            for branch in rule[0]:
                wiring.wire(rule, branch)
        else:
            wiring.wire(rule, rule)
