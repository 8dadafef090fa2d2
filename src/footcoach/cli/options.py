"""The click options, arguments and decorator stacks the commands share, each defined once.

``--db`` (accepted before and after the subcommand) and :func:`db_path`, ``--format``, ``--out``,
``--rules``/``--knowledge``, ``--runner``/``--record``, ``--by``, ``--reason`` and the runner ``ID``
argument.  Help texts a
command words its own way are passed in; the option itself stays one.  The stack every database
command ends with is :func:`footcoach.cli.database.database_command`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from footcoach.common.errors import BadInput

FORMATS = ("text", "json")
ENV_DB = "FOOTCOACH_DB"
FORMAT_HELP = "text for people, json for programs."
OUT_HELP = "Write to FILE instead of stdout."

F = TypeVar("F", bound=Callable[..., Any])


class FileName(click.ParamType):
    """A file footcoach reads or writes: a folder is refused in the project's form (``error: --out:
    value "/tmp": is a folder; allowed: ...``, exit 2) instead of click's usage error.  Every other
    check (symbolic links, devices, FIFOs, the database itself) is the reader's or writer's."""

    name = "file"

    def __init__(self, allow_dash: bool = False):
        self.allow_dash = allow_dash

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "FILE|-" if self.allow_dash else "FILE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = os.fspath(value)
        if isinstance(text, bytes):
            text = os.fsdecode(text)
        if not (self.allow_dash and text == "-") and os.path.isdir(text):
            where = (
                param.opts[0] if isinstance(param, click.Option) else (param.human_readable_name if param else "FILE")
            )
            raise BadInput(
                [f"{where}: value {json.dumps(text, ensure_ascii=False)}: is a folder; allowed: a file name"]
            )
        return text


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)
        ctx.find_root().ensure_object(dict)
        ctx.find_root().obj["db"] = value


def db_option(fn: F) -> F:
    """``--db FILE`` after the subcommand too (it wins over one given before)."""
    return click.option(
        "--db",
        type=FileName(),
        expose_value=False,
        callback=_remember_db,
        is_eager=True,
        help=f"SQLite database file (default: in your user data folder; env {ENV_DB}).",
    )(fn)


def db_path(ctx: click.Context) -> str | None:
    """The ``--db`` given before or after the subcommand (None: ``$FOOTCOACH_DB`` or the default)."""
    obj = ctx.find_root().obj or {}
    db: str | None = obj.get("db")
    return db


def format_option_with_help(help_text: str | None, formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """``--format text|json`` (the value arrives as ``fmt``), with this command's own help."""
    return click.option(
        "--format", "fmt", type=click.Choice(formats), default="text", show_default=True, help=help_text
    )


def format_option(fn: F) -> F:
    """``--format text|json``: text for people, json for programs."""
    return format_option_with_help(FORMAT_HELP)(fn)


def out_option(fn: F) -> F:
    """``--out FILE``: write there instead of stdout."""
    return click.option("--out", type=FileName(), default=None, help=OUT_HELP)(fn)


def rule_base_options(rules_help: str, knowledge_help: str) -> Callable[[F], F]:
    """``--rules DIR`` and ``--knowledge DIR``: existing folders (the values arrive as ``rules`` and
    ``knowledge``; None: the shipped ones)."""

    def decorate(fn: F) -> F:
        folder = click.Path(exists=True, file_okay=False)
        fn = click.option("--knowledge", type=folder, default=None, help=knowledge_help)(fn)
        return click.option("--rules", type=folder, default=None, help=rules_help)(fn)

    return decorate


def stored_runner_options(runner_help: str, record_help: str) -> Callable[[F], F]:
    """``--runner ID`` (a stored runner; the value arrives as ``runner_id``) and ``--record`` (record
    the assessment even when nothing changed since the runner's latest one)."""

    def decorate(fn: F) -> F:
        fn = click.option("--record", is_flag=True, help=record_help)(fn)
        return click.option("--runner", "runner_id", default=None, help=runner_help)(fn)

    return decorate


def by_option(help_text: str) -> Callable[[F], F]:
    """``--by NAME``: who made a change (the value arrives as ``author``)."""
    return click.option("--by", "author", default=None, help=help_text)


def reason_option(help_text: str, *, required: bool) -> Callable[[F], F]:
    """``--reason TEXT``: why, kept in the audit trail."""
    optional: dict[str, Any] = {} if required else {"default": None}
    return click.option("--reason", required=required, help=help_text, **optional)


def runner_id_argument(fn: F) -> F:
    """The runner ``ID`` argument (the value arrives as ``runner_id``)."""
    return click.argument("runner_id", metavar="ID")(fn)
