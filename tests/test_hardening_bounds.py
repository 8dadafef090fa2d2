"""Issue 8 item 3: bounds on a state from the clinic's reality (knowledge/limits.yaml): shoes, diary
weeks, red flags, distances and week counts; ids and shoe names non-blank after stripping."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from footcoach.cli import main
from footcoach.common.documents import current_limits
from footcoach.common.exits import EXIT_BAD_INPUT
from footcoach.contract.state import State, bound_model
from footcoach.knowledge.base import default_knowledge

from .conftest import EXAMPLES

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

BASE = json.loads((EXAMPLES / "amber-hold-worn-shoes.json").read_text())
LIMITS = current_limits()
QUICK_S = 5.0  # generous per-input bound: a refusal takes milliseconds; 5,000 shoes took minutes


def assess(doc: dict):
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["assess", "-", "--format", "json"], input=json.dumps(doc))
    return result, time.perf_counter() - started


def refused(doc: dict, *needles: str) -> str:
    result, seconds = assess(doc)
    assert result.exit_code == EXIT_BAD_INPUT, result.stderr
    assert result.stdout == "" and "internal error" not in result.stderr
    assert seconds < QUICK_S
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def shoes(n: int) -> list[dict]:
    return [{"name": f"pair {i}", "km": 100 + i} for i in range(n)]


@pytest.mark.parametrize("count", [2000, 5000])
def test_thousands_of_shoes_are_refused_by_the_bound_at_once(count):
    refused({**BASE, "shoes": shoes(count)}, "shoes:", f"{count} entries", f"at most {LIMITS.shoes}")


def test_the_limit_number_of_shoes_is_assessed():
    result, _ = assess({**BASE, "shoes": shoes(LIMITS.shoes)})
    assert result.exit_code == 0, result.stderr


def test_diary_weeks_are_bounded():
    history = [{"week": w, "pain_morning": 1} for w in range(LIMITS.diary_weeks + 1)]
    refused({**BASE, "history": history}, "history:", f"at most {LIMITS.diary_weeks}")
    result, _ = assess({**BASE, "program": {**BASE["program"], "weeks_in_program": 600}, "history": history[1:]})
    assert result.exit_code == 0, result.stderr


def test_red_flags_are_bounded_each_known_flag_once():
    refused({**BASE, "red_flags": ["night_pain", "night_pain"]}, "red_flags[1]", "listed twice")
    refused({**BASE, "red_flags": ["night_pain"] * 1000}, "red_flags:", f"at most {len(SHIPPED.red_flags)}")


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("weekly_km", 1e308, "running.weekly_km"),
        ("previous_weekly_km", LIMITS.weekly_km + 1, "running.previous_weekly_km"),
        ("longest_run_km_30d", 1e300, "running.longest_run_km_30d"),
        ("planned_long_run_km", LIMITS.run_km * 2, "running.planned_long_run_km"),
    ],
)
def test_distances_are_inside_a_physical_range(field, value, needle):
    refused({**BASE, "running": {field: value}}, needle, "knowledge/limits.yaml")


def test_shoe_distance_and_week_counts_are_bounded():
    refused({**BASE, "shoes": [{"name": "a", "km": 1e308}]}, "shoes[0].km")
    refused({**BASE, "shoes": [{"name": "a", "weeks_worn": 10**9}]}, "shoes[0].weeks_worn")
    refused({**BASE, "program": {"phase": 1, "weeks_in_phase": 10**9}}, "program.weeks_in_phase")
    refused({**BASE, "history": [{"week": 10**9}]}, "history[0].week")


def test_the_smallest_positive_distance_does_not_overflow_a_percentage():
    result, _ = assess({**BASE, "running": {"weekly_km": LIMITS.weekly_km, "previous_weekly_km": 5e-324}})
    assert result.exit_code == 0, result.stderr
    assert "load_advice" in result.stdout


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u00a0"])
def test_ids_and_shoe_names_are_non_blank_after_stripping(blank):
    refused({**BASE, "runner": {**BASE["runner"], "id": blank}}, "runner.id")
    refused({**BASE, "shoes": [{"name": blank}]}, "shoes[0].name")


def test_ids_and_names_are_bounded_in_length():
    refused({**BASE, "runner": {**BASE["runner"], "id": "r" * (LIMITS.id_chars + 1)}}, "runner.id")
    refused({**BASE, "shoes": [{"name": "n" * (LIMITS.name_chars + 1)}]}, "shoes[0].name")


def test_runner_add_refuses_a_whitespace_only_id(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "fc.db"), "runner", "add", "  ", "--age", "40"])
    assert result.exit_code == EXIT_BAD_INPUT and "runner.id" in result.stderr


def test_a_knowledge_base_brings_its_own_limits():
    doc = {**BASE, "shoes": shoes(3)}
    bound_model(State, SHIPPED).model_validate(doc)
    with pytest.raises(ValidationError, match="more than 2 pairs"):
        bound_model(State, replace(SHIPPED, limits=replace(LIMITS, shoes=2))).model_validate(doc)
