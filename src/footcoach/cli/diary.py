"""``footcoach diary``: add, correct and delete a week, import and export a state document, list it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from footcoach import service
from footcoach.cli.database import FIELD_OPTIONS, database_command, emit_json, storage_problems
from footcoach.cli.options import FileName, by_option, db_path, reason_option, runner_id_argument
from footcoach.cli.runners import who
from footcoach.contract.errors import InputError

_REPORT_KM = ("weekly_km", "previous_weekly_km", "longest_run_km_30d", "planned_long_run_km")


def _interactive() -> bool:
    """Prompt for missing diary values only when a person is at the keyboard."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _pair(left: Any, right: Any, name: str, problems: list[str], *, partial: bool = False) -> dict[str, Any] | None:
    if left is None and right is None:
        return None
    if (left is None or right is None) and not partial:
        missing = "left" if left is None else "right"
        problems.append(f"{name}.{missing}: missing; allowed: both legs together")
        return None
    return {k: v for k, v in (("left", left), ("right", right)) if v is not None}


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = _prune(v)
            if v:
                out[k] = v
        elif v is not None:
            out[k] = v
    return out


def _entry_and_report(v: dict[str, Any], *, partial: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The diary entry and the current-report fields the options give (InputError on contradictions)."""
    problems: list[str] = []
    entry = {
        "week": v.get("week"),
        "pain_morning": v["pain_morning"],
        "foot_fatigue": v["foot_fatigue"],
        "balance_eyes_open_s": _pair(
            v["balance_eyes_open_left"], v["balance_eyes_open_right"], "balance_eyes_open_s", problems, partial=partial
        ),
        "heel_raises": _pair(v["heel_raises_left"], v["heel_raises_right"], "heel_raises", problems, partial=partial),
    }
    if v["red_flags"] and v["no_red_flags"]:
        problems.append("red_flags: --red-flag and --no-red-flags together; allowed: one of them")
    closed = _pair(
        v["balance_eyes_closed_left"], v["balance_eyes_closed_right"], "tests.balance_eyes_closed_s", problems
    )
    report = _prune(
        {
            "program": {k: v[k] for k in ("phase", "weeks_in_phase", "weeks_in_program")},
            "pain": {"during": v["pain_during"], "after": v["pain_after"], "settled_next_morning": v["settled"]}
            | {"sharp": v["sharp"]},
            "tests": {"balance_eyes_closed_s": closed, "hop_pain": v["hop_pain"]},
            "running": {k: v[k] for k in _REPORT_KM},
        }
    )
    if v["red_flags"]:
        report["red_flags"] = list(v["red_flags"])
    elif v["no_red_flags"]:
        report["red_flags"] = []
    if problems:
        raise InputError(problems)
    return entry, report


class KnowledgeHelpOption(click.Option):
    """An option whose help names a knowledge value (``{nrs_max}``): the number the shipped knowledge
    holds, read only when the help is shown (a command that runs loads nothing for it)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.help and "{nrs_max}" in self.help:
            from footcoach.knowledge.base import default_knowledge

            self.help = self.help.replace("{nrs_max}", str(default_knowledge().state_bounds.nrs_max))
        return super().get_help_record(ctx)


_ENTRY_OPTIONS = [
    click.option(
        "--pain-morning",
        type=int,
        help="Diary: pain_morning, first steps (NRS: 0 to {nrs_max}).",
        cls=KnowledgeHelpOption,
    ),
    click.option("--balance-eyes-open-left", type=float, help="Diary: balance_eyes_open_s.left (seconds)."),
    click.option("--balance-eyes-open-right", type=float, help="Diary: balance_eyes_open_s.right (seconds)."),
    click.option("--heel-raises-left", type=int, help="Diary: heel_raises.left (repetitions)."),
    click.option("--heel-raises-right", type=int, help="Diary: heel_raises.right (repetitions)."),
    click.option(
        "--foot-fatigue", type=int, help="Diary: foot_fatigue (NRS: 0 to {nrs_max}).", cls=KnowledgeHelpOption
    ),
    click.option("--phase", type=int, help="Current report: program.phase."),
    click.option("--weeks-in-phase", type=int, help="Current report: program.weeks_in_phase."),
    click.option("--weeks-in-program", type=int, help="Current report: program.weeks_in_program."),
    click.option(
        "--pain-during", type=int, help="Current report: pain.during (NRS: 0 to {nrs_max}).", cls=KnowledgeHelpOption
    ),
    click.option(
        "--pain-after", type=int, help="Current report: pain.after (NRS: 0 to {nrs_max}).", cls=KnowledgeHelpOption
    ),
    click.option("--settled/--not-settled", "settled", default=None, help="Current report: pain.settled_next_morning."),
    click.option("--sharp/--no-sharp", "sharp", default=None, help="Current report: pain.sharp."),
    click.option("--red-flag", "red_flags", multiple=True, help="Current report: a red_flags id (repeatable)."),
    click.option("--no-red-flags", is_flag=True, help="Current report: clear red_flags."),
    click.option("--balance-eyes-closed-left", type=float, help="Current report: tests.balance_eyes_closed_s.left."),
    click.option("--balance-eyes-closed-right", type=float, help="Current report: tests.balance_eyes_closed_s.right."),
    click.option(
        "--hop-pain", type=int, help="Current report: tests.hop_pain (NRS: 0 to {nrs_max}).", cls=KnowledgeHelpOption
    ),
    click.option("--weekly-km", type=float, help="Current report: running.weekly_km."),
    click.option("--previous-weekly-km", type=float, help="Current report: running.previous_weekly_km."),
    click.option("--longest-run-km-30d", type=float, help="Current report: running.longest_run_km_30d."),
    click.option("--planned-long-run-km", type=float, help="Current report: running.planned_long_run_km."),
]


def entry_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_ENTRY_OPTIONS):
        fn = option(fn)
    return fn


@click.group("diary")
def diary_group() -> None:
    """The weekly diary: add, correct or delete a week, import or export a state document, list it."""


@diary_group.command(
    "add",
    epilog="""\b
Current report: when WEEK is the latest week (at or after the current report's week),
the current report is carried forward into a new one for this week:
  - weeks_in_phase and weeks_in_program advance by the weeks elapsed
    (a new --phase restarts weeks_in_phase at 0 unless --weeks-in-phase is given);
  - --pain-morning, the eyes-open balance and the heel raises of this entry become
    the current pain.morning and tests values;
  - the current-report options above replace what they name; the rest is kept.
A runner with no current report yet gets one once --phase, --weeks-in-phase,
--pain-during, --pain-after, --pain-morning and --settled/--not-settled are all known.
For an earlier week only the diary entry is stored (current-report options are refused).
The runner is re-assessed at once (the caseload is always current).
In a terminal, missing diary values and pain during/after are asked for
(blank skips); --no-input turns that off.""",
)
@runner_id_argument
@click.option("--week", type=int, default=None, help="Week number (default: the week after the latest one).")
@entry_options
@click.option("--replace", is_flag=True, help="Overwrite the diary entry of this week if there is one.")
@click.option("--no-input", is_flag=True, help="Never prompt, even in a terminal.")
@database_command(name_options=True)
def diary_add(ctx: click.Context, runner_id: str, fmt: str, replace: bool, no_input: bool, **v: Any) -> None:
    """Add the diary entry of one week for runner ID (and update the current report, see below)."""
    result = _add_asking(ctx, runner_id, replace, no_input, v)
    from footcoach.cli.diary_prompts import diary_warnings
    from footcoach.storage.diary import list_diary

    for warning in diary_warnings(service.read(db_path(ctx), list_diary, runner_id), result["entry"]):
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        emit_json(result)
        return
    week = result["entry"]["week"]
    click.echo(
        f"{runner_id}: week {week} added to the diary"
        + ("; current report updated" if result["report_updated"] else "")
    )
    _say_reassessed(result)
    if result["report_missing"]:
        click.echo(
            "no current report yet: still needed " + ", ".join(FIELD_OPTIONS[p] for p in result["report_missing"]),
            err=True,
        )


def _add_asking(ctx: click.Context, runner_id: str, replace: bool, no_input: bool, v: dict[str, Any]) -> dict[str, Any]:
    """Store the week; in a terminal, ask for what is missing (each answer checked as it is typed) and
    again for what the store refuses, keeping every answer when the user gives up."""
    prompts = None
    if not no_input and _interactive():
        from footcoach.cli.diary_prompts import DiaryPrompts

        prompts = DiaryPrompts()
        prompts.missing(v)
    while True:
        try:
            entry, report = _entry_and_report(v)
            return service.add_diary_entry(db_path(ctx), runner_id, entry, report, replace=replace, author=who(None))
        except InputError as exc:
            if prompts is None:
                raise
            if not prompts.again(v, storage_problems(exc), FIELD_OPTIONS):
                from footcoach.cli.diary_prompts import kept_answers

                raise InputError(
                    [*storage_problems(exc), f"your answers are kept: {kept_answers(runner_id, v)}"]
                ) from None


def _say_reassessed(result: dict[str, Any]) -> None:
    if result.get("assessment_id") is not None:
        click.echo(f"re-assessed: {result['action']} (assessment #{result['assessment_id']})")


@diary_group.command("edit")
@runner_id_argument
@click.option("--week", type=int, required=True, help="The week to correct.")
@entry_options
@reason_option("Why (kept in the audit trail with the old values).", required=False)
@by_option("Who corrects it (default: your login name).")
@database_command(name_options=True)
def diary_edit(
    ctx: click.Context, runner_id: str, week: int, reason: str | None, author: str | None, fmt: str, **v: Any
) -> None:
    """Correct week N of runner ID's diary: the options given replace the stored values (current-report
    options only for the current report's week).  The old values stay in the audit trail; the runner is
    re-assessed."""
    entry, report = _entry_and_report(v, partial=True)
    entry.pop("week", None)
    result = service.edit_diary_entry(db_path(ctx), runner_id, week, entry, report, reason=reason, author=who(author))
    if fmt == "json":
        emit_json(result)
        return
    click.echo(f"{runner_id}: week {week} corrected (the old values are kept in the audit trail)")
    _say_reassessed(result)


@diary_group.command("delete")
@runner_id_argument
@click.option("--week", type=int, required=True, help="The week to delete.")
@reason_option("Why (kept in the audit trail with the deleted values).", required=True)
@by_option("Who deletes it (default: your login name).")
@database_command(name_options=True)
def diary_delete(ctx: click.Context, runner_id: str, week: int, reason: str, author: str | None, fmt: str) -> None:
    """Delete week N of runner ID's diary (and the current report it made); the deleted values stay in
    the audit trail; the runner is re-assessed."""
    result = service.delete_diary_entry(db_path(ctx), runner_id, week, reason, who(author))
    if fmt == "json":
        emit_json(result)
        return
    click.echo(f"{runner_id}: week {week} deleted (the values are kept in the audit trail)")
    _say_reassessed(result)


def _read_document(file: str) -> Any:
    from footcoach.common.documents import DataFileError, read_document

    try:
        return read_document(file)
    except DataFileError as exc:
        raise InputError(["FILE: " + exc.saying_allowed("a JSON or YAML runner state, or - for stdin")]) from None


@diary_group.command("import")
@runner_id_argument
@click.argument("file", type=FileName(allow_dash=True))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the diary and current report of an existing runner (its assessments are kept).",
)
@database_command(with_format=False)
def diary_import(ctx: click.Context, runner_id: str, file: str, replace: bool) -> None:
    """Import a contract state document (JSON or YAML; - reads JSON from stdin) as runner ID:
    profile, program, current report, history (the diary), shoes, running.  One transaction:
    all of it or nothing; the runner is assessed in it."""
    document = _read_document(file)
    progress = None
    if sys.stderr.isatty():
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // total
            if percent != shown[0]:
                shown[0] = percent
                click.echo(f"\r  {done}/{total} diary weeks", err=True, nl=done == total)

    result = service.import_state(db_path(ctx), runner_id, document, replace=replace, progress=progress)
    click.echo(
        f"{runner_id}: imported {result['entries']} diary weeks and the current report "
        f"(week {result['report_week']})" + ("" if result["created"] else ", replacing the previous ones")
    )
    _say_reassessed(result)


@diary_group.command("list")
@runner_id_argument
@database_command()
def diary_list(ctx: click.Context, runner_id: str, fmt: str) -> None:
    """List runner ID's diary, oldest week first."""
    from footcoach.storage.diary import list_diary

    entries = service.read(db_path(ctx), list_diary, runner_id)
    if fmt == "json":
        emit_json(entries)
        return
    if not entries:
        click.echo(f"{runner_id}: the diary is empty")
        return
    click.echo(
        f"{'week':>4}  {'morning pain':>12}  {'balance L/R s':>13}  {'heel raises L/R':>15}  {'foot fatigue':>12}"
    )

    def pair(p: dict[str, Any] | None) -> str:
        return f"{p['left']}/{p['right']}" if p else "-"

    for e in entries:
        click.echo(
            f"{e['week']:>4}  {e.get('pain_morning', '-'):>12}  {pair(e.get('balance_eyes_open_s')):>13}  "
            f"{pair(e.get('heel_raises')):>15}  {e.get('foot_fatigue', '-'):>12}"
        )


@diary_group.command("export")
@runner_id_argument
@database_command(with_format=False)
def diary_export(ctx: click.Context, runner_id: str) -> None:
    """Print runner ID's stored records as a contract state document (JSON): what `assess --runner`
    assesses."""
    emit_json(service.export_state(db_path(ctx), runner_id))
