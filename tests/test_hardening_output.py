"""Issue 8 item 1: one output writer for every file footcoach writes.

Reproducers: ``--out`` equal to the database for every command that writes a file, a hard link and
a symbolic link to the database, writing through a symbolic link, a planted ``FILE.tmp`` link, an
existing world-readable file, a FIFO, a missing folder; every refusal is exit 2 with nothing
written and nothing on stdout."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT
from footcoach.common.output import OutputError, write_file

from .conftest import EXAMPLES, answers_from_show


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fc.db"
    result = invoke("--db", str(path), "runner", "add", "r1", "--age", "40")
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    state = json.loads((EXAMPLES / "progress-to-phase-3.json").read_text())
    show = json.loads(invoke("questionnaire", "show", "--format", "json").stdout)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers_from_show(state, show)))
    return path


def writing_commands(db: Path, answers: Path, target: Path) -> dict[str, list[str]]:
    """Every command that writes a file, writing ``target``."""
    t = str(target)
    return {
        "schema": ["--db", str(db), "schema", "--out", t],
        "questionnaire export": ["--db", str(db), "questionnaire", "export", "--out", t],
        "rules doc": ["--db", str(db), "rules", "doc", "--out", t],
        "report": ["--db", str(db), "report", "r1", "--out", t],
        "triage --save-response": ["--db", str(db), "triage", "--answers", str(answers), "--save-response", t],
        "plan": ["--db", str(db), "plan", str(EXAMPLES / "progress-to-phase-3.json"), "--out", t],
    }


COMMANDS = ["schema", "questionnaire export", "rules doc", "report", "triage --save-response", "plan"]


def refused(args: list[str], what: str) -> str:
    result = invoke(*args)
    assert result.exit_code == EXIT_BAD_INPUT, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert what in result.stderr
    assert "internal error" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_refuses_the_database_itself(command, db, answers):
    before = db.read_bytes()
    refused(writing_commands(db, answers, db)[command], "footcoach database")
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_refuses_a_hard_link_to_the_database(command, db, answers, tmp_path):
    link = tmp_path / "innocent.json"
    os.link(db, link)
    before = db.read_bytes()
    refused(writing_commands(db, answers, link)[command], "footcoach database")
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_refuses_a_symlink_to_the_database(command, db, answers, tmp_path):
    link = tmp_path / "innocent.json"
    link.symlink_to(db)
    before = db.read_bytes()
    refused(writing_commands(db, answers, link)[command], "symbolic link")
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_writes_owner_only_and_tightens_a_wider_file(command, db, answers, tmp_path):
    target = tmp_path / "out.file"
    target.write_text("old")
    target.chmod(0o644)
    result = invoke(*writing_commands(db, answers, target)[command])
    assert result.exit_code == 0, result.stderr
    assert target.read_text() != "old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fc.db", "answers.json", "out.file"])


def test_the_database_given_by_the_environment_is_protected_too(db, tmp_path):
    before = db.read_bytes()
    result = CliRunner().invoke(main, ["schema", "--out", str(db)], env={"FOOTCOACH_DB": str(db)})
    assert result.exit_code == EXIT_BAD_INPUT and "footcoach database" in result.stderr
    assert db.read_bytes() == before


def test_the_database_companion_files_are_protected(db, tmp_path):
    wal = Path(f"{db}-wal")
    refused(["--db", str(db), "schema", "--out", str(wal)], "footcoach database")
    assert not wal.exists()


def test_a_symlink_elsewhere_is_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "s.json"
    link.symlink_to(victim)
    refused(["schema", "--out", str(link)], "symbolic link")
    assert victim.read_text() == "keep me" and link.is_symlink()


def test_a_planted_temporary_link_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for name in ("s.json.tmp", ".s.json.tmp", "s.json.part"):
        (tmp_path / name).symlink_to(victim)
    result = invoke("schema", "--out", str(tmp_path / "s.json"))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "keep me"
    assert json.loads((tmp_path / "s.json").read_text())["title"]


def test_a_fifo_a_folder_and_a_missing_folder_are_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(["schema", "--out", str(fifo)], "not a regular file")
    refused(["schema", "--out", str(tmp_path / "nowhere" / "s.json")], "does not exist")
    refused(["schema", "--out", ""], "empty")


def test_save_response_is_checked_before_any_question_is_asked(db, tmp_path):
    result = invoke("--db", str(db), "triage", "--save-response", str(db), input="")
    assert result.exit_code == EXIT_BAD_INPUT
    assert "--save-response" in result.stderr and "footcoach database" in result.stderr
    assert "?" not in result.stderr.split("error:")[0]  # refused before the first prompt


def test_dash_means_stdout():
    result = invoke("schema", "--out", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["title"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    target = tmp_path / "s.json"
    target.write_text("old")
    with pytest.raises(OutputError, match="No space left"):
        write_file(target, "new text")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
