"""Shared fixtures: the repository root, the shipped rule base, the shared examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Browser tests (Playwright on the system Chromium; a skipped browser test fails): tests/browser.py
pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "examples"


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))


def load_example(name: str) -> tuple[dict, dict]:
    return (
        json.loads((EXAMPLES / f"{name}.json").read_text()),
        json.loads((EXAMPLES / f"{name}.expected.json").read_text()),
    )


def value_at(doc, dotted: str):
    """The value at a dotted contract path, or None."""
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def answers_from_show(state: dict, show: list[dict], skip: tuple[str, ...] = ()) -> dict:
    """Triage answers built only from `questionnaire show`'s maps_to, as an outside checker would:
    the test's own oracle, deliberately not the package's code."""
    answers = {}
    for q in show:
        path = q["maps_to"]
        if path is None or path in skip:
            continue
        if path.startswith("red_flags."):
            answers[q["id"]] = path.split(".", 1)[1] in state.get("red_flags", [])
        elif value_at(state, path) is not None:
            answers[q["id"]] = value_at(state, path)
    return answers


@pytest.fixture(scope="session")
def rulebase():
    from footcoach.inference.engine import default_rulebase

    return default_rulebase()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# ---- rule coverage over the whole test run ----------------------------------------------------
# Every engine run during the session records which rules fired.  At the end the terminal summary
# reports rules that no case, scenario or test fired; on a full run (no -k, no selected files) an
# unfired rule fails the session.  The report is also written to .pytest_cache/rule-coverage.json.

_FIRED: dict[str, int] = {}


def pytest_configure(config):
    from footcoach.inference.engine import RuleBase

    original = RuleBase.run

    def recording_run(self, state):
        run = original(self, state)
        for f in run.firings:
            _FIRED[f.rule.id] = _FIRED.get(f.rule.id, 0) + 1
        return run

    RuleBase.run = recording_run
    config._footcoach_original_run = original


def _full_run(config) -> bool:
    """Plain `pytest`: the configured testpaths, nothing deselected."""
    return (
        not config.getoption("keyword")
        and not config.getoption("markexpr")
        and config.args_source == pytest.Config.ArgsSource.TESTPATHS
    )


def pytest_sessionfinish(session, exitstatus):
    from footcoach.inference.engine import default_rulebase

    all_rules = sorted(default_rulebase().rules.rules)
    never = [r for r in all_rules if r not in _FIRED]
    session.config._footcoach_never = never
    out = ROOT / ".pytest_cache" / "rule-coverage.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"fired": dict(sorted(_FIRED.items())), "never_fired": never}, indent=2))
    session.config._footcoach_total = len(all_rules)
    if never and exitstatus == 0 and _full_run(session.config):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    never = getattr(config, "_footcoach_never", None)
    if never is None:
        return
    total = config._footcoach_total
    fired = total - len(never)
    line = f"rule coverage: {fired}/{total} rules fired during this test run"
    if never and _full_run(config):
        line += "; never fired: " + ", ".join(never)
    terminalreporter.write_line(line)
