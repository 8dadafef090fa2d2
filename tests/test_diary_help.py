"""``diary add --help`` names the pain scale's top as the number the knowledge holds, not its key."""

from __future__ import annotations

from click.testing import CliRunner

from footcoach.cli import main
from footcoach.knowledge.base import default_knowledge


def test_diary_add_help_renders_the_nrs_maximum_from_the_knowledge():
    result = CliRunner().invoke(main, ["diary", "add", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "scales.nrs_max" not in flat and "{nrs_max}" not in flat
    top = default_knowledge().state_bounds.nrs_max
    assert f"Diary: pain_morning, first steps (NRS: 0 to {top})." in flat
    assert f"Current report: tests.hop_pain (NRS: 0 to {top})." in flat
