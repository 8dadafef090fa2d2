"""What is expensive to build and the same on every start, cached on disk for the next start: the
checked rule base (:mod:`footcoach.rulebook.cache`), the shipped knowledge base, its bounds and the
exercise catalogue.

Each entry is one pickle in the user cache folder (``platformdirs``; ``FOOTCOACH_CACHE_DIR``
overrides it, empty turns the cache off), named by its kind and a key.  The key hashes what the
entry is made of: the data files it was built from (their names and bytes) and their folders'
paths, the versions of footcoach, Python and pydantic, and the source of the packages whose
classes are pickled (other code, such as an older checkout at the same path or a developer's edit,
never reads a stale entry).  The folder is owner-only (0700), each file too (0600, written to a
temporary file and renamed); a file not owned by this user, readable or writable by others, of
another type, or that fails to load is ignored and rebuilt.  Each entry holds the name it was written
under, so an entry renamed or copied onto another key is ignored too.  A folder that is not this
user's, or that others may write to, is not used at all (nothing read from it, nothing written): a
start then builds everything.  Nothing else is ever read from it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

CACHE_ENV = "FOOTCOACH_CACHE_DIR"
KEY_CHARS = 32  # not clinical: hex digits of a cache key
OWNER_ONLY_DIR = 0o700  # not clinical: folder mode
OTHERS_BITS = 0o077  # not clinical: group and world permission bits
SHARED_WRITE_BITS = 0o022  # not clinical: group and world write permission bits
ENTRY_TAG = "footcoach-cache-entry"  # an entry is (ENTRY_TAG, the file name it was written under, value)
KEPT_PER_KIND = 8  # not clinical: entries of one kind kept (the newest); older ones are deleted
PACKAGE = Path(__file__).resolve().parent.parent  # the footcoach package folder

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where cached entries live, or None when caching is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("footcoach", appauthor=False))


def code_fingerprint(packages: Iterable[str], package: Path = PACKAGE) -> str:
    """A hash of the source of these footcoach packages (``common``, ``knowledge``, ...)."""
    digest = hashlib.sha256()
    for name in packages:
        # This process's own code is read once (a start asks for several entries made of one
        # package, and the code a process runs does not change while it runs); any other folder
        # is read each time.
        source = _own_source if package == PACKAGE else _package_source
        for part in source(package / name, name):
            digest.update(part)
    return digest.hexdigest()


def _package_source(folder: Path, name: str) -> tuple[bytes, ...]:
    """The names and bytes of one package's modules."""
    parts: list[bytes] = []
    for path in sorted(folder.glob("*.py")):
        parts += [f"{name}/{path.name}".encode(), path.read_bytes()]
    return tuple(parts)


_own_source = lru_cache(maxsize=None)(_package_source)


def yaml_files(folder: Path) -> list[tuple[str, str]]:
    """(path relative to ``folder``, full path) of every ``*.yaml`` under ``folder``, in the order
    of ``sorted(folder.rglob("*.yaml"))`` (by path components; symbolic links to folders are not
    followed), found with ``os.walk``: a start reads these folders' files for several cache keys and
    the rule-base version, and pathlib's walk and path objects cost several times more."""
    found: list[tuple[tuple[str, ...], str, str]] = []
    top = os.fspath(folder)
    for where, _dirs, files in os.walk(top):
        rel = os.path.relpath(where, top)
        parts = () if rel == os.curdir else tuple(rel.split(os.sep))
        for name in files:
            if name.endswith(".yaml"):
                found.append(((*parts, name), os.sep.join((*parts, name)), os.path.join(where, name)))
    found.sort()
    return [(rel, full) for _parts, rel, full in found]


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def data_fingerprint(*folders: Path) -> str:
    """A hash of every data file (``*.yaml``) under the folders, with the folders' paths."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder.resolve()).encode())
        for rel, full in yaml_files(folder):
            digest.update(rel.encode())
            digest.update(read_bytes(full))
    return digest.hexdigest()


def cache_key(*parts: str) -> str:
    """The key of an entry made of ``parts``, with the versions that pickle depends on."""
    import pydantic

    import footcoach

    versions = (footcoach.__version__, sys.version, pydantic.VERSION)
    return hashlib.sha256("\0".join((*parts, *versions)).encode()).hexdigest()[:KEY_CHARS]


def private_folder(folder: Path) -> bool:
    """Whether ``folder`` is a folder of this user's that no one else may write to."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & SHARED_WRITE_BITS


def read_entry(path: Path, expect: type[T]) -> T | None:
    """The object pickled in ``path`` when it is safe to read, was written under this name and is
    of type ``expect``, else None."""
    import pickle

    if not private_folder(path.parent):
        return None
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & OTHERS_BITS:
                return None
            entry = pickle.load(f)
        tag, name, value = entry
    except Exception:  # a missing, truncated, foreign or stale file: rebuild it
        return None
    if tag != ENTRY_TAG or name != path.name:  # an older format, or an entry moved onto another key
        return None
    return value if isinstance(value, expect) else None


def write_entry(folder: Path, path: Path, value: object) -> None:
    """Pickle ``value`` to ``path`` owner-only, atomically; a folder that cannot be written is skipped."""
    import pickle
    import tempfile

    try:
        folder.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
        if not private_folder(folder):
            return  # a folder others may write to is never used (see the module's docstring)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((ENTRY_TAG, path.name, value), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(folder, path)
    except OSError:
        pass  # a read-only or full cache folder only costs the next start its time


def _prune(folder: Path, newest: Path) -> None:
    """Delete all but the newest KEPT_PER_KIND entries of ``newest``'s kind (older rule bases,
    knowledge or code): the cache folder does not grow with every edit."""
    kind = newest.name.rsplit("-", 1)[0]
    entries = []
    for path in folder.glob(f"{kind}-*.pickle"):
        if len(path.stem) == len(kind) + 1 + KEY_CHARS:
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
    entries.sort(reverse=True)
    stale = [path for _mtime, path in entries[KEPT_PER_KIND:] if path != newest]
    if kind == "rules":  # the rule cache's entries were named by their key alone until rules-v3
        stale += [p for p in folder.glob("*.pickle") if len(p.stem) == KEY_CHARS and "-" not in p.stem]
    for path in stale:
        path.unlink(missing_ok=True)


def cached(kind: str, key: str, expect: type[T], build: Callable[[], T]) -> T:
    """The ``kind`` entry of ``key`` (from :func:`cache_key`) when the cache holds it; otherwise
    ``build()`` it (an exception propagates and nothing is cached) and cache it."""
    where = cache_dir()
    if where is None:
        return build()
    path = where / f"{kind}-{key}.pickle"
    value = read_entry(path, expect)
    if value is None:
        value = build()
        write_entry(where, path, value)
    return value
