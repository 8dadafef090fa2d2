"""The replay report rendered for a clinic lead: text and HTML say the same record, user strings escaped."""

from __future__ import annotations

import shutil
from pathlib import Path

from footcoach.governance.assessing import Assessor
from footcoach.governance.replay import StoredInput, folder_diff, replay
from footcoach.render.replay import replay_html, replay_text

ROOT = Path(__file__).resolve().parent.parent
GREEN = {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True}


def _item(rid: str, reps: int) -> StoredInput:
    doc = {
        "runner": {"id": rid, "age": 35},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": dict(GREEN),
        "tests": {"balance_eyes_open_s": {"left": 45, "right": 45}, "heel_raises": {"left": reps, "right": reps}},
    }
    return StoredInput(rid, doc, "2026-11-01", 1)


def test_text_and_html_show_the_same_change(tmp_path):
    k = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", k)
    t = k / "thresholds.yaml"
    t.write_text(t.read_text().replace("start_dose:\n    value: 12", "start_dose:\n    value: 14"))
    items = [_item("<script>alert(1)", 13), _item("r-2", 20)]
    record = replay(items, Assessor(), Assessor(None, str(k))).as_record()
    text = replay_text(record)
    assert "1 would change, 1 would not" in text
    assert "heel_raises.start_dose: 12 -> 14" in text
    diff = folder_diff("knowledge", ROOT / "knowledge", k)
    assert any(line.startswith("-    value: 12") for line in diff) and any(
        line.startswith("+    value: 14") for line in diff
    )
    html = replay_html(record, diff)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "progress -&gt; hold; gate-p1-heel-raises; heel_raises.start_dose 12 -&gt; 14" in html
    assert 'class="add">+    value: 14' in html


def test_no_change_says_so():
    record = replay([_item("r-1", 20)], Assessor(), Assessor()).as_record()
    assert "no runner's decision or advice would change" in replay_text(record)
    assert "The rule files and knowledge files are the same." in replay_html(record, [])
