"""``footcoach assess``: one runner's state in, one explained assessment out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from .errors import EXIT_BAD_INPUT, InputError

FORMATS = ("text", "json")


def dump_json(data: Any) -> str:
    """The one JSON rendering used on stdout (stable key order, UTF-8)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_document(source: str) -> Any:
    """Parse FILE (JSON or YAML by content) or ``-`` (JSON on stdin); raise InputError on failure."""
    if source == "-":
        text = sys.stdin.read()
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([f"(stdin): not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}; "
                              "allowed: a JSON runner state (YAML only from a file)"]) from None
    path = Path(source)
    if not path.is_file():
        raise InputError([f"{source}: no such file; allowed: a JSON or YAML runner state, or - for stdin"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([f"{source}: cannot be read ({exc}); allowed: a UTF-8 JSON or YAML file"]) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([f"{source}:{exc.lineno}: not valid JSON (column {exc.colno}: {exc.msg})"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise InputError([f"{where}: not valid YAML or JSON ({getattr(exc, 'problem', exc)})"]) from None


def write_output(out: str | None, text: str) -> None:
    """Write text to stdout, or to FILE whole (a temporary file renamed: never half-written)."""
    if not out:
        click.echo(text, nl=False)
        return
    tmp = Path(out).with_name(Path(out).name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def fail(problems: list[str]) -> None:
    """Report bad input on stderr and exit 2; nothing goes to stdout."""
    for p in problems:
        click.echo(f"error: {p}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def emit(assessment: dict[str, Any], fmt: str, audience: str = "physio") -> None:
    from .api import render_text

    click.echo(dump_json(assessment) if fmt == "json" else render_text(assessment, audience), nl=False)


@click.command("assess")
@click.argument("source", required=False, metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for programs.")
@click.option("--runner", "runner_id", default=None,
              help="Assess a stored runner from the diary database instead of a file (saved to the audit trail).")
@click.option("--for", "audience", type=click.Choice(["physio", "runner"]), default="physio", show_default=True,
              help="Whose words the text format uses.")
@click.pass_context
def assess_cmd(ctx: click.Context, source: str | None, fmt: str, runner_id: str | None, audience: str) -> None:
    """Assess one runner's state (JSON or YAML FILE, or - for JSON on stdin).

    Prints the action (refer, regress, hold or progress), the phase to train in next, the
    recommendations, and the explanation trace. Bad input: exit 2, every problem on stderr.
    """
    from .api import assess_document

    try:
        if runner_id is not None:
            if source is not None:
                raise InputError([f"FILE: value {source!r}: give either FILE or --runner, not both"])
            from .store import assess_runner

            assessment = assess_runner((ctx.obj or {}).get("db"), runner_id)
        elif source is None:
            raise InputError(["FILE: missing; allowed: a JSON or YAML state file, - for stdin, or --runner ID"])
        else:
            assessment = assess_document(read_document(source))
    except InputError as exc:
        fail(exc.problems)
        return
    emit(assessment, fmt, audience)




@click.command("schema")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
def schema_cmd(out: str | None) -> None:
    """Print the JSON Schema of a runner's state (the assessment input)."""
    from .models import state_json_schema

    write_output(out, dump_json(state_json_schema()))


def register(group: click.Group) -> None:
    group.add_command(assess_cmd)
    group.add_command(schema_cmd)
