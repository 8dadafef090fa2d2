"""Where the shipped rule base and knowledge live.

In a wheel they are packed under ``footcoach/_data``; in an editable install or a
source checkout they are the top-level ``rules/`` and ``knowledge/`` folders.
"""

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # the footcoach package folder


def _find(name: str) -> Path:
    packed = _PKG / "_data" / name
    if packed.is_dir():
        return packed
    for parent in _PKG.parents:
        candidate = parent / name
        if candidate.is_dir() and (parent / "pyproject.toml").is_file():
            return candidate
    raise FileNotFoundError(f"cannot find the footcoach {name}/ folder (looked in {packed} and above {_PKG})")


def rules_dir() -> Path:
    """Folder of the shipped rule files."""
    return _find("rules")


def knowledge_dir() -> Path:
    """Folder of the shipped knowledge files."""
    return _find("knowledge")
