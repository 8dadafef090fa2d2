"""The shared examples produce their expected assessments, in-process and through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.service import assess_document

from .conftest import EXAMPLES, example_names, load_example


def _check(out: dict, exp: dict) -> None:
    kinds = {r["kind"] for r in out["recommendations"]}
    assert out["action"] == exp["action"], exp["why"]
    assert out["phase"]["next"] == exp["phase"]["next"], exp["why"]
    assert set(exp["present"]) <= kinds, (exp["present"], kinds)
    assert not set(exp["absent"]) & kinds, (exp["absent"], kinds)


@pytest.mark.parametrize("name", example_names())
def test_example_in_process(name):
    state, exp = load_example(name)
    _check(assess_document(state), exp)


@pytest.mark.parametrize("name", example_names())
def test_example_through_cli(name):
    result = CliRunner().invoke(main, ["assess", str(EXAMPLES / f"{name}.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    _check(json.loads(result.stdout), load_example(name)[1])


def test_examples_are_all_there():
    assert len(example_names()) == 5
