"""The conditions of a rule, one class per kind, each knowing everything about itself.

A condition compiles itself onto the engine (through the pattern primitives the engine passes in,
:class:`Patterns`), evaluates itself against one run for the trace and the why-not (through
:class:`Evaluation`, so there is one evaluator and it cannot drift from the engine's), names the
facts, knowledge values and findings it uses, checks those names when the rule loads, and
describes itself for the rule book.  Nothing else dispatches on the kind of a condition.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, Protocol

from pydantic import Discriminator, Field, Tag, model_validator

from footcoach.common.closed_model import ClosedModel
from footcoach.common.comparison import compare, exact
from footcoach.common.documents import did_you_mean

Op = Literal["==", "!=", "<", "<=", ">", ">="]
Record = dict[str, Any]
BY = 3  # not clinical: where the concluding rule's id sits in a bound finding (name, value, subject, by)
ConditionProblem = tuple[tuple[Any, ...], str]  # (location under the condition, message)


class Observed(Protocol):
    """A fact as the engine derived it: its value and how it was computed."""

    @property
    def value(self) -> Any: ...

    @property
    def note(self) -> str: ...


class Evaluation(Protocol):
    """What a condition needs to evaluate itself against one run (implemented by the inference)."""

    def fact(self, name: str, subject: str) -> Observed | None: ...

    def label(self, name: str) -> str: ...

    def threshold(self, name: str) -> Any: ...

    def threshold_record(self, name: str) -> Record: ...

    def finding_steps(self, name: str, value: str | None, subject: str) -> list[int]: ...

    def findings_present(self, name: str) -> list[str]: ...

    def explain_producers(self, name: str, value: str | None, subject: str, depth: int) -> list[Record]: ...

    def step_of(self, finding: tuple[Any, ...]) -> int | None: ...


class MatchedFinding(Protocol):
    """A finding matched by a firing: (name, value, subject, by)."""

    def __getitem__(self, i: int) -> Any: ...


class Patterns(Protocol):
    """The engine's pattern primitives a condition compiles itself with."""

    def compare(self, idx: str, condition: "FactCondition") -> list[Any]: ...

    def finding(self, idx: str, name: str, value: str | None) -> Any: ...

    def absent(self, name: str, value: str | None) -> Any: ...

    def either(self, branches: list[list[Any]]) -> Any: ...


def _num(v: Any) -> Any:
    if isinstance(v, float) and not isinstance(v, bool):
        return int(v) if v.is_integer() else round(v, 2)
    return v


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class FactCondition(ClosedModel):
    """``fact op value``: value is a knowledge name (``value``), possibly times another fact
    (``times``), or a literal that is not a clinical number (``literal``: a phase, true/false, a word)."""

    KIND: ClassVar[str] = "fact"
    fact: str
    op: Op
    value: str | None = None
    times: str | None = None
    literal: bool | int | str | None = None

    @model_validator(mode="after")
    def _one_right_side(self) -> "FactCondition":
        if (self.value is None) == (self.literal is None):
            raise ValueError("give exactly one of value (a knowledge name) or literal")
        if self.times and self.value is None:
            raise ValueError("times needs value (a knowledge name)")
        return self

    # -- names ------------------------------------------------------------------------------------
    def facts(self) -> list[str]:
        return [self.fact] + ([self.times] if self.times else [])

    def knowledge(self) -> list[str]:
        return [self.value] if self.value else []

    def limit_for(self, fact: str) -> "FactCondition | None":
        """This condition, when it compares ``fact`` with a knowledge value (a sentence's ``{limit.FACT}``)."""
        return self if self.fact == fact and self.value else None

    def findings(self) -> list[tuple[str, str | None, bool]]:
        return []

    def admits(self, fact: str, value: Any) -> bool:
        """False only when this condition pins ``fact`` to a literal that ``value`` does not meet."""
        return self.fact != fact or self.literal is None or compare(value, self.op, self.literal)

    def bound(self, fact: str, kb_value: Callable[[str], Any]) -> tuple[str, Any] | None:
        """(op, number) when this condition bounds ``fact`` by a literal or a scalar knowledge value."""
        if self.fact != fact or self.times:
            return None
        v = self.literal if self.literal is not None else kb_value(str(self.value))
        return None if v is None or isinstance(v, (bool, str)) else (self.op, v)

    def check(
        self, facts: dict[str, Any], has_knowledge: Callable[[str], str | None], for_each: str | None
    ) -> list[ConditionProblem]:
        """Unknown facts or knowledge names, a per-shoe fact outside ``for_each: shoe``, a literal of the wrong type."""
        out: list[ConditionProblem] = []
        for key in ("fact", "times"):
            name = getattr(self, key)
            if name is None:
                continue
            if name not in facts:
                out.append(((key,), f"unknown fact '{name}'{did_you_mean(name, facts)}"))
            elif facts[name].per and for_each != facts[name].per:
                out.append(
                    ((key,), f"fact '{name}' is per {facts[name].per}: the rule needs for_each: {facts[name].per}")
                )
        if self.value is not None:
            problem = has_knowledge(self.value)
            if problem:
                out.append((("value",), problem))
        if self.literal is not None and self.fact in facts:
            kind = facts[self.fact].type
            lit = self.literal
            ok = (
                (kind == "bool" and isinstance(lit, bool))
                or (kind == "number" and isinstance(lit, int) and not isinstance(lit, bool))
                or (kind == "text" and isinstance(lit, str))
            )
            if not ok:
                out.append((("literal",), f"literal {lit!r} does not fit fact '{self.fact}' ({kind})"))
        return out

    # -- engine -----------------------------------------------------------------------------------
    def compile(self, patterns: Patterns, idx: str) -> list[Any]:
        return patterns.compare(idx, self)

    # -- evaluation -------------------------------------------------------------------------------
    def evaluate(self, ev: Evaluation, subject: str, depth: int = 0, bound: list[Any] | None = None) -> Record:
        """The condition on this run: the fact's value, the threshold (with its source) or literal,
        whether it holds, and for an inclusive bound that fails, by how much."""
        o = ev.fact(self.fact, subject)
        rec: Record = {"fact": self.fact, "label": ev.label(self.fact), "op": self.op}
        if o is None:
            rec["value"] = None
            rec["missing"] = True
        else:
            rec["value"] = _num(o.value)
            if o.note:
                rec["derived"] = o.note
        target: Any
        if self.literal is not None:
            rec["literal"] = self.literal
            target = self.literal
        else:
            rec["threshold"] = ev.threshold_record(str(self.value))
            target = ev.threshold(str(self.value))
            if self.times:
                m = ev.fact(self.times, subject)
                rec["times"] = {"fact": self.times, "value": None if m is None else _num(m.value)}
                target = None if m is None else exact("*", target, m.value)
                if target is not None:
                    rec["compared_with"] = _num(round(target, 2))
        holds = o is not None and target is not None and compare(o.value, self.op, target)
        rec["holds"] = holds
        if not holds and o is not None and _is_number(o.value) and _is_number(target):
            # Only for inclusive bounds: "short by 2" of ">= 12" is exact; of "> 5" it would mislead.
            if self.op == ">=":
                rec["short_by"] = _num(round(target - o.value, 2))
            elif self.op == "<=":
                rec["over_by"] = _num(round(o.value - target, 2))
        return rec

    # -- description ------------------------------------------------------------------------------
    def describe(self, knowledge_record: Callable[[str], Record]) -> Record:
        d: Record = {"fact": self.fact, "op": self.op}
        if self.literal is not None:
            d["literal"] = self.literal
        else:
            d["knowledge"] = self.value
            d.update(knowledge_record(str(self.value)))
            if self.times:
                d["times"] = self.times
        d["text"] = self._text(d)
        return d

    def _text(self, d: Record) -> str:
        if self.literal is not None:
            lit = self.literal
            return f"{self.fact} {self.op} {str(lit).lower() if isinstance(lit, bool) else lit}"
        src = d["source"]
        right = str(self.value)
        if "value" in d:
            right += f" ({d['value']} {d['unit']}; {src['citation']} [{src['evidence']}])"
        else:
            bands = ", ".join(
                f"{b['age']}: " + (f"F {b['female']} / M {b['male']}" if "female" in b else f"{b['value']}")
                for b in d["norm_bands"]
            )
            right += f" (age-banded norm, {d['unit']}: {bands}; {src['citation']} [{src['evidence']}])"
        if self.times:
            right += f" x {self.times}"
        return f"{self.fact} {self.op} {right}"


class _OnFindings:
    """What a condition on findings says about facts and knowledge: nothing (it names none, bounds
    none, admits every value); findings are checked against their producers once every rule has loaded."""

    def facts(self) -> list[str]:
        return []

    def knowledge(self) -> list[str]:
        return []

    def limit_for(self, fact: str) -> FactCondition | None:
        return None

    def admits(self, fact: str, value: Any) -> bool:
        return True

    def bound(self, fact: str, kb_value: Callable[[str], Any]) -> tuple[str, Any] | None:
        return None

    def check(
        self, facts: dict[str, Any], has_knowledge: Callable[[str], str | None], for_each: str | None
    ) -> list[ConditionProblem]:
        return []


class FindingCondition(_OnFindings, ClosedModel):
    """A finding another rule concluded (any value, or this one)."""

    KIND: ClassVar[str] = "finding"
    finding: str
    value: str | None = None

    def findings(self) -> list[tuple[str, str | None, bool]]:
        return [(self.finding, self.value, False)]

    def compile(self, patterns: Patterns, idx: str) -> list[Any]:
        return [patterns.finding(idx, self.finding, self.value)]

    def evaluate(self, ev: Evaluation, subject: str, depth: int = 0, bound: list[Any] | None = None) -> Record:
        """Reached (with the rule and step that concluded it, when a firing bound it) or not
        (what was concluded instead, and why each rule that could have concluded it did not)."""
        steps = ev.finding_steps(self.finding, self.value, subject)
        if steps:
            used = [f for f in bound or [] if f[0] == self.finding and (self.value is None or f[1] == self.value)]
            rec: Record = {"finding": self.finding, "value": used[0][1] if used else self.value, "holds": True}
            if used:
                rec["from_rule"] = used[0][BY]
                rec["from_step"] = ev.step_of(tuple(used[0]))
            elif bound is not None:
                rec["from_step"] = steps[0]
            return rec
        rec = {"finding": self.finding, "value": self.value, "holds": False}
        present = ev.findings_present(self.finding)
        if present:
            rec["instead"] = present
        if depth > 0:
            rec["because"] = ev.explain_producers(self.finding, self.value, subject, depth - 1)
        return rec

    def describe(self, knowledge_record: Callable[[str], Record]) -> Record:
        text = f"finding {self.finding}" + (f" = {self.value}" if self.value else "")
        return {"finding": self.finding, "value": self.value, "text": text}


class NoFindingCondition(_OnFindings, ClosedModel):
    """No rule concluded this finding (any value, or this one)."""

    KIND: ClassVar[str] = "no_finding"
    no_finding: str
    value: str | None = None

    def findings(self) -> list[tuple[str, str | None, bool]]:
        return [(self.no_finding, self.value, True)]

    def compile(self, patterns: Patterns, idx: str) -> list[Any]:
        return [patterns.absent(self.no_finding, self.value)]

    def evaluate(self, ev: Evaluation, subject: str, depth: int = 0, bound: list[Any] | None = None) -> Record:
        steps = ev.finding_steps(self.no_finding, self.value, subject)
        rec: Record = {"no_finding": self.no_finding, "value": self.value, "holds": not steps}
        if steps:
            rec["present_from_steps"] = steps
        return rec

    def describe(self, knowledge_record: Callable[[str], Record]) -> Record:
        text = f"no finding {self.no_finding}" + (f" = {self.value}" if self.value else "")
        return {"no_finding": self.no_finding, "value": self.value, "text": text}


class AnyCondition(ClosedModel):
    """At least one of several fact conditions."""

    KIND: ClassVar[str] = "any"
    any: tuple[FactCondition, ...] = Field(min_length=2)

    def facts(self) -> list[str]:
        return [n for c in self.any for n in c.facts()]

    def knowledge(self) -> list[str]:
        return [n for c in self.any for n in c.knowledge()]

    def limit_for(self, fact: str) -> FactCondition | None:
        return next((c for c in self.any if c.limit_for(fact)), None)

    def findings(self) -> list[tuple[str, str | None, bool]]:
        return []

    def admits(self, fact: str, value: Any) -> bool:
        return True

    def bound(self, fact: str, kb_value: Callable[[str], Any]) -> tuple[str, Any] | None:
        return None

    def check(
        self, facts: dict[str, Any], has_knowledge: Callable[[str], str | None], for_each: str | None
    ) -> list[ConditionProblem]:
        return [
            (("any", j) + loc, message)
            for j, c in enumerate(self.any)
            for loc, message in c.check(facts, has_knowledge, for_each)
        ]

    def compile(self, patterns: Patterns, idx: str) -> list[Any]:
        return [patterns.either([c.compile(patterns, f"{idx}_{j}") for j, c in enumerate(self.any)])]

    def evaluate(self, ev: Evaluation, subject: str, depth: int = 0, bound: list[Any] | None = None) -> Record:
        branches = [c.evaluate(ev, subject, depth) for c in self.any]
        return {"any": branches, "holds": any(b["holds"] for b in branches)}

    def describe(self, knowledge_record: Callable[[str], Record]) -> Record:
        branches = [c.describe(knowledge_record) for c in self.any]
        return {"any": branches, "text": " OR ".join(b["text"] for b in branches)}


KINDS: tuple[type[ClosedModel], ...] = (FactCondition, FindingCondition, NoFindingCondition, AnyCondition)
TAGS = tuple(str(k.KIND) for k in KINDS)  # type: ignore[attr-defined]


def condition_kind(v: Any) -> str | None:
    """Which kind of condition a mapping is, by its leading key (so errors speak of one kind only)."""
    if isinstance(v, dict):
        return next((key for key in TAGS if key in v), None)
    kind = getattr(v, "KIND", None)
    return kind if isinstance(kind, str) else None


Condition = Annotated[
    Annotated[FactCondition, Tag("fact")]
    | Annotated[FindingCondition, Tag("finding")]
    | Annotated[NoFindingCondition, Tag("no_finding")]
    | Annotated[AnyCondition, Tag("any")],
    Discriminator(
        condition_kind,
        custom_error_type="condition_kind",
        custom_error_message="a condition starts with fact, finding, no_finding or any",
    ),
]
