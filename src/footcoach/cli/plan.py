"""``footcoach plan``: this week's plan for the runner, from a state file or a stored runner.

Looking at the plan records nothing: a stored runner is read, assessed and shown, and the audit
trail is left alone (``assess --runner`` is the command that records).
"""

from __future__ import annotations

from typing import Any

import click

from footcoach.cli.assess import fail, read_document
from footcoach.cli.database import storage_problems
from footcoach.cli.options import FORMATS, FileName, db_option, db_path
from footcoach.common.json_text import dump_json
from footcoach.contract.errors import InputError


def _stored_state(db: str | None, runner_id: str) -> dict[str, Any]:
    """The stored runner's state; an absent database is never created by a look (it holds no runner)."""
    from footcoach.service import export_state

    return export_state(db, runner_id)


@click.command("plan")
@click.argument("source", required=False, metavar="FILE|-")
@click.option("--runner", "runner_id", default=None, help="A stored runner instead of FILE (nothing is recorded).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*FORMATS, "html")),
    default=None,
    help="text for the runner (default on stdout), json for programs (the plan record of the assessment), "
    "html for a printable one-page plan (default with --out).",
)
@click.option(
    "--out",
    "out",
    type=FileName(),
    default=None,
    help="Write the plan to this file (owner-only) instead of stdout: a printable HTML page unless --format says otherwise.",
)
@db_option
@click.pass_context
def plan_cmd(ctx: click.Context, source: str | None, runner_id: str | None, fmt: str | None, out: str | None) -> None:
    """Print this week's plan for the runner of FILE (JSON or YAML, - for stdin) or --runner ID.

    The plan follows the assessment: after a progression it is the next phase's, after a red flag
    it is paused and says whom to see. Text is wrapped to the terminal's width. With --out FILE it
    is written as one printable HTML page (exercises with dosing and cues, what blocks progress,
    when to stop and call, when to check in).
    """
    from footcoach.cli.output import write_output
    from footcoach.common.wrapping import terminal_width
    from footcoach.render.text import render_plan_page
    from footcoach.service import assess_document, plan_page_html

    try:
        if runner_id is not None and source is not None:
            raise InputError([f"FILE: value {source!r}: give either FILE or --runner, not both"])
        if runner_id is not None:
            document = _stored_state(db_path(ctx), runner_id)
        elif source is None:
            raise InputError(["FILE: missing; allowed: a JSON or YAML state file, - for stdin, or --runner ID"])
        else:
            document = read_document(source)
        assessment = assess_document(document)
    except InputError as exc:
        fail(storage_problems(exc))
        return
    fmt = fmt or ("html" if out not in (None, "-") else "text")
    if fmt == "json":
        text = dump_json(assessment.get("plan"))
    elif fmt == "html":
        text = plan_page_html(assessment, document)
    else:
        text = render_plan_page(assessment, terminal_width())
    write_output(out, text)
    if out not in (None, "-"):
        click.echo(f"wrote {out}", err=True)


def register(group: click.Group) -> None:
    group.add_command(plan_cmd)
