"""Shared fixtures: the repository root, the shipped rule base, the shared examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "examples"


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))


def load_example(name: str) -> tuple[dict, dict]:
    return (json.loads((EXAMPLES / f"{name}.json").read_text()),
            json.loads((EXAMPLES / f"{name}.expected.json").read_text()))


@pytest.fixture(scope="session")
def rulebase():
    from footcoach.engine import default_rulebase

    return default_rulebase()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
