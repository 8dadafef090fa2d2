"""``footcoach history``, ``override``, ``phase``, ``caseload`` and ``report``: the audit trail and what
the physiotherapist reads from it."""

from __future__ import annotations

import json
from typing import Any

import click

from footcoach import service
from footcoach.cli.database import database_command, emit_json, input_errors
from footcoach.cli.options import (
    FileName,
    by_option,
    db_option,
    db_path,
    format_option,
    reason_option,
    runner_id_argument,
)
from footcoach.cli.runners import who
from footcoach.common.terminal import escape_user
from footcoach.storage.audit import ACTIONS
from footcoach.storage.caseload import OVERDUE_DAYS_DEFAULT

SQLITE_INTEGER_MAX = 2**63 - 1  # the largest id SQLite stores; a larger one is bad input, not a crash


def old_values_text(old: Any) -> str:
    """Old values as ``field: value`` text (values in JSON), every user string escaped for one line."""
    if not isinstance(old, dict):
        return escape_user(json.dumps(old, ensure_ascii=False, sort_keys=True))
    return ", ".join(
        f"{escape_user(k)}: {escape_user(json.dumps(v, ensure_ascii=False, sort_keys=True))}" for k, v in old.items()
    )


def _cause(a: dict[str, Any]) -> str:
    cause = a.get("cause")
    if not cause:
        source: str = a["source"]
        return source
    week = f" week {cause['week']}" if cause.get("week") is not None else ""
    return f"after {cause['kind']}{week}"


@click.command("history")
@runner_id_argument
@db_option
@format_option
@click.option(
    "--full",
    is_flag=True,
    help="With --format json: include each input snapshot and the whole assessment (trace included).",
)
@click.option("--changes", is_flag=True, help="Also list the changes to the record (with the old values).")
@click.pass_context
@input_errors()
def history_cmd(ctx: click.Context, runner_id: str, fmt: str, full: bool, changes: bool) -> None:
    """List the stored assessments of runner ID, oldest first, with their overrides and what caused them."""
    from footcoach.storage.audit import list_assessments, list_changes

    items = service.read(db_path(ctx), list_assessments, runner_id, full=full)
    log = service.read(db_path(ctx), list_changes, runner_id) if changes else None
    if fmt == "json":
        emit_json(items if log is None else {"assessments": items, "changes": log})
        return
    if not items:
        click.echo(f"{runner_id}: no stored assessments")
    for a in items:
        ph = a["phase"]
        click.echo(
            f"#{a['id']}  {a['created_at']}  {_cause(a):<18}  {a['action'] or '-':<8}  "
            f"phase {ph['current']}->{ph['next']}  rules {a['rulebase_version']}"
        )
        if a["summary"]:
            click.echo(f"      {a['summary']}")
        for o in a["overrides"]:
            click.echo(
                f"      override #{o['id']} {o['created_at']}: {o['action']}"
                + (f" by {escape_user(o['author'])}" if o["author"] else "")
                + f": {escape_user(o['reason'])}"
            )
    for c in log or []:
        week = f" week {c['week']}" if c["week"] is not None else ""
        click.echo(
            f"change #{c['id']}  {c['created_at']}  {c['kind']}{week}"
            + (f" by {escape_user(c['author'])}" if c["author"] else "")
            + (f": {escape_user(c['reason'])}" if c["reason"] else "")
            + (f"; old: {old_values_text(c['old'])}" if c["old"] is not None else "")
        )


@click.command("override")
@click.argument("assessment_id", metavar="ASSESSMENT", type=click.IntRange(1, SQLITE_INTEGER_MAX))
@click.option("--action", type=click.Choice(ACTIONS), required=True, help="The action the physiotherapist chose.")
@reason_option("Why (kept with the override).", required=True)
@by_option("Who overrides (name or initials).")
@database_command(name_options=True)
def override_cmd(
    ctx: click.Context, assessment_id: int, action: str, reason: str, author: str | None, fmt: str
) -> None:
    """Record a physiotherapist's override of stored assessment ASSESSMENT (the original is kept)."""
    from footcoach.storage.audit import add_override

    override_id = service.write(db_path(ctx), add_override, assessment_id, action, reason, author)
    if fmt == "json":
        emit_json({"override_id": override_id, "assessment_id": assessment_id, "action": action})
    else:
        click.echo(f"override #{override_id} recorded on assessment #{assessment_id}: {action}")


@click.command("phase")
@runner_id_argument
@click.option("--accept", is_flag=True, help="Record the phase change of the latest progress or regress decision.")
@click.option("--set", "phase", type=int, default=None, help="Move to phase N (needs --reason).")
@reason_option("Why (kept in the audit trail).", required=False)
@by_option("Who decides (default: your login name).")
@database_command(name_options=True)
def phase_cmd(
    ctx: click.Context,
    runner_id: str,
    accept: bool,
    phase: int | None,
    reason: str | None,
    author: str | None,
    fmt: str,
) -> None:
    """Record runner ID's phase change: --accept the latest decision's next phase, or --set N --reason TEXT.
    Weeks in phase restart at 0; the runner is re-assessed; caseload and report show the new phase."""
    from footcoach.contract.errors import InputError

    if accept == (phase is not None):
        raise InputError(["--accept/--set: give exactly one of them"])
    result = service.set_phase(db_path(ctx), runner_id, phase, reason=reason, author=who(author))
    if fmt == "json":
        emit_json(result)
        return
    click.echo(f"{runner_id}: phase {result['old'].get('phase')} -> {result['new']['phase']} recorded")
    if result.get("assessment_id") is not None:
        click.echo(f"re-assessed: {result['action']} (assessment #{result['assessment_id']})")


@click.command("caseload")
@db_option
@format_option
@click.option(
    "--overdue-days",
    type=click.IntRange(1, SQLITE_INTEGER_MAX),
    default=OVERDUE_DAYS_DEFAULT,
    show_default=True,
    help="A check-in is overdue after this many days without a diary entry.",
)
@click.pass_context
@input_errors()
def caseload_cmd(ctx: click.Context, fmt: str, overdue_days: int) -> None:
    """Every runner with the latest action: red flags on record first, then referrals, regressions, stalls,
    overdue check-ins.  Always current: every change to a record re-assesses the runner."""
    from footcoach.storage.caseload import caseload

    items = service.read(db_path(ctx), caseload, overdue_days=overdue_days)
    if fmt == "json":
        emit_json(items)
        return
    if not items:
        click.echo("no runners yet")
        return
    click.echo(f"{'runner':<16} {'action':<9} {'phase':>5} {'flags':<28} {'last week':>9} {'days':>5}  summary")
    for i in items:
        a = i["assessment"]
        action = (i["action"] or "-") + ("*" if a and a["overridden"] else "")
        click.echo(
            f"{escape_user(i['runner']):<16} {action:<9} {i['phase'] if i['phase'] is not None else '-':>5} "
            f"{', '.join(i['flags']) or '-':<28} "
            f"{i['last_week'] if i['last_week'] is not None else '-':>9} {i['days_since_entry']:>5}  "
            f"{escape_user((a or {}).get('summary') or '')}"
        )
    if any(i["assessment"] and i["assessment"]["overridden"] for i in items):
        click.echo("* overridden by a physiotherapist")


@click.command("report")
@runner_id_argument
@click.option("--out", "out", type=FileName(), required=True, help="The HTML file to write.")
@database_command(with_format=False)
def report_cmd(ctx: click.Context, runner_id: str, out: str) -> None:
    """Write runner ID's progress report: one self-contained HTML file with charts (no network)."""
    from footcoach.cli.output import write_output

    write_output(out, service.report_html(db_path(ctx), runner_id))
    click.echo(f"wrote {out}")
