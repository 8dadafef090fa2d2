"""A damaged or foreign database is bad input, not a crash (issue 8 item 4): every reproducer exits 2 with
``error: --db: FILE: ...`` naming the file; ``db check`` and ``db backup``; owner-only modes; empty names."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.contract.errors import EXIT_BAD_INPUT

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fc.db"
    assert run("--db", str(path), "diary", "import", "r1", str(EXAMPLES / "stall-reintroduce.json")).exit_code == 0
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    return path


def refused(result, path: Path | str, *words: str) -> None:
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stdout == "" and "internal error" not in result.stderr
    assert f"error: --db: {path}" in result.stderr
    for word in words:
        assert word in result.stderr


def test_truncated_file_is_bad_input_pointing_at_db_check(db):
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    for args in (("caseload",), ("diary", "export", "r1"), ("diary", "add", "r1", "--no-input", "--pain-morning", "1")):
        refused(run("--db", str(db), *args), db, "footcoach db check")


def test_malformed_page_is_bad_input(db):
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 2 : page * 3] = b"\xff" * page  # a b-tree page overwritten
    db.write_bytes(bytes(data))
    result = run("--db", str(db), "diary", "export", "r1")
    refused(result, db, "footcoach db check")


def test_dropped_table_is_bad_input(db):
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE report_shoes")
    conn.commit()
    conn.close()
    refused(run("--db", str(db), "diary", "export", "r1"), db, "no such table: report_shoes")


def test_bad_stored_timestamp_and_json_are_bad_input(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE diary SET recorded_at = 'yesterday'")
    conn.execute("UPDATE reports SET recorded_at = 'yesterday'")
    conn.commit()
    conn.close()
    refused(run("--db", str(db), "caseload"), db, "stored time 'yesterday' is not a time stamp")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE reports SET changed = '{not json'")
    conn.commit()
    conn.close()
    refused(run("--db", str(db), "diary", "export", "r1"), db, "is not JSON")


def test_a_fifo_as_db_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    refused(run("--db", str(fifo), "caseload"), fifo, "not a regular file")
    refused(run("--db", str(fifo), "runner", "add", "a", "--age", "30"), fifo, "not a regular file")


def test_someone_elses_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    refused(run("--db", str(other), "runner", "list"), other, "not footcoach's")


def test_empty_db_names_are_bad_input(tmp_path):
    result = run("--db", "", "caseload")
    assert result.exit_code == EXIT_BAD_INPUT and 'error: --db: value "": empty' in result.stderr
    result = run("caseload", env={"FOOTCOACH_DB": ""})
    assert result.exit_code == EXIT_BAD_INPUT and "error: FOOTCOACH_DB: set but empty" in result.stderr


def test_db_check_reports_integrity_version_and_rows(db, tmp_path):
    result = run("db", "check", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.stdout and "schema version: 2" in result.stdout
    assert "runners      1" in result.stdout and "diary        4" in result.stdout
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    result = run("db", "check", "--db", str(db))
    assert result.exit_code == 1 and "problems:" in result.stdout and "malformed" in result.stdout
    missing = tmp_path / "none.db"
    assert run("db", "check", "--db", str(missing)).exit_code == EXIT_BAD_INPUT and not missing.exists()


def test_db_backup_is_a_consistent_owner_only_copy(db, tmp_path):
    copy = tmp_path / "backup.db"
    result = run("--db", str(db), "db", "backup", str(copy))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert (
        run("--db", str(copy), "diary", "export", "r1").stdout == run("--db", str(db), "diary", "export", "r1").stdout
    )
    assert run("--db", str(db), "db", "backup", str(db)).exit_code == EXIT_BAD_INPUT  # not over itself
    link = tmp_path / "link.db"
    link.symlink_to(copy)
    assert run("--db", str(db), "db", "backup", str(link)).exit_code == EXIT_BAD_INPUT


def test_an_existing_file_and_its_wal_are_tightened_to_0600(db):
    other = sqlite3.connect(db)  # another program keeps the file open: its WAL stays on disk
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("UPDATE runners SET age = age")
    other.commit()
    for path in (db, Path(f"{db}-wal")):
        os.chmod(path, 0o644)
    assert run("--db", str(db), "runner", "list").exit_code == 0
    for path in (db, Path(f"{db}-wal")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    other.close()


def test_reading_commands_never_create_a_database_and_db_works_after_the_subcommand(tmp_path):
    path = tmp_path / "new.db"
    for args in (("runner", "list"), ("caseload",), ("runner", "show", "x"), ("history", "x"), ("diary", "list", "x")):
        run(*args, "--db", str(path))
        assert not path.exists(), args
    assert "no database at" in run("diary", "export", "x", "--db", str(path)).stderr
    assert run("runner", "add", "a", "--age", "30", "--db", str(path)).exit_code == 0
    assert path.exists() and "a " in run("runner", "list", "--db", str(path)).stdout
