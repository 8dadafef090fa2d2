"""A folder given where footcoach reads or writes a file (``--out``, ``--db``, ``FILE``, ``--save-response``)
is refused in the project's form, ``error: OPTION: value "...": is a folder; allowed: ...`` and exit 2,
not click's "Usage: ... Error: Invalid value"; nothing is written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT

# (arguments before the folder, the option or argument named in the error, arguments after it)
CASES = [
    (["--db"], "--db", ["runner", "list"]),
    (["runner", "list", "--db"], "--db", []),
    (["schema", "--out"], "--out", []),
    (["rules", "doc", "--out"], "--out", []),
    (["questionnaire", "export", "--out"], "--out", []),
    (["export", "r1", "--fhir", "--out"], "--out", []),
    (["report", "r1", "--out"], "--out", []),
    (["plan", "--runner", "r1", "--out"], "--out", []),
    (["triage", "--save-response"], "--save-response", []),
    (["diary", "import", "r1"], "FILE", []),
    (["db", "backup"], "FILE", []),
    (["serve", "--db"], "--db", []),
    (["user", "add", "pt@example.org", "--password-stdin", "--db"], "--db", []),
]


@pytest.mark.parametrize(("before", "named", "after"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_folder_for_a_file_is_refused_in_the_project_form(tmp_path, before, named, after):
    folder = tmp_path / "a folder"
    folder.mkdir()
    db = tmp_path / "fc.db"
    args = [*before, str(folder), *after]
    if "--db" not in before:
        args = ["--db", str(db), *args]
    result = CliRunner().invoke(main, args, input="")
    assert result.exit_code == EXIT_BAD_INPUT, (args, result.output, result.stderr)
    assert result.stderr == f"error: {named}: value {json.dumps(str(folder))}: is a folder; allowed: a file name\n"
    assert "Usage:" not in result.stderr and result.stdout == ""
    assert list(folder.iterdir()) == [] and not db.exists()
