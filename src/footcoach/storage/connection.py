"""Opening the SQLite file: where it is, owner-only modes, read-only opening that never creates a file,
transactions, and turning SQLite's complaints about a damaged file into :class:`DatabaseUnusable`.

Writes run in ``BEGIN IMMEDIATE`` transactions with a busy timeout, so concurrent writers queue instead
of failing, and a multi-step change is all-or-nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from footcoach.storage import schema
from footcoach.storage.errors import DatabaseUnusable

ENV_DB = "FOOTCOACH_DB"
APP_NAME = "footcoach"
DB_FILE_NAME = "footcoach.db"
# Long enough for 2+ processes queueing for the write lock on a busy laptop; a writer holds it for
# milliseconds.  Not a clinical number.
BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000  # not clinical: milliseconds per second
OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR
_COMPANIONS = ("-wal", "-shm", "-journal")


def resolve_db_path(db_path: str | os.PathLike[str] | None) -> Path:
    """The database file: ``db_path`` if given, else ``$FOOTCOACH_DB``, else
    ``<user data dir>/footcoach/footcoach.db`` (platformdirs).  An empty path (given or in the
    environment) is refused: it would silently mean the default database."""
    if db_path is not None:
        if not str(db_path).strip():
            raise DatabaseUnusable(str(db_path), "an empty file name; give a database file")
        return Path(db_path).expanduser()
    env = os.environ.get(ENV_DB)
    if env is not None:
        if not env.strip():
            raise DatabaseUnusable(f"${ENV_DB}", "set but empty; unset it or give a database file")
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / DB_FILE_NAME


def now() -> str:
    """The UTC time stamps the tables hold."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def now_precise() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def load_json(path: str, text: Any, where: str) -> Any:
    """A stored JSON column, or DatabaseUnusable naming the row when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise DatabaseUnusable(path, f"{where}: stored value is not JSON", damaged=True) from None


def parse_time(path: str, text: Any, where: str) -> datetime:
    """A stored time stamp, or DatabaseUnusable naming the row when it is not one."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise DatabaseUnusable(path, f"{where}: stored time {text!r} is not a time stamp", damaged=True) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def owner_only(path: Path) -> None:
    """Tighten the file and its companions to 0600 (they hold health data); files we do not own are
    left to the error SQLite gives."""
    for p in (path, *(Path(f"{path}{extra}") for extra in _COMPANIONS)):
        with suppress(OSError):
            if stat.S_IMODE(p.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
                os.chmod(p, OWNER_ONLY)


def _require_regular(path: Path) -> bool:
    """True when the file exists (a regular file); DatabaseUnusable when it is something else."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DatabaseUnusable(path, f"cannot read it: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseUnusable(path, "not a regular file (a folder, pipe or device); give a database file")
    return True


def _create(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=stat.S_IRWXU)
        # Create the file ourselves, owner-only, before SQLite opens it: it holds health data.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, OWNER_ONLY))
    except OSError as exc:
        raise DatabaseUnusable(path, f"cannot create the database file: {exc.strerror}") from None


def connect(db_path: str | os.PathLike[str] | None, *, create: bool = True) -> sqlite3.Connection:
    """Open and migrate the database (autocommit mode: writes go through :func:`transaction`).

    With ``create`` false a missing file is not created: an empty in-memory database with the current
    schema stands in, so reading commands see no runners and leave no file behind.
    """
    path = resolve_db_path(db_path)
    exists = _require_regular(path)
    if not exists and not create:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.row_factory = sqlite3.Row
        schema.migrate(conn, ":memory:")
        return conn
    if not exists:
        _create(path)
    owner_only(path)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        schema.migrate(conn, str(path))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise unusable(path, exc) from None
    except BaseException:
        conn.close()
        raise
    owner_only(path)
    return conn


def unusable(path: str | Path, exc: sqlite3.Error) -> DatabaseUnusable:
    """SQLite's complaint about a file, as DatabaseUnusable."""
    text = str(exc)
    if "not a database" in text:
        return DatabaseUnusable(
            path, "not a SQLite database (damaged, truncated or another kind of file)", damaged=True
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return DatabaseUnusable(path, f"busy: {text}; try again")
    return DatabaseUnusable(path, f"damaged or not footcoach's ({text})", damaged=True)


def db_name(conn: sqlite3.Connection) -> str:
    """The file a connection has open (":memory:" for the read-only stand-in)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] or ":memory:"


@contextmanager
def opened(db_path: str | os.PathLike[str] | None, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection for one use case; SQLite errors inside become DatabaseUnusable naming the file."""
    conn = connect(db_path, create=create)
    path = db_name(conn)
    try:
        yield conn
    except sqlite3.IntegrityError:
        raise  # a constraint refused a value: a bug upstream, not a damaged file
    except sqlite3.DatabaseError as exc:
        raise unusable(path, exc) from None
    finally:
        conn.close()


_kept = threading.local()


@contextmanager
def kept_reader(db_path: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection]:
    """Like :func:`opened` without creating the file, for reading only, but the connection stays open
    for this thread's next read of the same file (a server reads the accounts and the caseload on every
    request; opening, checking and closing the file each time cost more than the query).

    Each statement still sees every change committed before it (autocommit mode, WAL).  The connection
    is opened again when the path or the file behind it changes (device, inode, change time: a file
    replaced or restored), and dropped after an error.  A missing file is read as :func:`opened` reads it.
    """
    path = resolve_db_path(db_path)
    try:
        st = path.stat()
    except OSError:
        with opened(db_path, create=False) as conn:
            yield conn
        return
    identity = (str(path), st.st_dev, st.st_ino, st.st_ctime_ns)
    held: tuple[tuple[str, int, int, int], sqlite3.Connection] | None = getattr(_kept, "held", None)
    if held is None or held[0] != identity:
        _drop_kept()
        held = (identity, connect(db_path, create=False))
        _kept.held = held
    conn = held[1]
    try:
        yield conn
    except sqlite3.IntegrityError:
        raise
    except sqlite3.DatabaseError as exc:
        _drop_kept()
        raise unusable(path, exc) from None
    finally:
        if conn.in_transaction:  # a reader never leaves one open (it would pin an old snapshot)
            conn.rollback()


def _drop_kept() -> None:
    held = getattr(_kept, "held", None)
    _kept.held = None
    if held is not None:
        with suppress(sqlite3.Error):
            held[1].close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rollback on any exception.  IMMEDIATE takes the write lock
    up front so read-then-write steps (next week number, latest report) cannot race."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
