"""Gherkin scenarios for the runner triage: features/triage.feature.

A scenario types answers into `footcoach triage` (click's CliRunner, one line per answer, in the
order of the table) or hands it an answers file, then checks what the runner was asked and what
the triage printed: the text for the runner and, run again with `--format json`, the assessment.
The `question` column names the question each line answers; the steps check that the questions
were asked in that order, so a table cannot drift from the questionnaire.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pytest_bdd import given, parsers, scenarios, then, when

from footcoach.cli import main
from footcoach.render.text import decision_line
from footcoach.triage.questionnaire import answers_to_state, default_questionnaire, resolve_answers

scenarios("triage.feature")

Q = default_questionnaire()


@pytest.fixture
def session() -> dict[str, Any]:
    return {"rows": [], "file": None}


def _prompt_text(qid: str) -> str:
    """The first words of what the terminal shows for a question id or a group field (``shoes.km``)."""
    group, _, field = qid.partition(".")
    question = Q.question(group)
    return (question.field(field).text if field else question.text)[:40]


def _answers_from_rows(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """The typed table as an answers mapping (group fields collected into entries)."""
    answers: dict[str, Any] = {}
    for qid, answer in rows:
        group, _, field = qid.partition(".")
        if field:
            entries = answers.setdefault(group, [])
            if not entries or field in entries[-1]:
                entries.append({})
            if answer != "":
                entries[-1][field] = answer
        elif answer != "" and Q.question(qid).type != "group":
            answers[qid] = answer
    return answers


@given("a runner at the terminal")
def at_the_terminal(session):
    session["rows"] = []


@given(parsers.parse('they answer "{answer}" to every red-flag question'))
def every_red_flag(session, answer):
    session["rows"].extend((q.id, answer) for q in Q.questions if q.red_flag)


@given("they type:")
def they_type(session, datatable):
    header, *rows = datatable
    assert header == ["question", "answer"]
    session["rows"].extend((q.strip(), a.strip()) for q, a in rows)


@given("a runner's answers file:")
def answers_file(session, docstring, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(docstring, encoding="utf-8")
    session["file"] = str(path)
    session["answers"] = yaml.safe_load(docstring)


def _run(args: list[str], text_input: str | None = None):
    return CliRunner().invoke(main, args, input=text_input)


@when("the triage runs")
def triage_runs(session):
    typed = "".join(f"{answer}\n" for _, answer in session["rows"])
    session["text"] = _run(["triage"], typed)
    session["json"] = _run(["triage", "--format", "json"], typed)
    for result in (session["text"], session["json"]):
        assert result.exit_code == 0, result.stderr
    session["answers"] = _answers_from_rows(session["rows"])
    # The questions were asked in the order of the table.
    prompts, at = session["text"].stderr, 0
    for qid, _ in session["rows"]:
        found = prompts.find(_prompt_text(qid), at)
        assert found >= 0, f"{qid} was not asked where the table says (after position {at})"
        at = found


@when("the triage runs on the answers file")
def triage_runs_on_file(session):
    session["text"] = _run(["triage", "--answers", session["file"]])
    session["json"] = _run(["triage", "--answers", session["file"], "--format", "json"])
    for result in (session["text"], session["json"]):
        assert result.exit_code == 0, result.stderr


def _assessment(session) -> dict[str, Any]:
    return json.loads(session["json"].stdout)


def _flat(text: str) -> str:
    return " ".join(text.split())


@then(parsers.parse('they were not asked "{qid}"'))
def not_asked(session, qid):
    assert _prompt_text(qid) not in session["text"].stderr


@then(parsers.parse('they are told it may mean "{words}"'))
def told_meaning(session, words):
    assert f"This may mean {words}" in _flat(session["text"].stdout)


@then(parsers.parse('they are told to see "{whom}" "{how_soon}"'))
def told_whom(session, whom, how_soon):
    assert f"Please see {whom}, {how_soon}." in _flat(session["text"].stdout)


@then(parsers.parse('the action is "{action}" and they train in phase {phase:d} next'))
def action_and_phase(session, action, phase):
    a = _assessment(session)
    assert (a["action"], a["phase"]["next"]) == (action, phase)
    assert decision_line(a, "runner") in _flat(session["text"].stdout)


@then(parsers.parse('they are told what to do meanwhile: "{words}"'))
def told_meanwhile(session, words):
    assert f"Until then: {words}." in _flat(session["text"].stdout)


@then("they see only the stop message: no decision, no phase, no plan, nothing filled in for the record")
def only_the_stop(session):
    out, err = session["text"].stdout, session["text"].stderr
    assert out.startswith("Please stop here.")
    after_the_yes = err[err.rindex("> ") :]  # what the terminal showed after the last answer
    for internal in ("Action:", "REFER", "phase", "This week's plan", "runner.age", "norm", "filled in", "note:"):
        assert internal not in out and internal not in after_the_yes, internal


@then(parsers.parse('the assessment on record is "{action}"'))
def on_record(session, action):
    assert _assessment(session)["action"] == action


@then(parsers.parse("this week's plan for phase {phase:d} follows the summary and the text ends with the decision"))
def plan_then_decision(session, phase):
    out = session["text"].stdout
    start = out.rindex(f"This week's plan: phase {phase},")
    assert "Why:" in out[:start]
    decision = decision_line(_assessment(session), "runner")
    assert _flat(out).startswith(decision) and _flat(out).endswith(decision)


@then(parsers.parse('the plan has the key heel raise "{words}"'))
def key_heel_raise(session, words):
    assert _assessment(session)["plan"]["heel_raise_dosing"]["both_legs"] is True
    plan_text = session["text"].stdout.split("This week's plan: phase", 1)[1]
    assert words in _flat(plan_text)


@then(parsers.parse('there is a "{kind}" recommendation'))
def has_kind(session, kind):
    assert kind in [r["kind"] for r in _assessment(session)["recommendations"]]


@then("the triage agrees with footcoach assess on the same state")
def agrees_with_assess(session, tmp_path):
    resolved = resolve_answers(Q, session["answers"])
    assert not resolved.problems, resolved.problems
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(answers_to_state(Q, resolved.answers)))
    assessed = _run(["assess", str(state_file), "--format", "json"])
    assert assessed.exit_code == 0, assessed.stderr
    assert assessed.stdout == session["json"].stdout
