"""What every database command shares: the wording of storage's errors in this command line's terms
(exit 2, one line per problem), JSON output, and the ``db`` group (``db check``, ``db backup``).  The
options they share (``--db``, ``--format``, ...) are in :mod:`footcoach.cli.options`."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, cast

import click

from footcoach.cli.options import F, FileName, db_option, db_path, format_option
from footcoach.common.exits import EXIT_BAD_INPUT
from footcoach.common.json_text import dump_json
from footcoach.common.terminal import escape_user
from footcoach.contract.errors import InputError

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
    "action": "--action",
    "reason": "--reason",
}


def _name_option(line: str) -> str:
    """``pain.during: value 12: ...`` -> ``--pain-during (pain.during): value 12: ...``."""
    field, sep, rest = line.partition(":")
    option = "--red-flag" if field.startswith("red_flags") else FIELD_OPTIONS.get(field)
    return f"{option} ({field}){sep}{rest}" if option and sep else line


def storage_problems(exc: InputError) -> list[str]:
    """Storage's error in this command line's words (any other input error as it is).  Storage is
    imported only when it was loaded: ``assess FILE`` never loads it."""
    if "footcoach.storage.errors" not in sys.modules:
        return exc.problems
    from footcoach.storage.errors import Conflict, DatabaseUnusable, NotFound, StorageError

    if not isinstance(exc, StorageError):
        return exc.problems
    if isinstance(exc, DatabaseUnusable):
        if exc.path == "":
            return ['--db: value "": empty; allowed: a database file name']
        if exc.path.startswith("$"):
            return [f"{exc.path.removeprefix('$')}: {exc.reason}"]
        hint = " (run 'footcoach db check' to see what is wrong; restore a backup if it is damaged)"
        return [f"--db: {exc.path}: {exc.reason}" + (hint if exc.damaged else "")]
    if isinstance(exc, NotFound):
        missing = _missing_database()
        if exc.kind == "runner" and missing:
            return [f"{exc.kind}: value {json.dumps(exc.value)}: no database at {missing}; add the runner first"]
        hints = {
            "runner": "add one with `footcoach runner add`",
            "assessment": "allowed: an id from `footcoach history RUNNER`",
            "week": "allowed: a week in `footcoach diary list RUNNER`",
        }
        return [f"{exc.problems[0]}; {hints.get(exc.kind, '')}".rstrip("; ")]
    if isinstance(exc, Conflict):
        extra = {
            "week": " (or --replace to overwrite it)",
            "runner": " (--replace for an import, --erase for a delete)" if exc.allowed else "",
            "assessment": " (footcoach phase ID --set N --reason TEXT)",
        }
        return [exc.problems[0] + extra.get(exc.kind, "")]
    return exc.problems


def _missing_database() -> str | None:
    """The database file this invocation names, when it does not exist (a look never creates it)."""
    from footcoach.storage.connection import resolve_db_path

    ctx = click.get_current_context(silent=True)
    try:
        path = resolve_db_path(db_path(ctx) if ctx is not None else None)
    except InputError:
        return None
    return None if path.exists() else str(path)


def fail(problems: list[str], name_options: bool = False) -> None:
    for line in problems:
        click.echo(f"error: {_name_option(line) if name_options else line}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def input_errors(name_options: bool = False) -> Callable[[F], F]:
    """Turn storage and input errors into exit 2 with one line per problem on stderr, nothing on stdout."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                fail(storage_problems(exc), name_options)

        return cast(F, inner)

    return wrap


def database_command(*, with_format: bool = True, name_options: bool = False) -> Callable[[F], F]:
    """The end of every database command's stack: ``--db``, ``--format`` (unless ``with_format`` is
    false), the click context as first argument, and input and storage errors as exit 2 (naming the
    option of each field with ``name_options``).  Options listed above it come first in ``--help``."""

    def decorate(fn: F) -> F:
        command: Any = click.pass_context(input_errors(name_options)(fn))  # click passes ctx first
        if with_format:
            command = format_option(command)
        return cast(F, db_option(command))

    return decorate


def emit_json(data: Any) -> None:
    click.echo(dump_json(data), nl=False)


@click.group("db")
def db_group() -> None:
    """The database file itself: check it, back it up."""


@db_group.command("check")
@database_command()
def db_check(ctx: click.Context, fmt: str) -> None:
    """Check the database: SQLite integrity check, schema version, row counts.  Exit 1 when it finds a
    problem; the file is opened read-only and never changed."""
    from footcoach.storage.maintenance import check

    report = check(db_path(ctx))
    if fmt == "json":
        emit_json(report)
    else:
        click.echo(f"database: {report['file']}")
        click.echo(f"schema version: {report['schema_version']} (this footcoach: {report['expected_schema_version']})")
        for table, n in report["rows"].items():
            click.echo(f"  {table:<12} {n}")
        click.echo("integrity: ok" if report["ok"] else "problems:")
        for p in report["problems"]:
            click.echo(f"  {p}")
    if not report["ok"]:
        sys.exit(1)


@db_group.command("backup")
@click.argument("file", type=FileName())
@database_command(with_format=False)
def db_backup(ctx: click.Context, file: str) -> None:
    """Copy the database to FILE with SQLite's online backup API: a consistent copy even while others
    write, owner-only (0600)."""
    from footcoach.storage.errors import DatabaseUnusable
    from footcoach.storage.maintenance import backup

    try:
        out = backup(db_path(ctx), file)
    except DatabaseUnusable as exc:
        if exc.path == file or exc.path == str(file):
            raise InputError([f"FILE: {exc.path}: {exc.reason}"]) from None
        raise
    except OSError as exc:
        raise InputError([f"FILE: {file}: cannot write it: {exc.strerror}"]) from None
    click.echo(f"backed up to {escape_user(out)}")


def refuse_database_as_output(db: str | None, out: str) -> None:
    """InputError when ``--out`` is the database file (or its WAL/SHM companions), by name or by
    device and inode: writing there would destroy every runner's records."""
    import os
    from pathlib import Path

    from footcoach.storage.connection import resolve_db_path

    database = resolve_db_path(db)
    target = Path(out)
    for candidate in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        same = target.resolve() == candidate.resolve()
        if not same and target.exists() and candidate.exists():
            same = os.path.samefile(target, candidate)
        if same:
            raise InputError(
                [f"--out: value {json.dumps(str(out))}: that is the footcoach database; allowed: any other file"]
            )
