"""``footcoach triage`` and ``footcoach questionnaire``: the runner's questionnaire in the terminal.

``triage`` asks the questions of ``knowledge/questionnaire.yaml`` page by page (prompts on
stderr; :mod:`footcoach.cli.triage_terminal` drives :class:`footcoach.triage.session.TriageSession`):
each answer is checked as it is typed, ``back`` goes to the previous question, ``?`` says why, and
a review of every answer comes before the result.  Or it reads ``--answers FILE`` (JSON or YAML
mapping question id to answer, or a FHIR QuestionnaireResponse).  It prints the assessment in a
runner's words and this week's plan on stdout (``--format json``: the assessment exactly as
``footcoach assess`` prints it).  Red flags come first; a yes ends the questionnaire with only the
stop message (whom to see, how soon, what to do meanwhile).  With ``--runner`` the stored profile
fills its questions and a different answer is asked about.  Ctrl-C stops with exit 130 and nothing
written.  ``questionnaire show`` lists the questions; ``questionnaire export --fhir`` writes the
FHIR Questionnaire.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

from footcoach.cli.database import storage_problems
from footcoach.cli.options import (
    FileName,
    db_option,
    db_path,
    format_option_with_help,
    out_option,
    rule_base_options,
    stored_runner_options,
)
from footcoach.cli.output import database_path, write_output
from footcoach.cli.text_options import check_text_options, text_options
from footcoach.cli.triage_terminal import wrap
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_INTERRUPTED
from footcoach.common.json_text import dump_json
from footcoach.common.output import check_target, database_files
from footcoach.contract.errors import InputError

if TYPE_CHECKING:
    from footcoach.inference.engine import RuleBase
    from footcoach.triage.answers import TriageResult
    from footcoach.triage.resolve import CheckedAnswers
    from footcoach.triage.spec import Questionnaire


def _fail(problems: Sequence[str], notes: Sequence[str] = ()) -> NoReturn:
    for p in problems:
        click.echo(f"error: {p}", err=True)
    for n in notes:
        click.echo(wrap(f"note: {n}"), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _questionnaire() -> Questionnaire:
    from footcoach.triage.questionnaire import QuestionnaireError, default_questionnaire

    try:
        return default_questionnaire()
    except QuestionnaireError as exc:
        _fail([str(e) for e in exc.errors])


def _questionnaire_and_rules(rules: str | None, knowledge: str | None) -> tuple[Questionnaire, RuleBase | None]:
    """The questionnaire and rule base of a triage: the shipped ones (rule base None), or those of
    these folders (the knowledge folder's own questionnaire, checked against its knowledge base)."""
    if rules is None and knowledge is None:
        return _questionnaire(), None
    from pathlib import Path

    from footcoach.common.documents import DataFileError
    from footcoach.inference.engine import rulebase_for
    from footcoach.knowledge.base import KnowledgeError
    from footcoach.rulebook.loader import RuleBaseError
    from footcoach.triage.questionnaire import QUESTIONNAIRE_FILE, QuestionnaireError, load_questionnaire

    try:
        rb = rulebase_for(rules, knowledge)
        return load_questionnaire(Path(knowledge) / QUESTIONNAIRE_FILE if knowledge else None, rb.kb), rb
    except (KnowledgeError, RuleBaseError, QuestionnaireError) as exc:
        _fail([str(e) for e in exc.errors])
    except DataFileError as exc:
        _fail([str(exc)])


# ---- the interactive session ----------------------------------------------------------------------


@contextmanager
def _ctrl_c_stops() -> Iterator[None]:
    """Ctrl-C anywhere inside: "Stopped: nothing was saved." and exit 130 (nothing is written inside).

    SIGINT raises KeyboardInterrupt here even when footcoach was started with SIGINT ignored (a
    program started with ``&`` by a shell without job control inherits it ignored): the session tells
    the runner that Ctrl-C stops it at any time, so Ctrl-C must not be lost while it waits for an answer.
    The previous handling is restored on the way out."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    except KeyboardInterrupt:
        click.echo("\nStopped: nothing was saved.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _ask_in_terminal(q: Questionnaire, record: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The answers typed in the terminal, and the red flags that stopped it (if any)."""
    from footcoach.cli.triage_terminal import Terminal
    from footcoach.triage.session import TriageSession

    session = TriageSession(q, record=record)
    try:
        Terminal(session, _read_line, _say).run()
    except EOFError:
        click.echo("\nThe input ended before the questionnaire was finished: nothing was saved.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    return session.answers, session.flags


def _read_line(prompt: str) -> str:
    click.echo(prompt, err=True, nl=False)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _say(text: str) -> None:
    click.echo(text, err=True)


# ---- reading an answers file ----------------------------------------------------------------------


def _read_answers(source: str) -> Any:
    """Parse FILE or ``-`` (stdin) with the one document reader (JSON, else YAML); InputError on failure."""
    from footcoach.common.documents import DataFileError, read_document

    try:
        return read_document(source)
    except DataFileError as exc:
        raise InputError(
            [exc.saying_allowed("a mapping of question id to answer (JSON or YAML) or a FHIR QuestionnaireResponse")]
        ) from None


def _answers_from_document(q: Questionnaire, doc: Any, source: str) -> CheckedAnswers:
    """Resolved answers of an answers document or a FHIR QuestionnaireResponse."""
    from footcoach.triage.questionnaire import answers_from_fhir_response, resolve_answers

    if isinstance(doc, dict) and "resourceType" in doc:
        if doc["resourceType"] != "QuestionnaireResponse":
            raise InputError(
                [
                    f"{source}: resourceType: value {json.dumps(doc['resourceType'])}: not an answer; "
                    f"allowed: QuestionnaireResponse (to {q.canonical()})"
                ]
            )
        doc = answers_from_fhir_response(q, doc, source=source)
    return resolve_answers(q, doc, source=source)


# ---- output ---------------------------------------------------------------------------------------


def render_result(
    q: Questionnaire,
    result: TriageResult,
    audience: str | None = None,
    plan: bool | None = None,
    trace: bool | None = None,
) -> str:
    """The triage's end in a runner's words: the assessment with this week's plan; after a red flag
    only the stop (what was reported, whom to see, how soon, what to do meanwhile), nothing else."""
    from footcoach.cli.text_options import render_assessment
    from footcoach.triage.answers import red_flag_stops

    stops = "\n\n".join(wrap(stop.message) for stop in red_flag_stops(q, result.red_flags))
    if result.red_flags and audience != "physio":
        return stops + "\n"
    text = render_assessment(result.assessment, audience, plan, trace, default="runner").rstrip()
    return (f"{stops}\n\n{text}" if stops else text) + "\n"


def _check_runner(db: str | None, runner_id: str) -> dict[str, Any]:
    """The stored runner's record; an unknown runner is refused before anything is asked (read only)."""
    from footcoach.service import read
    from footcoach.storage.runners import show_runner

    return read(db, show_runner, runner_id)


def _record_notes(q: Any, answers: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    """An answers file that contradicts the stored profile: one note each (the answer is used)."""
    from footcoach.triage.session import shown

    notes = []
    for question in q.questions:
        key = (question.maps_to or "").removeprefix("runner.")
        stored, given = profile.get(key), answers.get(question.id)
        if question.maps_to == f"runner.{key}" and stored is not None and given is not None and given != stored:
            notes.append(
                f"{question.id}: answered {shown(given)}, the runner's record says {shown(stored)}; "
                "the answer is used for this assessment"
            )
    return notes


def _record(db: str | None, runner_id: str, state: dict[str, Any], assessment: dict[str, Any], record: bool) -> None:
    """Store the triage assessment for a stored runner unless nothing changed; say which on stderr."""
    from footcoach.service import record_triage

    look = record_triage(db, runner_id, state, assessment, record=record)
    if look["recorded"]:
        click.echo(f"recorded as assessment #{look['assessment_id']}: {look['reason']}", err=True)
    else:
        click.echo(f"not recorded: {look['reason']} (--record records it anyway)", err=True)


@click.command("triage")
@click.option(
    "--answers",
    "answers_source",
    default=None,
    metavar="FILE|-",
    help="Answers as JSON or YAML (question id -> answer) or a FHIR QuestionnaireResponse; "
    "without it the questions are asked in the terminal.",
)
@format_option_with_help("text for the runner, json for programs (the assessment as `footcoach assess` prints it).")
@stored_runner_options(
    "Save the assessment for this stored runner (at the very end; nothing is saved on Ctrl-C), when "
    "the answers or the rule base changed since its latest assessment (or with --record).",
    "With --runner: record the assessment even when nothing changed.",
)
@click.option(
    "--save-response",
    "response_out",
    type=FileName(),
    default=None,
    help="Also write the answers as a FHIR QuestionnaireResponse to FILE.",
)
@rule_base_options(
    "Rule folder to assess with (default: the shipped rules).",
    "Knowledge folder to ask and assess with (default: the shipped knowledge): its questionnaire.yaml is "
    "asked and the answers are checked against it.",
)
@text_options("runner")
@db_option
@click.pass_context
def triage_cmd(
    ctx: click.Context,
    answers_source: str | None,
    fmt: str,
    runner_id: str | None,
    record: bool,
    response_out: str | None,
    rules: str | None,
    knowledge: str | None,
    audience: str | None,
    plan: bool | None,
    trace: bool | None,
) -> None:
    """Answer the runner questionnaire and get this week's plan.

    Red flags are asked first: a yes ends the questionnaire with a referral. Type ? at any
    question to see why it is asked. Bad answers in --answers: exit 2, each problem naming the
    question. Ctrl-C: exit 130, nothing written.
    """
    with _ctrl_c_stops():  # nothing is written inside
        from footcoach.service import assess_triage
        from footcoach.triage.questionnaire import answers_to_fhir_response

        try:
            check_text_options(fmt, audience, plan, trace)
            if (rules or knowledge) and runner_id:
                raise InputError(
                    ["--rules/--knowledge: not with --runner (a stored runner is assessed with the shipped rules)"]
                )
        except InputError as exc:
            _fail(exc.problems)
        q, rb = _questionnaire_and_rules(rules, knowledge)
        db = db_path(ctx)
        if response_out:  # refused before any question is asked
            check_target(response_out, database_files(database_path(ctx)), "--save-response")
        try:
            stored = _check_runner(db, runner_id) if runner_id is not None else None
            profile = (stored or {}).get("runner") or {}
            if answers_source is not None:
                resolved = _answers_from_document(q, _read_answers(answers_source), answers_source)
                if resolved.problems:
                    from footcoach.triage.questionnaire import referral_text

                    _fail(resolved.problems, [referral_text(q, flag) for flag in resolved.red_flags])
                answers = resolved.answers
                for note in _record_notes(q, answers, profile):
                    click.echo(wrap(f"note: {note}"), err=True)
            else:
                answers, _ = _ask_in_terminal(q, profile)
            known = None
            if runner_id is not None and stored is not None:
                from footcoach.service import export_state

                known = {"runner": profile, "program": (stored.get("current_report") or {}).get("program")}
                if stored.get("current_report") is not None:
                    known["history"] = export_state(db, runner_id).get("history", [])
            # What was filled in after a red flag (result.assumed) stays in the record, never shown.
            result = assess_triage(q, answers, runner_id, known, rb)
        except InputError as exc:
            _fail(storage_problems(exc))
            return
    # Everything is known now: only from here on is anything written.
    try:
        if response_out:
            write_output(response_out, dump_json(answers_to_fhir_response(q, answers)), "--save-response")
        if runner_id is not None:
            _record(db, runner_id, result.state, result.assessment, record)
    except InputError as exc:
        _fail(storage_problems(exc))
        return
    text = dump_json(result.assessment) if fmt == "json" else render_result(q, result, audience, plan, trace)
    click.echo(text, nl=False)


@click.group("questionnaire")
def questionnaire_group() -> None:
    """The runner questionnaire behind `footcoach triage`: show it, export it as FHIR."""


@questionnaire_group.command("show")
@format_option_with_help("text for people; json: the questions in order (id, text, type, allowed, maps_to, condition).")
def show_cmd(fmt: str) -> None:
    """List the questions in asking order, with what each allows and the contract field it fills."""
    from footcoach.triage.questionnaire import show_json, show_text

    q = _questionnaire()
    click.echo(dump_json(show_json(q)) if fmt == "json" else show_text(q), nl=False)


@questionnaire_group.command("export")
@click.option(
    "--fhir",
    "fhir",
    is_flag=True,
    default=True,
    help="A FHIR R5 Questionnaire resource (JSON); the only export format, so the default.",
)
@out_option
def export_cmd(fhir: bool, out: str | None) -> None:
    """Export the questionnaire as a FHIR R5 Questionnaire (validated with fhir.resources)."""
    from footcoach.triage.questionnaire import to_fhir_questionnaire, validate_fhir

    q = _questionnaire()
    resource = to_fhir_questionnaire(q)
    problems = validate_fhir(resource)
    if problems:  # pragma: no cover - a bug in the export, not bad input
        raise click.ClickException("the FHIR export does not validate: " + "; ".join(problems))
    write_output(out, dump_json(resource))


def register(group: click.Group) -> None:
    group.add_command(triage_cmd)
    group.add_command(questionnaire_group)
