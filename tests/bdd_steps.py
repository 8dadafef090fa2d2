"""Step definitions shared by every feature file in ``features/`` (pytest-bdd).

Each feature's test module does ``from tests.bdd_steps import *`` and ``scenarios("<family>.feature")``.

How a scenario runs:

* ``Given`` steps edit one runner's state, a plain dict that starts from ``CALM_DEFAULT`` (a 35-year-old
  occasional runner in week 1 of phase 1, pain 1/10 during, after and on first steps, settled by the next
  morning, not sharp; no red flags, tests, diary, shoes or running data).
* ``When footcoach assesses her`` validates the state with ``footcoach.service.load_state`` and assesses it
  with ``footcoach.service.assess``.
* ``Then`` steps check the assessment record (action, next phase, recommendations, the trace behind
  them, what blocks progress).

Every number and every expected word comes from the scenario text; the steps only know the clinical
vocabulary (which words name which measurement).  Steps accept she/he/they and her/him/them so that a
scenario reads naturally.
"""

from __future__ import annotations

import copy
import json
import re as _re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from footcoach.service import assess, load_state

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO_ROOT / "tests" / "data" / "examples"

# A calm runner that no rule refers, regresses or progresses (week 1 of phase 1 is below every gate).
CALM_DEFAULT: dict[str, Any] = {
    "runner": {"age": 35, "sex": "female", "experience": "occasional"},
    "program": {"phase": 1, "weeks_in_phase": 1},
    "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True, "sharp": False},
}

# Clinical words in the scenarios -> the state field they name.
MEASUREMENTS: dict[str, str] = {
    "eyes-open balance": "tests.balance_eyes_open_s",
    "eyes-closed balance": "tests.balance_eyes_closed_s",
    "heel raises": "tests.heel_raises",
    "hopping": "tests.hop_pain",
    "weeks in phase": "program.weeks_in_phase",
}
# Facts read from the record -> the clinical word a scenario uses for them.
_FACT_GROUPS: list[tuple[str, str]] = [(field, word) for word, field in MEASUREMENTS.items()] + [
    ("pain.", "pain"),
    ("history.pain_morning", "pain"),
]
_SEX = {"woman": "female", "girl": "female", "man": "male", "boy": "male"}

# Pronouns, so that scenarios read "she", "he", "they" or "the runner".
SUBJ = r"(?:she|he|they|the runner)"
POSS = r"(?:her|his|their|the runner's)"
OBJ = r"(?:her|him|them|the runner)"
NUM = r"\d+(?:\.\d+)?"


def _num(text: str) -> int | float:
    """A number from scenario text: whole numbers stay int (repetitions, NRS are whole)."""
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _quoted(text: str) -> list[str]:
    """Every '...' or "..." string in a step's tail, in order."""
    found = [a or b for a, b in _re.findall(r'"([^"]*)"|\'([^\']*)\'', text)]
    assert found, f"expected one or more quoted strings in {text!r}"
    return found


def _kind(words: str) -> str:
    """'load advice' or 'load_advice' -> 'load_advice'."""
    return words.strip().replace(" ", "_")


def _pair(cell: str) -> dict[str, int | float] | None:
    """A diary cell 'left / right' -> {left, right}; an empty cell or '-' -> not recorded."""
    cell = cell.strip()
    if cell in ("", "-", "not tested"):
        return None
    left, right = (part.strip() for part in cell.split("/"))
    return {"left": _num(left), "right": _num(right)}


# ---- the state ---------------------------------------------------------------------------------


@pytest.fixture
def runner_state() -> dict[str, Any]:
    """The runner's state, built step by step from the calm default."""
    return copy.deepcopy(CALM_DEFAULT)


@pytest.fixture
def example_expectation() -> dict[str, Any]:
    """The ``*.expected.json`` of the shared example a scenario loads (filled by its Given step)."""
    return {}


@given(
    parsers.re(
        r"an? (?P<age>\d+)-year-old (?P<who>woman|man|girl|boy|runner(?: whose sex is not recorded)?),? "
        r"in phase (?P<phase>\d+) for (?P<weeks>\d+) weeks?"
    )
)
def _runner_in_phase(runner_state, age, who, phase, weeks):
    runner = runner_state["runner"]
    runner["age"] = int(age)
    if who in _SEX:
        runner["sex"] = _SEX[who]
    else:
        runner.pop("sex", None)
    runner_state["program"] = {"phase": int(phase), "weeks_in_phase": int(weeks)}


@given(parsers.re(rf"{SUBJ} (?:is|are) in phase (?P<phase>\d+) for (?P<weeks>\d+) weeks?"))
def _in_phase(runner_state, phase, weeks):
    runner_state["program"]["phase"] = int(phase)
    runner_state["program"]["weeks_in_phase"] = int(weeks)


@given(parsers.re(rf"{SUBJ} (?:has|have) been in the program(?:me)? for (?P<weeks>\d+) weeks?"))
def _weeks_in_program(runner_state, weeks):
    runner_state["program"]["weeks_in_program"] = int(weeks)


@given(parsers.re(rf"{SUBJ} (?:is|are) an? (?P<experience>novice|occasional|regular) runner"))
def _experience(runner_state, experience):
    runner_state["runner"]["experience"] = experience


@given(parsers.re(r"pain during exercise (?P<during>\d+)/10 and after (?P<after>\d+)/10"))
def _pain_during_after(runner_state, during, after):
    runner_state["pain"]["during"] = int(during)
    runner_state["pain"]["after"] = int(after)


@given(parsers.re(rf"(?:first-step morning pain|{POSS} morning pain is now) (?P<morning>\d+)/10"))
def _pain_morning(runner_state, morning):
    runner_state["pain"]["morning"] = int(morning)


@given(parsers.re(r"the pain (?P<settled>settled|had not settled) by the next morning"))
def _settled(runner_state, settled):
    runner_state["pain"]["settled_next_morning"] = settled == "settled"


@given(parsers.re(r"the pain was sharp and stabbing during activity"))
def _sharp(runner_state):
    runner_state["pain"]["sharp"] = True


@given(parsers.re(rf"{SUBJ} reports? (?P<reported>.+) \(red flag (?P<flag>\w+)\)"))
def _red_flag(runner_state, reported, flag):
    runner_state.setdefault("red_flags", []).append(flag)


@given(
    parsers.re(
        rf"(?P<which>eyes-open|eyes-closed) single-leg balance (?P<left>{NUM}) s left and (?P<right>{NUM}) s right"
    )
)
def _balance(runner_state, which, left, right):
    field = MEASUREMENTS[f"{which} balance"].split(".", 1)[1]
    runner_state.setdefault("tests", {})[field] = {"left": _num(left), "right": _num(right)}


@given(parsers.re(r"(?P<left>\d+) single-leg heel raises left and (?P<right>\d+) right"))
def _heel_raises(runner_state, left, right):
    runner_state.setdefault("tests", {})["heel_raises"] = {"left": int(left), "right": int(right)}


@given(parsers.re(r"single-leg hopping hurts (?P<pain>\d+)/10"))
def _hop_pain(runner_state, pain):
    runner_state.setdefault("tests", {})["hop_pain"] = int(pain)


@given(parsers.re(r"(?P<what>eyes-open balance|eyes-closed balance|heel raises|hopping) (?:was|were) not tested"))
def _not_tested(runner_state, what):
    field = MEASUREMENTS[what].split(".", 1)[1]
    runner_state.setdefault("tests", {}).pop(field, None)


@given(parsers.re(rf"{POSS} weekly diary records morning pain (?P<values>.+)"))
def _diary_morning_pain(runner_state, values):
    """'2/10, then 3/10, then 4/10': one diary entry a week, oldest first, weeks 1, 2, 3."""
    pains = [int(v) for v in _re.findall(r"(\d+)/10", values)]
    assert pains, f"no morning pain values in {values!r}"
    runner_state["history"] = [{"week": i, "pain_morning": p} for i, p in enumerate(pains, start=1)]


@given(parsers.re(rf"{POSS} first diary entry recorded morning pain (?P<morning>\d+)/10"))
def _first_diary_entry(runner_state, morning):
    runner_state["history"] = [{"week": 1, "pain_morning": int(morning)}]


@given(parsers.re(rf"{POSS} diary reads"))
def _diary_table(runner_state, datatable):
    """A diary table: week | morning pain | eyes-open balance (L / R) | heel raises (L / R); blank = not recorded."""
    header, *rows = datatable
    columns = []
    for name in header:
        low = name.strip().lower()
        if low == "week":
            columns.append("week")
        elif "morning pain" in low:
            columns.append("pain_morning")
        elif "eyes-open" in low:
            columns.append("balance_eyes_open_s")
        elif "heel raise" in low:
            columns.append("heel_raises")
        else:
            raise AssertionError(f"unknown diary column {name!r}")
    history = []
    for row in rows:
        entry: dict[str, Any] = {}
        for column, cell in zip(columns, row):
            if column in ("week", "pain_morning"):
                if cell.strip() not in ("", "-"):
                    entry[column] = int(cell)
            else:
                pair = _pair(cell)
                if pair is not None:
                    entry[column] = pair
        history.append(entry)
    runner_state["history"] = history


@given(parsers.re(rf'{SUBJ} runs? in "(?P<name>[^"]+)"(?P<details>.*)'))
def _shoe(runner_state, name, details):
    """'she runs in "Old racer", 870 km, 6 mm drop, minimalist, worn for 60 weeks' (any of the details)."""
    shoe: dict[str, Any] = {"name": name}
    rest = details
    for pattern, key, convert in (
        (rf"({NUM}) km", "km", _num),
        (rf"(?:a )?({NUM}) mm drop", "drop_mm", _num),
        (r"worn (?:for )?(\d+) weeks?", "weeks_worn", int),
    ):
        match = _re.search(pattern, rest)
        if match:
            shoe[key] = convert(match.group(1))
            rest = rest.replace(match.group(0), "", 1)
    if _re.search(r"\bminimalist\b", rest):
        shoe["minimalist"] = True
        rest = _re.sub(r"\b(?:a )?minimalist(?: shoe)?\b", "", rest, count=1)
    leftover = _re.sub(r"[,\s]|\band\b", "", rest)
    assert not leftover, f"shoe details not understood: {details!r} (left over: {rest!r})"
    runner_state.setdefault("shoes", []).append(shoe)


@given(parsers.re(rf"{SUBJ} (?:has|have) not listed any shoes"))
def _no_shoes(runner_state):
    runner_state.pop("shoes", None)


@given(
    parsers.re(
        rf"{SUBJ} plans? a (?P<planned>{NUM}) km long run,? and {POSS} longest run in the last 30 days was "
        rf"(?P<longest>{NUM}) km"
    )
)
def _long_run(runner_state, planned, longest):
    running = runner_state.setdefault("running", {})
    running["planned_long_run_km"] = _num(planned)
    running["longest_run_km_30d"] = _num(longest)


@given(parsers.re(rf"{SUBJ} ran (?P<weekly>{NUM}) km this week after (?P<previous>{NUM}) km the week before"))
def _weekly(runner_state, weekly, previous):
    running = runner_state.setdefault("running", {})
    running["weekly_km"] = _num(weekly)
    running["previous_weekly_km"] = _num(previous)


@given(parsers.re(rf"{SUBJ} ran (?P<weekly>{NUM}) km this week"))
def _weekly_only(runner_state, weekly):
    runner_state.setdefault("running", {})["weekly_km"] = _num(weekly)


@given(parsers.re(r'the shared example "(?P<name>[^"]+)"'))
def _shared_example(runner_state, example_expectation, name):
    state_file = EXAMPLES_DIR / f"{name}.json"
    expected_file = EXAMPLES_DIR / f"{name}.expected.json"
    assert state_file.is_file(), f"no example {state_file}"
    assert expected_file.is_file(), f"no expectation {expected_file}"
    runner_state.clear()
    runner_state.update(json.loads(state_file.read_text(encoding="utf-8")))
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    for key in ("action", "phase", "present", "absent"):
        assert key in expected, f"{expected_file.name} has no {key!r}"
    example_expectation.update(expected)


# ---- the assessment ----------------------------------------------------------------------------


@when(parsers.re(rf"footcoach assesses {OBJ}"), target_fixture="assessment")
def _assess(runner_state):
    return assess(load_state(copy.deepcopy(runner_state)))


# ---- reading the record ------------------------------------------------------------------------


def _recs(assessment: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in assessment["recommendations"] if r["kind"] == kind]


def _rec_text(rec: dict[str, Any]) -> str:
    return " ".join(str(rec.get(key, "")) for key in ("summary", "runner", "shoe"))


def _describe(assessment: dict[str, Any]) -> str:
    return "; ".join(f"{r['kind']} ({r['rule']}): {r['summary']}" for r in assessment["recommendations"]) or "none"


def _sources_behind(assessment: dict[str, Any], rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The sources of the trace steps a recommendation rests on (its ``because``)."""
    steps = {step["step"]: step for step in assessment["trace"]}
    because = rec.get("because") or []
    assert because, f"recommendation {rec['rule']} names no trace steps"
    return [source for n in because for source in steps[n].get("sources", [])]


def _cites(source: dict[str, Any], citation: str) -> bool:
    """'Tu & Bytomski 2011', 'Silbernagel 2007', 'ACSM, AAPSM': every name in the citation, and the year."""
    match = _re.fullmatch(r"(?P<names>.+?)(?:\s+(?P<year>\d{4}))?", citation.strip())
    assert match
    names = [n for n in _re.split(r"\s*(?:&|,|\band\b|\bet al\.?)\s*", match["names"]) if n]
    text = source.get("citation", "")
    if not all(name.lower() in text.lower() for name in names):
        return False
    year = match["year"]
    return year is None or str(source.get("year")) == year or year in text


def _failing_leaves(node: Any) -> Iterator[dict[str, Any]]:
    """Every failing condition on a fact, however deep in a why-not record."""
    if isinstance(node, list):
        for item in node:
            yield from _failing_leaves(item)
    elif isinstance(node, dict):
        if "fact" in node and node.get("holds") is False:
            yield node
        for key in ("rules", "failing", "because", "any"):
            if key in node:
                yield from _failing_leaves(node[key])


def _group(fact: str) -> str:
    """A fact's clinical word ('tests.heel_raises.lsi' -> 'heel raises'); unknown facts stay as they are."""
    for prefix, word in _FACT_GROUPS:
        if fact.startswith(prefix) if prefix.endswith(".") else (fact == prefix or fact.startswith(prefix + ".")):
            return word
    return fact


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _explanations(assessment: dict[str, Any]) -> list[Any]:
    return [assessment.get(key) for key in ("trace", "progress_blocked_by", "why_not", "recommendations")]


@then(parsers.re(r"the action is (?P<action>refer|regress|hold|progress)"))
def _action_is(assessment, action):
    assert assessment["action"] == action, (
        f"expected action {action}, got {assessment['action']}; recommendations: {_describe(assessment)}"
    )


@then(parsers.re(rf"{SUBJ} trains? in phase (?P<phase>\d+) next"))
def _next_phase(assessment, phase):
    assert assessment["phase"]["next"] == int(phase), (
        f"expected phase {phase} next, got {assessment['phase']['next']} (action {assessment['action']})"
    )


@then(parsers.re(r"there is an? ['\"](?P<kind>\w+)['\"] recommendation"))
def _kind_present(assessment, kind):
    assert _recs(assessment, kind), f"no {kind!r} recommendation; got: {_describe(assessment)}"


@then(parsers.re(r"there is no ['\"](?P<kind>\w+)['\"] recommendation"))
def _kind_absent(assessment, kind):
    found = _recs(assessment, kind)
    assert not found, f"unexpected {kind!r} recommendation: {_describe({'recommendations': found})}"


@then(parsers.re(r"there (?:is|are) (?:exactly )?(?P<count>\d+) ['\"](?P<kind>\w+)['\"] recommendations?"))
def _kind_count(assessment, count, kind):
    found = _recs(assessment, kind)
    assert len(found) == int(count), f"expected {count} {kind!r} recommendations, got: {_describe(assessment)}"


@then(parsers.re(r"an? ['\"](?P<kind>\w+)['\"] recommendation (?:names|mentions|says) (?P<texts>.+)"))
def _kind_mentions(assessment, kind, texts):
    wanted = _quoted(texts)
    found = _recs(assessment, kind)
    assert found, f"no {kind!r} recommendation; got: {_describe(assessment)}"
    assert any(all(w in _rec_text(rec) for w in wanted) for rec in found), (
        f"no {kind!r} recommendation mentions all of {wanted}; got: {_describe({'recommendations': found})}"
    )


@then(parsers.re(r"no ['\"](?P<kind>\w+)['\"] recommendation (?:names|mentions|says) (?P<texts>.+)"))
def _kind_does_not_mention(assessment, kind, texts):
    unwanted = _quoted(texts)
    for rec in _recs(assessment, kind):
        for word in unwanted:
            assert word not in _rec_text(rec), f"{kind!r} recommendation mentions {word!r}: {rec['summary']}"


@then(parsers.re(r'the plan brings back the easier variant of "(?P<name>[^"]+)": "(?P<easier>[^"]+)"'))
def _plan_easier_variant(assessment, name, easier):
    reintro = assessment["plan"].get("reintroduce") or {}
    found = {e["name"]: e["easier"] for e in reintro.get("easier", [])}
    assert found.get(name) == easier, f"easier variants in the plan: {found}"


@then("the plan does not list this week's exercises a second time")
def _plan_no_second_copy(assessment):
    plan = assessment["plan"]
    in_plan = {ex["id"] for block in plan["blocks"] for ex in block["exercises"]}
    again = [ex["id"] for ex in (plan.get("reintroduce") or {}).get("exercises", []) if ex["id"] in in_plan]
    assert not again, f"listed twice: {again}"


def _concluded_by(assessment: dict[str, Any], finding: str) -> list[tuple[str, str]]:
    return [
        (step["rule"], step["concluded"]["value"])
        for step in assessment["trace"]
        if step.get("concluded", {}).get("finding") == finding
    ]


@then(parsers.re(r'the decision rule "(?P<rule>[^"]+)" decided the action'))
def _decided_by(assessment, rule):
    found = _concluded_by(assessment, "action")
    assert found and {r for r, _ in found} == {rule}, f"action concluded by {found}"
    assert {v for _, v in found} == {assessment["action"]}


@then(parsers.re(r'the next phase was concluded by "(?P<rule>[^"]+)"'))
def _next_phase_by(assessment, rule):
    found = _concluded_by(assessment, "next_phase")
    assert found == [(rule, str(assessment["phase"]["next"]))], f"next phase concluded by {found}"


@then(parsers.re(r"why not a stronger action covers (?P<texts>.+?)(?:, in that order)?"))
def _why_not_covers(assessment, texts):
    wanted = [] if texts == "nothing" else _quoted(texts)
    got = [w["action"] for w in assessment["why_not"]]
    assert got == wanted, f"why-not covers {got}"
    for w in assessment["why_not"]:
        assert w["decision_rule"] == f"decide-{w['action']}"
        assert w["rules"] and all(r["failing"] for r in w["rules"]), w


@then(parsers.re(r'the "(?P<kind>\w+)" recommendation is listed as superseded by (?P<action>\w+)'))
def _superseded(assessment, kind, action):
    assert assessment["action"] == action
    assert kind in {s["kind"] for s in assessment.get("superseded", [])}, assessment.get("superseded")


@then(parsers.re(r"the (?P<kind>[a-z_ ]+?) cites (?P<citation>.+?)(?: in (?:its|the) trace)?"))
def _kind_cites(assessment, kind, citation):
    kind = _kind(kind)
    found = _recs(assessment, kind)
    assert found, f"no {kind!r} recommendation; got: {_describe(assessment)}"
    sources = [s for rec in found for s in _sources_behind(assessment, rec)]
    assert any(_cites(s, citation) for s in sources), (
        f"the {kind} does not cite {citation!r}; its trace cites: {sorted({s.get('citation') for s in sources})}"
    )


@then(parsers.re(rf'the referral tells {OBJ} to see "(?P<whom>[^"]+)"'))
def _referral_whom(assessment, whom):
    found = _recs(assessment, "referral")
    assert found, f"no referral; got: {_describe(assessment)}"
    assert any(whom.lower() in rec.get("runner", "").lower() for rec in found), (
        f"no referral tells the runner to see {whom!r}: {[rec.get('runner') for rec in found]}"
    )


@then(
    parsers.re(
        r"what blocks progress names the missing (?P<what>eyes-open balance|eyes-closed balance|heel raises|hopping)"
    )
)
def _blocked_by_missing(assessment, what):
    field = MEASUREMENTS[what]
    leaves = list(_failing_leaves(assessment["progress_blocked_by"]))
    missing = [leaf["fact"] for leaf in leaves if leaf.get("missing")]
    assert any(fact == field or fact.startswith(field + ".") for fact in missing), (
        f"what blocks progress does not name {field} as missing; missing: {missing}; "
        f"failing: {[leaf['fact'] for leaf in leaves]}"
    )


@then(parsers.re(r"what blocks progress is (?:only )?(?P<what>.+)"))
def _blocked_by_only(assessment, what):
    wanted = {w.strip().removeprefix("the ").strip() for w in _re.split(r",| and ", what) if w.strip()}
    unknown = wanted - set(MEASUREMENTS) - {"pain"}
    assert not unknown, f"unknown measurement(s) {unknown}; known: {sorted(MEASUREMENTS)} and pain"
    got = {_group(leaf["fact"]) for leaf in _failing_leaves(assessment["progress_blocked_by"])}
    assert got == wanted, f"expected progress blocked by {sorted(wanted)}, got {sorted(got)}"


@then(parsers.re(rf"the (?P<which>eyes-open|eyes-closed) balance norm applied is (?P<norm>{NUM}) s"))
def _norm_applied(assessment, which, norm):
    name = "balance.eyes_open_norm" if which == "eyes-open" else "balance.eyes_closed_norm"
    values = {
        node["value"]
        for node in _walk(_explanations(assessment))
        if isinstance(node, dict) and node.get("name") == name and "value" in node
    }
    assert values, f"the assessment does not show the {which} norm ({name}) it applied"
    assert values == {float(norm)}, f"expected the {which} norm {norm} s, got {sorted(values)}"


@then(parsers.re(r'the assessment explains that "(?P<text>[^"]+)"'))
def _explains(assessment, text):
    strings = [node for node in _walk(_explanations(assessment)) if isinstance(node, str)]
    assert any(text in s for s in strings), f"no explanation says {text!r}"


@then("the action is the one the example expects")
def _example_action(assessment, example_expectation):
    assert assessment["action"] == example_expectation["action"], (
        f"expected {example_expectation['action']} ({example_expectation.get('why', '')}), "
        f"got {assessment['action']}; recommendations: {_describe(assessment)}"
    )


@then("the runner trains in the phase the example expects next")
def _example_phase(assessment, example_expectation):
    assert assessment["phase"]["next"] == example_expectation["phase"]["next"], (
        f"expected phase {example_expectation['phase']['next']} next, got {assessment['phase']['next']}"
    )


@then("every recommendation kind the example expects is present")
def _example_present(assessment, example_expectation):
    kinds = {r["kind"] for r in assessment["recommendations"]}
    missing = [k for k in example_expectation["present"] if k not in kinds]
    assert not missing, f"missing kinds {missing}; got: {_describe(assessment)}"


@then("no recommendation kind the example rules out is present")
def _example_absent(assessment, example_expectation):
    kinds = {r["kind"] for r in assessment["recommendations"]}
    unexpected = [k for k in example_expectation["absent"] if k in kinds]
    assert not unexpected, f"unexpected kinds {unexpected}; got: {_describe(assessment)}"
