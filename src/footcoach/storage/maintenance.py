"""Looking after the file: an integrity check that works on a damaged file, and a consistent backup
taken with SQLite's online backup API while others may be writing."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from footcoach.storage import schema
from footcoach.storage.connection import BUSY_TIMEOUT_S, OWNER_ONLY, opened, resolve_db_path
from footcoach.storage.errors import DatabaseUnusable

TABLES = ("runners", "diary", "reports", "assessments", "overrides", "changes", "tombstones")


def _read_only(path: Path) -> sqlite3.Connection:
    try:
        if not path.is_file():
            raise DatabaseUnusable(path, "no such file" if not path.exists() else "not a regular file")
    except OSError as exc:
        raise DatabaseUnusable(path, f"cannot read it: {exc.strerror}") from None
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


def _count(conn: sqlite3.Connection, table: str) -> int | str:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"unreadable ({exc})"


def check(db_path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Integrity check, schema version, application id and row counts of the file, never changing it.

    Returns ``{"file", "ok", "problems", "schema_version", "expected_schema_version", "footcoach", "rows"}``;
    DatabaseUnusable only when the file cannot be opened at all.
    """
    path = resolve_db_path(db_path)
    conn = _read_only(path)
    report: dict[str, Any] = {"file": str(path), "expected_schema_version": schema.SCHEMA_VERSION}
    problems: list[str] = []
    try:
        try:
            report["schema_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
            report["footcoach"] = conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
            problems += [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
            problems += [f"broken reference in {r[0]} row {r[1]}" for r in conn.execute("PRAGMA foreign_key_check")]
        except sqlite3.DatabaseError as exc:
            problems.append(f"not a readable SQLite database ({exc})")
            report.setdefault("schema_version", None)
            report.setdefault("footcoach", False)
        if report["schema_version"] is not None and report["schema_version"] > schema.SCHEMA_VERSION:
            problems.append(f"schema version {report['schema_version']} is newer than this footcoach understands")
        if not report["footcoach"] and not problems:
            problems.append("not a footcoach database (no footcoach application id)")
        report["rows"] = {t: _count(conn, t) for t in TABLES} if not problems or report["footcoach"] else {}
        problems += [f"table {t}: {n}" for t, n in report["rows"].items() if isinstance(n, str)]
    finally:
        conn.close()
    report["problems"] = problems
    report["ok"] = not problems
    return report


def backup(db_path: str | os.PathLike[str] | None, target: str | os.PathLike[str]) -> Path:
    """Copy the database to ``target`` with the online backup API (a consistent snapshot even while
    others write), owner-only, written to a temporary file beside the target and renamed into place.
    DatabaseUnusable when the target is the database itself or a link."""
    source = resolve_db_path(db_path)
    out = Path(target)
    if not str(target).strip():
        raise DatabaseUnusable(str(target), "an empty file name; give the backup file")
    if out.is_symlink():
        raise DatabaseUnusable(out, "a symbolic link; give the backup file itself")
    if out.exists() and source.exists() and os.path.samefile(out, source):
        raise DatabaseUnusable(out, "that is the database itself; give another file")
    if not source.exists():
        raise DatabaseUnusable(source, "no such file")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent if str(out.parent) else ".")
    os.close(fd)
    try:
        os.chmod(tmp, OWNER_ONLY)
        with opened(source, create=False) as conn:
            dest = sqlite3.connect(tmp)
            try:
                conn.backup(dest)
            finally:
                dest.close()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
