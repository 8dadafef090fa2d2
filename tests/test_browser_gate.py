"""A browser test that is skipped fails the run: CI cannot go green without Chromium."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

SKIPPED_BROWSER_TESTS = """
import pytest

@pytest.mark.browser
def test_marked_and_skipped():
    pytest.skip("no chromium here")

@pytest.mark.skipif(True, reason="pretend chromium is missing")
def test_uses_the_browser_fixture_and_is_skipped(open_page):
    pass

def test_plain_skip_is_still_a_skip():
    pytest.skip("not a browser test")
"""


def test_a_skipped_browser_test_is_reported_as_failed(tmp_path):
    (tmp_path / "test_skips.py").write_text(SKIPPED_BROWSER_TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.browser", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    # a skip in the call phase is a failure, a skip in set-up (skipif) an error: both fail the run
    assert "FAILED test_skips.py::test_marked_and_skipped" in run.stdout, run.stdout
    assert "ERROR test_skips.py::test_uses_the_browser_fixture_and_is_skipped" in run.stdout, run.stdout
    # each of the two is reported with the reason (pytest repeats it in the summary when CI is set)
    assert run.stdout.count("browser test skipped, which is not allowed") >= 2
    assert "1 skipped" in run.stdout  # an ordinary test may still skip


def test_the_browser_fixture_launches_the_system_chromium(browser):
    assert browser.is_connected()
    assert browser.version.split(".")[0].isdigit()
