"""The journeys of issue 11 in the system Chromium (Playwright), at phone size (390 x 844) and desktop
size: a red flag stops at once; a runner who should progress sees it and the plan; Back and the review
change an answer and the decision follows; a physiotherapist signs in, finds the red-flag runner first,
corrects a diary week, overrides with a reason and sees both in the history."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from footcoach.storage import accounts
from tests import record_calls as store
from tests.browser import PHONE, elements_past_the_right_edge, horizontal_overflow
from tests.triage_web_driver import typed_answers
from tests.web_support import EMAIL, PASSWORD, example, make_clinic

SIZES = {"phone": PHONE, "desktop": (1280, 900)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on a free loopback port, in a thread, for the module."""
    import uvicorn

    from footcoach.web.app import create_app

    clinic = make_clinic(tmp_path_factory.mktemp("browser"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(create_app(clinic.db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield clinic, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _fresh_runner(clinic, name: str, example_name: str) -> str:
    state = example(example_name)
    state["runner"].pop("id", None)
    store.import_state(clinic.db, name, state)
    return accounts.new_runner_link(clinic.db, name)


def _answers(example_name: str) -> dict[str, str]:
    """What a runner in this example would type, by field key (shoes a page per pair); the diary on
    record is used (0 weeks typed)."""
    return {**typed_answers(example(example_name)), "diary": "0"}


def _fill_page(page, answers: dict[str, str]) -> None:
    for control in page.locator(".question select, .question input").all():
        qid = control.get_attribute("name")
        if qid not in answers:
            continue
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(answers[qid])
        else:
            control.fill(answers[qid])


def _click(page, control) -> None:
    """Click a control that loads another page, and wait for that page."""
    with page.expect_navigation():
        control.click()


def _next(page) -> None:
    _click(page, page.get_by_role("button", name="Next"))


def _answer_all(page, answers: dict[str, str]) -> int:
    pages = 0
    while page.get_by_role("button", name="Next").count():
        _fill_page(page, answers)
        _next(page)
        pages += 1
        assert pages < 30, "the questionnaire never ended"
    return pages


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_red_flag_stops_on_the_first_page_with_whom_to_see(server, open_page, size):
    clinic, base = server
    link = _fresh_runner(clinic, f"red-{size}", "progress-to-phase-3")
    page = open_page(f"{base}/t/{link}", *SIZES[size])
    label = "Do you have burning, tingling or numbness in your heel or foot?"
    page.get_by_label(label).select_option("Yes")
    _next(page)
    decision = page.locator("[data-action]")
    assert decision.get_attribute("data-action") == "refer"
    text = page.locator("main").inner_text()
    assert "Please stop here" in text and "within a week" in text and "GP" in text
    # nothing else: no plan, no further questions, no filled-in values
    assert page.locator("main select, main input, .plan").count() == 0
    assert "phase" not in text.lower() and "age" not in text.lower().replace("stage", "")
    assert store.caseload(clinic.db)[0]["flags"][:2] == ["red_flag", "referral"]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_runner_who_should_progress_sees_progress_and_the_plan(server, open_page, size):
    clinic, base = server
    link = _fresh_runner(clinic, f"prog-{size}", "progress-to-phase-3")
    page = open_page(f"{base}/t/{link}", *SIZES[size])
    first_labels = page.locator(".question label").all_inner_texts()
    assert 1 <= len(first_labels) <= 4
    for label in first_labels:  # every input is reachable by its question's words
        assert page.get_by_label(label, exact=True).count() == 1
    pages = _answer_all(page, _answers("progress-to-phase-3"))
    assert page.locator("h1").inner_text() == "Check your answers"
    _click(page, page.get_by_role("button", name="Back"))  # the review's Back: the last page, answers kept
    assert f"Page {pages} of {pages}" in page.locator(".progress").inner_text()
    assert all(v for v in page.locator(".question input").evaluate_all("els => els.map(e => e.value)"))
    _next(page)
    _click(page, page.get_by_role("button", name="See my result"))
    assert page.locator("[data-action]").get_attribute("data-action") == "progress"
    assert page.locator(".plan h3").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    history = store.list_assessments(clinic.db, f"prog-{size}")
    assert history[-1]["source"] == "triage" and history[-1]["action"] == "progress"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_shoes_are_asked_a_page_per_pair_and_worn_shoes_show_in_the_result(server, open_page, size):
    clinic, base = server
    link = _fresh_runner(clinic, f"shoes-{size}", "amber-hold-worn-shoes")
    answers = {**_answers("amber-hold-worn-shoes"), "shoes": "2", "shoes.2.name": "new <b>trail</b>"}
    answers |= {"shoes.2.km": "about 30 miles", "shoes.2.minimalist": "yes"}
    page = open_page(f"{base}/t/{link}", *SIZES[size])
    titles = []
    while page.get_by_role("button", name="Next").count():
        titles.append(page.locator("h1").inner_text())
        if titles[-1].endswith("pair of shoes 2 of 2"):
            km = page.get_by_label("About how many kilometres have you run in them?")
            assert km.count() == 1 and page.locator(".question").count() == 5
            assert horizontal_overflow(page) == 0, elements_past_the_right_edge(page)
        _fill_page(page, answers)
        _next(page)
        assert len(titles) < 30, "the questionnaire never ended"
    assert "Your running shoes: pair of shoes 1 of 2" in titles and titles.index("Your running shoes") >= 4
    review = page.locator("section.review-page", has_text="pair of shoes 2 of 2")
    assert "48.3" in review.inner_text()  # 30 miles, converted as the terminal converts it
    _click(page, page.get_by_role("button", name="See my result"))
    assert page.locator("[data-action]").get_attribute("data-action") == "hold"
    shoes = page.locator("section.summary", has=page.get_by_role("heading", name="Shoes and running load"))
    assert 'Your "Old racer" has done 870 km' in shoes.inner_text()
    assert horizontal_overflow(page) == 0, elements_past_the_right_edge(page)
    stored = store.show_runner(clinic.db, f"shoes-{size}")["current_report"]["shoes"]
    assert [s["name"] for s in stored] == ["Old racer", "new <b>trail</b>"]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_back_and_the_review_change_an_answer_and_the_decision_follows(server, open_page, size):
    clinic, base = server
    link = _fresh_runner(clinic, f"change-{size}", "progress-to-phase-3")
    answers = _answers("progress-to-phase-3")
    page = open_page(f"{base}/t/{link}", *SIZES[size])
    _fill_page(page, answers)
    _next(page)
    _fill_page(page, answers)
    _next(page)
    _click(page, page.get_by_role("button", name="Back"))
    assert "Page 2 of" in page.locator(".progress").inner_text()
    assert page.locator(".question select").first.input_value() in ("yes", "no")  # answers kept
    _answer_all(page, answers)
    during = "In the last 7 days, how bad was your foot or heel pain at its worst DURING"
    _click(page, page.locator(".answer", has_text=during).get_by_role("link", name="Change"))
    page.get_by_label(during).fill("8")
    _next(page)
    assert page.locator("h1").inner_text() == "Check your answers"
    assert page.locator(".answer", has_text=during).locator("dd span").inner_text() == "8"
    _click(page, page.get_by_role("button", name="See my result"))
    assert page.locator("[data-action]").get_attribute("data-action") == "regress"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_physio_corrects_a_week_overrides_and_the_history_shows_both(server, open_page, size):
    clinic, base = server
    red = example("red-flag-numbness")
    red["runner"].pop("id", None)
    red["history"] = [{"week": 1, "pain_morning": 3}, {"week": 2, "pain_morning": 2}]
    store.import_state(clinic.db, f"a-red-{size}", red)
    store.assess_runner(clinic.db, f"a-red-{size}")
    page = open_page(f"{base}/login", *SIZES[size])
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    rows = page.locator("table.caseload tbody tr")
    first = rows.first
    assert first.locator(".flag").first.inner_text() == "red flag"  # a red flag on record comes first
    # red flags stay on top even when overridden: the other size's runner may be above this one
    mine = rows.filter(has=page.get_by_role("link", name=f"a-red-{size}", exact=True))
    assert mine.locator(".flag").first.inner_text() == "red flag"
    mine.get_by_role("link", name=f"a-red-{size}", exact=True).click()
    assert page.locator("h1").inner_text() == f"Runner a-red-{size}"
    page.locator("tr[data-week]").first.get_by_role("link", name="Correct").click()
    page.get_by_label("Morning pain (0-10)").fill("6")
    page.get_by_label("Reason for the correction").fill(f"typed 2 for 6 ({size})")
    page.get_by_role("button", name="Save correction").click()
    assert "corrected" in page.locator(".notice").inner_text()
    page.get_by_label("Action", exact=True).select_option("hold")
    page.get_by_label("Reason", exact=True).fill(f"seen in clinic, numbness resolved ({size})")
    page.get_by_role("button", name="Override").click()
    history = page.locator("section.history").inner_text()
    assert f"typed 2 for 6 ({size})" in history
    assert f"seen in clinic, numbness resolved ({size})" in history and "Overridden to hold" in history
    assert page.locator("p.decision").get_attribute("data-action") in ("hold", "refer")
