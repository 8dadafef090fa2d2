"""The assessment as text: summary first, wrapped to the terminal, the runner's plain words."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.wrapping import wrap
from footcoach.render.text import SCREEN_LINES, decision_line, render_text, summary_lines
from footcoach.service import assess_document

from .conftest import EXAMPLES, answers_from_show, example_names, load_example

AUDIENCES = ("physio", "runner")

# A crowded week: amber pain, missing tests, two shoes to see to and both load spikes.
CROWDED = {
    "runner": {"age": 45, "sex": "female"},
    "program": {"phase": 2, "weeks_in_phase": 3},
    "pain": {"during": 4, "after": 2, "morning": 1, "settled_next_morning": True},
    "tests": {"heel_raises": {"left": 22, "right": 17}, "balance_eyes_open_s": {"left": 45, "right": 45}},
    "shoes": [
        {"name": "Trail", "km": 650, "drop_mm": 8},
        {"name": "Racer", "km": 820, "drop_mm": 4, "minimalist": True, "weeks_worn": 3},
    ],
    "running": {"weekly_km": 40, "previous_weekly_km": 25, "longest_run_km_30d": 12, "planned_long_run_km": 16},
}


def _assessments() -> list[tuple[str, dict]]:
    return [(n, assess_document(load_example(n)[0])) for n in example_names()] + [("crowded", assess_document(CROWDED))]


ASSESSMENTS = _assessments()


def _words(text: str) -> list[str]:
    """The words of a text, leaving out the underline of a title (its length follows the width)."""
    return [w for line in text.split("\n") if not re.fullmatch(r"=+", line) for w in line.split()]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name,a", ASSESSMENTS, ids=[n for n, _ in ASSESSMENTS])
def test_summary_opens_the_text_and_fits_a_24_line_screen(name, a, audience):
    for width in (60, 80):
        summary, _left = summary_lines(a, audience, width)
        assert len(summary) <= SCREEN_LINES - 2, "\n".join(summary)
        text = render_text(a, audience, width=width)
        assert text.startswith("\n".join(summary) + "\n")
        head = wrap(decision_line(a, audience), width, "", "  ")
        assert summary[: len(head)] == head


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name,a", ASSESSMENTS, ids=[n for n, _ in ASSESSMENTS])
def test_wrapping_never_splits_a_word_and_keeps_every_line_within_the_width(name, a, audience):
    unwrapped = _words(render_text(a, audience, width=100_000, trace=True))
    for width in (60, 80, 120):
        text = render_text(a, audience, width=width, trace=True)
        if summary_lines(a, audience, width)[1]:
            # a summary that left items for below reorders them: every word is still a whole word
            pointer = {"more", "below)", "More", "advice:"} | {f"({n}" for n in range(1, 10)}
            assert set(_words(text)) <= set(unwrapped) | pointer, width
        else:
            assert _words(text) == unwrapped, width  # the same words in the same order: none cut
        for line in text.split("\n"):
            assert len(line) <= width or len(line.split()) == 1, line


def test_a_summary_that_cannot_fit_leaves_whole_items_for_below():
    a = assess_document(CROWDED)
    summary, left = summary_lines(a, "runner", 80)
    assert left and summary[-1] == f"({len(left)} more below)"
    text = " ".join(render_text(a, "runner", width=80).split())
    for r in a["recommendations"]:
        assert r["runner"] in text  # every piece of advice whole, in the summary or under More advice


@pytest.mark.parametrize("name,a", ASSESSMENTS, ids=[n for n, _ in ASSESSMENTS])
def test_runner_words_have_no_tags_ids_or_internal_names(name, a):
    text = render_text(a, "runner", width=80)
    rules = {t["rule"] for t in a["trace"]} | {r["rule"] for r in a["recommendations"]}
    for rule in rules:
        assert not re.search(rf"(?<![\w-]){re.escape(rule)}(?![\w-])", text), rule
    assert not re.search(r"\[[a-z_]+\]", text), "a bracketed kind"
    for word in ("seed", "week 0", "2147483647", "; ? why", "tests.", "program.", "Trace", "trace steps"):
        assert word not in text, word


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name,a", ASSESSMENTS, ids=[n for n, _ in ASSESSMENTS])
def test_text_ends_with_the_decision_again(name, a, audience):
    lines = render_text(a, audience, width=80).rstrip().split("\n")
    head = wrap(decision_line(a, audience), 80, "", "  ")
    assert lines[: len(head)] == head == lines[-len(head) :]


def test_runner_hold_names_each_blocker_with_now_and_needed_and_the_easier_either_or():
    a = assess_document(load_example("stall-reintroduce")[0])
    runner = " ".join(render_text(a, "runner", width=80).split())
    assert "eyes-open balance on your weaker leg: 33 s now, 41 s needed for your age" in runner
    assert "single-leg heel raises on your weaker leg: 10 now, 12 needed" in runner
    assert "45 s" not in runner
    physio = " ".join(render_text(a, "physio", width=80, trace=False).split())
    assert "33 s now, needs >= 41 s (balance.eyes_open_norm, age 50-59), short by 8" in physio
    assert "short by 12" not in physio and "balance.test_cap_s" not in physio


def test_missing_measurements_are_named_with_how_to_measure_them():
    state = {
        "runner": {"age": 30},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
    }
    a = assess_document(state)
    text = render_text(a, "runner", width=80)
    flat = " ".join(text.split())
    for item in a["progress_blocked_by"]["items"]:
        assert f"{item['measure']['label']}: not measured yet" in flat
        assert item["measure"]["how"] in flat
    assert flat.index("What blocks progress") < flat.index("How to measure what is missing")


def test_trace_and_plan_are_optional_and_the_runner_view_has_no_trace_by_default():
    a = assess_document(load_example("amber-hold-worn-shoes")[0])
    assert "Trace" in render_text(a, "physio") and "Trace" not in render_text(a, "runner")
    assert "Trace" in render_text(a, "runner", trace=True)
    assert "Trace" not in render_text(a, "physio", trace=False)
    assert "This week's plan" in render_text(a, "runner")
    assert "This week's plan" not in render_text(a, "runner", plan=False)


def _cli(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(main, args, env=env)


def test_cli_wraps_to_the_terminal_width_and_takes_plan_and_trace_options():
    f = str(EXAMPLES / "stall-reintroduce.json")
    r = _cli(["assess", f, "--for", "runner", "--no-plan"], env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.stdout.split("\n")) <= 60
    assert "This week's plan" not in r.stdout and "Trace" not in r.stdout
    r = _cli(["assess", f, "--no-trace"], env={"COLUMNS": "120"})
    assert "Trace" not in r.stdout and "This week's plan" in r.stdout
    assert max(len(line) for line in r.stdout.split("\n")) > 80  # the width is used, not a fixed 80


@pytest.mark.parametrize("option", [["--for", "runner"], ["--for", "physio"], ["--no-trace"], ["--plan"]])
def test_text_options_with_json_are_refused_not_ignored(option):
    r = _cli(["assess", str(EXAMPLES / "stall-reintroduce.json"), "--format", "json", *option])
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "applies to --format text only" in r.stderr


def test_json_without_text_options_is_the_full_record():
    r = _cli(["assess", str(EXAMPLES / "stall-reintroduce.json"), "--format", "json"])
    assert r.exit_code == 0 and "trace" in json.loads(r.stdout)


def test_wrap_keeps_a_word_longer_than_the_line_whole():
    long = "x" * 50
    assert wrap(f"see {long} now", 30) == ["see", long, "now"]


def test_triage_takes_the_text_options_and_refuses_them_with_json(tmp_path):
    show = json.loads(_cli(["questionnaire", "show", "--format", "json"]).stdout)
    state, _ = load_example("stall-reintroduce")
    f = tmp_path / "answers.json"
    f.write_text(json.dumps(answers_from_show(state, show)))
    plain = _cli(["triage", "--answers", str(f)])
    assert plain.exit_code == 0, plain.stderr
    assert "This week's plan" in plain.stdout and "Trace" not in plain.stdout
    short = _cli(["triage", "--answers", str(f), "--no-plan", "--trace"])
    assert "This week's plan" not in short.stdout and "Trace" in short.stdout
    refused = _cli(["triage", "--answers", str(f), "--format", "json", "--for", "runner"])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "applies to --format text only" in refused.stderr


def test_trace_shows_the_branch_that_held_not_the_one_that_failed():
    a = assess_document(load_example("stall-reintroduce")[0])
    trace = render_text(a, "physio", width=200, plan=False)
    stall = trace[trace.index("stall-no-gain =>") :].split("source:")[0]
    assert "(one of 2 either/or branches)" in stall and "(needs false)" not in stall


def test_a_missing_test_can_say_how_to_measure_it_in_the_same_line():
    state = {
        "runner": {"age": 30},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
    }
    from footcoach.render.text import blocker_text

    item = assess_document(state)["progress_blocked_by"]["items"][0]
    inline = blocker_text(item, "runner", how_inline=True)
    assert inline.endswith(f"How to measure it: {item['measure']['how']}") and "below" not in inline
    assert "below" not in blocker_text(item, "runner", how_below=False)
