"""Browser tests: Playwright driving the system Chromium, never skipped.

A pytest plugin (loaded by ``tests/conftest.py``; reusable by any test module):

- ``browser`` (session): one headless Chromium launched from ``/usr/bin/chromium`` with ``--no-sandbox``
  (CI runs as root; Playwright's own browser download is not used).  ``.ci/run`` installs the system
  package when it is missing.  No Chromium is a test *failure*, not a skip.
- ``open_page(url_or_path, width=1200, height=900)`` (function): a fresh page in its own context at that
  viewport, closed after the test.
- ``screenshot_dir`` (function): where a test saves its screenshots: ``$FOOTCOACH_SCREENSHOTS`` when set
  (to look at them afterwards), else the test's tmp folder.  Never the repository.
- Every test that uses ``browser`` or ``open_page`` carries the ``browser`` marker; a ``browser`` test that
  is skipped (by ``skipif``, ``pytest.skip`` or ``importorskip``) is reported as failed, so CI can never go
  green without running them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("FOOTCOACH_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]
PHONE = (390, 844)
DESKTOP = (1200, 900)
BROWSER_FIXTURES = {"browser", "open_page"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the system Chromium; a skip of it is a failure")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser test skipped, which is not allowed (install Chromium: .ci/run does): {reason}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def _open(target: str | os.PathLike[str], width: int = DESKTOP[0], height: int = DESKTOP[1]) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        url = Path(target).resolve().as_uri() if not str(target).startswith(("http://", "https://")) else str(target)
        page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FOOTCOACH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def elements_past_the_right_edge(page: Any) -> list[str]:
    """Visible elements whose right edge lies beyond the viewport (tag.class), at most 10."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => { const r = e.getBoundingClientRect();
                               return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5; })
                .slice(0, 10).map(e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || ''))"""
        )
    )
