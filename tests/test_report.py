"""The progress report: one self-contained HTML file, inline SVG charts with every data point, phase
changes, decisions with their reasons; rendered by headless Chromium when it is installed."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from footcoach.contract.state import NRS_MAX
from footcoach.render import report
from footcoach.storage import store

WEEKS = 10
PHASE_CHANGE_WEEK = 5


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """A runner with 10 diary weeks, a phase change in week 5, two assessments and an override."""
    path = str(tmp_path_factory.mktemp("report") / "fc.db")
    store.add_runner(path, "r-1", 42, "female", "regular")
    for w in range(1, WEEKS + 1):
        report_fields = {"pain": {"during": max(0, 5 - w // 2)}}
        if w == 1:
            report_fields = {
                "program": {"phase": 1, "weeks_in_phase": 0, "weeks_in_program": 0},
                "pain": {"during": 5, "after": 3, "settled_next_morning": True},
            }
        if w == PHASE_CHANGE_WEEK:
            report_fields["program"] = {"phase": 2}
        store.add_diary_entry(
            path,
            "r-1",
            {
                "week": w,
                "pain_morning": max(0, 6 - w // 2),
                "foot_fatigue": 3,
                "balance_eyes_open_s": {"left": 20 + 2 * w, "right": 26 + w},
                "heel_raises": {"left": 8 + 2 * w, "right": 12 + 2 * w},
            },
            report_fields,
        )
        if w in (4, WEEKS):
            aid = store.assess_runner(path, "r-1")["assessment_id"]
    store.add_override(path, aid, "hold", "Wants one more week <before> plyometrics & hops", author="PT-A")
    store.add_runner(path, "empty", 30)
    return path


@pytest.fixture(scope="module")
def html_path(db, tmp_path_factory) -> Path:
    return report.write_report(db, "r-1", tmp_path_factory.mktemp("out") / "r-1.html")


@pytest.fixture(scope="module")
def html(html_path) -> str:
    return html_path.read_text(encoding="utf-8")


def points(html: str, chart_id: str) -> list[tuple[int, float]]:
    svg = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S).group(0)
    return [
        (int(w), float(v)) for w, v in re.findall(r'<circle class="point" data-week="(\d+)" data-value="([\d.]+)"', svg)
    ]


def test_four_inline_svg_charts_with_every_data_point(html):
    assert html.count('<svg class="chart"') == 4
    assert points(html, "chart-morning-pain") == [(w, max(0, 6 - w // 2)) for w in range(1, WEEKS + 1)]
    assert points(html, "chart-pain-during") == [(1, 5)] + [(w, max(0, 5 - w // 2)) for w in range(2, WEEKS + 1)]
    assert points(html, "chart-balance") == [(w, min(20 + 2 * w, 26 + w)) for w in range(1, WEEKS + 1)]
    heel = points(html, "chart-heel-raises")
    assert heel[:WEEKS] == [(w, 8 + 2 * w) for w in range(1, WEEKS + 1)]  # left
    assert heel[WEEKS:] == [(w, 12 + 2 * w) for w in range(1, WEEKS + 1)]  # right


def test_points_lie_inside_the_plot_and_higher_values_sit_higher(html):
    svg = re.search(r'<svg class="chart" id="chart-morning-pain".*?</svg>', html, re.S).group(0)
    cys = [float(c) for c in re.findall(r'cy="([\d.]+)"', svg)]
    values = [v for _, v in points(html, "chart-morning-pain")]
    assert all(0 < cy < 230 for cy in cys)
    for (v1, y1), (v2, y2) in zip(zip(values, cys), zip(values[1:], cys[1:])):
        assert (v1 > v2) == (y1 < y2)
    assert f"pain 0-{NRS_MAX}" in html and "seconds" in html


def test_phase_changes_and_decisions_with_reasons(html):
    assert html.count(f'class="phase-change" data-week="{PHASE_CHANGE_WEEK}" data-phase="2"') == 4
    assert "Stability and plyometrics" in html
    decisions = html[html.index("<h2>Decisions</h2>") :]
    assert decisions.count("<tr>") == 3  # header + 2 assessments
    assert "Overridden to <b>hold</b> by PT-A" in decisions
    assert "Wants one more week &lt;before&gt; plyometrics &amp; hops" in decisions  # escaped
    assert "<before>" not in html


def test_self_contained_no_network(html):
    lowered = html.lower()
    for needle in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert needle not in lowered, needle
    assert "xmlns" not in lowered  # inline SVG in HTML needs no namespace URL


def test_report_file_is_owner_only(html_path):
    assert stat.S_IMODE(html_path.stat().st_mode) == 0o600


def test_empty_runner_still_renders(db, tmp_path):
    text = report.write_report(db, "empty", tmp_path / "e.html").read_text()
    assert text.count('<svg class="chart"') == 4 and text.count("no data recorded yet") == 4
    assert "No stored assessments yet" in text


def test_headless_chromium_renders_the_charts(html_path, open_page, tmp_path):
    page = open_page(html_path, 1200, 1600)
    # the DOM Chromium built holds the SVG elements (parsed as SVG, not as text)
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart circle.point").count() == 4 * WEEKS + WEEKS
    assert page.locator("svg.chart polyline").count() >= 4
    box = page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    shot = tmp_path / "report.png"
    data = page.screenshot(path=str(shot))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 30_000  # a blank page compresses to a few kB; charts and tables do not
