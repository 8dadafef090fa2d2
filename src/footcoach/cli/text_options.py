"""The options every command that prints an assessment as text shares: whose words, plan, trace.

``--for runner`` speaks to the runner (no trace by default, no rule ids); ``--plan/--no-plan`` and
``--trace/--no-trace`` add or leave out this week's plan and the reasoning trace.  With
``--format json`` these options do not apply and are refused rather than silently ignored: JSON
is the one full record for programs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from footcoach.cli.options import F
from footcoach.contract.errors import InputError

AUDIENCES = ("physio", "runner")


def text_options(default_audience: str = "physio") -> Callable[[F], F]:
    """Add ``--for``, ``--plan/--no-plan`` and ``--trace/--no-trace`` to a command."""

    def decorate(f: F) -> F:
        f = click.option(
            "--trace/--no-trace",
            default=None,
            help="Add why not a stronger action and the rule trace (default: for the physio only).",
        )(f)
        f = click.option("--plan/--no-plan", default=None, help="Add this week's plan (default: yes).")(f)
        f = click.option(
            "--for",
            "audience",
            type=click.Choice(AUDIENCES),
            default=None,
            help=f"Whose words the text uses: physio or runner (default: {default_audience}).",
        )(f)
        return f

    return decorate


def check_text_options(fmt: str, audience: str | None, plan: bool | None, trace: bool | None) -> None:
    """Refuse text-only options with ``--format json`` (exit 2), naming each one."""
    if fmt == "text":
        return
    given = [
        name
        for name, value in (
            (f"--for {audience}", audience),
            ("--plan/--no-plan", plan),
            ("--trace/--no-trace", trace),
        )
        if value is not None
    ]
    if given:
        raise InputError(
            [
                f"{g}: applies to --format text only; allowed with --format {fmt}: none of "
                "--for, --plan, --trace (JSON is the full record: the runner's words are in "
                "recommendations[].runner)"
                for g in given
            ]
        )


def render_assessment(
    assessment: dict[str, Any], audience: str | None, plan: bool | None, trace: bool | None, default: str = "physio"
) -> str:
    """The assessment as text with the options resolved (width: the terminal's)."""
    from footcoach.service import render_text

    return render_text(assessment, audience or default, plan=True if plan is None else plan, trace=trace)
