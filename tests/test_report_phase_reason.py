"""The report shows a phase change with the reason the physiotherapist recorded for it."""

from __future__ import annotations

from click.testing import CliRunner

from footcoach.cli import main
from tests.conftest import EXAMPLES


def test_a_phase_set_with_a_reason_shows_that_reason_in_the_report(tmp_path):
    db = str(tmp_path / "c.db")

    def run(*args: str):
        r = CliRunner().invoke(main, ["--db", db, *args])
        assert r.exit_code == 0, r.output
        return r

    run("diary", "import", "r-017", str(EXAMPLES / "progress-to-phase-3.json"))
    run("phase", "r-017", "--set", "3", "--reason", "hop test & <strength> fine in clinic")
    out = tmp_path / "r.html"
    run("report", "r-017", "--out", str(out))
    html = out.read_text()
    assert "hop test &amp; &lt;strength&gt; fine in clinic" in html
