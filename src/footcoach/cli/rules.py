"""``footcoach rules``: check, list, show and document the rule base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from footcoach.cli.options import format_option_with_help, out_option, rule_base_options
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK
from footcoach.common.json_text import dump_json

if TYPE_CHECKING:
    from footcoach.inference.engine import RuleBase
    from footcoach.rulebook.model import Rule


def load_rulebase(rules: str | None, knowledge: str | None) -> tuple[RuleBase | None, list[str]]:
    """Load and compile a rule base; return (rulebase, problems) with problems as strings."""
    from footcoach.inference.engine import RuleBase
    from footcoach.knowledge.base import KnowledgeError, default_knowledge, load_knowledge
    from footcoach.planning.plan import load_catalogue
    from footcoach.rulebook.loader import RuleBaseError, load_rules

    try:
        kb = load_knowledge(Path(knowledge)) if knowledge else default_knowledge()
        load_catalogue(Path(knowledge) if knowledge else None)
    except KnowledgeError as exc:
        return None, [str(e) for e in exc.errors]
    try:
        rs = load_rules(Path(rules) if rules else None, kb)
    except RuleBaseError as exc:
        return None, [str(e) for e in exc.errors]
    return RuleBase(rs, kb), []


def _questionnaire_problems(kb: Any, knowledge: str | None) -> list[str]:
    """The questionnaire beside the knowledge (the folder's own, or the shipped one) checked against
    it: its red flags, ranges and placeholders (the rules' template language)."""
    from footcoach.common.documents import DataFileError
    from footcoach.triage.questionnaire import QUESTIONNAIRE_FILE, QuestionnaireError, load_questionnaire

    try:
        load_questionnaire(Path(knowledge) / QUESTIONNAIRE_FILE if knowledge else None, kb)
    except QuestionnaireError as exc:
        return [str(e) for e in exc.errors]
    except DataFileError as exc:
        return [str(exc)]
    return []


@click.group("rules")
def rules_group() -> None:
    """Check, list, show and document the rule base."""


@rules_group.command("check")
@rule_base_options("Rule folder (default: the shipped rules).", "Knowledge folder (default: the shipped knowledge).")
def check_cmd(rules: str | None, knowledge: str | None) -> None:
    """Validate a rule base: files, names, bands, unused knowledge, every rule's cases, and the
    questionnaire beside the knowledge (its red flags, ranges and placeholders).

    Exit 0 when clean; otherwise exit 1 listing every problem as file:line: field: message.
    """
    from footcoach.inference.cases import lint

    rb, problems = load_rulebase(rules, knowledge)
    if rb is not None:
        problems = [str(p) for p in lint(rb)] + _questionnaire_problems(rb.kb, knowledge)
    if problems or rb is None:
        for p in problems:
            click.echo(p)
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(EXIT_FINDINGS)
    n_cases = sum(len(r.spec.cases.fires) + len(r.spec.cases.does_not_fire) for r in rb.rules.rules.values())
    click.echo(
        f"ok: {len(rb.rules.rules)} rules in {len(rb.rules.by_family())} families, {n_cases} cases pass, "
        f"rule-base version {rb.version}"
    )
    sys.exit(EXIT_OK)


def _concludes(rule: Rule) -> str:
    parts: list[str] = []
    if rule.spec.conclude:
        parts.append(rule.spec.conclude.describe())
    if rule.spec.recommend:
        parts.append(rule.spec.recommend.kind + (f" ({rule.action})" if rule.action else ""))
    return "; ".join(parts)


@rules_group.command("list")
@format_option_with_help(None)
def list_cmd(fmt: str) -> None:
    """Every rule: id, family, title, what it concludes."""
    from footcoach.inference.engine import default_rulebase

    rb = default_rulebase()
    rows = [
        {"id": r.id, "family": r.family, "title": r.title_text(rb.kb), "concludes": _concludes(r)}
        for r in sorted(rb.rules.rules.values(), key=lambda r: (r.family, r.id))
    ]
    if fmt == "json":
        click.echo(dump_json(rows), nl=False)
        return
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['family']:<12} {row['concludes']:<34} {row['title']}")


def rule_record(rb: RuleBase, rule: Rule) -> dict[str, Any]:
    """Everything a reviewer needs about one rule, as data."""
    spec = rule.spec
    rec: dict[str, Any] = {
        "id": rule.id,
        "family": rule.family,
        "title": rule.title_text(rb.kb),
        "file": str(rule.path),
        "when": [c.describe(lambda name: _knowledge_record(rb, name)) for c in spec.when],
        "concludes": _concludes(rule),
        "sources": [rb.kb.source_record(k) for k in spec.sources],
    }
    if spec.for_each:
        rec["for_each"] = spec.for_each
    if spec.physio:
        rec["physio"] = spec.physio
        rec["runner"] = spec.runner
    rec["cases"] = {
        kind: [{"name": c.name, "state": c.state} for c in getattr(spec.cases, kind)]
        for kind in ("fires", "does_not_fire")
    }
    return rec


def _knowledge_record(rb: RuleBase, name: str) -> dict[str, Any]:
    kb = rb.kb
    if name in kb.thresholds:
        t = kb.thresholds[name]
        return {
            "value": t.value if not float(t.value).is_integer() else int(t.value),
            "unit": t.unit,
            "source": kb.source_record(t.source),
        }
    n = kb.norms[name]
    bands = []
    for b in n.bands:
        age = f"{'' if b.age_min is None else b.age_min}-{'' if b.age_max is None else b.age_max}"
        bands.append({"age": age, **({"female": b.female, "male": b.male} if n.by_sex else {"value": b.value})})
    return {"norm_bands": bands, "unit": n.unit, "source": kb.source_record(n.source)}


@rules_group.command("show")
@click.argument("rule_id")
@format_option_with_help(None)
def show_cmd(rule_id: str, fmt: str) -> None:
    """One rule: conditions, thresholds with values and sources, sentences, cases."""
    from footcoach.common.documents import did_you_mean
    from footcoach.inference.engine import default_rulebase

    rb = default_rulebase()
    rule = rb.rules.rules.get(rule_id)
    if rule is None:
        click.echo(
            f"error: rule: value {rule_id!r}: no such rule{did_you_mean(rule_id, rb.rules.rules)}; "
            "allowed: an id from `footcoach rules list`",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    rec = rule_record(rb, rule)
    if fmt == "json":
        click.echo(dump_json(rec), nl=False)
        return
    click.echo(render_rule_markdown(rec).rstrip())


def render_rule_markdown(rec: dict[str, Any]) -> str:
    lines = [
        f"### `{rec['id']}`: {rec['title']}",
        "",
        f"- family: {rec['family']}" + (f"; for each {rec['for_each']}" if rec.get("for_each") else ""),
        f"- concludes: {rec['concludes']}",
        "- when all of:",
    ]
    for c in rec["when"]:
        lines.append(f"  - {c['text']}")
    if rec.get("physio"):
        lines.append(f"- physiotherapist reads: {rec['physio']}")
        lines.append(f"- runner reads: {rec['runner']}")
    lines.append("- sources: " + "; ".join(f"{s['citation']} [{s['evidence']}]" for s in rec["sources"]))
    for kind in ("fires", "does_not_fire"):
        label = "fires on" if kind == "fires" else "does not fire on"
        lines.append(f"- {label}: " + ", ".join(f"`{c['name']}`" for c in rec["cases"][kind]))
    return "\n".join(lines) + "\n"


def rulebook_markdown(rb: RuleBase) -> str:
    """The whole rule book as Markdown (committed as docs/rulebook.md, kept in sync by a test)."""
    out = [
        "# footcoach rule book",
        "",
        "Generated by `footcoach rules doc` from `rules/` and `knowledge/`; do not edit by hand.",
        "Decision precedence: refer > regress > hold > progress (one action per assessment).",
        "",
    ]
    for family, rules in sorted(rb.rules.by_family().items()):
        out.append(f"## {family}")
        out.append("")
        for rule in sorted(rules, key=lambda r: r.id):
            out.append(render_rule_markdown(rule_record(rb, rule)))
    return "\n".join(out).rstrip() + "\n"


@rules_group.command("doc")
@out_option
def doc_cmd(out: str | None) -> None:
    """Write the rule book as Markdown."""
    from footcoach.cli.output import write_output
    from footcoach.inference.engine import default_rulebase

    write_output(out, rulebook_markdown(default_rulebase()))


@rules_group.command("coverage")
@format_option_with_help(None)
def coverage_cmd(fmt: str) -> None:
    """How often each rule fires across every rule case and the feature examples; exit 1 if any never fires."""
    from footcoach.inference.cases import check_cases
    from footcoach.inference.engine import default_rulebase

    rb = default_rulebase()
    _problems, counts = check_cases(rb)
    never = sorted(r for r, n in counts.items() if n == 0)
    if fmt == "json":
        click.echo(dump_json({"fired_in_cases": dict(sorted(counts.items())), "never_fired": never}), nl=False)
    else:
        for rid, n in sorted(counts.items()):
            click.echo(f"{n:4d}  {rid}")
        click.echo(f"{len(counts) - len(never)}/{len(counts)} rules fire in at least one case")
    sys.exit(EXIT_FINDINGS if never else EXIT_OK)


def register(group: click.Group) -> None:
    from footcoach.cli.governance import replay_cmd

    rules_group.add_command(replay_cmd)
    group.add_command(rules_group)
