"""Commands on the database: runners, the diary, the audit trail, the caseload, the progress report.

``register(group)`` adds ``runner``, ``diary``, ``history``, ``override``, ``caseload`` and ``report`` to
the main group.  The database file is the group's ``--db`` (``ctx.obj["db"]``).  Bad input exits 2 with
one line per problem on stderr, naming the option; nothing is written then.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from footcoach.contract.errors import EXIT_BAD_INPUT, InputError
from footcoach.contract.state import NRS_MAX
from footcoach.storage import store

SQLITE_INTEGER_MAX = 2**63 - 1  # the largest id SQLite stores; a larger one is bad input, not a crash

FORMATS = ("text", "json")

# Contract field path -> the option that sets it (error messages name both).
FIELD_OPTIONS = {
    "week": "--week",
    "pain_morning": "--pain-morning",
    "balance_eyes_open_s.left": "--balance-eyes-open-left",
    "balance_eyes_open_s.right": "--balance-eyes-open-right",
    "heel_raises.left": "--heel-raises-left",
    "heel_raises.right": "--heel-raises-right",
    "foot_fatigue": "--foot-fatigue",
    "program.phase": "--phase",
    "program.weeks_in_phase": "--weeks-in-phase",
    "program.weeks_in_program": "--weeks-in-program",
    "pain.during": "--pain-during",
    "pain.after": "--pain-after",
    "pain.morning": "--pain-morning",
    "pain.settled_next_morning": "--settled/--not-settled",
    "pain.sharp": "--sharp/--no-sharp",
    "tests.balance_eyes_open_s.left": "--balance-eyes-open-left",
    "tests.balance_eyes_open_s.right": "--balance-eyes-open-right",
    "tests.balance_eyes_closed_s.left": "--balance-eyes-closed-left",
    "tests.balance_eyes_closed_s.right": "--balance-eyes-closed-right",
    "tests.heel_raises.left": "--heel-raises-left",
    "tests.heel_raises.right": "--heel-raises-right",
    "tests.hop_pain": "--hop-pain",
    "running.weekly_km": "--weekly-km",
    "running.previous_weekly_km": "--previous-weekly-km",
    "running.longest_run_km_30d": "--longest-run-km-30d",
    "running.planned_long_run_km": "--planned-long-run-km",
    "runner.age": "--age",
    "runner.sex": "--sex",
    "runner.experience": "--experience",
}


def _name_option(line: str) -> str:
    """``pain.during: value 12: ...`` -> ``--pain-during (pain.during): value 12: ...``."""
    field, sep, rest = line.partition(":")
    option = "--red-flag" if field.startswith("red_flags") else FIELD_OPTIONS.get(field)
    return f"{option} ({field}){sep}{rest}" if option and sep else line


def _fail(problems: list[str], name_options: bool = False) -> None:
    for line in problems:
        click.echo(f"error: {_name_option(line) if name_options else line}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _input_errors(name_options: bool = False) -> Callable:
    """Turn InputError into exit 2 with one line per problem on stderr and nothing on stdout."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                _fail(exc.problems, name_options)

        return inner

    return wrap


def _db(ctx: click.Context) -> str | None:
    obj = ctx.find_root().obj or {}
    return obj.get("db")


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _interactive() -> bool:
    """Prompt for missing diary values only when a person is at the keyboard."""
    return sys.stdin.isatty() and sys.stderr.isatty()


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)


# ---- runner --------------------------------------------------------------------------------


@click.group("runner")
def runner_group() -> None:
    """Runners: add a profile, list them, show one."""


@runner_group.command("add")
@click.argument("runner_id", metavar="ID")
@click.option("--age", type=int, required=True, help="Whole years (contract: runner.age).")
@click.option("--sex", type=click.Choice(store.SEX_VALUES), default=None, help="runner.sex")
@click.option("--experience", type=click.Choice(store.EXPERIENCE_VALUES), default=None, help="runner.experience")
@click.pass_context
@_input_errors(name_options=True)
def runner_add(ctx: click.Context, runner_id: str, age: int, sex: str | None, experience: str | None) -> None:
    """Add runner ID."""
    profile = store.add_runner(_db(ctx), runner_id, age, sex, experience)
    click.echo(f"added runner {profile['id']} (age {profile['age']})")


@runner_group.command("list")
@format_option
@click.pass_context
@_input_errors()
def runner_list(ctx: click.Context, fmt: str) -> None:
    """List every runner."""
    runners = store.list_runners(_db(ctx))
    if fmt == "json":
        _json(runners)
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
@click.argument("runner_id", metavar="ID")
@format_option
@click.pass_context
@_input_errors()
def runner_show(ctx: click.Context, runner_id: str, fmt: str) -> None:
    """Show runner ID: profile, diary, current report and latest assessment."""
    info = store.show_runner(_db(ctx), runner_id)
    if fmt == "json":
        _json(info)
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


# ---- diary ---------------------------------------------------------------------------------


@click.group("diary")
def diary_group() -> None:
    """The weekly diary: add a week, import or export a state document, list it."""


def _pair(left: Any, right: Any, name: str, problems: list[str]) -> dict[str, Any] | None:
    if left is None and right is None:
        return None
    if left is None or right is None:
        missing = "left" if left is None else "right"
        problems.append(f"{name}.{missing}: missing; allowed: both legs together")
        return None
    return {"left": left, "right": right}


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


def _entry_and_report(v: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The diary entry and the current-report changes named by the options (InputError if they clash)."""
    problems: list[str] = []
    entry = {
        "week": v["week"],
        "pain_morning": v["pain_morning"],
        "foot_fatigue": v["foot_fatigue"],
        "balance_eyes_open_s": _pair(
            v["balance_eyes_open_left"], v["balance_eyes_open_right"], "balance_eyes_open_s", problems
        ),
        "heel_raises": _pair(v["heel_raises_left"], v["heel_raises_right"], "heel_raises", problems),
    }
    if v["red_flags"] and v["no_red_flags"]:
        problems.append("red_flags: --red-flag and --no-red-flags together; allowed: one of them")
    report = _prune(
        {
            "program": {
                "phase": v["phase"],
                "weeks_in_phase": v["weeks_in_phase"],
                "weeks_in_program": v["weeks_in_program"],
            },
            "pain": {
                "during": v["pain_during"],
                "after": v["pain_after"],
                "settled_next_morning": v["settled"],
                "sharp": v["sharp"],
            },
            "tests": {
                "balance_eyes_closed_s": _pair(
                    v["balance_eyes_closed_left"],
                    v["balance_eyes_closed_right"],
                    "tests.balance_eyes_closed_s",
                    problems,
                ),
                "hop_pain": v["hop_pain"],
            },
            "running": {
                k: v[k] for k in ("weekly_km", "previous_weekly_km", "longest_run_km_30d", "planned_long_run_km")
            },
        }
    )
    if v["red_flags"]:
        report["red_flags"] = list(v["red_flags"])
    elif v["no_red_flags"]:
        report["red_flags"] = []
    if problems:
        raise InputError(problems)
    return entry, report


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
In a terminal, missing diary values and pain during/after are asked for
(blank skips); --no-input turns that off.""",
)
@click.argument("runner_id", metavar="ID")
@click.option("--week", type=int, default=None, help="Week number (default: the week after the latest one).")
@click.option("--pain-morning", type=int, help=f"Diary: pain_morning, first steps (0-{NRS_MAX}).")
@click.option("--balance-eyes-open-left", type=float, help="Diary: balance_eyes_open_s.left (seconds).")
@click.option("--balance-eyes-open-right", type=float, help="Diary: balance_eyes_open_s.right (seconds).")
@click.option("--heel-raises-left", type=int, help="Diary: heel_raises.left (repetitions).")
@click.option("--heel-raises-right", type=int, help="Diary: heel_raises.right (repetitions).")
@click.option("--foot-fatigue", type=int, help=f"Diary: foot_fatigue (0-{NRS_MAX}).")
@click.option("--phase", type=int, help="Current report: program.phase.")
@click.option("--weeks-in-phase", type=int, help="Current report: program.weeks_in_phase.")
@click.option("--weeks-in-program", type=int, help="Current report: program.weeks_in_program.")
@click.option("--pain-during", type=int, help=f"Current report: pain.during (0-{NRS_MAX}).")
@click.option("--pain-after", type=int, help=f"Current report: pain.after (0-{NRS_MAX}).")
@click.option("--settled/--not-settled", "settled", default=None, help="Current report: pain.settled_next_morning.")
@click.option("--sharp/--no-sharp", "sharp", default=None, help="Current report: pain.sharp.")
@click.option("--red-flag", "red_flags", multiple=True, help="Current report: a red_flags id (repeatable).")
@click.option("--no-red-flags", is_flag=True, help="Current report: clear red_flags.")
@click.option("--balance-eyes-closed-left", type=float, help="Current report: tests.balance_eyes_closed_s.left.")
@click.option("--balance-eyes-closed-right", type=float, help="Current report: tests.balance_eyes_closed_s.right.")
@click.option("--hop-pain", type=int, help=f"Current report: tests.hop_pain (0-{NRS_MAX}).")
@click.option("--weekly-km", type=float, help="Current report: running.weekly_km.")
@click.option("--previous-weekly-km", type=float, help="Current report: running.previous_weekly_km.")
@click.option("--longest-run-km-30d", type=float, help="Current report: running.longest_run_km_30d.")
@click.option("--planned-long-run-km", type=float, help="Current report: running.planned_long_run_km.")
@click.option("--replace", is_flag=True, help="Overwrite the diary entry of this week if there is one.")
@click.option("--no-input", is_flag=True, help="Never prompt, even in a terminal.")
@format_option
@click.pass_context
@_input_errors(name_options=True)
def diary_add(ctx: click.Context, runner_id: str, fmt: str, replace: bool, no_input: bool, **v: Any) -> None:
    """Add the diary entry of one week for runner ID (and update the current report, see below)."""
    prompts = None
    if not no_input and _interactive():
        from footcoach.cli.diary_prompts import DiaryPrompts

        prompts = DiaryPrompts()
        prompts.missing(v)  # each answer checked as it is typed
    while True:
        try:
            entry, report = _entry_and_report(v)
            result = store.add_diary_entry(_db(ctx), runner_id, entry, report, replace=replace)
            break
        except InputError as exc:
            if prompts is None:
                raise
            if not prompts.again(v, exc.problems, FIELD_OPTIONS):
                from footcoach.cli.diary_prompts import kept_answers

                raise InputError([*exc.problems, f"your answers are kept: {kept_answers(runner_id, v)}"]) from None
    from footcoach.cli.diary_prompts import diary_warnings

    for warning in diary_warnings(store.list_diary(_db(ctx), runner_id), result["entry"]):
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        _json(result)
        return
    week = result["entry"]["week"]
    click.echo(
        f"{runner_id}: week {week} added to the diary"
        + ("; current report updated" if result["report_updated"] else "")
    )
    if result["report_missing"]:
        click.echo(
            "no current report yet: still needed " + ", ".join(FIELD_OPTIONS[p] for p in result["report_missing"]),
            err=True,
        )


@diary_group.command("import")
@click.argument("runner_id", metavar="ID")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the diary and current report of an existing runner (its assessments are kept).",
)
@click.pass_context
@_input_errors()
def diary_import(ctx: click.Context, runner_id: str, file: str, replace: bool) -> None:
    """Import a contract state document (JSON or YAML; - reads JSON from stdin) as runner ID:
    profile, program, current report, history (the diary), shoes, running.  One transaction:
    all of it or nothing."""
    from footcoach.common.documents import DataFileError, read_document

    try:
        document = read_document(file)
    except DataFileError as exc:
        raise InputError([f"FILE: {exc}; allowed: a JSON or YAML runner state, or - for stdin"]) from None
    progress = None
    if sys.stderr.isatty():
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // total
            if percent != shown[0]:
                shown[0] = percent
                click.echo(f"\r  {done}/{total} diary weeks", err=True, nl=done == total)

    result = store.import_state(_db(ctx), runner_id, document, replace=replace, progress=progress)
    click.echo(
        f"{runner_id}: imported {result['entries']} diary weeks and the current report "
        f"(week {result['report_week']})" + ("" if result["created"] else ", replacing the previous ones")
    )


@diary_group.command("list")
@click.argument("runner_id", metavar="ID")
@format_option
@click.pass_context
@_input_errors()
def diary_list(ctx: click.Context, runner_id: str, fmt: str) -> None:
    """List runner ID's diary, oldest week first."""
    entries = store.list_diary(_db(ctx), runner_id)
    if fmt == "json":
        _json(entries)
        return
    if not entries:
        click.echo(f"{runner_id}: the diary is empty")
        return
    click.echo(
        f"{'week':>4}  {'morning pain':>12}  {'balance L/R s':>13}  {'heel raises L/R':>15}  {'foot fatigue':>12}"
    )

    def pair(p: dict | None) -> str:
        return f"{p['left']}/{p['right']}" if p else "-"

    for e in entries:
        click.echo(
            f"{e['week']:>4}  {e.get('pain_morning', '-'):>12}  {pair(e.get('balance_eyes_open_s')):>13}  "
            f"{pair(e.get('heel_raises')):>15}  {e.get('foot_fatigue', '-'):>12}"
        )


@diary_group.command("export")
@click.argument("runner_id", metavar="ID")
@click.pass_context
@_input_errors()
def diary_export(ctx: click.Context, runner_id: str) -> None:
    """Print runner ID's stored records as a contract state document (JSON): what `assess --runner`
    assesses."""
    _json(store.export_state(_db(ctx), runner_id))


# ---- audit trail ---------------------------------------------------------------------------


@click.command("history")
@click.argument("runner_id", metavar="ID")
@format_option
@click.option(
    "--full",
    is_flag=True,
    help="With --format json: include each input snapshot and the whole assessment (trace included).",
)
@click.pass_context
@_input_errors()
def history_cmd(ctx: click.Context, runner_id: str, fmt: str, full: bool) -> None:
    """List the stored assessments of runner ID, oldest first, with their overrides."""
    items = store.list_assessments(_db(ctx), runner_id, full=full)
    if fmt == "json":
        _json(items)
        return
    if not items:
        click.echo(f"{runner_id}: no stored assessments")
        return
    for a in items:
        ph = a["phase"]
        click.echo(
            f"#{a['id']}  {a['created_at']}  {a['source']:<6}  {a['action'] or '-':<8}  "
            f"phase {ph['current']}->{ph['next']}  rules {a['rulebase_version']}"
        )
        if a["summary"]:
            click.echo(f"      {a['summary']}")
        for o in a["overrides"]:
            click.echo(
                f"      override #{o['id']} {o['created_at']}: {o['action']}"
                + (f" by {o['author']}" if o["author"] else "")
                + f": {o['reason']}"
            )


@click.command("override")
@click.argument("assessment_id", metavar="ASSESSMENT", type=click.IntRange(1, SQLITE_INTEGER_MAX))
@click.option("--action", type=click.Choice(store.ACTIONS), required=True, help="The action the physiotherapist chose.")
@click.option("--reason", required=True, help="Why (kept with the override).")
@click.option("--by", "author", default=None, help="Who overrides (name or initials).")
@format_option
@click.pass_context
@_input_errors()
def override_cmd(
    ctx: click.Context, assessment_id: int, action: str, reason: str, author: str | None, fmt: str
) -> None:
    """Record a physiotherapist's override of stored assessment ASSESSMENT (the original is kept)."""
    override_id = store.add_override(_db(ctx), assessment_id, action, reason, author)
    if fmt == "json":
        _json({"override_id": override_id, "assessment_id": assessment_id, "action": action})
    else:
        click.echo(f"override #{override_id} recorded on assessment #{assessment_id}: {action}")


# ---- caseload and report -------------------------------------------------------------------


@click.command("caseload")
@format_option
@click.option(
    "--overdue-days",
    type=click.IntRange(min=1),
    default=store.OVERDUE_DAYS_DEFAULT,
    show_default=True,
    help="A check-in is overdue after this many days without a diary entry.",
)
@click.pass_context
@_input_errors()
def caseload_cmd(ctx: click.Context, fmt: str, overdue_days: int) -> None:
    """Every runner with the latest action: referrals first, then regressions, stalls, overdue check-ins."""
    items = store.caseload(_db(ctx), overdue_days=overdue_days)
    if fmt == "json":
        _json(items)
        return
    if not items:
        click.echo("no runners yet")
        return
    click.echo(f"{'runner':<16} {'action':<9} {'flags':<28} {'last week':>9} {'days':>5}  summary")
    for i in items:
        a = i["assessment"]
        action = (i["action"] or "-") + ("*" if a and a["overridden"] else "")
        click.echo(
            f"{i['runner']:<16} {action:<9} {', '.join(i['flags']) or '-':<28} "
            f"{i['last_week'] if i['last_week'] is not None else '-':>9} {i['days_since_entry']:>5}  "
            f"{(a or {}).get('summary') or ''}"
        )
    if any(i["assessment"] and i["assessment"]["overridden"] for i in items):
        click.echo("* overridden by a physiotherapist")


@click.command("report")
@click.argument("runner_id", metavar="ID")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write.")
@click.pass_context
@_input_errors()
def report_cmd(ctx: click.Context, runner_id: str, out: str) -> None:
    """Write runner ID's progress report: one self-contained HTML file with charts (no network)."""
    from footcoach import service
    from footcoach.cli.output import write_output

    write_output(out, service.report_html(_db(ctx), runner_id))
    click.echo(f"wrote {out}")


def register(group: click.Group) -> None:
    """Add the database commands to the main group."""
    for command in (runner_group, diary_group, history_cmd, override_cmd, caseload_cmd, report_cmd):
        group.add_command(command)
