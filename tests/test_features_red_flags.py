"""Gherkin scenarios for the red flags rules: features/red_flags.feature (steps in tests/bdd_steps.py)."""

from pytest_bdd import scenarios

from tests.bdd_steps import *  # noqa: F403

scenarios("red_flags.feature")
