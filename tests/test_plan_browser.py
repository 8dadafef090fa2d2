"""The printable plan in headless Chromium: every shared example and a long phase-1 plan (a stall,
two worn shoes, load advice) print on one A4 sheet; at 390 px nothing scrolls sideways and at
1200 px the exercises sit in columns.  Screenshots: the test's tmp folder or $FOOTCOACH_SCREENSHOTS."""

from __future__ import annotations

import json
import re

import pytest

from footcoach import service
from tests.browser import DESKTOP, PHONE, elements_past_the_right_edge, horizontal_overflow
from tests.conftest import EXAMPLES, example_names


def long_plan() -> dict:
    doc = json.loads((EXAMPLES / "stall-reintroduce.json").read_text())
    doc["runner"]["id"] = "r-017"
    doc["shoes"] = [
        {"name": "Old racer", "km": 870, "drop_mm": 6, "minimalist": False, "weeks_worn": 60},
        {"name": "Trail shoe", "km": 650, "drop_mm": 4, "minimalist": False},
    ]
    doc["running"] = {"weekly_km": 30, "previous_weekly_km": 20, "longest_run_km_30d": 10, "planned_long_run_km": 16}
    return doc


DOCS = {name: lambda name=name: json.loads((EXAMPLES / f"{name}.json").read_text()) for name in example_names()}
DOCS["long-phase-1-plan"] = long_plan


@pytest.fixture(params=sorted(DOCS))
def plan_file(request, tmp_path):
    out = tmp_path / f"plan-{request.param}.html"
    out.write_text(service.plan_html(DOCS[request.param]()), encoding="utf-8")
    return out


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_plan_prints_on_one_a4_sheet(open_page, plan_file, screenshot_dir):
    page = open_page(plan_file, *DESKTOP)
    assert pdf_pages(page.pdf(format="A4")) == 1
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshot_dir / plan_file.name.replace(".html", "-print.png")), full_page=True)


@pytest.mark.parametrize(("width", "height"), [DESKTOP, PHONE], ids=["1200px", "390px"])
def test_the_plan_reads_at_desktop_and_phone_width(open_page, plan_file, screenshot_dir, width, height):
    page = open_page(plan_file, width, height)
    page.screenshot(path=str(screenshot_dir / plan_file.name.replace(".html", f"-{width}.png")), full_page=True)
    assert horizontal_overflow(page) == 0
    assert elements_past_the_right_edge(page) == []
    assert page.locator("[data-action]").is_visible()
    assert page.locator(".checkin").is_visible()
    assert page.locator(".stop").count() == (0 if page.locator(".paused").count() else 1)
    exercises = page.locator(".exercise")
    if exercises.count():
        xs = {round(exercises.nth(i).bounding_box()["x"]) for i in range(exercises.count())}
        assert (len(xs) > 1) == (width == DESKTOP[0])  # columns on a desktop, one column on a phone
