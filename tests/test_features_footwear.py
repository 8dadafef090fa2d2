"""Gherkin scenarios for the footwear rules: features/footwear.feature (steps in tests/bdd_steps.py)."""

from pytest_bdd import scenarios

from tests.bdd_steps import *  # noqa: F403

scenarios("footwear.feature")
