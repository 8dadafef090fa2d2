"""Where a command's output goes: stdout, or a file written by :func:`footcoach.common.output.write_file`
that never overwrites the database the command was given (``--db``/``FOOTCOACH_DB``/default)."""

from __future__ import annotations

import click

from footcoach.common.output import database_files, write_file


def database_path(ctx: click.Context | None) -> str | None:
    """The database this invocation uses (resolved like the storage layer does), for protection."""
    from footcoach.storage.connection import resolve_db_path

    root = ctx.find_root() if ctx is not None else None
    db = (root.obj or {}).get("db") if root is not None else None
    return str(resolve_db_path(db))


def write_output(out: str | None, text: str, option: str = "--out") -> None:
    """Print ``text`` on stdout (no FILE, or ``-``), or write it to FILE whole and owner-only.

    Refusals (the database, a link, a missing folder, ...) are ``OutputError``: exit 2, nothing written."""
    if out is None or out == "-":
        click.echo(text, nl=False)
        return
    ctx = click.get_current_context(silent=True)
    write_file(out, text, protect=database_files(database_path(ctx)), option=option)
