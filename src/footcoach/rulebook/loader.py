"""Loading a rule base: every file validated against the rule models, names checked against the
knowledge base and the fact catalogue, findings stratified; every problem ``file:line: field: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footcoach.common.documents import DataFileError, did_you_mean, load_with_lines
from footcoach.common.paths import rules_dir
from footcoach.contract.errors import path_of
from footcoach.knowledge.base import Knowledge
from footcoach.rulebook import templates
from footcoach.rulebook.conditions import TAGS
from footcoach.rulebook.facts import catalogue
from footcoach.rulebook.model import (
    _ID,
    ACTION,
    CASE_BASE,
    NEXT_PHASE,
    Case,
    FactCondition,
    Rule,
    RuleSet,
    RuleSpec,
)


class RuleBaseError(Exception):
    """Every problem of a rule base, each ``file:line: field: message``."""

    def __init__(self, errors: list[DataFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _loc_str(loc: tuple[Any, ...]) -> str:
    return path_of(loc) if loc else ""


_TAGS = TAGS


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tag pydantic puts after a condition's index (when[0].fact.op -> when[0].op)."""
    out: list[Any] = []
    i = 0
    while i < len(loc):
        out.append(loc[i])
        if isinstance(loc[i], int) and i + 2 < len(loc) and loc[i + 1] in _TAGS:
            i += 1
        i += 1
    return tuple(out)


def _pyd_errors(path: Path, line_of: Any, exc: ValidationError) -> list[DataFileError]:
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
            msg = f"unknown key '{key}'" + did_you_mean(str(key), _KNOWN_KEYS)
        elif e["type"] == "condition_kind" and isinstance(e.get("input"), dict):
            keys = ", ".join(map(str, e["input"]))
            hint = next((did_you_mean(str(k), _TAGS) for k in e["input"] if did_you_mean(str(k), _TAGS)), "")
            msg = f"{msg}; got keys: {keys}{hint}"
        seen_key = (loc, msg)
        if seen_key in seen:
            continue
        seen.add(seen_key)
        errs.append(DataFileError(path, line_of(loc), _loc_str(loc), msg))
    return errs


_KNOWN_KEYS = sorted(
    set(RuleSpec.model_fields)
    | set(FactCondition.model_fields)
    | set(Case.model_fields)
    | {"finding", "no_finding", "any", "fires", "does_not_fire", "kind"}
)


def _check_names(rule: Rule, kb: Knowledge, facts: dict[str, Any], line_of: Any) -> list[DataFileError]:
    """Every name a rule uses: its conditions' facts and knowledge, sources, sentences, band."""
    errs: list[DataFileError] = []
    path = rule.path
    spec = rule.spec

    def has_knowledge(name: str) -> str | None:
        return None if kb.has(name) else f"unknown knowledge name '{name}'{kb.suggest(name)}"

    for i, c in enumerate(spec.when):
        for sub, message in c.check(facts, has_knowledge, spec.for_each):
            loc = ("when", i) + sub
            errs.append(DataFileError(path, line_of(loc), _loc_str(loc), message))
    for key in spec.sources:
        if key not in kb.sources:
            errs.append(
                DataFileError(
                    path, line_of(("sources",)), "sources", f"unknown source '{key}'{did_you_mean(key, kb.sources)}"
                )
            )
    vocabulary = rule.vocabulary(kb, facts)
    for key in ("title", "physio", "runner"):
        for message in templates.check(getattr(spec, key), vocabulary, title=key == "title"):
            errs.append(DataFileError(path, line_of((key,)), key, message))
    if spec.band is not None and spec.band not in facts:
        errs.append(
            DataFileError(
                path, line_of(("band",)), "band", f"unknown fact '{spec.band}'{did_you_mean(spec.band, facts)}"
            )
        )
    return errs


def _check_conclusion(rule: Rule, facts: dict[str, Any], line_of: Any) -> list[DataFileError]:
    """A conclusion's ``value_from`` names a known fact about the rule's subject."""
    c = rule.spec.conclude
    if c is None or c.value_from is None:
        return []
    loc = ("conclude", "value_from")
    if c.value_from not in facts:
        message = f"unknown fact '{c.value_from}'{did_you_mean(c.value_from, facts)}"
    elif facts[c.value_from].per and rule.spec.for_each != facts[c.value_from].per:
        message = f"fact '{c.value_from}' is per {facts[c.value_from].per}: the rule needs for_each"
    else:
        return []
    return [DataFileError(rule.path, line_of(loc), _loc_str(loc), message)]


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
                if c and c.finding == name and c.matches(value):
                    lv = max(lv, visit(p.id) + 1)
        visiting.discard(rid)
        level[rid] = lv
        return lv

    for rid in sorted(rules):
        visit(rid)
    return level, problems


def _findings_concluded(rules: dict[str, Rule], folder: Path) -> list[DataFileError]:
    """Every finding a rule matches is concluded by some rule, and the decision's findings exist."""
    errors: list[DataFileError] = []
    concluded = {(r.spec.conclude.finding, r.spec.conclude.value) for r in rules.values() if r.spec.conclude}
    names_concluded = {f for f, _ in concluded}
    for r in rules.values():
        for name, value, _neg in r.findings_used():
            if name not in names_concluded or not any(
                r2.spec.conclude.finding == name and r2.spec.conclude.matches(value)
                for r2 in rules.values()
                if r2.spec.conclude
            ):
                what = name if value is None else f"{name} = {value}"
                errors.append(
                    DataFileError(
                        r.path,
                        None,
                        "when",
                        f"finding '{what}' is concluded by no rule{did_you_mean(name, names_concluded)}",
                    )
                )
    for name in (ACTION, NEXT_PHASE):
        if name not in names_concluded:
            errors.append(
                DataFileError(folder, None, "", f"no rule concludes the finding '{name}' (the decision family does)")
            )
    return errors


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
        errors.extend(_check_conclusion(rule, facts, line_of))
        if rid in rules:
            errors.append(DataFileError(path, 1, "id", f"duplicate rule id '{rid}' (also {first_path[rid]})"))
            continue
        first_path[rid] = path
        rules[rid] = rule
    # Findings that are matched but never concluded are dead conditions (checked only when every
    # file loaded: a broken file would otherwise show up again as knock-on errors elsewhere).
    if errors:
        raise RuleBaseError(errors)
    errors.extend(_findings_concluded(rules, folder))
    level, cycles = _stratify(rules)
    for rid in sorted(set(cycles)):
        errors.append(DataFileError(rules[rid].path, None, "when", "rule is part of a cycle of findings"))
    if errors:
        raise RuleBaseError(errors)
    return RuleSet(folder, rules, case_base or {}, {rid: -lv for rid, lv in level.items()})
