"""The ``footcoach`` command line.

Machine output goes to stdout, prompts and errors to stderr.  Exit codes are named once, in
:mod:`footcoach.common.exits`: 0 done, 1 a check found problems, 2 bad input or usage, 70 a bug.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from footcoach.cli.options import FileName
from footcoach.common.errors import BadInput
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_INTERRUPTED
from footcoach.common.startup import no_pydantic_plugins, pause_collection, resume_collection
from footcoach.common.terminal import TerminalSafeStream

# footcoach uses no pydantic plugin: looking for one (and importing the machinery that looks)
# is a cold-start cost of every command.  A user who sets PYDANTIC_DISABLE_PLUGINS keeps their choice.
no_pydantic_plugins()


class _Group(click.Group):
    """Bad input anywhere becomes exit 2 with every problem on stderr; a bug becomes one line on
    stderr and exit 70 instead of a traceback (set FOOTCOACH_DEBUG=1 to see the traceback).
    Everything printed (usage errors included) goes through a terminal-safe stream: no control
    character or escape sequence from the input reaches the terminal."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = TerminalSafeStream(saved[0]), TerminalSafeStream(saved[1])
        pause_collection()  # resumed by resolve_command unless the command does one document's work
        try:
            return super().main(*args, **kwargs)
        except BadInput as exc:  # an option of the group itself (``--db`` a folder), refused while parsing
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        finally:
            sys.stdout, sys.stderr = saved
            resume_collection()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(MODULE_OF))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in MODULE_OF:
            importlib.import_module(f"footcoach.cli.{MODULE_OF[cmd_name]}").register(self)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Ctrl-C while a command's module loads (a second or more on a busy machine): nothing has run,
        so exit 130 as Ctrl-C inside the command does, instead of click's "Aborted!" and exit 1.
        The garbage collector, paused by main, is resumed unless the command does one document's work."""
        try:
            found = super().resolve_command(ctx, args)
        except KeyboardInterrupt:
            click.echo("\nStopped: nothing was saved.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        if found[0] not in ONE_DOCUMENT_COMMANDS:
            resume_collection()
        return found

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInput as exc:
            from footcoach.cli.database import storage_problems
            from footcoach.contract.errors import InputError

            for p in storage_problems(exc) if isinstance(exc, InputError) else exc.problems:
                click.echo(f"error: {p}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.Abort, KeyboardInterrupt) as exc:
            _stopped(exc)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("FOOTCOACH_DEBUG"):
                raise
            click.echo(
                f"footcoach: internal error ({type(exc).__name__}: {exc}); please report it "
                "(FOOTCOACH_DEBUG=1 shows the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


def _stopped(exc: BaseException) -> NoReturn:
    """Ctrl-C at any prompt (click turns it into ``Abort``) or anywhere in a command: one line, exit 130,
    as ``triage`` does; the input ending at a prompt: one line, exit 2.  Storage writes in one
    transaction, so either way nothing was saved."""
    cause = exc if isinstance(exc, KeyboardInterrupt) else exc.__context__
    if isinstance(cause, EOFError):
        click.echo("\nThe input ended before every answer was given: nothing was saved.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo("\nStopped: nothing was saved.", err=True)
    sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.option(
    "--db",
    "db_path",
    type=FileName(),
    envvar="FOOTCOACH_DB",
    default=None,
    help="SQLite database file (default: in your user data folder; env FOOTCOACH_DB).",
)
@click.version_option(package_name="footcoach")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """footcoach: decision support for a runner's ankle and foot strengthening routine.

    Not a diagnosis: every assessment says so, and every referral says whom to see.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path


# Commands whose whole work is bounded by one document: the garbage collector stays paused while
# they run (common/startup.py); every other command collects as usual (``assess --batch`` resumes it).
ONE_DOCUMENT_COMMANDS = frozenset({"assess", "schema"})

# Sub-command modules register themselves on the group, on first use of one of their commands
# (``footcoach assess`` imports neither the database, nor FHIR, nor the web app).
MODULE_OF = {
    "assess": "assess",
    "schema": "assess",
    "rules": "rules",
    "triage": "triage",
    "questionnaire": "triage",
    "runner": "db",
    "diary": "db",
    "history": "db",
    "override": "db",
    "caseload": "db",
    "report": "db",
    "phase": "db",
    "db": "db",
    "plan": "plan",
    "serve": "web",
    "user": "web",
    "invite": "web",
    "export": "governance",
}
