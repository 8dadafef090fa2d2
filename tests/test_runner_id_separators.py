"""A runner id is one segment of a web address (``/runners/ID``): an id holding '/' or '\\' was accepted
but its page could not be reached.  The contract refuses it, so the command line, the web form, the API
and an import with the id given apart all refuse it, naming the field, the value and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT
from tests import record_calls as store
from tests.web_support import client, csrf_of, make_clinic, sign_in

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"
BAD_IDS = ["a/b", "a\\b", "/", "..\\x"]


@pytest.mark.parametrize("runner_id", BAD_IDS)
def test_runner_add_and_import_refuse_a_path_separator_in_the_id(tmp_path, runner_id):
    db = str(tmp_path / "fc.db")
    added = CliRunner().invoke(main, ["--db", db, "runner", "add", runner_id, "--age", "40"])
    assert added.exit_code == EXIT_BAD_INPUT, added.output
    assert added.stderr.startswith(f"error: runner.id: value {json.dumps(runner_id)}: holds a path separator;")
    assert "allowed: a runner id without '/' or '\\'" in added.stderr
    doc = json.loads((EXAMPLES / "progress-to-phase-3.json").read_text())
    doc["runner"].pop("id", None)
    imported = CliRunner().invoke(main, ["--db", db, "diary", "import", runner_id, "-"], input=json.dumps(doc))
    assert imported.exit_code == EXIT_BAD_INPUT, imported.output
    assert "holds a path separator" in imported.stderr
    listed = CliRunner().invoke(main, ["--db", db, "runner", "list", "--format", "json"])
    assert json.loads(listed.stdout or "[]") == []


def test_an_id_with_a_slash_in_a_state_is_refused_by_assess_too(tmp_path):
    doc = json.loads((EXAMPLES / "progress-to-phase-3.json").read_text())
    doc["runner"]["id"] = "a/b"
    result = CliRunner().invoke(main, ["assess", "-"], input=json.dumps(doc))
    assert result.exit_code == EXIT_BAD_INPUT and "runner.id" in result.stderr, result.output


def test_the_web_form_refuses_a_slash_in_the_runner_id(tmp_path):
    clinic = make_clinic(tmp_path)
    c = client(clinic.db)
    sign_in(c)
    csrf = csrf_of(c.get("/runners/new").text)
    bad = c.post("/runners", data={"csrf": csrf, "id": "c/d", "age": "40"})
    assert bad.status_code == 422 and "runner.id" in bad.text and "path separator" in bad.text
    assert "c/d" not in [i["runner"] for i in store.caseload(clinic.db)]
