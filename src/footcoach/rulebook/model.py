"""Rules as data: one YAML file per rule under ``rules/<family>/<id>.yaml``.

A rule states conditions on facts (compared with named knowledge values), what it concludes (an
intermediate finding that other rules match, and/or a recommendation), a sentence for the
physiotherapist and one for the runner, its sources, and its own cases.  Every file is validated
when it loads; a bad file is refused with ``file:line: field: message`` and never reaches the
engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from footcoach.knowledge.base import Knowledge

Op = Literal["==", "!=", "<", "<=", ">", ">="]
ACTION_KINDS = {"referral": "refer", "regression": "regress", "hold": "hold", "progression": "progress"}
OTHER_KINDS = ("reintroduce", "shoe_check", "shoe_replace", "load_advice", "advice")
Kind = Literal[
    "progression",
    "hold",
    "regression",
    "referral",
    "reintroduce",
    "shoe_check",
    "shoe_replace",
    "load_advice",
    "advice",
]
CASE_BASE = "case-base.yaml"
# The decision vocabulary: rules that indicate an action conclude INDICATED = refer/regress/hold/
# progress; the decision family concludes ACTION (one per assessment: the precedence is in its
# rules) and NEXT_PHASE (from a fact: the previous, the same or the following phase).
INDICATED, ACTION, NEXT_PHASE = "indicated", "action", "next_phase"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactCondition(_M):
    """``fact op value``: value is a knowledge name (``value``), possibly times another fact
    (``times``), or a literal that is not a clinical number (``literal``: a phase, true/false, a word)."""

    fact: str
    op: Op
    value: str | None = None
    times: str | None = None
    literal: bool | int | str | None = None

    @model_validator(mode="after")
    def _one_right_side(self) -> FactCondition:
        if (self.value is None) == (self.literal is None):
            raise ValueError("give exactly one of value (a knowledge name) or literal")
        if self.times and self.value is None:
            raise ValueError("times needs value (a knowledge name)")
        return self


class FindingCondition(_M):
    finding: str
    value: str | None = None


class NoFindingCondition(_M):
    no_finding: str
    value: str | None = None


class AnyCondition(_M):
    any: tuple[FactCondition, ...] = Field(min_length=2)


def _condition_kind(v: Any) -> str | None:
    """Which kind of condition a mapping is, by its leading key (so errors speak of one kind only)."""
    if isinstance(v, dict):
        for key in ("fact", "finding", "no_finding", "any"):
            if key in v:
                return key
        return None
    return {
        FactCondition: "fact",
        FindingCondition: "finding",
        NoFindingCondition: "no_finding",
        AnyCondition: "any",
    }.get(type(v))


Condition = Annotated[
    Annotated[FactCondition, Tag("fact")]
    | Annotated[FindingCondition, Tag("finding")]
    | Annotated[NoFindingCondition, Tag("no_finding")]
    | Annotated[AnyCondition, Tag("any")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message="a condition starts with fact, finding, no_finding or any",
    ),
]


class Conclusion(_M):
    """The finding a rule concludes: a fixed value, or (``value_from``) the value of a fact, as
    text (the decision's next phase is the value of ``program.previous_phase``, ...)."""

    finding: str
    value: str | None = None
    value_from: str | None = None

    @model_validator(mode="after")
    def _one_value(self) -> Conclusion:
        if (self.value is None) == (self.value_from is None):
            raise ValueError("give exactly one of value or value_from (a fact name)")
        return self

    def matches(self, value: str | None) -> bool:
        """Whether this conclusion can produce ``value`` (None: any value of the finding)."""
        return value is None or self.value is None or self.value == value

    def describe(self) -> str:
        return f"{self.finding} = {self.value if self.value is not None else 'the value of ' + str(self.value_from)}"


class Recommend(_M):
    kind: Kind


class Case(_M):
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    state: dict[str, Any] = {}
    full_state: bool = False
    note: str | None = None


class Cases(_M):
    fires: tuple[Case, ...] = Field(min_length=1)
    does_not_fire: tuple[Case, ...] = Field(min_length=1)


class RuleSpec(_M):
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
    def _does_something(self) -> RuleSpec:
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
    lines: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def action(self) -> str | None:
        return ACTION_KINDS.get(self.spec.recommend.kind) if self.spec.recommend else None

    def knowledge_names(self) -> list[str]:
        names: list[str] = []
        for c in self.spec.when:
            for fc in c.any if isinstance(c, AnyCondition) else (c,):
                if isinstance(fc, FactCondition) and fc.value:
                    names.append(fc.value)
        names.extend(
            _TEMPLATE_NAMES(self.spec.title) + _TEMPLATE_NAMES(self.spec.physio) + _TEMPLATE_NAMES(self.spec.runner)
        )
        return names

    def title_text(self, kb: Knowledge) -> str:
        """The title with the knowledge values it quotes filled in."""
        return knowledge_text(self.spec.title, kb)

    def fact_names(self) -> list[str]:
        names: list[str] = []
        for c in self.spec.when:
            for fc in c.any if isinstance(c, AnyCondition) else (c,):
                if isinstance(fc, FactCondition):
                    names.append(fc.fact)
                    if fc.times:
                        names.append(fc.times)
        return names

    def findings_used(self) -> list[tuple[str, str | None, bool]]:
        """(finding, value or None, negated) for every finding condition."""
        out = []
        for c in self.spec.when:
            if isinstance(c, FindingCondition):
                out.append((c.finding, c.value, False))
            elif isinstance(c, NoFindingCondition):
                out.append((c.no_finding, c.value, True))
        return out


_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_.\[\]]*)(?::[^}|]*)?(?:\|[^}]*)?\}")


def _TEMPLATE_NAMES(text: str | None) -> list[str]:
    """Knowledge names a sentence quotes: ``{k.name}`` (the value) or ``{pct.name}`` (a ratio as % over)."""
    if not text:
        return []
    return [m.group(1).split(".", 1)[1] for m in _TEMPLATE.finditer(text) if m.group(1).startswith(("k.", "pct."))]


def knowledge_text(text: str, kb: Knowledge) -> str:
    """Fill ``{k.name}`` and ``{pct.name}`` (a ratio as the % it allows over) from scalar knowledge."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name.startswith("k.") and name[2:] in kb.thresholds:
            v = kb.value(name[2:])
            return str(int(v)) if float(v).is_integer() else str(v)
        if name.startswith("pct.") and name[4:] in kb.thresholds:
            return str(round((kb.value(name[4:]) - 1) * 100))
        return m.group(0)

    return _TEMPLATE.sub(sub, text)


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
