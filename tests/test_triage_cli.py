"""`footcoach triage` and `footcoach questionnaire` through click's CliRunner: typed sessions,
--answers files (JSON, YAML, FHIR QuestionnaireResponse), bad answers, Ctrl-C, show and export."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.contract.errors import EXIT_BAD_INPUT
from footcoach.knowledge.base import default_knowledge
from footcoach.service import assess, load_state
from footcoach.triage.questionnaire import default_questionnaire, validate_fhir

from .conftest import EXAMPLES, answers_from_show, example_names

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

Q = default_questionnaire()
NO_RED_FLAGS = ["no"] * len(SHIPPED.red_flags)

# A new runner: red flags, new? yes, age, sex, experience, pain during/after/morning, settled, sharp,
# balance eyes open L/R, eyes closed L/R, heel raises L/R, hop pain, shoes (count), running x4.
NEW_RUNNER_LINES = [
    *NO_RED_FLAGS,
    "yes",
    "35",
    "female",
    "occasional",
    "2",
    "1",
    "1",
    "yes",
    "no",
    "30",
    "28",
    "10",
    "9",
    "14",
    "12",
    "",
    "0",
    "20",
    "18",
    "10",
    "12",
]
NEW_RUNNER_STATE = {
    "runner": {"age": 35, "sex": "female", "experience": "occasional"},
    "program": {"phase": 1, "weeks_in_phase": 0, "weeks_in_program": 0},
    "pain": {"during": 2, "after": 1, "morning": 1, "settled_next_morning": True, "sharp": False},
    "tests": {
        "balance_eyes_open_s": {"left": 30, "right": 28},
        "balance_eyes_closed_s": {"left": 10, "right": 9},
        "heel_raises": {"left": 14, "right": 12},
    },
    "running": {"weekly_km": 20, "previous_weekly_km": 18, "longest_run_km_30d": 10, "planned_long_run_km": 12},
}


def typed(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def run(args: list[str], lines: list[str] | None = None, **kw):
    return CliRunner().invoke(main, args, input=None if lines is None else typed(lines), **kw)


def text_of(question_id: str) -> str:
    """The start of a question's text as the terminal shows it (before any line wrap)."""
    return Q.question(question_id).text[:40]


# ---- typed sessions -----------------------------------------------------------------------------


def test_a_new_runner_answers_and_gets_this_weeks_plan():
    result = run(["triage"], NEW_RUNNER_LINES)
    assert result.exit_code == 0, result.stderr
    assert text_of("runner_age") in result.stderr  # prompts on stderr
    assert text_of("program_weeks_in_phase") not in result.stderr  # a new runner is not asked
    assert text_of("diary") not in result.stderr
    assert result.stdout.startswith("Decision: stay in phase 1 (Foundation) this week.")
    assert "Why:" in result.stdout
    assert result.stdout.index("This week's plan: phase 1") < result.stdout.index("Decision support")
    assert result.stdout.rstrip().endswith("Decision: stay in phase 1 (Foundation) this week.")
    assert "Heel-raise dosing" in result.stdout.split("This week's plan")[1]


def test_typed_json_is_the_assessment_of_the_same_state():
    result = run(["triage", "--format", "json"], NEW_RUNNER_LINES)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == assess(load_state(NEW_RUNNER_STATE))


def test_a_wrong_answer_is_asked_again_with_what_is_allowed_and_question_mark_says_why():
    lines = list(NEW_RUNNER_LINES)
    at = len(NO_RED_FLAGS) + 4  # pain during
    lines[at:at] = ["eleven", str(SHIPPED.nrs_max + 1), "?"]
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "Not allowed: 'eleven' is not allowed (no number; type one number)." in result.stderr
    assert f"Please answer a whole number from 0 to {SHIPPED.nrs_max}." in result.stderr
    assert f"Not allowed: '{SHIPPED.nrs_max + 1}' is out of range." in result.stderr
    assert "Why we ask: " + Q.question("pain_during").why[:40] in result.stderr
    assert json.loads(result.stdout) == assess(load_state(NEW_RUNNER_STATE))


def test_a_required_question_cannot_be_skipped_an_optional_one_can():
    lines = list(NEW_RUNNER_LINES)
    at = len(NO_RED_FLAGS) + 1  # age
    lines[at:at] = [""]
    lines[at + 2] = ""  # sex skipped
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "An answer is needed here: a whole number from" in result.stderr
    state = json.loads(json.dumps(NEW_RUNNER_STATE))
    del state["runner"]["sex"]
    assert json.loads(result.stdout) == assess(load_state(state))


def test_a_red_flag_stop_shows_only_the_stop_message_whom_how_soon_and_meanwhile():
    result = run(["triage"], ["no", "yes"])
    assert result.exit_code == 0, result.stderr
    assert text_of("red_flag_heel_squeeze_pain") not in result.stderr  # nothing asked after the yes
    out = result.stdout
    assert out.startswith("Please stop here.")
    flat = " ".join(out.split())
    assert "your GP or a sports medicine doctor" in flat and "within a few days" in flat
    assert "stress fracture" in flat
    assert "Until then: stop running and the loaded exercises until you have been seen." in flat
    # Nothing else: no decision line, no phase, no plan, nothing filled in for the record.
    for internal in ("Action:", "Decision:", "REFER", "phase", "Foundation", "runner.age", "norm", "filled in"):
        assert internal not in out and internal not in result.stderr.split("Does heel pain wake you")[1]


def test_a_red_flag_in_json_is_refer():
    result = run(["triage", "--format", "json"], ["yes"])
    assessment = json.loads(result.stdout)
    assert assessment["action"] == "refer" and assessment["phase"]["next"] == 1
    assert any(r["kind"] == "referral" for r in assessment["recommendations"])
    assert "filled in" not in result.stderr and "runner.age" not in result.stderr


RETURNING_LINES = [
    *NO_RED_FLAGS,
    "no",
    "1",
    "3",
    "5",
    "35",
    "female",
    "regular",
    "1",
    "1",
    "0",
    "yes",
    "no",
    "45",
    "45",
    "20",
    "20",
    "15",
    "14",
    "",
    "0",
    "",
    "",
    "",
    "",
    "0",
]


def test_a_returning_runner_progresses_to_phase_2():
    result = run(["triage"], RETURNING_LINES)
    assert result.exit_code == 0, result.stderr
    assert text_of("program_weeks_in_phase") in result.stderr
    assert "Decision: move on to phase 2 (Stability and plyometrics) this week." in result.stdout
    assert "This week's plan: phase 2" in result.stdout


def test_answers_that_do_not_fit_together_are_asked_again():
    lines = list(RETURNING_LINES)
    at = len(NO_RED_FLAGS) + 3  # weeks in program, after 3 weeks in phase
    lines[at] = "2"
    lines[at + 1 : at + 1] = ["5"]
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "That does not fit with your other answers" in result.stderr
    assert json.loads(result.stdout)["action"] == "progress"


def test_one_leg_without_the_other_is_asked_for():
    lines = list(RETURNING_LINES)
    at = len(NO_RED_FLAGS) + 13  # eyes-open balance, right leg
    lines[at] = ""
    lines[at + 1 : at + 1] = ["45"]
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "Your other answers need this one too." in result.stderr


def test_ctrl_c_leaves_nothing_written(monkeypatch, tmp_path):
    import footcoach.cli.triage as cli_triage

    calls = {"n": 0}

    def interrupted(prompt: str) -> str:
        calls["n"] += 1
        if calls["n"] > len(NO_RED_FLAGS) + 2:
            raise KeyboardInterrupt
        return "no" if calls["n"] <= len(NO_RED_FLAGS) + 1 else "40"

    monkeypatch.setattr(cli_triage, "_read_line", interrupted)
    out = tmp_path / "response.json"
    result = run(["triage", "--save-response", str(out)])
    assert result.exit_code == cli_triage.EXIT_INTERRUPTED
    assert "nothing was saved" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("at", ["_questionnaire", "_check_runner"])
def test_ctrl_c_before_the_first_question_stops_with_exit_130_and_writes_nothing(monkeypatch, tmp_path, at):
    """Ctrl-C while the questionnaire loads (a second or more on a busy machine) stops like Ctrl-C at
    a question: exit 130, "nothing was saved", not click's "Aborted!" and exit 1."""
    import footcoach.cli.triage as cli_triage

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_triage, at, interrupted)
    db, out = tmp_path / "fc.db", tmp_path / "response.json"
    result = run(["--db", str(db), "triage", "--runner", "r-1", "--save-response", str(out)])
    assert result.exit_code == cli_triage.EXIT_INTERRUPTED, result.stderr
    assert "Stopped: nothing was saved." in result.stderr and "Aborted" not in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_input_ending_early_is_bad_input_and_writes_nothing(tmp_path):
    out = tmp_path / "response.json"
    result = run(["triage", "--save-response", str(out)], NO_RED_FLAGS[:3])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stdout == "" and not out.exists()


def test_a_typed_session_saved_as_a_fhir_response_gives_the_same_assessment(tmp_path):
    out = tmp_path / "response.json"
    typed_run = run(["triage", "--format", "json", "--save-response", str(out)], RETURNING_LINES)
    assert typed_run.exit_code == 0, typed_run.stderr
    response = json.loads(out.read_text())
    assert response["resourceType"] == "QuestionnaireResponse" and validate_fhir(response) == []
    again = run(["triage", "--answers", str(out), "--format", "json"])
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(typed_run.stdout)


# ---- --answers --------------------------------------------------------------------------------

NEW_RUNNER_ANSWERS: dict[str, Any] = {
    **{f"red_flag_{f}": False for f in SHIPPED.red_flags},
    "new_runner": True,
    "runner_age": 35,
    "runner_sex": "female",
    "runner_experience": "occasional",
    "pain_during": 2,
    "pain_after": 1,
    "pain_morning": 1,
    "pain_settled_next_morning": True,
    "pain_sharp": False,
    "balance_eyes_open_left": 30,
    "balance_eyes_open_right": 28,
    "balance_eyes_closed_left": 10,
    "balance_eyes_closed_right": 9,
    "heel_raises_left": 14,
    "heel_raises_right": 12,
    "running_weekly_km": 20,
    "running_previous_weekly_km": 18,
    "running_longest_run_km_30d": 10,
    "running_planned_long_run_km": 12,
}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_answers_file_gives_the_same_result_as_typing(tmp_path, suffix):
    path = tmp_path / f"answers{suffix}"
    path.write_text(json.dumps(NEW_RUNNER_ANSWERS) if suffix == ".json" else yaml.safe_dump(NEW_RUNNER_ANSWERS))
    for fmt in ("json", "text"):
        from_file = run(["triage", "--answers", str(path), "--format", fmt])
        from_typing = run(["triage", "--format", fmt], NEW_RUNNER_LINES)
        assert from_file.exit_code == 0, from_file.stderr
        assert from_file.stdout == from_typing.stdout
        assert from_file.stderr == ""  # nothing asked


def test_answers_on_stdin():
    result = CliRunner().invoke(
        main, ["triage", "--answers", "-", "--format", "json"], input=json.dumps(NEW_RUNNER_ANSWERS)
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == assess(load_state(NEW_RUNNER_STATE))


def test_bad_answers_exit_2_naming_the_question_and_nothing_on_stdout(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**NEW_RUNNER_ANSWERS, "pain_during": 11, "runner_sex": "x", "heel_raise_left": 3}))
    result = run(["triage", "--answers", str(path)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stdout == ""
    assert (
        "error: question pain_during (pain.during): value 11 is out of range; allowed: a whole number from 0 to"
        in result.stderr
    )
    assert (
        "error: question runner_sex (runner.sex): value 'x' is not allowed; allowed: one of: female, male"
        in result.stderr
    )
    assert "unknown question 'heel_raise_left' (did you mean 'heel_raises_left'?)" in result.stderr


def test_a_red_flag_in_a_file_with_bad_answers_still_says_whom_to_see(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"red_flag_trauma_cannot_bear_weight": True, "runner_age": 7}))
    result = run(["triage", "--answers", str(path)])
    assert result.exit_code == EXIT_BAD_INPUT and result.stdout == ""
    assert "question runner_age (runner.age): value 7 is out of range" in result.stderr
    assert "urgent care or an emergency department" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "content,message",
    [
        ("[1, 2]", "allowed: a mapping of question id to answer"),
        ("{not json: [", "not valid JSON"),
        (json.dumps({"resourceType": "Patient"}), 'resourceType: value "Patient": not an answer'),
        (
            json.dumps(
                {
                    "resourceType": "QuestionnaireResponse",
                    "status": "completed",
                    "questionnaire": "https://footcoach.example.org/fhir/Questionnaire/runner-triage",
                    "item": [{"linkId": "pain_during", "answer": [{"valueString": "3"}]}],
                }
            ),
            "item[0] (linkId pain_during): answer valueString; allowed: valueInteger",
        ),
        (
            json.dumps(
                {
                    "resourceType": "QuestionnaireResponse",
                    "status": "in-progress",
                    "questionnaire": "https://footcoach.example.org/fhir/Questionnaire/runner-triage",
                }
            ),
            "not finished",
        ),
    ],
)
def test_unusable_answers_documents_are_refused(tmp_path, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content)
    result = run(["triage", "--answers", str(path)])
    assert result.exit_code == EXIT_BAD_INPUT, result.stdout
    assert result.stdout == ""
    assert message in result.stderr


def test_a_missing_answers_file():
    result = run(["triage", "--answers", "no/such/file.json"])
    assert result.exit_code == EXIT_BAD_INPUT and "no such file" in result.stderr


# ---- the checker's path: show's maps_to -> answers -> triage, against assess --------------------


@pytest.mark.parametrize("name", example_names())
def test_answers_built_from_show_match_assess_on_the_state(tmp_path, name):
    show = json.loads(run(["questionnaire", "show", "--format", "json"]).stdout)
    state_file = EXAMPLES / f"{name}.json"
    state = json.loads(state_file.read_text())
    answers = answers_from_show(state, show)
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    triaged = run(["triage", "--answers", str(tmp_path / "answers.json"), "--format", "json"])
    assessed = run(["assess", str(state_file), "--format", "json"])
    assert triaged.exit_code == 0, triaged.stderr
    t, a = json.loads(triaged.stdout), json.loads(assessed.stdout)
    assert (t["action"], t["phase"]["next"]) == (a["action"], a["phase"]["next"])
    assert triaged.stdout == assessed.stdout


# ---- --runner: saved at the very end ----------------------------------------------------------


def test_runner_saving_happens_only_at_the_end(tmp_path, monkeypatch):
    import footcoach.cli.triage as cli_triage
    from footcoach import service
    from footcoach.storage.audit import list_assessments

    db = str(tmp_path / "fc.db")
    service.add_runner(db, "r-1", 35)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(NEW_RUNNER_ANSWERS))
    result = run(["--db", db, "triage", "--runner", "r-1", "--answers", str(path)])
    assert result.exit_code == 0, result.stderr
    saved = service.read(db, list_assessments, "r-1")
    assert len(saved) == 1

    def interrupted(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_triage, "_read_line", interrupted)
    result = run(["--db", db, "triage", "--runner", "r-1"])
    assert result.exit_code == cli_triage.EXIT_INTERRUPTED
    assert len(service.read(db, list_assessments, "r-1")) == 1


def test_an_unknown_runner_is_refused_before_any_question(tmp_path):
    result = run(["--db", str(tmp_path / "none.db"), "triage", "--runner", "nobody"], NEW_RUNNER_LINES)
    assert result.exit_code == EXIT_BAD_INPUT
    assert text_of("red_flag_numbness_tingling") not in result.stderr
    assert not (tmp_path / "none.db").exists()


# ---- show and export --------------------------------------------------------------------------


def test_show_json_lists_the_questions_in_order():
    result = run(["questionnaire", "show", "--format", "json"])
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert [q["id"] for q in shown] == Q.ids
    assert shown[0]["maps_to"].startswith("red_flags.")


def test_show_text_is_for_people():
    out = run(["questionnaire", "show"]).stdout
    assert "[pain_during]" in out and "fills: pain.during" in out and "asked when: new_runner is no" in out


def test_export_fhir_validates(tmp_path):
    from fhir.resources.questionnaire import Questionnaire

    out = tmp_path / "q.json"
    result = run(["questionnaire", "export", "--fhir", "--out", str(out)])
    assert result.exit_code == 0, result.output
    resource = json.loads(out.read_text())
    Questionnaire.model_validate(resource)
    assert resource["url"] == Q.fhir.url
    assert json.loads(run(["questionnaire", "export", "--fhir"]).stdout) == resource


def test_a_diary_typed_week_by_week_gives_the_assessment_of_the_state():
    state = json.loads((EXAMPLES / "stall-reintroduce.json").read_text())
    lines = [
        *NO_RED_FLAGS,
        "no",
        "1",
        "6",
        "6",
        "58",
        "female",
        "novice",
        "2",
        "2",
        "2",
        "yes",
        "",
        "33",
        "35",
        "",
        "",
        "10",
        "12",
        "",
        "0",
        "",
        "",
        "",
        "",
        str(len(state["history"])),
    ]
    for entry in state["history"]:
        bal, raises = entry["balance_eyes_open_s"], entry["heel_raises"]
        lines += [
            str(entry["week"]),
            str(entry["pain_morning"]),
            str(bal["left"]),
            str(bal["right"]),
            str(raises["left"]),
            str(raises["right"]),
            "",
        ]
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "diary week 4 of 4 --" in result.stderr
    assert json.loads(result.stdout) == assess(load_state(state))


def test_diary_weeks_out_of_order_are_asked_again():
    lines = [
        *NO_RED_FLAGS,
        "no",
        "1",
        "2",
        "",
        "40",
        "",
        "",
        "1",
        "1",
        "1",
        "yes",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "0",
        "",
        "",
        "",
        "",
        "2",
        "5",
        "",
        "",
        "",
        "",
        "",
        "",
        "4",  # out of order: asked again once the page is answered
        "",
        "",
        "",
        "",
        "",
        "",
        "6",
    ]
    result = run(["triage", "--format", "json"], lines)
    assert result.exit_code == 0, result.stderr
    assert "That does not fit with your other answers: value 4: week 4 follows week 5" in " ".join(
        result.stderr.split()
    )
