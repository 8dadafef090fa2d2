"""The database commands: ``runner``, ``diary``, ``history``, ``override``, ``phase``, ``caseload``,
``report`` and ``db``.  Each accepts ``--db`` after the subcommand as well as before it; bad input exits 2
with one line per problem on stderr, naming the option; nothing is written then."""

from __future__ import annotations

import click

from footcoach.cli.audit import caseload_cmd, history_cmd, override_cmd, phase_cmd, report_cmd
from footcoach.cli.database import db_group
from footcoach.cli.diary import diary_group
from footcoach.cli.runners import runner_group


def register(group: click.Group) -> None:
    """Add the database commands to the main group."""
    for command in (
        runner_group,
        diary_group,
        history_cmd,
        override_cmd,
        phase_cmd,
        caseload_cmd,
        report_cmd,
        db_group,
    ):
        group.add_command(command)
