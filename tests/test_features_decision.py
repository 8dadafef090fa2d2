"""Gherkin scenarios for the decision rules: features/decision.feature (steps in tests/bdd_steps.py)."""

from pytest_bdd import scenarios

from tests.bdd_steps import *  # noqa: F403

scenarios("decision.feature")
