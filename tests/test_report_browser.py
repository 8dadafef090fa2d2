"""The progress report in headless Chromium at desktop (1200 px) and phone (390 px) width: nothing
scrolls sideways, the charts and their target lines are drawn, the charts sit in two columns on a
desktop and stack on a phone, "what to do now" opens the page, and the print stylesheet hides the
technical details.  Screenshots go to the test's tmp folder (or $FOOTCOACH_SCREENSHOTS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from footcoach import service
from tests.browser import DESKTOP, PHONE, elements_past_the_right_edge, horizontal_overflow
from tests.test_report import CHARTS, build_runner

READABLE_PX = 10  # smallest rendered chart text box height (px) we accept on a phone (about a 9 px font)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report-browser")
    db = str(folder / "fc.db")
    build_runner(db)
    out = folder / "r-1.html"
    out.write_text(service.report_html(db, "r-1"), encoding="utf-8")
    return out


def chart_boxes(page) -> list[dict]:
    figures = page.locator("figure[data-chart]")
    return [figures.nth(i).bounding_box() for i in range(figures.count())]


@pytest.mark.parametrize(("width", "height", "columns"), [(*DESKTOP, 2), (*PHONE, 1)], ids=["1200px", "390px"])
def test_report_layout_in_chromium(open_page, report_file, screenshot_dir, width, height, columns):
    page = open_page(report_file, width, height)
    page.screenshot(path=str(screenshot_dir / f"report-{width}.png"), full_page=True)
    assert horizontal_overflow(page) == 0
    assert elements_past_the_right_edge(page) == []
    boxes = chart_boxes(page)
    assert len(boxes) == len(CHARTS)
    assert all(b["width"] > width / (columns + 1) and b["height"] > 0 for b in boxes)
    assert len({round(b["x"]) for b in boxes}) == columns  # two columns on a desktop, stacked on a phone
    # every target line is drawn (a visible, non-empty line), one group per gate
    lines = page.locator("g.target line")
    assert lines.count() >= len(CHARTS) - 3
    assert all(lines.nth(i).bounding_box()["width"] > 0 for i in range(lines.count()))
    # "what to do now" starts within the first screen
    assert page.locator("[data-action]").bounding_box()["y"] < height


def test_chart_text_stays_readable_at_phone_width(open_page, report_file):
    page = open_page(report_file, *PHONE)
    heights = page.evaluate(
        "() => [...document.querySelectorAll('svg.chart text.tick, g.target text')]"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= READABLE_PX


def test_print_stylesheet_hides_the_technical_details_and_keeps_the_charts(open_page, report_file, screenshot_dir):
    page = open_page(report_file, *DESKTOP)
    assert page.locator("details.technical").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("details.technical").is_visible()
    assert len(chart_boxes(page)) == len(CHARTS)
    page.screenshot(path=str(screenshot_dir / "report-print.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf[:5] == b"%PDF-"


def test_the_decision_element_carries_the_action(open_page, report_file):
    page = open_page(report_file, *PHONE)
    action = page.locator("[data-action]").get_attribute("data-action")
    assert action in ("refer", "regress", "hold", "progress")
    assert page.locator(f".headline.{action}").is_visible()
