"""The inference engine: rules compiled onto experta, run on one state, recorded as data.

A rule set compiles once into a generated ``KnowledgeEngine`` subclass whose class attributes
are the rules (experta builds its network when an engine is instantiated).  Each condition on a
fact becomes a pattern on an ``Obs`` fact, a pattern on the ``Kn`` fact holding the runner's
resolved knowledge value, and a ``TEST`` comparing them; a finding condition is a pattern on a
``Finding`` fact concluded by another rule.  Salience comes from stratifying the rules by the
findings they depend on, and a stable tie-breaker (the rule id) makes the firing order the same
whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import _compat  # noqa: F401  (must precede experta)
from experta import AS, MATCH, NOT, OR, TEST, AND, Fact, KnowledgeEngine, Rule as XRule
from experta.strategies import DepthStrategy

from .facts import RUNNER, Obs, catalogue, derive
from .knowledge import Knowledge, Resolved, default_knowledge, fingerprint_folder, load_knowledge
from .models import State
from .rulebook import (AnyCondition, compare, FactCondition, FindingCondition, NoFindingCondition, Rule, RuleSet,
                       load_rules)

class ObsFact(Fact):
    """An observed or derived fact: name, value, subject."""


class KnFact(Fact):
    """A knowledge value resolved for this runner: name, value."""


class FindingFact(Fact):
    """An intermediate conclusion: name, value, subject, by (the rule that concluded it)."""


class StableStrategy(DepthStrategy):
    """Depth strategy with the rule id as the last tie-breaker (experta's own order depends on
    the hash seed for activations of equal salience)."""

    def get_key(self, activation):  # noqa: D102 - same contract as DepthStrategy.get_key
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts, activation.rule._wrapped.__name__)


@dataclass
class Firing:
    """One rule firing as recorded for the trace."""

    step: int
    rule: Rule
    subject: str
    findings: list[tuple[str, str, str, str]]   # (name, value, subject, by)


@dataclass
class Run:
    """What one run of the engine produced."""

    state: State
    facts: dict[tuple[str, str], Obs]
    resolved: dict[str, Resolved]
    firings: list[Firing] = field(default_factory=list)
    finding_step: dict[tuple[str, str, str, str], int] = field(default_factory=dict)


def _fact_patterns(idx: str, fc: FactCondition, per_subject: set[str]) -> list:
    """Patterns for one fact condition; facts about a shoe join on the rule's subject variable."""
    subject = MATCH.subject if fc.fact in per_subject else RUNNER
    pats = [ObsFact(name=fc.fact, subject=subject, value=getattr(MATCH, f"v{idx}"))]
    params = [f"v{idx}"]
    if fc.value is not None:
        pats.append(KnFact(name=fc.value, value=getattr(MATCH, f"t{idx}")))
        params.append(f"t{idx}")
        if fc.times:
            times_subject = MATCH.subject if fc.times in per_subject else RUNNER
            pats.append(ObsFact(name=fc.times, subject=times_subject, value=getattr(MATCH, f"x{idx}")))
            params.append(f"x{idx}")
    op, literal, times = fc.op, fc.literal, fc.times

    def test(**kw):
        v = kw[f"v{idx}"]
        if literal is not None:
            return compare(v, op, literal)
        t = kw[f"t{idx}"] * kw[f"x{idx}"] if times else kw[f"t{idx}"]
        return compare(v, op, t)

    test.__signature__ = inspect.Signature(
        [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY) for p in params])
    test.__name__ = f"test_{idx}"
    pats.append(TEST(test))
    return pats


def _compile(rule: Rule, salience: int, on_fire: Callable, per_subject: set[str]) -> XRule:
    ces: list = []
    if rule.spec.for_each == "shoe":
        # Anchor the subject: the rule fires once per shoe, even when its conditions are about the runner.
        ces.append(ObsFact(name="shoe.name", subject=MATCH.subject))
    for i, c in enumerate(rule.spec.when):
        if isinstance(c, FactCondition):
            ces.extend(_fact_patterns(str(i), c, per_subject))
        elif isinstance(c, FindingCondition):
            kw = {"name": c.finding}
            if c.value is not None:
                kw["value"] = c.value
            ces.append(getattr(AS, f"f{i}") << FindingFact(**kw))
        elif isinstance(c, NoFindingCondition):
            kw = {"name": c.no_finding}
            if c.value is not None:
                kw["value"] = c.value
            ces.append(NOT(FindingFact(**kw)))
        elif isinstance(c, AnyCondition):
            ces.append(OR(*(AND(*_fact_patterns(f"{i}_{j}", fc, per_subject)) for j, fc in enumerate(c.any))))

    def rhs(engine, **ctx):
        on_fire(engine, rule, ctx)

    rhs.__name__ = rule.id
    return XRule(*ces, salience=salience)(rhs)


class RuleBase:
    """A compiled rule set with its knowledge: assess states with it."""

    def __init__(self, rules: RuleSet, kb: Knowledge):
        self.rules, self.kb = rules, kb
        self.version = fingerprint_folder(rules.folder, kb.folder)
        attrs: dict[str, Any] = {}
        per_subject = {name for name, spec in catalogue(kb).items() if spec.per}
        for rid in sorted(rules.rules):
            attrs[rid.replace("-", "_")] = _compile(rules.rules[rid], rules.salience[rid], self._on_fire, per_subject)
        attrs["__strategy__"] = StableStrategy
        self.engine_class = type("FootcoachEngine", (KnowledgeEngine,), attrs)
        self._engine = None
        self._lock = threading.Lock()
        self._run: Run | None = None
        from .paths import knowledge_dir
        from .plan import load_catalogue

        self.catalogue = load_catalogue(None if kb.folder.resolve() == knowledge_dir().resolve() else kb.folder)
        # Only facts some rule tests enter the network; the rest stay in the run for explanations.
        self.facts_used = {n for r in rules.rules.values() for n in r.fact_names()}
        if any(r.spec.for_each == "shoe" for r in rules.rules.values()):
            self.facts_used.add("shoe.name")
        self.knowledge_used = sorted({n for r in rules.rules.values() for n in r.knowledge_names()})

    # -- firing ----------------------------------------------------------------------------------
    def _on_fire(self, engine, rule: Rule, ctx: dict) -> None:
        run = self._run
        subject = ctx.get("subject", RUNNER)
        findings = [(fact["name"], fact["value"], fact["subject"], fact["by"])
                    for key, fact in sorted(ctx.items()) if key.startswith("f")]
        signature = (rule.id, subject, tuple(findings))
        if any((f.rule.id, f.subject, tuple(f.findings)) == signature for f in run.firings):
            return  # the same conclusion reached through another branch of an `any`
        step = len(run.firings) + 1
        run.firings.append(Firing(step, rule, subject, findings))
        c = rule.spec.conclude
        if c is not None:
            key = (c.finding, c.value, subject, rule.id)
            if key not in run.finding_step:
                run.finding_step[key] = step
                engine.declare(FindingFact(name=c.finding, value=c.value, subject=subject, by=rule.id))

    # -- running -----------------------------------------------------------------------------------
    def run(self, state: State) -> Run:
        """Run the rules on one state and return the record of what fired."""
        facts = derive(state, self.kb)
        resolved = {name: self.kb.resolve(name, state.runner.age, state.runner.sex)
                    for name in self.knowledge_used}
        run = Run(state, {(o.name, o.subject): o for o in facts}, resolved)
        with self._lock:
            if self._engine is None:
                self._engine = self.engine_class()
            engine = self._engine
            self._run = run
            try:
                engine.reset()
                engine.declare(*[KnFact(name=name, value=resolved[name].value) for name in self.knowledge_used],
                               *[ObsFact(name=o.name, subject=o.subject, value=o.value) for o in facts
                                 if o.name in self.facts_used])
                engine.run()
            finally:
                self._run = None
        return run

    def assess(self, state: State) -> dict[str, Any]:
        """Run and assemble the JSON-ready assessment (action, phase, recommendations, trace, ...)."""
        from .explain import assemble

        return assemble(self, self.run(state))


@lru_cache(maxsize=4)
def rulebase_for(rules_folder: str | None = None, knowledge_folder: str | None = None) -> RuleBase:
    """A compiled rule base for these folders, built once per process."""
    kb = default_knowledge() if knowledge_folder is None else load_knowledge(Path(knowledge_folder))
    rules = load_rules(Path(rules_folder) if rules_folder else None, kb)
    return RuleBase(rules, kb)


def default_rulebase() -> RuleBase:
    """The shipped rules and knowledge, compiled once."""
    return rulebase_for(None, None)
