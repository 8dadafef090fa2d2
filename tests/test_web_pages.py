"""The pages without a browser: caseload filter and search, adding a runner, the rule book, making a
runner link, corrections and overrides that need a reason, and the triage's per-answer checks."""

from __future__ import annotations

import re
from html import escape

import pytest

from tests import record_calls as store
from tests.web_support import client, csrf_of, make_clinic, sign_in


@pytest.fixture
def signed_in(tmp_path):
    clinic = make_clinic(tmp_path)
    c = client(clinic.db)
    sign_in(c)
    return clinic, c


def _runner_ids(html: str) -> list[str]:
    return re.findall(r'<tr class="row-[a-z_]+" data-runner="([^"]+)">', html)


def test_caseload_puts_the_referral_first_and_filters_and_searches(signed_in):
    _clinic, c = signed_in
    assert _runner_ids(c.get("/caseload").text) == ["ben", "r-017"]
    assert _runner_ids(c.get("/caseload?show=referral").text) == ["ben"]
    assert _runner_ids(c.get("/caseload?q=017").text) == ["r-017"]
    assert _runner_ids(c.get("/caseload?q=nobody").text) == []


def test_add_a_runner_and_bad_values_are_named(signed_in):
    clinic, c = signed_in
    csrf = csrf_of(c.get("/runners/new").text)
    bad = c.post("/runners", data={"csrf": csrf, "id": "carla", "age": "7"})
    assert bad.status_code == 422 and "runner.age" in bad.text and 'value="carla"' in bad.text
    ok = c.post("/runners", data={"csrf": csrf, "id": "carla", "age": "58", "sex": "female"})
    assert ok.status_code == 303 and ok.headers["location"] == "/runners/carla"
    assert store.show_runner(clinic.db, "carla")["runner"] == {"id": "carla", "age": 58, "sex": "female"}
    assert "Not assessed yet" in c.get("/runners/carla").text


def test_rule_book_lists_every_rule(signed_in):
    from footcoach.inference.engine import default_rulebase

    _, c = signed_in
    html = c.get("/rules").text
    rb = default_rulebase()
    for rule_id, rule in rb.rules.rules.items():
        assert f"<code>{rule_id}</code>" in html
        assert f"<td>{escape(rule.title_text(rb.kb), quote=True)}</td>" in html
    assert "bound method" not in html


def test_a_runner_link_made_on_the_runner_page_opens_the_triage(signed_in):
    _clinic, c = signed_in
    csrf = csrf_of(c.get("/runners/r-017").text)
    page = c.post("/runners/r-017/invite", data={"csrf": csrf, "days": "3"})
    link = re.search(r'value="(http://testserver/t/[^"]+)"', page.text).group(1)
    token = link.rsplit("/", 1)[1]
    assert c.get(f"/t/{token}").status_code == 200
    c.post("/runners/r-017/revoke-links", data={"csrf": csrf})
    assert c.get(f"/t/{token}").status_code == 404


def test_corrections_and_overrides_need_a_reason(signed_in):
    clinic, c = signed_in
    csrf = csrf_of(c.get("/runners/r-017").text)
    week = store.list_diary(clinic.db, "r-017")[0]["week"]
    r = c.post(f"/runners/r-017/diary/{week}", data={"csrf": csrf, "pain_morning": "4", "reason": " "})
    assert r.status_code == 422 and "reason" in r.text and 'value="4"' in r.text
    r = c.post(f"/runners/r-017/diary/{week}", data={"csrf": csrf, "pain_morning": "four", "reason": "typo"})
    assert r.status_code == 422 and "pain_morning" in r.text
    r = c.post("/runners/r-017/override", data={"csrf": csrf, "action": "hold", "reason": ""})
    assert r.status_code == 422 and "reason" in r.text
    assert store.list_assessments(clinic.db, "r-017")[-1]["overrides"] == []


def test_a_correction_reassesses_the_runner_and_keeps_the_old_values(signed_in):
    from footcoach.web import data

    clinic, c = signed_in
    csrf = csrf_of(c.get("/runners/r-017").text)
    before = len(store.list_assessments(clinic.db, "r-017"))
    week = store.list_diary(clinic.db, "r-017")[-1]["week"]
    r = c.post(f"/runners/r-017/diary/{week}", data={"csrf": csrf, "pain_morning": "5", "reason": "was 5"})
    assert r.status_code == 303
    assert len(store.list_assessments(clinic.db, "r-017")) == before + 1
    correction = data.changes(clinic.db, "r-017")[-1]
    assert correction["kind"] == "diary.edit" and correction["reason"] == "was 5"
    assert correction["new"]["entry"]["pain_morning"] == 5 and correction["old"]["entry"]["week"] == week
    assert correction["author"] == "physio@example.org"


def test_delete_a_week_with_a_reason_and_accept_a_phase_change(signed_in):
    from footcoach.web import data

    clinic, c = signed_in
    csrf = csrf_of(c.get("/runners/r-017").text)
    first = data.list_diary(clinic.db, "r-017")[0]["week"]
    refused = c.post(f"/runners/r-017/diary/{first}/delete", data={"csrf": csrf, "reason": ""})
    assert refused.status_code == 422 and data.diary_week(clinic.db, "r-017", first) is not None
    r = c.post(f"/runners/r-017/diary/{first}/delete", data={"csrf": csrf, "reason": "entered twice"})
    assert r.status_code == 303 and data.diary_week(clinic.db, "r-017", first) is None
    page = c.get("/runners/r-017").text
    assert "diary week deleted (week" in page and "entered twice" in page
    assert "Accept phase change to 3" in page  # r-017's latest decision: progress from phase 2 to 3
    r = c.post("/runners/r-017/phase", data={"csrf": csrf})
    assert r.status_code == 303
    assert data.show_runner(clinic.db, "r-017")["current_report"]["program"]["phase"] == 3
    assert "phase change accepted" in c.get("/runners/r-017").text


def test_each_answer_is_checked_and_kept_when_refused(tmp_path):
    clinic = make_clinic(tmp_path)
    c = client(clinic.db)
    link = clinic.links["r-017"]
    first = c.get(f"/t/{link}")
    csrf = csrf_of(first.text)
    ids = re.findall(r'<select id="q-([a-z_]+)"', first.text)
    answers = dict.fromkeys(ids, "no")
    answers[ids[0]] = "perhaps"
    r = c.post(f"/t/{link}/p/safety_nerves", data={"csrf": csrf, "nav": "next", **answers})
    assert r.status_code == 422 and "Not allowed: &#39;perhaps&#39; is not allowed. Please answer yes or no." in r.text
    assert 'aria-invalid="true"' in r.text
    answers[ids[0]] = "no"
    r = c.post(f"/t/{link}/p/safety_nerves", data={"csrf": csrf, "nav": "next", **answers})
    assert r.status_code == 303 and r.headers["location"].endswith("/p/safety_bone")
    page2 = c.get(f"/t/{link}/p/safety_bone")
    assert "Page 2 of" in page2.text and "Back" in page2.text


def test_the_stored_triage_reaches_diary_audit_and_caseload(tmp_path):
    clinic = make_clinic(tmp_path)
    c = client(clinic.db)
    link = clinic.links["r-017"]
    weeks = len(store.list_diary(clinic.db, "r-017"))
    csrf = csrf_of(c.get(f"/t/{link}").text)
    r = c.post(f"/t/{link}/p/safety_nerves", data={"csrf": csrf, "nav": "next", "red_flag_night_pain": "yes"})
    assert r.status_code == 303 and r.headers["location"].endswith("/result")
    stop = c.get(f"/t/{link}/result")
    assert 'data-action="refer"' in stop.text and "Stop the exercises" in stop.text
    assert len(store.list_diary(clinic.db, "r-017")) == weeks + 1
    assert store.list_assessments(clinic.db, "r-017")[-1]["source"] == "triage"
    assert [row["runner"] for row in store.caseload(clinic.db)][:2] == ["ben", "r-017"]
    assert all("referral" in row["flags"] for row in store.caseload(clinic.db))
