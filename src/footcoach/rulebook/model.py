"""Rules as data: one YAML file per rule under ``rules/<family>/<id>.yaml``.

A rule states conditions on facts (compared with named knowledge values), what it concludes (an
intermediate finding that other rules match, and/or a recommendation), a sentence for the
physiotherapist and one for the runner, its sources, and its own cases.  Every file is validated
when it loads; a bad file is refused with ``file:line: field: message`` and never reaches the
engine.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from footcoach.common.closed_model import ClosedModel
from footcoach.contract.vocabulary import RecommendationKind
from footcoach.knowledge.base import Knowledge
from footcoach.rulebook import templates
from footcoach.rulebook.conditions import (
    AnyCondition,
    Condition,
    FactCondition,
    FindingCondition,
    NoFindingCondition,
    Op,
)

__all__ = [
    "AnyCondition",
    "Condition",
    "FactCondition",
    "FindingCondition",
    "NoFindingCondition",
    "Op",
    "Rule",
    "RuleSet",
    "RuleSpec",
]

ACTION_KINDS = {"referral": "refer", "regression": "regress", "hold": "hold", "progression": "progress"}
OTHER_KINDS = ("reintroduce", "shoe_check", "shoe_replace", "load_advice", "advice")
CASE_BASE = "case-base.yaml"
# The decision vocabulary: rules that indicate an action conclude INDICATED = refer/regress/hold/
# progress; the decision family concludes ACTION (one per assessment: the precedence is in its
# rules) and NEXT_PHASE (from a fact: the previous, the same or the following phase).
INDICATED, ACTION, NEXT_PHASE = "indicated", "action", "next_phase"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Conclusion(ClosedModel):
    """The finding a rule concludes: a fixed value, or (``value_from``) the value of a fact, as
    text (the decision's next phase is the value of ``program.previous_phase``, ...)."""

    finding: str
    value: str | None = None
    value_from: str | None = None

    @model_validator(mode="after")
    def _one_value(self) -> "Conclusion":
        if (self.value is None) == (self.value_from is None):
            raise ValueError("give exactly one of value or value_from (a fact name)")
        return self

    def matches(self, value: str | None) -> bool:
        """Whether this conclusion can produce ``value`` (None: any value of the finding)."""
        return value is None or self.value is None or self.value == value

    def describe(self) -> str:
        return f"{self.finding} = {self.value if self.value is not None else 'the value of ' + str(self.value_from)}"


class Recommend(ClosedModel):
    kind: RecommendationKind


class Case(ClosedModel):
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    state: dict[str, Any] = Field(default_factory=dict)
    full_state: bool = False
    note: str | None = None


class Cases(ClosedModel):
    fires: tuple[Case, ...] = Field(min_length=1)
    does_not_fire: tuple[Case, ...] = Field(min_length=1)


class RuleSpec(ClosedModel):
    title: str
    family: str
    for_each: Literal["shoe"] | None = None
    band: str | None = None
    when: tuple[Condition, ...] = Field(min_length=1)
    conclude: Conclusion | None = None
    recommend: Recommend | None = None
    physio: str | None = None
    runner: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    cases: Cases

    @model_validator(mode="after")
    def _does_something(self) -> "RuleSpec":
        if self.conclude is None and self.recommend is None:
            raise ValueError("a rule must conclude a finding, recommend, or both")
        if self.recommend is not None and (not self.physio or not self.runner):
            raise ValueError("a recommending rule needs both sentences: physio and runner")
        return self


@dataclass(frozen=True)
class Rule:
    """A validated rule, with where it came from."""

    id: str
    path: Path
    spec: RuleSpec
    lines: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def action(self) -> str | None:
        return ACTION_KINDS.get(self.spec.recommend.kind) if self.spec.recommend else None

    def knowledge_names(self) -> list[str]:
        """Every knowledge value the rule reads: in its conditions and in its sentences."""
        sentences = (self.spec.title, self.spec.physio, self.spec.runner)
        return [n for c in self.spec.when for n in c.knowledge()] + [
            n for s in sentences for n in templates.knowledge_names(s)
        ]

    def limit_for(self, fact: str) -> FactCondition | None:
        """The condition comparing ``fact`` with a knowledge value (a sentence's ``{limit.FACT}``)."""
        return next((lc for c in self.spec.when if (lc := c.limit_for(fact)) is not None), None)

    def vocabulary(self, kb: Knowledge, facts: Iterable[str]) -> templates.Vocabulary:
        """What this rule's sentences may name."""
        matched = [name for name, _value, negated in self.findings_used() if not negated]
        limits = sorted({f for c in self.spec.when for f in c.facts() if c.limit_for(f) is not None})
        return templates.Vocabulary(
            facts=facts,
            knowledge=kb.names(),
            ratios=list(kb.thresholds),
            limits=limits,
            findings=matched,
            red_flag="red_flag" in matched,
            shoe=self.spec.for_each == "shoe",
        )

    def title_text(self, kb: Knowledge) -> str:
        """The title with the knowledge values it quotes filled in."""
        return knowledge_text(self.spec.title, kb)

    def fact_names(self) -> list[str]:
        return [n for c in self.spec.when for n in c.facts()]

    def findings_used(self) -> list[tuple[str, str | None, bool]]:
        """(finding, value or None, negated) for every finding condition."""
        return [f for c in self.spec.when for f in c.findings()]

    def admits(self, fact: str, value: object) -> bool:
        """Whether no condition pins ``fact`` to a literal ``value`` does not meet (a phase's rule
        admits only its phase)."""
        return all(c.admits(fact, value) for c in self.spec.when)


def _shown(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def knowledge_text(text: str, kb: Knowledge) -> str:
    """Fill ``{k.name}`` and ``{pct.name}`` (a ratio as the % it allows over) from scalar knowledge;
    a placeholder that needs a runner is left as written."""

    def value(p: templates.Placeholder) -> Any:
        if p.key in kb.thresholds and p.namespace == "k":
            return kb.value(p.key)
        if p.key in kb.thresholds and p.namespace == "pct":
            return round((kb.value(p.key) - 1) * 100)
        return None

    return templates.render(text, lambda p: value(p) if value(p) is not None else _Raw(p.raw), _shown)


class _Raw(str):
    """A placeholder shown as written (a norm in a title has no value without a runner)."""


@dataclass
class RuleSet:
    """Every rule of a folder, validated against the knowledge base and the fact catalogue."""

    folder: Path
    rules: dict[str, Rule]
    case_base: dict[str, Any]
    salience: dict[str, int]

    def by_family(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for r in self.rules.values():
            out.setdefault(r.family, []).append(r)
        return out

    def producers(self, finding: str, value: str | None = None) -> list[Rule]:
        return [
            r
            for r in self.rules.values()
            if r.spec.conclude and r.spec.conclude.finding == finding and r.spec.conclude.matches(value)
        ]
