"""Gherkin scenarios for the shared examples: features/examples.feature (steps in tests/bdd_steps.py)."""

from pytest_bdd import scenarios

from tests.bdd_steps import *  # noqa: F403
from tests.bdd_steps import EXAMPLES_DIR, REPO_ROOT

scenarios("examples.feature")


def _examples_in_feature() -> set[str]:
    """The names in the Examples table of features/examples.feature."""
    names: set[str] = set()
    in_table = False
    for line in (REPO_ROOT / "features" / "examples.feature").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("Examples:"):
            in_table = True
            continue
        if in_table and stripped.startswith("|"):
            cell = stripped.strip("|").strip()
            if cell != "example":
                names.add(cell)
    return names


def test_every_shared_example_is_a_scenario():
    on_disk = {p.name.removesuffix(".expected.json") for p in EXAMPLES_DIR.glob("*.expected.json")}
    assert on_disk, f"no shared examples in {EXAMPLES_DIR}"
    assert _examples_in_feature() == on_disk


def test_every_shared_example_has_a_state_and_an_expectation():
    states = {p.stem for p in EXAMPLES_DIR.glob("*.json") if not p.name.endswith(".expected.json")}
    expectations = {p.name.removesuffix(".expected.json") for p in EXAMPLES_DIR.glob("*.expected.json")}
    assert states == expectations
