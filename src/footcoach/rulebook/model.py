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

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from footcoach.common.documents import DataFileError, load_with_lines
from footcoach.common.paths import rules_dir
from footcoach.contract.errors import path_of
from footcoach.inference.facts import catalogue, suggest
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
    finding: str
    value: str


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
            if r.spec.conclude
            and r.spec.conclude.finding == finding
            and (value is None or r.spec.conclude.value == value)
        ]


class RuleBaseError(Exception):
    """Every problem of a rule base, each ``file:line: field: message``."""

    def __init__(self, errors: list[DataFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _loc_str(loc: tuple) -> str:
    return path_of(loc) if loc else ""


_TAGS = ("fact", "finding", "no_finding", "any")


def _clean_loc(loc: tuple) -> tuple:
    """Drop the discriminator tag pydantic puts after a condition's index (when[0].fact.op -> when[0].op)."""
    out: list = []
    i = 0
    while i < len(loc):
        out.append(loc[i])
        if isinstance(loc[i], int) and i + 2 < len(loc) and loc[i + 1] in _TAGS:
            i += 1
        i += 1
    return tuple(out)


def _pyd_errors(path: Path, line_of, exc: ValidationError) -> list[DataFileError]:
    errs = []
    seen = set()
    raw = exc.errors()
    deeper = {tuple(e["loc"][:1]) for e in raw if len(e["loc"]) > 1}
    for e in raw:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and loc[:1] in deeper:
            continue  # a list emptied by its own invalid items: those items are reported instead
        loc = _clean_loc(loc)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            key = loc[-1]
            msg = f"unknown key '{key}'" + suggest(str(key), _KNOWN_KEYS)
        elif e["type"] == "condition_kind" and isinstance(e.get("input"), dict):
            keys = ", ".join(map(str, e["input"]))
            hint = next((suggest(str(k), _TAGS) for k in e["input"] if suggest(str(k), _TAGS)), "")
            msg = f"{msg}; got keys: {keys}{hint}"
        key = (loc, msg)
        if key in seen:
            continue
        seen.add(key)
        errs.append(DataFileError(path, line_of(loc), _loc_str(loc), msg))
    return errs


_KNOWN_KEYS = sorted(
    set(RuleSpec.model_fields)
    | set(FactCondition.model_fields)
    | set(Case.model_fields)
    | {"finding", "no_finding", "any", "fires", "does_not_fire", "kind"}
)


def _check_names(rule: Rule, kb: Knowledge, facts: dict, line_of) -> list[DataFileError]:
    errs: list[DataFileError] = []
    path = rule.path
    spec = rule.spec
    for i, c in enumerate(spec.when):
        items = (
            [(("when", i), c)]
            if not isinstance(c, AnyCondition)
            else [(("when", i, "any", j), fc) for j, fc in enumerate(c.any)]
        )
        for loc, fc in items:
            if not isinstance(fc, FactCondition):
                continue
            for key in ("fact", "times"):
                name = getattr(fc, key)
                if name is None:
                    continue
                if name not in facts:
                    errs.append(
                        DataFileError(
                            path,
                            line_of(loc + (key,)),
                            _loc_str(loc + (key,)),
                            f"unknown fact '{name}'{suggest(name, facts)}",
                        )
                    )
                elif facts[name].per and spec.for_each != facts[name].per:
                    errs.append(
                        DataFileError(
                            path,
                            line_of(loc + (key,)),
                            _loc_str(loc + (key,)),
                            f"fact '{name}' is per {facts[name].per}: the rule needs for_each: {facts[name].per}",
                        )
                    )
            if fc.value is not None and not kb.has(fc.value):
                errs.append(
                    DataFileError(
                        path,
                        line_of(loc + ("value",)),
                        _loc_str(loc + ("value",)),
                        f"unknown knowledge name '{fc.value}'{kb.suggest(fc.value)}",
                    )
                )
            if fc.literal is not None and fc.fact in facts:
                spec_f = facts[fc.fact]
                ok = (
                    (spec_f.type == "bool" and isinstance(fc.literal, bool))
                    or (spec_f.type == "number" and isinstance(fc.literal, int) and not isinstance(fc.literal, bool))
                    or (spec_f.type == "text" and isinstance(fc.literal, str))
                )
                if not ok:
                    errs.append(
                        DataFileError(
                            path,
                            line_of(loc + ("literal",)),
                            _loc_str(loc + ("literal",)),
                            f"literal {fc.literal!r} does not fit fact '{fc.fact}' ({spec_f.type})",
                        )
                    )
    for key in spec.sources:
        if key not in kb.sources:
            errs.append(
                DataFileError(
                    path, line_of(("sources",)), "sources", f"unknown source '{key}'{suggest(key, kb.sources)}"
                )
            )
    for name in rule.knowledge_names():
        if not kb.has(name):
            errs.append(
                DataFileError(
                    path,
                    line_of(("physio",)),
                    "physio/runner",
                    f"unknown knowledge name '{name}' in a sentence{kb.suggest(name)}",
                )
            )
    if spec.band is not None and spec.band not in facts:
        errs.append(
            DataFileError(path, line_of(("band",)), "band", f"unknown fact '{spec.band}'{suggest(spec.band, facts)}")
        )
    return errs


def _stratify(rules: dict[str, Rule]) -> tuple[dict[str, int], list[str]]:
    """Level of each rule: 0 if it matches no finding, else 1 + the level of every producer.

    Rules at a higher level fire after every rule they depend on (salience = -level), so a
    ``no_finding`` condition is only judged once its producers have had their say.
    """
    level: dict[str, int] = {}
    problems: list[str] = []
    visiting: set[str] = set()

    def visit(rid: str) -> int:
        if rid in level:
            return level[rid]
        if rid in visiting:
            problems.append(rid)
            return 0
        visiting.add(rid)
        lv = 0
        for name, value, _neg in rules[rid].findings_used():
            for p in rules.values():
                c = p.spec.conclude
                if c and c.finding == name and (value is None or c.value == value):
                    lv = max(lv, visit(p.id) + 1)
        visiting.discard(rid)
        level[rid] = lv
        return lv

    for rid in sorted(rules):
        visit(rid)
    return level, problems


def load_rules(folder: Path | None, kb: Knowledge) -> RuleSet:
    """Load and check every rule file; raise RuleBaseError listing every problem found."""
    folder = Path(folder) if folder else rules_dir()
    errors: list[DataFileError] = []
    facts = catalogue(kb)
    rules: dict[str, Rule] = {}
    first_path: dict[str, Path] = {}
    base_path = folder / CASE_BASE
    case_base: dict[str, Any] = {}
    if base_path.is_file():
        try:
            case_base, _ = load_with_lines(base_path)
        except DataFileError as e:
            errors.append(e)
    else:
        errors.append(DataFileError(base_path, None, "", "missing: the base state every rule case starts from"))
    files = sorted(p for p in folder.rglob("*.yaml") if p.name != CASE_BASE)
    if not files:
        errors.append(DataFileError(folder, None, "", "no rule files found"))
    for path in files:
        rid = path.stem
        try:
            data, line_of = load_with_lines(path)
        except DataFileError as e:
            errors.append(e)
            continue
        if not isinstance(data, dict):
            errors.append(DataFileError(path, 1, "", "a rule file must be a mapping"))
            continue
        if not _ID.match(rid):
            errors.append(DataFileError(path, 1, "id", f"rule id '{rid}' (the file name) must be kebab-case"))
        if "id" in data:
            errors.append(DataFileError(path, line_of(("id",)), "id", "the id is the file name; remove the id key"))
            data = {k: v for k, v in data.items() if k != "id"}
        try:
            spec = RuleSpec.model_validate(data)
        except ValidationError as exc:
            errors.extend(_pyd_errors(path, line_of, exc))
            continue
        family_dir = path.parent.name
        if spec.family != family_dir:
            errors.append(
                DataFileError(
                    path,
                    line_of(("family",)),
                    "family",
                    f"family '{spec.family}' does not match its folder '{family_dir}'",
                )
            )
        rule = Rule(rid, path, spec)
        errors.extend(_check_names(rule, kb, facts, line_of))
        if rid in rules:
            errors.append(DataFileError(path, 1, "id", f"duplicate rule id '{rid}' (also {first_path[rid]})"))
            continue
        first_path[rid] = path
        rules[rid] = rule
    # Findings that are matched but never concluded are dead conditions (checked only when every
    # file loaded: a broken file would otherwise show up again as knock-on errors elsewhere).
    if errors:
        raise RuleBaseError(errors)
    concluded = {(r.spec.conclude.finding, r.spec.conclude.value) for r in rules.values() if r.spec.conclude}
    names_concluded = {f for f, _ in concluded}
    for r in rules.values():
        for name, value, _neg in r.findings_used():
            if name not in names_concluded or (value is not None and (name, value) not in concluded):
                what = name if value is None else f"{name} = {value}"
                errors.append(
                    DataFileError(
                        r.path,
                        None,
                        "when",
                        f"finding '{what}' is concluded by no rule{suggest(name, names_concluded)}",
                    )
                )
    level, cycles = _stratify(rules)
    for rid in sorted(set(cycles)):
        errors.append(DataFileError(rules[rid].path, None, "when", "rule is part of a cycle of findings"))
    if errors:
        raise RuleBaseError(errors)
    return RuleSet(folder, rules, case_base or {}, {rid: -lv for rid, lv in level.items()})
