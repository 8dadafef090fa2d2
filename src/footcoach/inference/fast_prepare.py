"""Preparing experta rules for the network without experta's rewrite passes (the cold-start cost of
building the rule network, at every start of a command that assesses).

experta's ``ReteMatcher.prepare_ruleset`` rewrites every rule in disjunctive normal form with
``rete.utils.prepare_rule``: repeated ``dnf`` passes that rebuild every pattern, then an
``InitialFact`` before a leading ``NOT`` or a rule without facts.  A rule already in that form
(facts without ``|``/``&``/``~`` field constraints, ``NOT`` of one such fact, ``TEST``: every
footcoach rule without an ``any``) comes out of it with the same conditions; :func:`prepare_ruleset`
builds that rule directly and sends any other rule through experta's own ``prepare_rule``.

Like :mod:`footcoach.inference.fast_match` (whose matcher uses it), it relies on experta 1.9.4
internals: ``rete.utils.prepare_rule`` and ``extract_facts``, ``Rule.new_conditions``, the
``NOT``/``TEST`` elements and the ``ORFC``/``ANDFC``/``NOTFC`` field constraints;
``tests/test_fast_match.py`` compares the prepared rule sets with experta's.
"""

from __future__ import annotations

from typing import Any

from experta.conditionalelement import NOT, TEST
from experta.fact import Fact, InitialFact
from experta.fieldconstraint import ANDFC, NOTFC, ORFC
from experta.matchers.rete.utils import extract_facts, prepare_rule


def _plain_fact(ce: Any) -> bool:
    return isinstance(ce, Fact) and not any(isinstance(v, (ORFC, ANDFC, NOTFC)) for v in ce.values())


def is_plain(rule: Any) -> bool:
    """Whether experta's disjunctive-normal-form rewrite leaves the rule's conditions as they are."""
    return all(
        _plain_fact(ce) or isinstance(ce, TEST) or (isinstance(ce, NOT) and len(ce) == 1 and _plain_fact(ce[0]))
        for ce in rule
    )


def prepared_plain(rule: Any) -> Any:
    """What ``prepare_rule`` returns for a plain rule: the same conditions, after an ``InitialFact``
    when there are none, the first is a ``NOT`` or none is a fact."""
    conditions = tuple(rule)
    if not conditions or isinstance(conditions[0], NOT) or not extract_facts(rule):
        return rule.new_conditions(InitialFact(), *conditions)
    return rule.new_conditions(*conditions)


def prepare_ruleset(engine: Any) -> set[Any]:
    """``ReteMatcher.prepare_ruleset`` of ``engine``'s rules, plain rules prepared directly."""
    return {prepared_plain(rule) if is_plain(rule) else prepare_rule(rule) for rule in engine.get_rules()}
