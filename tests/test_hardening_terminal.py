"""Issue 8 item 5: control characters and terminal escape sequences in user-supplied strings never
reach the terminal raw; JSON output keeps them as JSON escapes (and stays valid JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT
from footcoach.common.terminal import escape_output, escape_user

ESC_NAME = "Evil\x1b]0;pwned\x07 shoe\x9b2J\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def state(shoe_name: str = ESC_NAME) -> dict:
    return {
        "runner": {"age": 40},
        "program": {"phase": 1, "weeks_in_phase": 3},
        "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
        "shoes": [{"name": shoe_name, "km": 900}],
    }


def assert_no_raw_control(text: str) -> None:
    for ch in RAW:
        assert ch not in text, repr(ch)


def test_escape_user_makes_every_control_character_visible():
    assert escape_user("a\x1b[31mb\nc\td\x7f\x85") == "a\\u001b[31mb\\u000ac\\u0009d\\u007f\\u0085"
    assert escape_user("Zoë's 2nd pair") == "Zoë's 2nd pair"


def test_escape_output_keeps_the_layout():
    assert escape_output("line 1\n\tline 2\r\n\x1b[2J") == "line 1\n\tline 2\r\n\\u001b[2J"
    assert escape_output("\r  3/10 diary weeks") == "\r  3/10 diary weeks"


def test_a_carriage_return_inside_a_value_cannot_redraw_a_line():
    assert escape_output("Replace shoe\rAll fine, keep training") == "Replace shoe\\u000dAll fine, keep training"


@pytest.mark.parametrize("audience", ["physio", "runner"])
def test_an_escape_sequence_in_a_shoe_name_is_printed_escaped(tmp_path: Path, audience: str):
    src = tmp_path / "s.json"
    src.write_text(json.dumps(state()))
    result = CliRunner().invoke(main, ["assess", str(src), "--for", audience])
    assert result.exit_code == 0, result.stderr
    assert "Evil\\u001b]0;pwned\\u0007 shoe" in result.stdout
    assert_no_raw_control(result.stdout)


def test_json_output_keeps_the_shoe_name_as_json_escapes(tmp_path: Path):
    src = tmp_path / "s.json"
    src.write_text(json.dumps(state()))
    result = CliRunner().invoke(main, ["assess", str(src), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    strings: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            [walk(v) for v in node.values()]
        elif isinstance(node, list):
            [walk(v) for v in node]
        elif isinstance(node, str):
            strings.append(node)

    walk(json.loads(result.stdout))
    assert any(ESC_NAME in s for s in strings)  # the same name, decoded from JSON escapes


def test_an_escape_sequence_in_a_bad_value_is_escaped_in_the_error(tmp_path: Path):
    src = tmp_path / "s.json"
    src.write_text(json.dumps({**state(), "program": {"phase": "\x1b[2J\x9b1"}}))
    result = CliRunner().invoke(main, ["assess", str(src)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "program.phase" in result.stderr
    assert_no_raw_control(result.stderr)


def test_a_usage_error_quoting_the_input_is_escaped():
    result = CliRunner().invoke(main, ["assess", "-", "--format", "\x1b[31mred"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "31mred" in result.stderr
    assert_no_raw_control(result.stderr)


def test_a_runner_id_with_a_control_character_is_refused(tmp_path: Path):
    """An id is an identifier (audit trail, web address): control characters are refused, not escaped."""
    db = str(tmp_path / "fc.db")
    added = CliRunner().invoke(main, ["--db", db, "runner", "add", "r\x1b[8mhidden", "--age", "40"])
    assert added.exit_code == EXIT_BAD_INPUT and "runner.id" in added.stderr
    assert_no_raw_control(added.stderr)
    refused = CliRunner().invoke(
        main, ["assess", "-"], input=json.dumps({**state(), "runner": {"age": 40, "id": "a\nb"}})
    )
    assert refused.exit_code == EXIT_BAD_INPUT and "runner.id" in refused.stderr


def test_the_quick_scan_before_escaping_output_lets_no_character_through():
    """escape_output skips the substitution when a one-class scan finds nothing: for every character
    of the Basic Multilingual Plane, alone, between text, first, last and before a newline, the
    result is the full substitution's."""
    from footcoach.common import terminal

    def full(text: str) -> str:
        return terminal._UNSAFE_IN_OUTPUT.sub(terminal._escape, text)

    for code in range(0x10000):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        for text in (c, f"a{c}b", f"{c}ab", f"ab{c}", f"a{c}\n", f'{{"k": "{c}"}}'):
            assert terminal.escape_output(text) == full(text), hex(code)
