"""The ``footcoach`` command line.

Machine output goes to stdout, prompts and errors to stderr.  Exit codes are named constants in
:mod:`footcoach.errors`: 0 done, 1 a check found problems, 2 bad input.
"""

from __future__ import annotations

import importlib
import sys

import click

from .errors import EXIT_BAD_INPUT


class _Group(click.Group):
    """Turn a click usage error into exit 2 with the message on stderr (click does that already),
    and make sure no traceback ever reaches a user for bad input."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False), envvar="FOOTCOACH_DB", default=None,
              help="SQLite database file (default: in your user data folder; env FOOTCOACH_DB).")
@click.version_option(package_name="footcoach")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """footcoach: decision support for a runner's ankle and foot strengthening routine.

    Not a diagnosis: every assessment says so, and every referral says whom to see.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path


# Sub-command modules register themselves on the group.
for _name in ("cli_assess", "cli_rules", "cli_triage", "cli_db"):
    try:
        importlib.import_module(f"footcoach.{_name}").register(main)
    except ModuleNotFoundError as exc:  # pragma: no cover - only while a module is being written
        if exc.name != f"footcoach.{_name}":
            raise

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
