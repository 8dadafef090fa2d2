"""``footcoach assess``: one runner's state in, one explained assessment out."""

from __future__ import annotations

import sys
from typing import Any

import click

from footcoach.cli.batch import batch_options, check_batch_options, run_batch_command
from footcoach.cli.database import storage_problems
from footcoach.cli.governance import runner_document, what_if_options, what_if_output
from footcoach.cli.options import (
    db_option,
    db_path,
    format_option,
    out_option,
    rule_base_options,
    stored_runner_options,
)
from footcoach.cli.output import write_output
from footcoach.cli.text_options import check_text_options, text_options
from footcoach.common import documents
from footcoach.common.exits import EXIT_BAD_INPUT
from footcoach.common.json_text import dump_json
from footcoach.common.startup import resume_collection
from footcoach.contract.errors import InputError

ALLOWED_DOCUMENT = "a JSON or YAML runner state, or - for stdin"


def read_document(source: str) -> Any:
    """Parse FILE (JSON or YAML) or ``-`` (stdin) with the one document reader; InputError on failure."""
    try:
        return documents.read_document(source)
    except documents.DataFileError as exc:
        raise InputError([exc.saying_allowed(ALLOWED_DOCUMENT)]) from None


def fail(problems: list[str]) -> None:
    """Report bad input on stderr and exit 2; nothing goes to stdout."""
    for p in problems:
        click.echo(f"error: {p}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def emit(
    assessment: dict[str, Any],
    fmt: str,
    audience: str | None = None,
    plan: bool | None = None,
    trace: bool | None = None,
) -> None:
    from footcoach.cli.text_options import render_assessment

    text = dump_json(assessment) if fmt == "json" else render_assessment(assessment, audience, plan, trace)
    click.echo(text, nl=False)


@click.command("assess")
@click.argument("source", required=False, metavar="FILE|-")
@format_option
@stored_runner_options(
    "Assess a stored runner from the diary database instead of a file (recorded in the audit trail only "
    "when the record or the rule base changed since its latest assessment, or with --record).",
    "With --runner: record this assessment even when nothing changed.",
)
@rule_base_options(
    "Rule folder to assess with (default: the shipped rules).",
    "Knowledge folder to assess with (default: the shipped knowledge); the state is checked against it.",
)
@text_options()
@batch_options()
@what_if_options()
@db_option
@click.pass_context
def assess_cmd(
    ctx: click.Context,
    source: str | None,
    fmt: str,
    runner_id: str | None,
    record: bool,
    rules: str | None,
    knowledge: str | None,
    audience: str | None,
    plan: bool | None,
    trace: bool | None,
    batch: str | None,
    jobs: int | None,
    decision_only: bool,
    what_if: tuple[str, ...],
    nearest_progress: bool,
) -> None:
    """Assess one runner's state (JSON or YAML FILE, or - for JSON on stdin).

    Prints a summary first (the action - refer, regress, hold or progress -, why, what blocks
    progress, what changes this week, shoe and load advice), then the details, this week's plan
    and the explanation trace, and the decision again at the end. Text is wrapped to the
    terminal's width. Bad input: exit 2, every problem on stderr.
    """
    from footcoach.service import assess_document, assess_document_with

    if (rules or knowledge) and (runner_id or batch or what_if or nearest_progress or decision_only):
        fail(["--rules/--knowledge: allowed with FILE only (not with --runner, --batch, --what-if or --decision-only)"])
    if batch is not None or jobs is not None or decision_only:
        check_batch_options(batch, source, runner_id, fmt, jobs, decision_only, [audience, plan, trace])
        if batch is not None:
            resume_collection()  # a stream of states, not one document: collect as usual
            run_batch_command(batch, jobs, decision_only)  # exits
    try:
        check_text_options(fmt, audience, plan, trace)
        if what_if or nearest_progress:
            doc = read_document(source) if runner_id is None and source is not None else None
            if doc is None:
                doc = runner_document(ctx, runner_id, source)
            click.echo(what_if_output(doc, what_if, nearest_progress, fmt), nl=False)
            return
        if runner_id is not None:
            if source is not None:
                raise InputError([f"FILE: value {source!r}: give either FILE or --runner, not both"])
            assessment = _assess_stored(ctx, runner_id, record)
        elif source is None:
            raise InputError(["FILE: missing; allowed: a JSON or YAML state file, - for stdin, or --runner ID"])
        elif rules is not None or knowledge is not None:
            assessment = assess_document_with(read_document(source), rules, knowledge)
        else:
            assessment = assess_document(read_document(source), explain=not decision_only)
    except InputError as exc:
        fail(storage_problems(exc))
        return
    emit(assessment, fmt, audience, plan, trace)


@click.command("schema")
@click.option(
    "--input/--output",
    "of_input",
    default=True,
    show_default=True,
    help="The input's schema (a runner's state) or the output's (an assessment).",
)
@out_option
def schema_cmd(of_input: bool, out: str | None) -> None:
    """Print the JSON Schema of a runner's state (the assessment input) or, with --output, of an
    assessment (committed: schema/state.schema.json, schema/assessment.schema.json)."""
    from footcoach.contract.assessment import assessment_json_schema
    from footcoach.contract.state import state_json_schema
    from footcoach.knowledge.base import default_knowledge

    schema = state_json_schema(default_knowledge().state_bounds) if of_input else assessment_json_schema()
    write_output(out, dump_json(schema))


def _assess_stored(ctx: click.Context, runner_id: str, record: bool) -> dict[str, Any]:
    """Assess a stored runner; stdout carries exactly what `assess FILE` gives for the exported
    document, what happened in the audit trail goes to stderr."""
    from footcoach.service import assess_runner

    assessment, look = assess_runner(db_path(ctx), runner_id, record=record)
    if look["recorded"]:
        click.echo(f"recorded as assessment #{look['assessment_id']}: {look['reason']}", err=True)
    else:
        click.echo(f"not recorded: {look['reason']} (--record records it anyway)", err=True)
    return assessment


def register(group: click.Group) -> None:
    group.add_command(assess_cmd)
    group.add_command(schema_cmd)
