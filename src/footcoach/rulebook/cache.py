"""The validated rule base cached on disk, so a cold ``footcoach assess`` skips loading and checking
every rule file.

An entry of :mod:`footcoach.common.disk_cache` (the user cache folder, owner-only, ignored and
rebuilt when it does not match or cannot be read; ``FOOTCOACH_CACHE_DIR`` moves it, empty turns
it off).  The key hashes the rules and knowledge files (their names and bytes, the rule-base
version), the folders' paths, the versions of footcoach, Python and pydantic, and the source of
the packages whose classes are pickled (nothing of experta's is: the rule base is footcoach's own
models).
"""

from __future__ import annotations

from pathlib import Path

from footcoach.common import disk_cache
from footcoach.common.disk_cache import CACHE_ENV, cache_dir
from footcoach.knowledge.base import Knowledge, fingerprint_folder
from footcoach.rulebook.loader import load_rules
from footcoach.rulebook.model import RuleSet

__all__ = ["CACHE_ENV", "cache_dir", "cache_key", "code_fingerprint", "load_rules_cached"]

FORMAT = "rules-v3"  # bump when what is pickled changes shape
CODE_PACKAGES = ("common", "contract", "knowledge", "rulebook")  # the classes a cached rule base is made of


def code_fingerprint() -> str:
    """A hash of the source of the packages whose classes are pickled: a cache written by other code
    (an older checkout at the same path, a developer's edit) never matches."""
    return disk_cache.code_fingerprint(CODE_PACKAGES, Path(__file__).resolve().parent.parent)


def cache_key(rules_folder: Path, kb: Knowledge, version: str) -> str:
    """The key of a rule base: its files, their folders, and the versions that pickle depends on."""
    parts = (FORMAT, version, str(rules_folder.resolve()), str(kb.folder.resolve()), code_fingerprint())
    return disk_cache.cache_key(*parts)


def _read(path: Path) -> RuleSet | None:
    return disk_cache.read_entry(path, RuleSet)


def load_rules_cached(folder: Path | None, kb: Knowledge) -> tuple[RuleSet, str]:
    """The checked rule set for ``folder`` (default: the shipped rules) and the rule-base version,
    from the cache when it holds this exact rule base; otherwise loaded, checked and cached."""
    from footcoach.common.paths import rules_dir

    rules_folder = Path(folder) if folder else rules_dir()
    version = fingerprint_folder(rules_folder, kb.folder)
    key = cache_key(rules_folder, kb, version)
    return disk_cache.cached("rules", key, RuleSet, lambda: load_rules(rules_folder, kb)), version
