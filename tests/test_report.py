"""The progress report a physio hands to a runner: one self-contained HTML file with "what to do now",
charts per diary week with the phase gates as target lines, carried-forward values drawn as such,
phase changes and overrides with their reasons, a print stylesheet and a phone layout; technical
details in a collapsible section.  (Browser checks at 1200 and 390 px: test_report_browser.py.)"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import markupsafe
import pytest
from click.testing import CliRunner

from footcoach import service
from footcoach.cli import main
from footcoach.knowledge.base import default_knowledge
from footcoach.render.charts import fmt
from footcoach.storage import audit
from footcoach.storage.caseload import progress_data

WEEKS = 10
PHASE_CHANGE_WEEK = 5
CLOSED_WEEKS = (6, 9)  # eyes-closed balance and hop pain measured in these weeks only
AGE, SEX = 42, "female"
REASON = "Wants one more week <before> plyometrics & hops"
GENERATED = "2026-11-30T15:05:40+00:00"


def esc(text: str) -> str:
    return str(markupsafe.escape(text))


def balance_measured(w: int) -> bool:
    return w % 3 != 2  # weeks 2, 5, 8 without an eyes-open balance test


def build_runner(path: str) -> None:
    """A runner with 10 diary weeks, a phase change in week 5, gaps in the balance tests, an
    assessment per week (every entry re-assesses) and an override on the latest."""
    service.add_runner(path, "r-1", AGE, SEX, "regular")
    for w in range(1, WEEKS + 1):
        fields: dict = {"pain": {"during": max(0, 5 - w // 2)}}
        if w == 1:
            fields = {
                "program": {"phase": 1, "weeks_in_phase": 0, "weeks_in_program": 0},
                "pain": {"during": 5, "after": 3, "settled_next_morning": True},
            }
        if w == PHASE_CHANGE_WEEK:
            fields["program"] = {"phase": 2}
        if w in CLOSED_WEEKS:
            fields["tests"] = {"balance_eyes_closed_s": {"left": 6 + w, "right": 9 + w}, "hop_pain": 5 - w // 3}
        entry: dict = {
            "week": w,
            "pain_morning": max(0, 6 - w // 2),
            "heel_raises": {"left": 8 + 2 * w, "right": 12 + 2 * w},
        }
        if balance_measured(w):
            entry["balance_eyes_open_s"] = {"left": 20 + 2 * w, "right": 26 + w}
        aid = service.add_diary_entry(path, "r-1", entry, fields)["assessment_id"]
    service.write(path, audit.add_override, aid, "hold", REASON, "PT-A")
    service.add_runner(path, "empty", 30)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "fc.db")
    build_runner(path)
    return path


@pytest.fixture(scope="module")
def html(db) -> str:
    return service.report_html(db, "r-1", generated_at=GENERATED)


def svg(html: str, chart_id: str) -> str:
    return re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S).group(0)


def points(html: str, chart_id: str, carried: bool | None = None) -> list[tuple[int, float]]:
    found = re.findall(r'<circle class="point( carried)?" data-week="(\d+)" data-value="([\d.]+)"', svg(html, chart_id))
    return [(int(w), float(v)) for c, w, v in found if carried is None or bool(c) == carried]


def targets(html: str, chart_id: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, body in re.findall(r'<g class="target" data-target="([\w.]+)"[^>]*>(.*?)</g>', svg(html, chart_id), re.S):
        out[name] = [float(v) for v in re.findall(r'<line [^>]*data-value="([\d.]+)"', body)]
    return out


CHARTS = (
    "chart-morning-pain",
    "chart-pain-during",
    "chart-pain-after",
    "chart-balance",
    "chart-balance-closed",
    "chart-heel-raises",
    "chart-lsi",
    "chart-hop-pain",
)


def test_eight_charts_including_eyes_closed_balance_hop_pain_and_pain_after(html):
    assert re.findall(r'<svg class="chart" id="([\w-]+)"', html) == list(CHARTS)
    assert points(html, "chart-morning-pain") == [(w, max(0, 6 - w // 2)) for w in range(1, WEEKS + 1)]
    assert points(html, "chart-pain-during") == [(1, 5)] + [(w, max(0, 5 - w // 2)) for w in range(2, WEEKS + 1)]
    heel = points(html, "chart-heel-raises")
    assert heel[:WEEKS] == [(w, 8 + 2 * w) for w in range(1, WEEKS + 1)]  # left
    assert heel[WEEKS:] == [(w, 12 + 2 * w) for w in range(1, WEEKS + 1)]  # right


def test_carried_forward_values_are_drawn_hollow_on_a_dashed_line_not_as_one_point(html):
    # pain after: reported in week 1 only, in force every week after
    assert points(html, "chart-pain-after", carried=False) == [(1, 3)]
    assert points(html, "chart-pain-after", carried=True) == [(w, 3) for w in range(2, WEEKS + 1)]
    assert 'class="line carried"' in svg(html, "chart-pain-after")
    # eyes-open balance: weeks without a test repeat the last one, hollow
    measured = [(w, min(20 + 2 * w, 26 + w)) for w in range(1, WEEKS + 1) if balance_measured(w)]
    assert points(html, "chart-balance", carried=False) == measured
    assert points(html, "chart-balance", carried=True) == [
        (w, min(20 + 2 * (w - 1), 26 + w - 1)) for w in range(1, WEEKS + 1) if not balance_measured(w)
    ]
    # eyes-closed balance and hop pain: measured twice, carried between and after
    closed = points(html, "chart-balance-closed", carried=False)
    assert closed == [(w, min(6 + w, 9 + w)) for w in CLOSED_WEEKS]
    assert [w for w, _ in points(html, "chart-balance-closed", carried=True)] == [7, 8, 10]
    assert points(html, "chart-hop-pain", carried=False) == [(w, 5 - w // 3) for w in CLOSED_WEEKS]


def test_target_lines_for_each_gate_come_from_the_knowledge_base(html):
    kb = default_knowledge()
    open_norm = kb.resolve("balance.eyes_open_norm", AGE, SEX).value
    closed_norm = kb.resolve("balance.eyes_closed_norm", AGE, SEX).value
    assert targets(html, "chart-balance") == {"balance.eyes_open_norm": [open_norm]}
    assert targets(html, "chart-balance-closed") == {"balance.eyes_closed_norm": [closed_norm]}
    # the heel-raise gate of each phase over that phase's weeks
    heel = targets(html, "chart-heel-raises")
    assert heel == {
        "heel_raises.start_dose": [kb.value("heel_raises.start_dose")],
        "heel_raises.return_to_sport_min": [kb.value("heel_raises.return_to_sport_min")],
    }
    assert targets(html, "chart-lsi") == {"symmetry.lsi_min": [kb.value("symmetry.lsi_min")] * 2}
    assert targets(html, "chart-hop-pain") == {"hop.pain_max": [kb.value("hop.pain_max")]}
    assert f"norm {fmt(open_norm)} s" in html and f"gate {fmt(kb.value('symmetry.lsi_min'))}%" in html


def test_a_phase_gate_is_drawn_over_the_weeks_of_its_phase(html):
    chart = svg(html, "chart-heel-raises")
    x = {
        name: [(float(a), float(b)) for a, b in re.findall(r'<line x1="([\d.]+)" x2="([\d.]+)"', body)]
        for name, body in re.findall(r'data-target="([\w.]+)"[^>]*>(.*?)</g>', chart, re.S)
    }
    phase_x = float(re.search(r'class="phase-change" data-week="5"[^>]*><line x1="([\d.]+)"', chart).group(1))
    (p1_from, p1_to), (p2_from, p2_to) = x["heel_raises.start_dose"][0], x["heel_raises.return_to_sport_min"][0]
    assert p1_from < p1_to == phase_x == p2_from < p2_to


def test_what_to_do_now_in_the_runners_words_with_blockers_and_this_weeks_plan(db, html):
    now = html[html.index('<section class="now"') : html.index("</section>")]
    current = service.report_data(db, "r-1")["current"]
    assert f'data-action="{current["action"]}"' in now
    carrier = next(r for r in current["recommendations"] if r["kind"] == "hold")
    assert esc(carrier["runner"]) in now
    assert "What blocks the next phase" in now and "90" in now  # heel-raise LSI short of the gate
    for block in current["plan"]["blocks"]:
        for ex in block["exercises"]:
            assert esc(ex["name"]) in now and esc(ex["dosing"]) in now
    # the physio's override stands on the record as it is: shown with its reason, escaped
    assert "Your physiotherapist decided <strong>hold</strong> (PT-A): " + esc(REASON) in now


def test_phase_changes_and_overrides_with_their_reasons(html):
    assert html.count(f'class="phase-change" data-week="{PHASE_CHANGE_WEEK}" data-phase="2"') == len(CHARTS)
    changes = html[html.index("<h2>Phase changes</h2>") : html.index("<h2>Decisions</h2>")]
    assert "phase 1 &rarr; phase 2 (Stability and plyometrics)" in changes
    assert 'data-label="why">recorded with the diary' in changes
    decisions = html[html.index("<h2>Decisions</h2>") : html.index('<details class="technical">')]
    assert decisions.count("<tr>") == 1 + WEEKS  # header + one assessment per diary week
    assert "Overridden to <b>hold</b> by PT-A on 30 Nov 2026: " + esc(REASON) in decisions
    assert "<before>" not in html


def test_human_dates_outside_and_iso_times_and_rule_base_only_in_the_technical_details(db, html):
    technical = html[html.index('<details class="technical">') : html.index("</details>")]
    outside = html.replace(technical, "")
    assert "30 Nov 2026" in outside
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", outside)
    version = service.rulebase_version()
    assert version not in outside and version in technical and GENERATED in technical
    for a in service.read(db, progress_data, "r-1")["assessments"]:
        assert a["created_at"] in technical


def test_print_stylesheet_and_a_layout_that_stacks_at_phone_width(html):
    style = html[html.index("<style>") : html.index("</style>")]
    assert "@media print" in style and "@page" in style
    assert re.search(r"@media \(max-width:\s*\d+px\)\{[^@]*\.charts\{grid-template-columns:minmax\(0,1fr\)\}", style)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_charts_carry_no_inline_style_so_a_strict_csp_page_can_embed_them(html):
    for chart_id in CHARTS:
        assert "style=" not in svg(html, chart_id)
    assert 'fill="#1f5fa8"' in svg(html, "chart-morning-pain")


def test_self_contained_no_network(html):
    lowered = html.lower()
    for needle in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert needle not in lowered, needle


def test_every_user_string_is_escaped(tmp_path):
    path = str(tmp_path / "x.db")
    evil = '<script>alert("x")'  # no end tag: ids may not hold '/'
    service.add_runner(path, evil, 35, "male")
    aid = service.add_diary_entry(
        path,
        evil,
        {"week": 1, "pain_morning": 2},
        {"program": {"phase": 1, "weeks_in_phase": 0}, "pain": {"during": 2, "after": 1, "settled_next_morning": True}},
    )["assessment_id"]
    service.write(path, audit.add_override, aid, "hold", evil, evil)
    page = service.report_html(path, evil)
    assert "<script" not in page.lower()
    assert page.count(esc(evil)) >= 4


def test_report_command_writes_an_owner_only_file(db, tmp_path):
    out = tmp_path / "r-1.html"
    result = CliRunner().invoke(main, ["--db", db, "report", "r-1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").count('<svg class="chart"') == len(CHARTS)


def test_empty_runner_still_renders(db):
    text = service.report_html(db, "empty")
    assert text.count('<svg class="chart"') == len(CHARTS) and text.count("no data recorded yet") == len(CHARTS)
    assert "No stored assessments yet" in text and "No assessment yet" in text
    assert 'class="target"' in text  # the gates ahead are shown even before the first measurement


def test_templates_ship_inside_the_package():
    import footcoach.render

    folder = Path(footcoach.render.__file__).parent / "templates"
    assert {"report.html", "chart.svg", "_plan.html", "base.css", "report.css"} <= {p.name for p in folder.iterdir()}
