"""The assessment contract: what one assessment says, as typed pydantic models.

The engine's result is an :class:`Assessment`; its JSON (``footcoach assess --format json``) is
:meth:`Assessment.record`, a dump of the fields that were set (an optional field that does not apply
is absent, not null).  Field order is the JSON key order.  The JSON Schema is committed as
``schema/assessment.schema.json`` (``footcoach schema --output``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# The plain vocabulary, re-exported (defined apart so the engine names it without these models).
from footcoach.contract.vocabulary import DISCLAIMER as DISCLAIMER
from footcoach.contract.vocabulary import Action as Action
from footcoach.contract.vocabulary import RecommendationKind as RecommendationKind
from footcoach.contract.vocabulary import Scalar as Scalar


class Record(BaseModel):
    """A part of the assessment record: unknown fields are a bug, not an extension."""

    model_config = ConfigDict(extra="forbid")

    def record(self) -> dict[str, Any]:
        """The JSON-ready dict: the fields that were set, in field order."""
        dumped: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True)
        return dumped


class SourceRecord(Record):
    """A source as cited in the record: key, citation, evidence level (``design`` says so)."""

    key: str
    citation: str
    evidence: str
    year: int | None = None
    based_on: list[str] | None = None
    note: str | None = None


class ThresholdRecord(Record):
    """A knowledge value as it applied to this runner, with where it came from."""

    name: str
    value: int | float
    unit: str
    source: SourceRecord
    also: list[SourceRecord] | None = None
    note: str | None = None


class TimesRecord(Record):
    """The other fact of a ``times`` comparison (value x fact)."""

    fact: str
    value: Scalar


class ConditionRecord(Record):
    """One condition of a rule as it stood in this run: a fact compared with a knowledge value
    or a literal, a finding (present or absent), or ``any`` of several fact conditions.

    ``holds`` says whether it held; a failing one says by how much (``short_by``/``over_by``),
    what was found instead, and (``because``) why the rules that could conclude it did not."""

    fact: str | None = None
    label: str | None = None
    op: str | None = None
    finding: str | None = None
    no_finding: str | None = None
    any: list[ConditionRecord] | None = None
    value: Scalar = None
    missing: bool | None = None
    derived: str | None = None
    literal: bool | int | str | None = None
    threshold: ThresholdRecord | None = None
    times: TimesRecord | None = None
    compared_with: int | float | None = None
    holds: bool
    short_by: int | float | None = None
    over_by: int | float | None = None
    instead: list[str] | None = None
    present_from_steps: list[int] | None = None
    because: list[RuleFailing] | None = None
    from_rule: str | None = None
    from_step: int | None = None


class RuleFailing(Record):
    """A rule that did not fire, with the conditions that did not hold."""

    rule: str
    title: str
    failing: list[ConditionRecord]


class WhyNot(Record):
    """Why a stronger action than the one decided did not apply: the decision rule that would have
    concluded it, and the rules that could have indicated it, with their failing conditions."""

    action: Action
    decision_rule: str
    rules: list[RuleFailing]


class Blocked(Record):
    """What keeps the runner from progressing: the progress rules of the phase and their failing
    conditions, the failing measurements flat (``items``, :mod:`footcoach.inference.blockers`), or a
    note (phase 5 has no further phase)."""

    rules: list[RuleFailing] | None = None
    items: list[dict[str, Any]] | None = None
    note: str | None = None


class PhaseChange(Record):
    current: int
    next: int
    current_name: str
    next_name: str


class Recommendation(Record):
    """One recommendation: its kind, the rule that made it, a sentence for the physiotherapist
    (``summary``) and one for the runner, and the trace steps it rests on (``because``)."""

    kind: RecommendationKind
    rule: str
    summary: str
    runner: str
    action: Action | None = None
    subject: str | None = None
    shoe: str | None = None
    because: list[int]
    reasons: list[str]
    exercises: list[str] | None = None


class Superseded(Record):
    """An action a rule indicated that a stronger action outranked."""

    rule: str
    kind: RecommendationKind
    action: Action
    summary: str


class Concluded(Record):
    finding: str
    value: str


class TraceStep(Record):
    """One rule firing: the conditions with their values, what it concluded or recommended, sources."""

    step: int
    rule: str
    family: str
    title: str
    subject: str | None = None
    conditions: list[ConditionRecord]
    concluded: Concluded | None = None
    recommended: RecommendationKind | None = None
    superseded_by: Action | None = None
    sources: list[SourceRecord]


class Assessment(Record):
    """One assessment: the action, the phase to train in next, the recommendations, why no stronger
    action, what blocks progress, this week's plan, the trace, the rule-base version, the disclaimer."""

    action: Action
    phase: PhaseChange
    recommendations: list[Recommendation]
    why_not: list[WhyNot]
    progress_blocked_by: Blocked | None = None
    superseded: list[Superseded] | None = None
    notes: list[str] | None = None
    plan: dict[str, Any] | None = None
    trace: list[TraceStep]
    rules_version: str
    disclaimer: str


def assessment_json_schema() -> dict[str, Any]:
    """The output's JSON Schema, as committed in ``schema/assessment.schema.json``."""
    return Assessment.model_json_schema()
