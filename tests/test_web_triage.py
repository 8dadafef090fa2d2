"""The runner's triage on the web drives the terminal's session: the same pages, the same answer
forms, the same checks, shoes asked a page per pair, and the same assessment (byte for byte as JSON)
for the same answers typed in the terminal (``footcoach triage --runner``) and on the web."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.json_text import dump_json
from footcoach.storage import accounts
from footcoach.web import data
from tests import record_calls as store
from tests.triage_web_driver import answer_until, read_page, typed_answers, walk
from tests.web_support import client, csrf_of, example

RID = "r1"


def _runner(tmp: Path, name: str, state: dict[str, Any]) -> tuple[str, str]:
    """A database with one runner on record (``state`` without its id) and the runner's link."""
    db = str(tmp / f"{name}.db")
    state = json.loads(json.dumps(state))
    state["runner"].pop("id", None)
    store.import_state(db, RID, state)
    return db, accounts.new_runner_link(db, RID)


def _terminal(db: str, lines: list[str]) -> Any:
    typed = "".join(f"{line}\n" for line in lines)
    return CliRunner().invoke(main, ["--db", db, "triage", "--runner", RID, "--format", "json"], input=typed)


def _lines_typed_on_the_web(pages: list[tuple[str, list[str], dict[str, str]]]) -> list[str]:
    """What the web posted, a line per field in the web's order, then Enter at the review."""
    return [form[key] for _heading, keys, form in pages for key in keys] + [""]


WORN_PAIR = {"name": "Old racer", "km": 870, "drop_mm": 6, "minimalist": False, "weeks_worn": 60}


def _cases() -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """(state on record, what the runner types differently from it)."""
    progress = example("progress-to-phase-3")
    with_shoes = json.loads(json.dumps(progress))
    with_shoes["shoes"] = [WORN_PAIR, {"name": "daily <b>trainer</b>", "km": 120, "minimalist": True}]
    forms = {"runner_sex": "f", "running_weekly_km": "about 12 miles", "heel_raises_left": "22 raises"}
    return {
        "progress-to-phase-3": (progress, {}),
        "amber-hold-worn-shoes": (example("amber-hold-worn-shoes"), {}),
        "regress-not-settled": (example("regress-not-settled"), {}),
        "stall-reintroduce": (example("stall-reintroduce"), {}),
        "two-pairs-and-answer-forms": (with_shoes, forms),
    }


CASES = _cases()


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_answers_in_the_terminal_and_on_the_web_give_the_same_assessment_json(tmp_path, case):
    state, extra = CASES[case]
    typed = {**typed_answers(state), **extra}
    web_db, link = _runner(tmp_path, "web", state)
    cli_db, _ = _runner(tmp_path, "cli", state)
    done = walk(client(web_db), link, typed)
    assert done.final.status_code == 200 and "data-action=" in done.final.text
    web = data.latest_assessment(web_db, RID)
    assert web is not None and web["source"] == "triage"
    r = _terminal(cli_db, _lines_typed_on_the_web(done.pages))
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == web["assessment"]
    assert _canonical(r.stdout) == _canonical(dump_json(web["assessment"]))  # byte for byte, keys sorted
    # the same questions: the terminal showed the web's pages in the web's order
    titles = re.findall(r"^-- (.+) --$", r.stderr, flags=re.M)
    assert titles[-1] == "Your answers"  # the review
    assert titles[:-1] == [heading for heading, _keys, _form in done.pages]


def test_a_red_flag_stops_the_terminal_and_the_web_with_the_same_assessment(tmp_path):
    state = example("progress-to-phase-3")
    typed = {**typed_answers(state), "red_flag_heel_squeeze_pain": "y"}  # a common form of yes
    web_db, link = _runner(tmp_path, "web", state)
    cli_db, _ = _runner(tmp_path, "cli", state)
    done = walk(client(web_db), link, typed)
    assert len(done.pages) == 2  # stopped on the second red-flag page, nothing after it
    assert 'data-action="refer"' in done.final.text and "Stop the exercises" in done.final.text
    web = data.latest_assessment(web_db, RID)
    r = _terminal(cli_db, _lines_typed_on_the_web(done.pages))
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == web["assessment"]


def test_shoes_are_asked_a_page_per_pair_and_their_check_shows_in_the_result_as_in_the_terminal(tmp_path):
    state = example("amber-hold-worn-shoes")
    web_db, link = _runner(tmp_path, "web", state)
    done = walk(client(web_db), link, typed_answers(state))
    headings = [h for h, _keys, _form in done.pages]
    assert "Your running shoes" in headings and "Your running shoes: pair of shoes 1 of 1" in headings
    pair_keys = next(keys for h, keys, _form in done.pages if h.endswith("pair of shoes 1 of 1"))
    assert pair_keys == [f"shoes.1.{f}" for f in ("name", "km", "drop_mm", "minimalist", "weeks_worn")]
    # the terminal's words for the same assessment
    r = CliRunner().invoke(main, ["--db", web_db, "assess", "--runner", RID, "--for", "runner"])
    terminal = " ".join(r.stdout.split())
    page = done.final.text
    section = page[page.index("<h2>Shoes and running load</h2>") :]
    shoe_advice = re.search(r"<li>(Your &#34;Old racer&#34;[^<]*)</li>", section)
    assert shoe_advice, section[:400]
    said = shoe_advice.group(1).replace("&#34;", '"')
    assert "870 km" in said and said in terminal
    stored = store.show_runner(web_db, RID)["current_report"]["shoes"]
    assert stored[0]["name"] == "Old racer" and stored[0]["km"] == 870


def test_the_common_answer_forms_are_taken_on_the_web_and_shown_converted_in_the_review(tmp_path):
    state = example("progress-to-phase-3")
    db, link = _runner(tmp_path, "web", state)
    c = client(db)
    typed = {**typed_answers(state), "running_weekly_km": "about 10 miles", "pain_during": "around 2"}
    response = c.get(f"/t/{link}")
    while (page := read_page(response)).action:
        form = {key: typed.get(key, page.values[key]) for key in page.order}
        response = c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form})
        assert response.status_code == 303, page.problems
        response = c.get(response.headers["location"])
    # 10 miles in km (1.609344 km a mile), as the terminal converts it
    assert re.search(r"kilometres did you run this week\?</dt><dd><span>16.1</span>", response.text)
    assert re.search(r"at its worst DURING[^<]*</dt><dd><span>2</span>", response.text)


def test_an_answer_that_differs_from_the_record_is_asked_once_to_confirm(tmp_path):
    state = example("progress-to-phase-3")
    db, link = _runner(tmp_path, "web", state)
    c = client(db)
    response = c.get(f"/t/{link}")
    typed = typed_answers(state)
    while "runner_age" not in (page := read_page(response)).order:
        form = {key: typed.get(key, page.values[key]) for key in page.order}
        response = c.get(c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form}).headers["location"])
    assert page.values["runner_age"] == "42"  # filled from the record
    form = {**{k: page.values[k] for k in page.order}, "runner_age": "43"}
    refused = c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form})
    assert refused.status_code == 422
    assert "Please check: your record says 42, you answered 43" in read_page(refused).problems[0]
    again = c.post(page.action, data={"csrf": page.csrf, "nav": "next", **form})
    assert again.status_code == 303  # sent again: confirmed


def test_each_refused_answer_says_what_is_allowed_and_keeps_what_was_typed(tmp_path):
    state = example("progress-to-phase-3")
    db, link = _runner(tmp_path, "web", state)
    c = client(db)
    first = read_page(c.get(f"/t/{link}"))
    keys = first.order
    form = {keys[0]: "perhaps", keys[1]: ""}
    r = c.post(first.action, data={"csrf": first.csrf, "nav": "next", **form})
    assert r.status_code == 422
    page = read_page(r)
    assert page.problems == [
        "Not allowed: 'perhaps' is not allowed. Please answer yes or no.",
        "An answer is needed here: yes or no.",
    ]
    assert 'aria-invalid="true"' in r.text
    form = {keys[0]: "nope", keys[1]: "N"}  # the terminal's forms of no
    r = c.post(first.action, data={"csrf": first.csrf, "nav": "next", **form})
    assert r.status_code == 303 and r.headers["location"].endswith("/p/safety_bone")


def test_the_session_is_kept_on_the_server_for_its_own_link_only(tmp_path):
    state = example("progress-to-phase-3")
    db, link = _runner(tmp_path, "web", state)
    state2 = json.loads(json.dumps(state))
    store.import_state(db, "r2", state2 | {"runner": {k: v for k, v in state["runner"].items() if k != "id"}})
    other = accounts.new_runner_link(db, "r2")
    c = client(db)
    first = read_page(c.get(f"/t/{link}"))
    r = c.post(first.action, data={"csrf": first.csrf, "nav": "next", **dict.fromkeys(first.order, "no")})
    assert r.status_code == 303 and not r.headers.get("set-cookie")  # nothing of the session travels
    assert read_page(c.get(f"/t/{link}")).heading.startswith("Is this routine safe for you now? (2 of 4)")
    assert read_page(c.get(f"/t/{other}")).heading.startswith("Is this routine safe for you now? (1 of 4)")
    # another link's form token does not answer this link's pages
    theirs = read_page(c.get(f"/t/{other}"))
    assert c.post(f"/t/{link}/p/safety_bone", data={"csrf": theirs.csrf, "nav": "next"}).status_code == 403
    # a page the answers do not show is not there
    assert c.get(f"/t/{link}/p/diary.1").status_code == 404
    assert c.get(f"/t/{link}/p/no_such_page").status_code == 404


def test_back_from_a_page_goes_to_the_previous_one_with_its_answers(tmp_path):
    db, link = _runner(tmp_path, "web", example("progress-to-phase-3"))
    c = client(db)
    first = read_page(c.get(f"/t/{link}"))
    r = c.post(first.action, data={"csrf": first.csrf, "nav": "next", **dict.fromkeys(first.order, "no")})
    second = read_page(c.get(r.headers["location"]))
    assert "(2 of 4)" in second.heading
    back = c.post(second.action, data={"csrf": second.csrf, "nav": "back"})
    assert back.status_code == 303 and back.headers["location"].endswith("/p/safety_nerves")
    again = read_page(c.get(back.headers["location"]))
    assert again.values == dict.fromkeys(first.order, "no")


def test_the_red_flag_page_starts_the_triage_with_its_intro_and_no_back(tmp_path):
    db, link = _runner(tmp_path, "web", example("progress-to-phase-3"))
    html = client(db).get(f"/t/{link}").text
    assert "First, some questions to make sure this routine is safe for you right now." in html
    assert re.search(r'<button type="submit" name="nav" value="back" formnovalidate disabled>', html)
    assert csrf_of(html)


def _canonical(text: str) -> str:
    """The JSON with its keys sorted (the record stores the assessment with sorted keys)."""
    return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, indent=2)


def test_a_pair_of_shoes_page_says_why_once_and_hints_only_what_a_choice_does_not_show(tmp_path):
    state = example("amber-hold-worn-shoes")
    db, link = _runner(tmp_path, "web", state)
    html = answer_until(client(db), link, typed_answers(state), "pair of shoes 1 of 1").text
    assert html.count("<summary>Why we ask</summary>") == 1  # the five fields share the group's reason
    assert "Some text" not in html and "Yes or no" not in html  # the choices say it; text says nothing
    assert re.search(r'<p class="hint" id="h-shoes.1.km">A number, 0 or more; optional</p>', html)


def test_the_review_groups_the_answers_by_page_and_each_answer_links_to_its_page(tmp_path):
    state = example("amber-hold-worn-shoes")
    db, link = _runner(tmp_path, "web", state)
    c = client(db)
    html = answer_until(c, link, typed_answers(state), "Check your answers").text
    assert "<h2>Your running shoes: pair of shoes 1 of 1</h2>" in html
    # an entry's question under its page's title, without the entry's name again
    assert "<dt>About how many kilometres have you run in them?</dt>" in html
    assert 'href="/t/' + link + '/p/shoes.1" aria-label="Change: About how many kilometres' in html
    assert c.get(f"/t/{link}/p/shoes.1").status_code == 200


def test_heel_raises_far_outside_what_people_do_are_taken_and_named_on_the_next_page(tmp_path):
    state = example("progress-to-phase-3")
    db, link = _runner(tmp_path, "web", state)
    c = client(db)
    typed = {**typed_answers(state), "heel_raises_left": "90", "heel_raises_right": "10"}
    html = answer_until(c, link, typed, "Hop test").text
    assert re.search(r'<p class="notice check">Please check: heel raises: 90 left and 10 right[^<]*</p>', html)
    assert "Please check" not in answer_until(c, link, typed, "Your running shoes").text  # said once
