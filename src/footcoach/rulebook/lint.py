"""The rule-base linter behind ``footcoach rules check``.

Beyond loading (syntax, unknown keys, unknown names, duplicate ids: see :mod:`rulebook`), it
reports: knowledge values no rule or derivation uses, bands on the same scale that overlap or
leave a gap, rule cases that fail, and rules that no case ever fires.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from footcoach.knowledge.base import Knowledge
from footcoach.rulebook.facts import catalogue
from footcoach.rulebook.model import Rule, RuleSet

_PKG = Path(__file__).resolve().parent.parent  # the footcoach package folder


@dataclass(frozen=True)
class RuleProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class LintedRuleBase(Protocol):
    """What the linter reads of a compiled rule base (the inference's ``RuleBase``): its rules, its
    knowledge and the knowledge values its rules name."""

    @property
    def rules(self) -> RuleSet: ...

    @property
    def kb(self) -> Knowledge: ...

    @property
    def knowledge_used(self) -> Sequence[str]: ...


def _interval(rule: Rule, fact: str, rb: LintedRuleBase) -> tuple[float, bool, float, bool]:
    """(lo, lo_closed, hi, hi_closed) the rule's conditions allow for ``fact``."""
    spec = catalogue(rb.kb)[fact]
    lo, lo_c = (spec.lo if spec.lo is not None else float("-inf")), True
    hi, hi_c = (spec.hi if spec.hi is not None else float("inf")), True

    def scalar(name: str) -> float | None:
        return rb.kb.value(name) if name in rb.kb.thresholds else None

    for c in rule.spec.when:
        found = c.bound(fact, scalar)
        if found is None:
            continue
        op, v = found
        if op in (">", ">=") and (v > lo or (v == lo and op == ">")):
            lo, lo_c = v, op == ">="
        elif op in ("<", "<=") and (v < hi or (v == hi and op == "<")):
            hi, hi_c = v, op == "<="
        elif op == "==":
            lo, lo_c, hi, hi_c = v, True, v, True
    return lo, lo_c, hi, hi_c


def _contains(iv: tuple[float, bool, float, bool], x: float) -> bool:
    lo, lo_c, hi, hi_c = iv
    return (x > lo or (lo_c and x == lo)) and (x < hi or (hi_c and x == hi))


def check_bands(rb: LintedRuleBase) -> list[RuleProblem]:
    """Rules that declare ``band: FACT`` must partition that fact's scale: no overlap, no gap.

    The scale is checked at every half point between its ends (pain scores are whole numbers;
    the half points catch a gap between 3 and 4 on a continuous reading)."""
    problems: list[RuleProblem] = []
    by_scale: dict[str, list[Rule]] = {}
    for r in rb.rules.rules.values():
        if r.spec.band:
            by_scale.setdefault(r.spec.band, []).append(r)
    for fact, rules in sorted(by_scale.items()):
        spec = catalogue(rb.kb)[fact]
        if spec.lo is None or spec.hi is None:
            problems.append(RuleProblem(fact, "a banded fact needs a bounded scale"))
            continue
        ivs = {r.id: _interval(r, fact, rb) for r in sorted(rules, key=lambda r: r.id)}
        x = spec.lo
        reported_overlap: set[tuple[str, str]] = set()
        while x <= spec.hi:
            covering = [rid for rid, iv in ivs.items() if _contains(iv, x)]
            shown = int(x) if float(x).is_integer() else x
            if not covering:
                problems.append(
                    RuleProblem(
                        fact,
                        f"no band covers {fact} = {shown} "
                        f"(bands: {', '.join(str(rb.rules.rules[r].path) for r in ivs)})",
                    )
                )
            for i in range(len(covering)):
                for j in range(i + 1, len(covering)):
                    pair = (covering[i], covering[j])
                    if pair not in reported_overlap:
                        reported_overlap.add(pair)
                        a, b = rb.rules.rules[pair[0]], rb.rules.rules[pair[1]]
                        problems.append(
                            RuleProblem(str(a.path), f"band overlaps {b.path}: both cover {fact} = {shown}")
                        )
            x += 0.5
    return problems


@lru_cache(maxsize=1)
def _package_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(_PKG.rglob("*.py")))


def code_references(name: str) -> bool:
    """Whether the package code names a knowledge value (as a quoted string)."""
    return re.search(r"[\"']" + re.escape(name) + r"[\"']", _package_source()) is not None


def check_unused(rb: LintedRuleBase) -> list[RuleProblem]:
    used = set(rb.knowledge_used)
    extra_text = ""
    cat = rb.kb.folder / "exercises.yaml"
    if cat.is_file():
        extra_text = cat.read_text(encoding="utf-8")
    problems = []
    for name in rb.kb.names():
        if name in used or code_references(name) or re.search(r"\b" + re.escape(name) + r"\b", extra_text):
            continue
        problems.append(RuleProblem(str(rb.kb.folder), f"knowledge value '{name}' is used by no rule or derivation"))
    return problems
