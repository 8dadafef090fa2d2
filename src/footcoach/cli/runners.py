"""``footcoach runner``: add, list, show, edit, delete a runner."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any, get_args

import click

from footcoach import service
from footcoach.cli.database import database_command, emit_json
from footcoach.cli.options import F, by_option, db_path, reason_option, runner_id_argument
from footcoach.contract.state import Experience, Sex

AGE_HELP = "Whole years (contract: runner.age)."
SEX_VALUES: tuple[str, ...] = get_args(Sex)
EXPERIENCE_VALUES: tuple[str, ...] = get_args(Experience)


def who(author: str | None) -> str | None:
    """``--by`` or the login name: who made a change (kept in the audit trail)."""
    if author:
        return author
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


@click.group("runner")
def runner_group() -> None:
    """Runners: add a profile, list them, show, correct or delete one."""


def _profile_options(*, age_required: bool) -> Callable[[F], F]:
    """``--age``, ``--sex``, ``--experience``: a runner's profile (required age when adding one)."""

    def decorate(fn: F) -> F:
        fn = click.option("--experience", type=click.Choice(EXPERIENCE_VALUES), default=None, help="runner.experience")(
            fn
        )
        fn = click.option("--sex", type=click.Choice(SEX_VALUES), default=None, help="runner.sex")(fn)
        optional: dict[str, Any] = {} if age_required else {"default": None}
        return click.option("--age", type=int, required=age_required, help=AGE_HELP, **optional)(fn)

    return decorate


@runner_group.command("add")
@runner_id_argument
@_profile_options(age_required=True)
@database_command(with_format=False, name_options=True)
def runner_add(ctx: click.Context, runner_id: str, age: int, sex: str | None, experience: str | None) -> None:
    """Add runner ID."""
    profile = service.add_runner(db_path(ctx), runner_id, age, sex, experience)
    click.echo(f"added runner {profile['id']} (age {profile['age']})")


@runner_group.command("edit")
@runner_id_argument
@_profile_options(age_required=False)
@by_option("Who corrects it (default: your login name).")
@database_command(name_options=True)
def runner_edit(ctx: click.Context, runner_id: str, author: str | None, fmt: str, **changes: Any) -> None:
    """Correct runner ID's profile; the old values stay in the audit trail and the runner is re-assessed."""
    result = service.edit_runner(db_path(ctx), runner_id, changes, who(author))
    if fmt == "json":
        emit_json(result)
        return
    click.echo(f"runner {runner_id}: profile corrected (was {result['old']}, now {result['new']})")
    _say_reassessed(result)


def _say_reassessed(result: dict[str, Any]) -> None:
    if result.get("assessment_id") is not None:
        click.echo(f"re-assessed: {result['action']} (assessment #{result['assessment_id']})")


@runner_group.command("delete")
@runner_id_argument
@reason_option("Why (kept in the tombstone).", required=True)
@by_option("Who deletes (default: your login name).")
@click.option(
    "--erase",
    is_flag=True,
    help="Also when assessments are stored: removes all the runner's health data, audit trail included, "
    "and keeps a tombstone (who, when, why).",
)
@database_command(with_format=False)
def runner_delete(ctx: click.Context, runner_id: str, reason: str, author: str | None, erase: bool) -> None:
    """Delete runner ID (refused while assessments are stored, unless --erase)."""
    result = service.delete_runner(db_path(ctx), runner_id, reason, who(author), erase=erase)
    click.echo(f"runner {runner_id} deleted; tombstone #{result['tombstone']} kept (who, when, why)")


@runner_group.command("list")
@database_command()
def runner_list(ctx: click.Context, fmt: str) -> None:
    """List every runner."""
    from footcoach.storage.runners import list_runners

    runners = service.read(db_path(ctx), list_runners)
    if fmt == "json":
        emit_json(runners)
        return
    if not runners:
        click.echo("no runners yet (footcoach runner add ID --age N)")
        return
    click.echo(f"{'runner':<16} {'age':>3}  {'sex':<6} {'experience':<10} {'entries':>7} {'last week':>9}  last action")
    for r in runners:
        p = r["runner"]
        click.echo(
            f"{p['id']:<16} {p['age']:>3}  {p.get('sex', '-'):<6} {p.get('experience', '-'):<10} "
            f"{r['entries']:>7} {r['last_week'] if r['last_week'] is not None else '-':>9}  "
            f"{r['last_action'] or '-'}"
        )


@runner_group.command("show")
@runner_id_argument
@database_command()
def runner_show(ctx: click.Context, runner_id: str, fmt: str) -> None:
    """Show runner ID: profile, diary, current report and latest assessment."""
    from footcoach.storage.runners import show_runner

    info = service.read(db_path(ctx), show_runner, runner_id)
    if fmt == "json":
        emit_json(info)
        return
    p = info["runner"]
    click.echo(
        f"runner {p['id']}: age {p['age']}, {p.get('sex', 'sex not given')}, "
        f"{p.get('experience', 'experience not given')}"
    )
    d = info["diary"]
    click.echo(
        f"diary: {d['entries']} entries" + (f", weeks {d['first_week']}-{d['last_week']}" if d["entries"] else "")
    )
    rep = info["current_report"]
    if rep is None:
        click.echo("current report: none yet")
    else:
        pr, pa = rep["program"], rep["pain"]
        click.echo(
            f"current report (week {rep['week']}): phase {pr['phase']}, week {pr['weeks_in_phase']} in phase; "
            f"pain during {pa['during']}, after {pa['after']}, morning {pa['morning']}, "
            f"{'settled' if pa['settled_next_morning'] else 'not settled'} next morning"
            + (f"; red flags: {', '.join(rep['red_flags'])}" if rep["red_flags"] else "")
        )
    la = info["latest_assessment"]
    click.echo(
        "latest assessment: "
        + (
            "none"
            if la is None
            else f"#{la['id']} {la['action']} ({la['created_at']})"
            + (f", overridden to {la['effective_action']}" if la["overrides"] else "")
        )
    )
