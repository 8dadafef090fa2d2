"""`footcoach plan FILE|--runner ID --out plan.html`: this week's plan as one printable page for the
runner: the decision in their words, what blocks progress, the exercises with dosing and cues, when to
stop and call, when to check in.  (Printing on one sheet and the phone layout: test_plan_browser.py.)"""

from __future__ import annotations

import copy
import json
import re
import stat
from datetime import datetime, timedelta

import markupsafe
import pytest
from click.testing import CliRunner

from footcoach import service
from footcoach.cli import main
from footcoach.knowledge.base import default_knowledge
from footcoach.render.plan_html import DAYS_PER_WEEK
from tests import record_calls as store
from tests.conftest import EXAMPLES, example_names

GENERATED = "2026-11-30T15:05:40+00:00"


def esc(text: str) -> str:
    return str(markupsafe.escape(text))


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", example_names())
def test_plan_page_holds_the_decision_and_every_exercise_with_dosing_and_cues(name):
    doc = example(name)
    assessment = service.assess_document(doc)
    page = service.plan_html(doc, GENERATED)
    assert f'data-action="{assessment["action"]}"' in page
    plan = assessment["plan"]
    if plan.get("paused"):
        for s in plan["see"]:
            assert esc(s["whom"]) in page and esc(s["how_soon"]) in page
        assert 'class="exercise"' not in page
        assert 'class="stop"' not in page  # the referral already says whom to see: no second list
    else:
        for block in plan["blocks"]:
            for ex in block["exercises"]:
                assert esc(ex["name"]) in page and esc(ex["dosing"]) in page
                assert all(esc(cue) in page for cue in ex["cues"])
    for item in (
        (assessment.get("progress_blocked_by") or {}).get("items", []) if assessment["action"] == "hold" else []
    ):
        assert esc(item["words"]) in page


def test_stop_signs_and_check_in_come_from_the_knowledge_base():
    kb = default_knowledge()
    page = service.plan_html(example("amber-hold-worn-shoes"), GENERATED)
    stop = page[page.index('class="stop"') :]
    assert f"above {kb.value('pain.acceptable_max'):g}/{kb.nrs_max}" in stop
    assert all(esc(flag.reported) in stop for flag in kb.red_flags.values())
    due = datetime.fromisoformat(GENERATED) + timedelta(days=DAYS_PER_WEEK)
    assert f"Next check-in: <strong>{due:%A} {due.day} {due:%b %Y}</strong>" in page


def test_a_blocker_that_is_not_measured_says_how_to_measure_it():
    doc = example("stall-reintroduce")
    del doc["tests"]["balance_eyes_open_s"]
    page = service.plan_html(doc, GENERATED)
    assert re.search(r'<div class="how">How to measure it: Stand barefoot on one leg', page)


def test_plan_page_is_self_contained_and_escapes_every_user_string():
    doc = copy.deepcopy(example("amber-hold-worn-shoes"))
    doc["runner"]["id"] = '<script>alert("id")'  # an id holds no "/" (it names a web page), so no end tag
    doc["shoes"][0]["name"] = '<img src=x onerror="alert(1)">'
    page = service.plan_html(doc, GENERATED).lower()
    for needle in ("http://", "https://", "<script", "<link", "<img", "@import", "url("):
        assert needle not in page, needle
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page


def test_plan_command_writes_an_owner_only_html_page_and_text_otherwise(tmp_path):
    src = str(EXAMPLES / "progress-to-phase-3.json")
    out = tmp_path / "plan.html"
    result = CliRunner().invoke(main, ["plan", src, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    text = CliRunner().invoke(main, ["plan", src])
    assert text.exit_code == 0 and "<html" not in text.output and "phase 3" in text.output
    as_json = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["plan", src, "--format", "json", "--out", str(as_json)])
    assert result.exit_code == 0 and json.loads(as_json.read_text())["phase"] == 3


def test_plan_command_for_a_stored_runner_records_nothing(tmp_path):
    db = str(tmp_path / "fc.db")
    store.import_state(db, "r-017", example("progress-to-phase-3"))
    before = len(store.list_assessments(db, "r-017"))
    out = tmp_path / "plan.html"
    result = CliRunner().invoke(main, ["--db", db, "plan", "--runner", "r-017", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "This week's plan for r-017" in out.read_text(encoding="utf-8")
    assert len(store.list_assessments(db, "r-017")) == before


def test_plan_command_refuses_to_write_over_the_database(tmp_path):
    db = str(tmp_path / "fc.db")
    store.import_state(db, "r-017", example("progress-to-phase-3"))
    result = CliRunner().invoke(main, ["--db", db, "plan", "--runner", "r-017", "--out", db])
    assert result.exit_code == 2 and "database" in result.output
