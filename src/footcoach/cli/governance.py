"""``footcoach rules replay``, ``footcoach export --fhir`` and the what-if options of ``assess``.

Clinical governance from the command line: what a proposed rule base would change over the stored
record (nothing is written), one runner's record as FHIR, and "what would it take?" for one runner.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from footcoach.cli.options import F, db_path, format_option_with_help, out_option, rule_base_options
from footcoach.cli.output import write_output
from footcoach.common.json_text import dump_json
from footcoach.contract.errors import InputError


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError([f"--since: value {value!r}: not a date; allowed: YYYY-MM-DD"]) from None


@click.command("replay")
@rule_base_options("Proposed rule folder.", "Proposed knowledge folder.")
@click.option("--since", default=None, help="Only inputs stored on or after this date (YYYY-MM-DD).")
@click.option("--runner", "runner_id", default=None, help="Only this runner.")
@click.option("--all", "every", is_flag=True, help="Every stored assessment, not only each runner's latest input.")
@format_option_with_help(None, ("text", "json", "html"))
@out_option
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: every core).")
@click.pass_context
def replay_cmd(
    ctx: click.Context,
    rules: str | None,
    knowledge: str | None,
    since: str | None,
    runner_id: str | None,
    every: bool,
    fmt: str,
    out: str | None,
    jobs: int | None,
) -> None:
    """What the proposed rules (--rules, --knowledge) would change for the stored runners, and why.

    Each runner's latest stored input (every stored assessment with --all) is assessed under the
    current rule base and the proposed one. Nothing is written to the record.
    """
    from footcoach.common.paths import knowledge_dir, rules_dir
    from footcoach.governance.assessing import Assessor
    from footcoach.governance.replay import folder_diff, latest_per_runner, replay
    from footcoach.governance.stored import stored_inputs

    items = stored_inputs(db_path(ctx), runner_id=runner_id, since=_since(since))
    if not every:
        items = iter(latest_per_runner(items))
    import os

    report = replay(items, Assessor(), Assessor(rules, knowledge), jobs or os.cpu_count() or 1).as_record()
    if fmt == "json":
        text = dump_json(report)
    elif fmt == "html":
        from footcoach.render.replay import replay_html

        diff = folder_diff("rules", rules_dir(), Path(rules) if rules else rules_dir())
        diff += folder_diff("knowledge", knowledge_dir(), Path(knowledge) if knowledge else knowledge_dir())
        text = replay_html(report, diff)
    else:
        from footcoach.render.replay import replay_text

        text = replay_text(report)
    write_output(out, text)


@click.command("export")
@click.argument("runner_id")
@click.option("--fhir", "as_fhir", is_flag=True, required=True, help="A FHIR R5 Bundle (the one format today).")
@out_option
@click.pass_context
def export_cmd(ctx: click.Context, runner_id: str, as_fhir: bool, out: str | None) -> None:
    """One runner's record as a FHIR Bundle: Patient, Observations per diary week, the plan as a CarePlan."""
    from footcoach.governance.stored import fhir_bundle

    write_output(out, dump_json(fhir_bundle(db_path(ctx), runner_id)))


def what_if_options() -> Callable[[F], F]:
    """``--what-if FIELD=VALUE`` (repeatable) and ``--nearest-progress`` for ``assess``."""

    def decorate(f: F) -> F:
        f = click.option(
            "--nearest-progress",
            is_flag=True,
            help="Search the smallest changes to measured values that would make the runner progress.",
        )(f)
        return click.option(
            "--what-if",
            "what_if",
            multiple=True,
            metavar="FIELD=VALUE",
            help="Assess as if FIELD (a contract path, e.g. tests.heel_raises.left) were VALUE; repeatable.",
        )(f)

    return decorate


def runner_document(ctx: click.Context, runner_id: str | None, source: str | None) -> dict[str, Any]:
    """The state document of a stored runner (for --what-if and --nearest-progress with --runner)."""
    if runner_id is None:
        raise InputError(["FILE: missing; allowed: a JSON or YAML state file, - for stdin, or --runner ID"])
    if source is not None:
        raise InputError([f"FILE: value {source!r}: give either FILE or --runner, not both"])
    from footcoach.service import export_state

    doc: dict[str, Any] = export_state(db_path(ctx), runner_id)
    return doc


def what_if_output(doc: Any, what_if: tuple[str, ...], nearest: bool, fmt: str) -> str:
    """The what-if comparison or the nearest progress for one state document, as text or JSON."""
    from footcoach.governance.assessing import Assessor
    from footcoach.governance.whatif import nearest_progress
    from footcoach.governance.whatif import what_if as compare
    from footcoach.render.whatif import nearest_progress_text, what_if_text

    if what_if and nearest:
        raise InputError(["--nearest-progress: give it without --what-if (it searches the changes itself)"])
    assessor = Assessor()
    if what_if:
        result = compare(assessor, doc, list(what_if))
        if fmt == "json":
            return dump_json(result)
        return what_if_text(result)
    record = nearest_progress(assessor, doc).as_record()
    return dump_json(record) if fmt == "json" else nearest_progress_text(record)


def register(group: click.Group) -> None:
    group.add_command(export_cmd)
