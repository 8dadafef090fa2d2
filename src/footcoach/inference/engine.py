"""The inference engine: rules compiled onto experta, run on one state, recorded as data.

A rule set compiles once into a generated ``KnowledgeEngine`` subclass whose class attributes
are the rules (experta builds its network when an engine is instantiated).  Each condition on a
fact becomes a pattern on an ``Obs`` fact whose value field is constrained by the comparison with
the knowledge value resolved for this runner (or a ``TEST`` joining two facts for ``times``); a
finding condition is a pattern on a ``Finding`` fact concluded by another rule, ``no_finding`` a
``NOT`` of one.  Salience comes from stratifying the rules by the
findings they depend on, and a stable tie-breaker (the rule id) makes the firing order the same
whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from experta import AND, AS, MATCH, NOT, OR, TEST, P
from experta import Rule as XRule

from footcoach.contract.state import State
from footcoach.inference.compiled import Fire, KnowledgeCheck, LiteralCheck, TimesTest
from footcoach.inference.facts import RUNNER, Obs, catalogue, derive
from footcoach.inference.fast_match import FastFact, FastKnowledgeEngine, StableStrategy
from footcoach.inference.network_cache import SHARED, CachedReteMatcher
from footcoach.knowledge.base import (
    Knowledge,
    ResolvedValue,
    default_knowledge,
    fingerprint_folder,
    load_knowledge,
    num,
)
from footcoach.rulebook.cache import load_rules_cached
from footcoach.rulebook.model import (
    FactCondition,
    Rule,
    RuleSet,
)

if TYPE_CHECKING:  # pragma: no cover
    from footcoach.contract.assessment import Assessment

PHASE_FACT = "program.phase"
T = TypeVar("T")
RESOLVED_CACHED = 1024  # not clinical: (age, sex) pairs whose resolved knowledge a rule base keeps


class ObsFact(FastFact):
    """An observed or derived fact: name, value, subject."""


class FindingFact(FastFact):
    """An intermediate conclusion: name, value, subject, by (the rule that concluded it)."""


@dataclass
class Firing:
    """One rule firing as recorded for the trace."""

    step: int
    rule: Rule
    subject: str
    findings: list[tuple[str, str, str, str]]  # (name, value, subject, by)
    concluded: str | None = None  # the value of the finding it concluded, if any


@dataclass
class Run:
    """What one run of the engine produced."""

    state: State
    facts: dict[tuple[str, str], Obs]
    resolved: dict[str, ResolvedValue]
    firings: list[Firing] = field(default_factory=list)
    finding_step: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    signatures: set[tuple[Any, ...]] = field(default_factory=set)  # (rule id, subject, findings) already fired


class Values:
    """The knowledge values of the run in progress, by name (what a compiled comparison reads)."""

    def __init__(self) -> None:
        self.now: dict[str, Any] = {}


def _fact_patterns(idx: str, fc: FactCondition, per_subject: set[str], values: Values) -> list[Any]:
    """Patterns for one fact condition; facts about a shoe join on the rule's subject variable.

    A comparison with a literal or with a knowledge value is a field constraint on the fact
    (checked once, in the alpha network, against the value resolved for this runner); a
    comparison with a multiple of another fact (``times``) joins the two facts and tests them
    (:mod:`footcoach.inference.compiled`: callables made of data, so the network can be cached)."""
    subject = MATCH.subject if fc.fact in per_subject else RUNNER
    literal, name, times = fc.literal, str(fc.value), fc.times
    if times is None:
        if literal is not None and fc.op == "==":
            # A literal value in the pattern: the alpha plan compares it in place (== cannot raise).
            return [ObsFact(name=fc.fact, subject=subject, value=literal)]
        check = LiteralCheck(fc.op, literal) if literal is not None else KnowledgeCheck(fc.op, name, values)
        return [ObsFact(name=fc.fact, subject=subject, value=P(check))]
    times_subject = MATCH.subject if times in per_subject else RUNNER
    v, x = f"v{idx}", f"x{idx}"
    return [
        ObsFact(name=fc.fact, subject=subject, value=getattr(MATCH, v)),
        ObsFact(name=times, subject=times_subject, value=getattr(MATCH, x)),
        TEST(TimesTest(fc.op, name, v, x, values)),
    ]


class _Patterns:
    """The experta patterns conditions compile themselves with (see rulebook.conditions.Patterns)."""

    def __init__(self, per_subject: set[str], values: Values):
        self.per_subject, self.values = per_subject, values

    def compare(self, idx: str, condition: FactCondition) -> list[Any]:
        return _fact_patterns(idx, condition, self.per_subject, self.values)

    def finding(self, idx: str, name: str, value: str | None) -> Any:
        kw = {"name": name} if value is None else {"name": name, "value": value}
        return getattr(AS, f"f{idx}") << FindingFact(**kw)

    def absent(self, name: str, value: str | None) -> Any:
        kw = {"name": name} if value is None else {"name": name, "value": value}
        return NOT(FindingFact(**kw))

    def either(self, branches: list[list[Any]]) -> Any:
        return OR(*(AND(*b) for b in branches))


def _compile(
    rule: Rule, salience: int, on_fire: Callable[[Any, Rule, dict[str, Any]], None], patterns: _Patterns
) -> Any:
    ces: list[Any] = []
    if rule.spec.for_each == "shoe":
        # Anchor the subject: the rule fires once per shoe, even when its conditions are about the runner.
        ces.append(ObsFact(name="shoe.name", subject=MATCH.subject))
    for i, c in enumerate(rule.spec.when):
        ces.extend(c.compile(patterns, str(i)))
    return XRule(*ces, salience=salience)(Fire(on_fire, rule))


class RuleBase:
    """A compiled rule set with its knowledge: assess states with it."""

    def __init__(self, rules: RuleSet, kb: Knowledge, version: str | None = None):
        self.rules, self.kb = rules, kb
        self.version = version or fingerprint_folder(rules.folder, kb.folder)
        attrs: dict[str, Any] = {}
        per_subject = {name for name, spec in catalogue(kb).items() if spec.per}
        self.values = Values()
        patterns = _Patterns(per_subject, self.values)
        for rid in sorted(rules.rules):
            attrs[rid.replace("-", "_")] = _compile(rules.rules[rid], rules.salience[rid], self._on_fire, patterns)
        attrs["__strategy__"] = StableStrategy
        # The network is restored from the disk cache when these rules built it before; what in it
        # belongs to this rule base is pickled by name and restored as this rule base's own.
        attrs["__matcher__"] = CachedReteMatcher
        attrs[SHARED] = {"rulebase": self, "values": self.values, **{f"rule:{k}": r for k, r in rules.rules.items()}}
        self.engine_class = type("FootcoachEngine", (FastKnowledgeEngine,), attrs)
        self._engine: Any = None
        self._lock = threading.Lock()
        self._run: Run | None = None
        # Only facts some rule tests enter the network; the rest stay in the run for explanations.
        self.facts_used = {n for r in rules.rules.values() for n in r.fact_names()}
        if any(r.spec.for_each == "shoe" for r in rules.rules.values()):
            self.facts_used.add("shoe.name")
        self.knowledge_used = sorted({n for r in rules.rules.values() for n in r.knowledge_names()})
        # Lookups that depend on the rules and knowledge only, filled as runs ask for them.
        self._resolved: dict[tuple[int, str | None], tuple[dict[str, ResolvedValue], dict[str, Any]]] = {}
        self._titles: dict[str, str] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    # -- lookups -------------------------------------------------------------------------------------
    def resolved_for(self, age: int, sex: str | None) -> dict[str, ResolvedValue]:
        """Every knowledge value the rules read, as it applies to a runner of this age and sex
        (shared by the runs of such runners: read only)."""
        return self._knowledge_for(age, sex)[0]

    def _knowledge_for(self, age: int, sex: str | None) -> tuple[dict[str, ResolvedValue], dict[str, Any]]:
        """(resolved values, their bare values) for a runner of this age and sex."""
        found = self._resolved.get((age, sex))
        if found is None:
            resolved = {name: self.kb.resolve(name, age, sex) for name in self.knowledge_used}
            # Names interned: a compiled comparison (its name interned too) finds its value by identity.
            found = (resolved, {sys.intern(name): r.value for name, r in resolved.items()})
            if len(self._resolved) < RESOLVED_CACHED:
                self._resolved[(age, sex)] = found
        return found

    def title(self, rule: Rule) -> str:
        """A rule's title with the knowledge values it quotes (the same for every run)."""
        found = self._titles.get(rule.id)
        if found is None:
            found = self._titles[rule.id] = rule.title_text(self.kb)
        return found

    def memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()``, computed once per rule base for ``key`` (for what depends on the rules and the
        knowledge only; callers treat the result as read only)."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            found = self._memo[key] = make()
            return found

    def producers(self, finding: str, value: str | None, phase: int | None = None) -> list[Rule]:
        """The rules that conclude ``finding`` (with ``value``), by id; with ``phase``, only those
        that admit it."""

        def find() -> list[Rule]:
            found = sorted(self.rules.producers(finding, value), key=lambda r: r.id)
            return found if phase is None else [r for r in found if r.admits(PHASE_FACT, phase)]

        return self.memo(("producers", finding, value, phase), find)

    # -- firing ----------------------------------------------------------------------------------
    def _current(self) -> Run:
        """The run being assessed (only while :meth:`run` holds the engine)."""
        if self._run is None:
            raise RuntimeError("no run in progress")
        return self._run

    def _on_fire(self, engine: Any, rule: Rule, ctx: dict[str, Any]) -> None:
        run = self._current()
        subject = ctx.get("subject", RUNNER)
        findings = [
            (fact["name"], fact["value"], fact["subject"], fact["by"])
            for key, fact in sorted(ctx.items())
            if key.startswith("f")
        ]
        signature = (rule.id, subject, tuple(findings))
        if signature in run.signatures:
            return  # the same conclusion reached through another branch of an `any`
        run.signatures.add(signature)
        step = len(run.firings) + 1
        c = rule.spec.conclude
        value = None if c is None else c.value if c.value is not None else self._value_of(run, c.value_from, subject)
        run.firings.append(Firing(step, rule, subject, findings, value))
        if c is not None and value is not None:
            key = (c.finding, value, subject, rule.id)
            if key not in run.finding_step:
                run.finding_step[key] = step
                engine.declare(FindingFact(name=c.finding, value=value, subject=subject, by=rule.id))

    @staticmethod
    def _value_of(run: Run, fact: str | None, subject: str) -> str | None:
        """A conclusion's ``value_from``: the fact's value as text (None when the fact is missing)."""
        o = run.facts.get((str(fact), subject)) or run.facts.get((str(fact), RUNNER))
        return None if o is None else str(num(o.value))

    # -- running -----------------------------------------------------------------------------------
    def run(self, state: State) -> Run:
        """Run the rules on one state and return the record of what fired."""
        facts = derive(state, self.kb)
        resolved, values = self._knowledge_for(state.runner.age, state.runner.sex)
        run = Run(state, {(o.name, o.subject): o for o in facts}, resolved)
        used = self.facts_used  # the others stay in the run, for explanations
        rows = [o[:-1] for o in facts if o.name in used]  # (name, value, subject): an Obs without its note
        with self._lock:
            if self._engine is None:
                self._engine = self.engine_class()
            engine = self._engine
            self._run = run
            self.values.now = values
            try:
                engine.reset()
                engine.declare_plain(ObsFact, rows)
                engine.run()
            finally:
                self._run = None
                self.values.now = {}
        return run

    def assess(self, state: State) -> Assessment:
        """Run and assemble the typed assessment (action, phase, recommendations, why-not, trace, ...);
        this week's plan is not part of it (:func:`footcoach.service.assessment` attaches it)."""
        from footcoach.inference.explain import assemble

        return assemble(self, self.run(state))


RULE_BASES_CACHED = 4  # not clinical: compiled rule bases kept per process


@lru_cache(maxsize=RULE_BASES_CACHED)
def rulebase_for(rules_folder: str | None = None, knowledge_folder: str | None = None) -> RuleBase:
    """A compiled rule base for these folders, built once per process."""
    kb = default_knowledge() if knowledge_folder is None else load_knowledge(Path(knowledge_folder))
    rules, version = load_rules_cached(Path(rules_folder) if rules_folder else None, kb)
    return RuleBase(rules, kb, version)


def default_rulebase() -> RuleBase:
    """The shipped rules and knowledge, compiled once."""
    return rulebase_for(None, None)
