"""``footcoach triage`` and ``footcoach questionnaire``: the runner's questionnaire in the terminal.

``triage`` asks the questions of ``knowledge/questionnaire.yaml`` (prompts on stderr), or reads
them from ``--answers FILE`` (JSON or YAML mapping question id to answer, or a FHIR
QuestionnaireResponse), then prints the assessment in a runner's words and this week's plan on
stdout (``--format json``: the assessment exactly as ``footcoach assess`` prints it).  Red flags
come first; a yes ends the questionnaire with a referral.  Ctrl-C stops with exit 130 and nothing
written.  ``questionnaire show`` lists the questions; ``questionnaire export --fhir`` writes the
FHIR Questionnaire.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from footcoach.cli.output import database_path, write_output
from footcoach.cli.text_options import check_text_options, text_options
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_INTERRUPTED
from footcoach.common.output import check_target, database_files
from footcoach.contract.errors import InputError

FORMATS = ("text", "json")
WIDTH = 100  # text layout only
SKIP = object()  # an optional question left unanswered


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent)) or indent


def _fail(problems: list[str], notes: list[str] = ()) -> None:
    for p in problems:
        click.echo(f"error: {p}", err=True)
    for n in notes:
        click.echo(_wrap(f"note: {n}"), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _questionnaire():
    from footcoach.triage.questionnaire import QuestionnaireError, default_questionnaire

    try:
        return default_questionnaire()
    except QuestionnaireError as exc:
        _fail([str(e) for e in exc.errors])


def _dump_json(data: Any) -> str:
    try:
        from footcoach.cli.assess import dump_json
    except ImportError:  # pragma: no cover - cli_assess is part of the package
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return dump_json(data)


# ---- the interactive session ----------------------------------------------------------------------


class Session:
    """One interactive questionnaire: asks with ``read(prompt)``, tells with ``say(text)``.

    ``run`` returns the parsed answers; a yes to a red flag ends it at once.  Every answer is checked
    as it is given, alone and with the answers before it; a problem re-asks the question it names."""

    def __init__(self, q, read: Callable[[str], str], say: Callable[[str], None]):
        self.q, self.read, self.say = q, read, say
        self.answers: dict[str, Any] = {}
        self.asked: set[tuple] = set()
        self.number = 0

    def ask(self, text: str, allowed, why: str, labels: dict[str, str] | None = None, intro: str | None = None) -> Any:
        """Ask until the answer is allowed; return the value, or SKIP for an optional question."""
        from footcoach.triage.questionnaire import AnswerProblem, parse_value

        if intro:
            self.say("")
            self.say(_wrap(intro, "   "))
        self.say("")
        self.say(_wrap(text))
        if labels:
            for n, option in enumerate(allowed.options, 1):
                self.say(f"   {n}. {option}" + (f" - {labels[option]}" if option in labels else ""))
        hint = allowed.hint()
        extras = [hint] if hint else []
        if not allowed.required:
            extras.append("Enter to skip")
        extras.append("? why")
        prompt = f"   [{'; '.join(extras)}] > "
        while True:
            line = self.read(prompt).strip()
            if line == "?":
                self.say(_wrap(f"Why we ask: {why}", "   "))
                continue
            if line == "":
                if allowed.required:
                    self.say(f"   An answer is needed here: {allowed.describe(labels)}.")
                    continue
                return SKIP
            try:
                return parse_value(allowed, line, labels)
            except AnswerProblem as exc:
                self.say(f"   Not allowed: {exc}. Please answer {allowed.describe(labels)}.")

    def _ask_question(self, question) -> None:
        from footcoach.triage.questionnaire import Allowed

        self.asked.add((question.id, None, None))
        if question.type == "group":
            count_allowed = Allowed("integer", lo=0)
            count = self.ask(question.text, count_allowed, question.why, intro=question.intro)
            if count is SKIP or count == 0:
                self.answers.pop(question.id, None)
                return
            entries: list[dict[str, Any]] = []
            self.answers[question.id] = entries
            for n in range(count):
                entries.append({})
                self.say("")
                self.say(f"-- {question.item or 'entry'} {n + 1} of {count} --")
                for f in question.fields:
                    self._ask_field(question, n, f)
            return
        value = self.ask(question.text, question.allowed, question.why, question.labels or None, question.intro)
        if value is SKIP:
            self.answers.pop(question.id, None)
        else:
            self.answers[question.id] = value

    def _ask_field(self, question, n: int, f) -> None:
        self.asked.add((question.id, n, f.id))
        entry = self.answers[question.id][n]
        value = self.ask(f.text, f.allowed, question.why)
        if value is SKIP:
            entry.pop(f.id, None)
        else:
            entry[f.id] = value
        self._settle()

    def _reask(self, where) -> None:
        if where.field is None:
            self._ask_question(where.question)
        else:
            self._ask_field(where.question, where.entry, where.field)

    def _settle(self, final: bool = False) -> None:
        """Re-ask while the answers given so far do not fit together (problems on asked questions)."""
        from footcoach.triage.questionnaire import answers_to_state, fill_for_referral, state_problems

        while True:
            state = answers_to_state(self.q, self.answers)
            if final and state.get("red_flags"):
                state = fill_for_referral(self.q, state)
            problem = next(
                (
                    p
                    for p in state_problems(self.q, state)
                    if p.where is not None and (final or p.where.key in self.asked)
                ),
                None,
            )
            if problem is None:
                return
            if problem.missing:
                self.say("   Your other answers need this one too.")
            else:
                self.say(_wrap(f"That does not fit with your other answers: {problem.message}.", "   "))
            self._reask(problem.where)

    def run(self) -> dict[str, Any]:
        from footcoach.triage.questionnaire import condition_holds

        self.say(_wrap(self.q.messages.intro))
        self.say("")
        self.say(_wrap(self.q.messages.red_flags_intro))
        for question in self.q.questions:
            if not condition_holds(self.q, question, self.answers):
                continue
            self._ask_question(question)
            if question.red_flag and self.answers.get(question.id) is True:
                return self.answers  # red flags first: a yes ends the questionnaire at once
            if question.type != "group":
                self._settle()
        self._settle(final=True)
        return self.answers


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
            [f"{exc}; allowed: a mapping of question id to answer (JSON or YAML) or a FHIR QuestionnaireResponse"]
        ) from None


def _answers_from_document(q, doc: Any, source: str):
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


def render_result(q, result, audience: str | None = None, plan: bool | None = None, trace: bool | None = None) -> str:
    """The triage's end in a runner's words: the referral if a red flag was reported, then the
    assessment with this week's plan (or, after a red flag, whom to see and how soon)."""
    from footcoach.cli.text_options import render_assessment
    from footcoach.triage.questionnaire import referral_text

    parts: list[str] = []
    if result.red_flags:
        parts.extend(_wrap(referral_text(q, flag)) for flag in result.red_flags)
        parts.append(render_assessment(result.assessment, audience, plan, trace, default="runner").rstrip())
        parts.append(_wrap(referral_text(q, result.red_flags[0], q.messages.referral_plan)))
    else:
        parts.append(render_assessment(result.assessment, audience, plan, trace, default="runner").rstrip())
    return "\n\n".join(parts) + "\n"


def _check_runner(db: str | None, runner_id: str) -> None:
    """Refuse an unknown runner before asking anything (the database is only read here)."""
    from footcoach.storage.store import resolve_db_path, show_runner

    path = resolve_db_path(db)
    if not Path(path).is_file():
        raise InputError(
            [
                f"runner: value {json.dumps(runner_id)}: no database at {path}; "
                "add the runner first with `footcoach runner add`"
            ]
        )
    show_runner(db, runner_id)


@click.command("triage")
@click.option(
    "--answers",
    "answers_source",
    default=None,
    metavar="FILE|-",
    help="Answers as JSON or YAML (question id -> answer) or a FHIR QuestionnaireResponse; "
    "without it the questions are asked in the terminal.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for the runner, json for programs (the assessment as `footcoach assess` prints it).",
)
@click.option(
    "--runner",
    "runner_id",
    default=None,
    help="Save the assessment for this stored runner (at the very end; nothing is saved on Ctrl-C).",
)
@click.option(
    "--save-response",
    "response_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the answers as a FHIR QuestionnaireResponse to FILE.",
)
@text_options("runner")
@click.pass_context
def triage_cmd(
    ctx: click.Context,
    answers_source: str | None,
    fmt: str,
    runner_id: str | None,
    response_out: str | None,
    audience: str | None,
    plan: bool | None,
    trace: bool | None,
) -> None:
    """Answer the runner questionnaire and get this week's plan.

    Red flags are asked first: a yes ends the questionnaire with a referral. Type ? at any
    question to see why it is asked. Bad answers in --answers: exit 2, each problem naming the
    question. Ctrl-C: exit 130, nothing written.
    """
    from footcoach.service import assess_triage
    from footcoach.triage.questionnaire import answers_to_fhir_response

    try:
        check_text_options(fmt, audience, plan, trace)
    except InputError as exc:
        _fail(exc.problems)
    q = _questionnaire()
    db = (ctx.obj or {}).get("db")
    if response_out:  # refused before any question is asked
        check_target(response_out, database_files(database_path(ctx)), "--save-response")
    try:
        if runner_id is not None:
            _check_runner(db, runner_id)
        if answers_source is not None:
            resolved = _answers_from_document(q, _read_answers(answers_source), answers_source)
            if resolved.problems:
                from footcoach.triage.questionnaire import referral_text

                _fail(resolved.problems, [referral_text(q, flag) for flag in resolved.red_flags])
            answers = resolved.answers
        else:
            try:
                answers = Session(q, _read_line, _say).run()
            except KeyboardInterrupt:
                click.echo("\nStopped: nothing was saved.", err=True)
                sys.exit(EXIT_INTERRUPTED)
            except EOFError:
                click.echo("\nThe input ended before the questionnaire was finished: nothing was saved.", err=True)
                sys.exit(EXIT_BAD_INPUT)
        known = None
        if runner_id is not None:
            from footcoach.storage.store import export_state, show_runner

            record = show_runner(db, runner_id)
            known = {"runner": record["runner"], "program": (record.get("current_report") or {}).get("program")}
            if record.get("current_report") is not None:
                known["history"] = export_state(db, runner_id).get("history", [])
        result = assess_triage(q, answers, runner_id, known)
        if result.assumed:
            click.echo(
                _wrap(
                    "note: not asked after the red flag, filled in for the assessment record only: "
                    + "; ".join(result.assumed)
                ),
                err=True,
            )
        # Everything is known now: only from here on is anything written.
        if response_out:
            write_output(response_out, _dump_json(answers_to_fhir_response(q, answers)), "--save-response")
        if runner_id is not None:
            from footcoach.storage.store import save_assessment

            save_assessment(db, runner_id, result.state, result.assessment, source="triage")
    except InputError as exc:
        _fail(exc.problems)
        return
    text = _dump_json(result.assessment) if fmt == "json" else render_result(q, result, audience, plan, trace)
    click.echo(text, nl=False)


@click.group("questionnaire")
def questionnaire_group() -> None:
    """The runner questionnaire behind `footcoach triage`: show it, export it as FHIR."""


@questionnaire_group.command("show")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json: the questions in order (id, text, type, allowed, maps_to, condition).",
)
def show_cmd(fmt: str) -> None:
    """List the questions in asking order, with what each allows and the contract field it fills."""
    from footcoach.triage.questionnaire import show_json, show_text

    q = _questionnaire()
    click.echo(_dump_json(show_json(q)) if fmt == "json" else show_text(q), nl=False)


@questionnaire_group.command("export")
@click.option(
    "--fhir",
    "fhir",
    is_flag=True,
    default=True,
    help="A FHIR R5 Questionnaire resource (JSON); the only export format, so the default.",
)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
def export_cmd(fhir: bool, out: str | None) -> None:
    """Export the questionnaire as a FHIR R5 Questionnaire (validated with fhir.resources)."""
    from footcoach.triage.questionnaire import to_fhir_questionnaire, validate_fhir

    q = _questionnaire()
    resource = to_fhir_questionnaire(q)
    problems = validate_fhir(resource)
    if problems:  # pragma: no cover - a bug in the export, not bad input
        raise click.ClickException("the FHIR export does not validate: " + "; ".join(problems))
    write_output(out, _dump_json(resource))


def register(group: click.Group) -> None:
    group.add_command(triage_cmd)
    group.add_command(questionnaire_group)
