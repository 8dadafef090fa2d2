"""Gherkin scenarios for the runner's view: features/runner_view.feature (shared steps in tests/bdd_steps.py)."""

from __future__ import annotations

import re

from pytest_bdd import parsers, scenarios, then, when

from footcoach.render.text import SCREEN_LINES, render_text, summary_lines
from tests.bdd_steps import *  # noqa: F403

scenarios("runner_view.feature")

WIDTH = 80


def _flat(text: str) -> str:
    return " ".join(text.split())


@when(
    parsers.re(r"(?:she|he|they) reads? it in a runner's words on an (?P<width>\d+)-column screen"),
    target_fixture="text",
)
def _read(assessment, width):
    return render_text(assessment, "runner", width=int(width))


@then(parsers.parse('the runner reads "{words}"'))
def _reads(text, words):
    assert words in _flat(text), text


@then(parsers.parse('the runner does not read "{words}"'))
def _does_not_read(text, words):
    assert words not in _flat(text), text


@then(parsers.parse("every line of the summary fits a {lines:d}-line screen of {width:d} columns"))
def _summary_fits(assessment, text, lines, width):
    summary, _left = summary_lines(assessment, "runner", width)
    assert lines == SCREEN_LINES and len(summary) < lines
    assert text.startswith("\n".join(summary))
    assert all(len(line) <= width for line in summary)


@then(parsers.parse('the text opens and closes with "{decision}"'))
def _opens_and_closes(text, decision):
    lines = text.rstrip().split("\n")
    assert lines[0] == decision and lines[-1] == decision


@then("the runner's words carry no rule id, no bracketed kind and no internal range")
def _plain_words(assessment, text):
    rules = {t["rule"] for t in assessment["trace"]} | {r["rule"] for r in assessment["recommendations"]}
    for rule in rules:
        assert not re.search(rf"\b{re.escape(rule)}\b", text), rule
    assert not re.search(r"\[[a-z_]+\]", text)
    for word in ("seed", "week 0", "2147483647", "; ? why", "tests.", "program.", "pain.worst"):
        assert word not in text, word
