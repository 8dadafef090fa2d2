"""Defects of the web app found in review: the trace, overrides on the runner's result, expired links,
over-long URLs and what-if errors."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from tests.web_support import client, make_clinic, sign_in

TRACE_CONDITION_INDENT = " " * 7  # the text trace's indent of a condition line (source lines share it)


@pytest.fixture
def clinic_and_physio(tmp_path):
    clinic = make_clinic(tmp_path)
    c = client(clinic.db)
    sign_in(c)
    return clinic, c


def _cli_trace_conditions(db: str, runner_id: str) -> list[str]:
    out = CliRunner().invoke(main, ["--db", db, "assess", "--runner", runner_id, "--trace"], env={"COLUMNS": "10000"})
    assert out.exit_code == 0, out.output
    trace = out.output.split("\nTrace\n", 1)[1]
    return [
        line.strip()
        for line in trace.splitlines()
        if line.startswith(TRACE_CONDITION_INDENT)
        and not line.startswith(TRACE_CONDITION_INDENT + " ")
        and not line.strip().startswith("source: ")
    ]


def _web_trace_conditions(page: str) -> list[str]:
    trace = page.split("Trace: every rule that fired", 1)[1].split("</details>", 1)[0]
    return [html.unescape(x).strip() for x in re.findall(r'<li class="trace-condition">(.*?)</li>', trace, re.S)]


@pytest.mark.parametrize("runner_id", ["r-017", "ben"])
def test_every_trace_condition_on_the_runner_page_reads_as_the_cli_trace(clinic_and_physio, runner_id):
    clinic, c = clinic_and_physio
    page = c.get(f"/runners/{runner_id}")
    assert page.status_code == 200
    web = _web_trace_conditions(page.text)
    assert web, "no trace condition on the page"
    assert web == _cli_trace_conditions(clinic.db, runner_id)
    assert not any(line.startswith(":") or ": None" in line or "True == True" in line for line in web)
