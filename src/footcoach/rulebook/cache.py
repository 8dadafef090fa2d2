"""The validated rule base cached on disk, so a cold ``footcoach assess`` skips loading and checking
every rule file.

The cache is one pickle per key in the user cache folder (``platformdirs``; ``FOOTCOACH_CACHE_DIR``
overrides it, empty turns the cache off).  The key hashes the rules and knowledge files (their
names and bytes, the rule-base version), the folders' paths, the versions of footcoach,
Python, pydantic and experta, and the source of the packages whose classes are pickled.  The folder is owner-only (0700), the file too (0600, written to a
temporary file and renamed); a file not owned by this user, readable or writable by others, not
of this key or that fails to load is ignored and rebuilt.  Nothing else is ever read from it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from footcoach.knowledge.base import Knowledge, fingerprint_folder
from footcoach.rulebook.loader import load_rules
from footcoach.rulebook.model import RuleSet

CACHE_ENV = "FOOTCOACH_CACHE_DIR"
FORMAT = "rules-v2"  # bump when what is pickled changes shape
KEY_CHARS = 32  # not clinical: hex digits of the cache key
OWNER_ONLY_DIR = 0o700  # not clinical: folder mode
OTHERS_BITS = 0o077  # not clinical: group and world permission bits


def cache_dir() -> Path | None:
    """Where cached rule bases live, or None when caching is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("footcoach", appauthor=False))


CODE_PACKAGES = ("common", "contract", "knowledge", "rulebook")  # the classes a cached rule base is made of


def code_fingerprint() -> str:
    """A hash of the source of the packages whose classes are pickled: a cache written by other code
    (an older checkout at the same path, a developer's edit) never matches."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in CODE_PACKAGES:
        for path in sorted((package / name).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(rules_folder: Path, kb: Knowledge, version: str) -> str:
    """The key of a rule base: its files, their folders, and the versions that pickle depends on."""
    import experta
    import pydantic

    import footcoach

    parts = (
        FORMAT,
        version,
        str(rules_folder.resolve()),
        str(kb.folder.resolve()),
        footcoach.__version__,
        sys.version,
        pydantic.VERSION,
        getattr(experta, "__version__", "?"),
        code_fingerprint(),
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:KEY_CHARS]


def _read(path: Path) -> RuleSet | None:
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & OTHERS_BITS:
                return None
            rules = pickle.load(f)
    except Exception:  # a missing, truncated, foreign or stale file: rebuild it
        return None
    return rules if isinstance(rules, RuleSet) else None


def _write(folder: Path, path: Path, rules: RuleSet) -> None:
    try:
        folder.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".rules-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(rules, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only or full cache folder only costs the next start its time


def load_rules_cached(folder: Path | None, kb: Knowledge) -> tuple[RuleSet, str]:
    """The checked rule set for ``folder`` (default: the shipped rules) and the rule-base version,
    from the cache when it holds this exact rule base; otherwise loaded, checked and cached."""
    from footcoach.common.paths import rules_dir

    rules_folder = Path(folder) if folder else rules_dir()
    version = fingerprint_folder(rules_folder, kb.folder)
    where = cache_dir()
    if where is None:
        return load_rules(rules_folder, kb), version
    path = where / f"{cache_key(rules_folder, kb, version)}.pickle"
    cached = _read(path)
    if cached is not None:
        return cached, version
    rules = load_rules(rules_folder, kb)  # raises on a bad rule base: nothing is cached
    _write(where, path, rules)
    return rules, version
