"""The one way footcoach writes a file (``--out``, ``--save-response``, reports, exports).

:func:`write_file` writes the whole text or nothing:

- it refuses any protected file (the database and its ``-wal``/``-shm``/``-journal`` companions)
  and any path that is the *same file* as one of them (same device and inode: hard links and
  symbolic links are caught, not only equal names);
- it never writes through a symbolic link, and refuses a target that is not a regular file
  (a folder, a FIFO, a device);
- it writes to an unpredictable temporary file in the target's folder (``mkstemp``: created
  exclusively, owner-only), flushes it to disk and renames it over the target, so a planted
  ``FILE.tmp`` link or a crash half-way cannot damage anything;
- the result is owner-only (0600): a replaced file that was wider is replaced by a 0600 file.

Every refusal is an :class:`OutputError` whose ``problems`` start with the option name
(``--out: ...``); the command line reports it as bad input (exit 2) and nothing is written.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from footcoach.common.errors import BadInput

OWNER_ONLY = 0o600  # health data: readable by its owner only
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")  # SQLite's files next to a database


class OutputError(BadInput):
    """A file footcoach was asked to write and must not (or cannot); nothing was written."""


def database_files(db: str | os.PathLike[str] | None) -> list[Path]:
    """The database file and SQLite's companion files next to it (they hold the same records)."""
    if db is None or not str(db):
        return []
    return [Path(f"{db}{suffix}") for suffix in DATABASE_COMPANIONS]


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: Path, follow: bool = True) -> os.stat_result | None:
    try:
        return path.stat() if follow else path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None


def _refusal(option: str, target: str, why: str) -> OutputError:
    return OutputError([f"{option}: value {json.dumps(target, ensure_ascii=False)}: {why}"])


def check_target(
    target: str | os.PathLike[str], protect: Iterable[str | os.PathLike[str]] = (), option: str = "--out"
) -> Path:
    """The checked target path; OutputError if writing it is refused (see the module doc)."""
    name = os.fspath(target)
    if not name:
        raise _refusal(option, name, "empty; allowed: a file name")
    path = Path(name)
    own = _stat(path, follow=False)
    if own is not None and stat.S_ISLNK(own.st_mode):
        raise _refusal(
            option,
            name,
            "is a symbolic link; footcoach never writes through one; allowed: a regular file or a new name",
        )
    if own is not None and not stat.S_ISREG(own.st_mode):
        raise _refusal(
            option, name, "is not a regular file (a folder, FIFO or device); allowed: a regular file or a new name"
        )
    folder = path.parent
    folder_stat = _stat(folder)
    if folder_stat is None or not stat.S_ISDIR(folder_stat.st_mode):
        raise _refusal(
            option, name, f"the folder {json.dumps(str(folder))} does not exist; allowed: a file in an existing folder"
        )
    resolved = path.resolve()
    for protected in protect:
        p = Path(protected)
        other = _stat(p)
        if (other is not None and own is not None and _same_file(own, other)) or resolved == p.resolve():
            raise _refusal(
                option, name, "that is the footcoach database (or one of its files); allowed: any other file"
            )
    return path


def write_file(
    target: str | os.PathLike[str],
    text: str,
    protect: Iterable[str | os.PathLike[str]] = (),
    option: str = "--out",
) -> Path:
    """Write ``text`` (UTF-8) to ``target`` whole, owner-only, never over a protected file; return the path."""
    import tempfile  # here, not at import: ``assess`` to stdout starts without it (shutil, bz2, lzma)

    protect = list(protect)
    path = check_target(target, protect, option)
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _refusal(option, os.fspath(target), f"cannot write there ({exc.strerror})") from None
    try:
        try:
            os.fchmod(fd, OWNER_ONLY)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise _refusal(option, os.fspath(target), f"cannot write it ({exc.strerror})") from None
        # Checked again just before the rename: the target may have changed since (the rename itself
        # replaces a link rather than following it, so at worst a link planted now is replaced).
        check_target(path, protect, option)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _refusal(option, os.fspath(target), f"cannot write it ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
