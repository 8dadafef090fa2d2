"""Defects of the web app found in review: the trace, overrides on the runner's result, expired links,
over-long URLs and what-if errors."""

from __future__ import annotations

import html
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.storage import accounts
from tests import record_calls as store
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


def test_the_runner_link_result_shows_the_physiotherapists_override_as_the_report_does(tmp_path):
    clinic = make_clinic(tmp_path)
    runner = client(clinic.db)
    assert 'data-action="progress"' in runner.get(f"/t/{clinic.links['r-017']}/result").text
    latest = store.list_assessments(clinic.db, "r-017")[-1]["id"]
    reason = "Calf <still> sore on stairs"
    cli = CliRunner()
    done = cli.invoke(main, ["--db", clinic.db, "override", str(latest), "--action", "regress", "--reason", reason])
    assert done.exit_code == 0, done.output
    report = tmp_path / "report.html"
    assert cli.invoke(main, ["--db", clinic.db, "report", "r-017", "--out", str(report)]).exit_code == 0
    assert "Your physiotherapist decided <strong>regress</strong>" in report.read_text()
    page = runner.get(f"/t/{clinic.links['r-017']}/result")
    assert page.status_code == 200
    assert 'data-action="regress"' in page.text
    assert "Your physiotherapist decided <strong>regress</strong>" in page.text
    assert "Calf &lt;still&gt; sore on stairs" in page.text and reason not in page.text
    assert "footcoach had suggested progress" in page.text


def _link_count(page: str) -> int:
    match = re.search(r'<p class="live-links">(\d+) link\(s\) open', page)
    assert match, "no link count on the runner page"
    return int(match.group(1))


def test_an_expired_revoked_or_unknown_link_says_ask_for_a_new_one_alike_and_shows_no_runner(clinic_and_physio):
    clinic, physio = clinic_and_physio
    runner = client(clinic.db)
    assert _link_count(physio.get("/runners/r-017").text) == 1
    assert _link_count(physio.get("/runners/ben").text) == 1
    expired = accounts.new_runner_link(clinic.db, "ben", days=1)
    assert runner.get(f"/t/{expired}").status_code == 200
    assert _link_count(physio.get("/runners/ben").text) == 2
    with sqlite3.connect(clinic.db) as conn:  # both of ben's links ran out a second ago
        conn.execute("UPDATE web_runner_links SET expires_at = ? WHERE runner_id = 'ben'", (time.time() - 1,))
    conn.close()
    assert _link_count(physio.get("/runners/ben").text) == 0
    revoked = clinic.links["r-017"]
    accounts.revoke_runner_links(clinic.db, "r-017")
    assert _link_count(physio.get("/runners/r-017").text) == 0
    pages = {
        name: runner.get(path)
        for name, path in {
            "expired": f"/t/{expired}",
            "expired result": f"/t/{expired}/result",
            "revoked": f"/t/{revoked}/review",
            "never made": "/t/" + "x" * 43,
        }.items()
    }
    for name, r in pages.items():
        assert r.status_code == 404, name
        assert "This link no longer works" in r.text and "ask your physiotherapist for a new link" in r.text, name
        assert "ben" not in r.text and "r-017" not in r.text and "There is nothing here" not in r.text, name
    bodies = {r.text for r in pages.values()}
    assert len(bodies) == 1, "the page tells an expired, a revoked and an unknown link apart"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_of(port: int, target: str, extra: str = "") -> int:
    """The status a real server answers a raw GET with, within a bounded time (a hang fails the test)."""
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN_S) as s:
        s.sendall(request)
        head = s.recv(64)
    return int(head.split(b" ")[1])


ANSWER_WITHIN_S = 10  # not clinical: a prompt answer is milliseconds; a hang would wait forever
START_WITHIN_S = 60  # not clinical: the server's start-up on a busy machine


def test_an_over_long_url_or_headers_get_a_prompt_414_or_431_from_a_real_server(tmp_path):
    clinic = make_clinic(tmp_path)
    port = _free_port()
    server = Path(sys.executable).with_name("footcoach")
    proc = subprocess.Popen(
        [str(server), "--db", clinic.db, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_WITHIN_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        what_if = "/runners/r-017/what-if?change="
        assert _status_of(port, what_if + "a" * 8000) == 303  # to sign in, as before
        assert _status_of(port, what_if + "a" * 60000) == 414
        assert _status_of(port, f"/t/{clinic.links['r-017']}?x=" + "a" * 60000) == 414
        assert _status_of(port, "/login", "Cookie: x=" + "a" * 40000 + "\r\n") == 431
        assert _status_of(port, "/login") == 200  # and the server still answers
    finally:
        proc.terminate()
        proc.wait(timeout=ANSWER_WITHIN_S)


def test_a_what_if_error_on_the_web_is_422_in_the_forms_words(clinic_and_physio):
    _clinic, c = clinic_and_physio
    for change, named in (("tests.heel_raises.left=900", "tests.heel_raises.left"), ("no equals sign", "FIELD=VALUE")):
        r = c.get("/runners/r-017/what-if", params={"change": change})
        assert r.status_code == 422, change
        errors = re.search(r'<ul class="errors" role="alert">(.*?)</ul>', r.text, re.S)
        assert errors and named in errors.group(1), change
        assert "--what-if" not in r.text and "<li>Change " in errors.group(1), change
    assert c.get("/runners/r-017/what-if", params={"change": "tests.heel_raises.left=12"}).status_code == 200


def test_head_answers_as_get_without_a_body(clinic_and_physio):
    clinic, c = clinic_and_physio
    for path in ("/", "/login", "/caseload", f"/t/{clinic.links['r-017']}"):
        got, head = c.get(path), c.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy"), path
