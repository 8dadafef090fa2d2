"""Issue 8 item 2: one input reader for every document footcoach reads.

Reproducers through every reader (assess FILE and -, triage --answers FILE and -, diary import,
a rule file, a knowledge file): duplicate keys, the YAML alias bomb, tagged values, complex keys,
deep nesting, huge integers, NaN and 1e400, a NUL byte, invalid UTF-8 on stdin, a FIFO, a
device, a file over the size limit, YAML 1.1 surprises read as YAML 1.2.  Every refusal is exit 2,
nothing on stdout, no "internal error", and quick."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from footcoach.common.documents import DataFileError, current_limits, load_limits, load_with_lines, read_document
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_FINDINGS
from footcoach.common.limits import DEFAULT_LIMITS, LimitsError

from .conftest import EXAMPLES, ROOT

STATE = json.loads((EXAMPLES / "red-flag-numbness.json").read_text())
QUICK_S = 5.0  # generous: each refusal here takes milliseconds; a regression took minutes

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)


def invoke(args: list[str], input: bytes | str | None = None):
    started = time.perf_counter()
    result = CliRunner().invoke(main, args, input=input)
    result.seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return result


def refused(result, *needles: str) -> str:
    assert result.exit_code == EXIT_BAD_INPUT, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert result.seconds < QUICK_S
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def readers(tmp_path: Path, path: Path) -> dict[str, list[str]]:
    db = str(tmp_path / "fc.db")
    return {
        "assess": ["assess", str(path)],
        "triage --answers": ["triage", "--answers", str(path)],
        "diary import": ["--db", db, "diary", "import", "r1", str(path)],
    }


READERS = ["assess", "triage --answers", "diary import"]
DUPLICATE_RED_FLAGS_JSON = json.dumps(STATE)[:-1] + ', "red_flags": []}'


@pytest.mark.parametrize("reader", READERS)
def test_duplicate_keys_are_refused_by_every_command_reader(tmp_path, reader):
    json_file = tmp_path / "dup.json"
    json_file.write_text(DUPLICATE_RED_FLAGS_JSON)
    refused(invoke(readers(tmp_path, json_file)[reader]), "red_flags", "duplicate key")
    yaml_file = tmp_path / "dup.yaml"
    yaml_file.write_text("runner: {age: 40}\nred_flags: [night_pain]\nred_flags: []\n")
    refused(invoke(readers(tmp_path, yaml_file)[reader]), "dup.yaml:3", "duplicate key")


@pytest.mark.parametrize("reader", READERS)
def test_duplicate_keys_on_stdin_are_refused(tmp_path, reader):
    refused(invoke(readers(tmp_path, Path("-"))[reader], DUPLICATE_RED_FLAGS_JSON), "red_flags", "duplicate key")


def test_duplicate_red_flags_never_import_as_no_red_flag(tmp_path):
    db = str(tmp_path / "fc.db")
    src = tmp_path / "s.json"
    src.write_text(DUPLICATE_RED_FLAGS_JSON)
    refused(invoke(["--db", db, "diary", "import", "r1", str(src)]), "duplicate key")
    assert "r1" not in invoke(["--db", db, "runner", "list"]).stdout


def test_duplicate_keys_in_a_rule_file_and_a_knowledge_file_are_refused(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = sorted(rules.rglob("*.yaml"))[1]
    first_key = next(line for line in rule.read_text().splitlines() if line[:1].isalpha())
    rule.write_text(rule.read_text() + "\n" + first_key + "\n")
    result = invoke(["rules", "check", "--rules", str(rules)])
    assert result.exit_code in (EXIT_FINDINGS, EXIT_BAD_INPUT) and "duplicate key" in result.stdout + result.stderr
    knowledge = tmp_path / "thresholds.yaml"
    knowledge.write_text("pain:\n  safe_max: {value: 3}\n  safe_max: {value: 5}\n")
    with pytest.raises(DataFileError, match=r"thresholds\.yaml:3: pain: duplicate key"):
        load_with_lines(knowledge)


@pytest.mark.parametrize("reader", READERS)
def test_the_yaml_alias_bomb_is_refused_at_once(tmp_path, reader):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 400
    refused(invoke(readers(tmp_path, bomb)[reader]), "aliases")


@pytest.mark.parametrize(
    "text,needle",
    [
        ("? [a]\n: 1\n", "complex key"),
        ("runner: {age: !!float abc}\n", "tagged value (!!float)"),
        ("runner: {age: !!timestamp 2024-99-99}\n", "tagged value (!!timestamp)"),
        ("runner: {id: !!binary aGVsbG8=}\n", "tagged value (!!binary)"),
        ("runner: !!python/object:os.system {}\n", "tagged value"),
        ("runner: {age: " + "9" * 5000 + "}\n", "5000 digits"),
        ("runner: {id: " + "x" * 20000 + "}\n", "20000 characters"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "nested deeper than"),
        ("a: " + "[" * 100000 + "]" * 100000 + "\n", "nesting depth"),
        ("runner: {id: a\x00b}\n", "U+0000"),
    ],
)
def test_yaml_that_used_to_crash_is_bad_input(tmp_path, text, needle):
    src = tmp_path / "s.yaml"
    src.write_text(text)
    refused(invoke(["assess", str(src)]), "s.yaml", needle)


@pytest.mark.parametrize(
    "text,needle",
    [
        ('{"runner": {"age": ' + "9" * 5000 + "}}", "5000 digits"),
        ("[" * 1000 + "]" * 1000, "nested deeper than"),
        ("[" * 100000 + "]" * 100000, "nested deeper than"),
        ('{"running": {"weekly_km": NaN}}', "NaN"),
        ('{"running": {"weekly_km": 1e400}}', "too large"),
        ('{"runner": {"id": "a\x00b"}}', "not valid JSON"),
    ],
)
def test_json_that_used_to_crash_is_bad_input(tmp_path, text, needle):
    src = tmp_path / "s.json"
    src.write_text(text)
    refused(invoke(["assess", str(src)]), "s.json", needle)
    refused(invoke(["assess", "-"], text), needle)


@pytest.mark.parametrize("reader", READERS)
def test_invalid_utf8_on_stdin_is_bad_input(tmp_path, reader):
    raw = json.dumps(STATE).encode().replace(b'"age"', b'"\xff\xfeage"')
    refused(invoke(readers(tmp_path, Path("-"))[reader], raw), "(stdin)", "not UTF-8")


def test_a_nul_byte_in_a_file_name_is_bad_input():
    refused(invoke(["assess", "state\x00.json"]), "not a file name")


def test_a_fifo_and_a_device_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "state.json"
    os.mkfifo(fifo)
    refused(invoke(["assess", str(fifo)]), "not a regular file")
    refused(invoke(["assess", "/dev/zero"]), "not a regular file")
    refused(invoke(["assess", str(tmp_path)]), "folder")


def test_a_rules_folder_holding_a_fifo_or_a_link_to_dev_zero_does_not_hang(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    os.mkfifo(rules / "fifo.yaml")
    (rules / "zero.yaml").symlink_to("/dev/zero")
    result = invoke(["rules", "check", "--rules", str(rules)])
    assert result.exit_code in (EXIT_FINDINGS, EXIT_BAD_INPUT)
    assert "fifo.yaml" in result.stdout + result.stderr and "zero.yaml" in result.stdout + result.stderr
    assert result.seconds < QUICK_S


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    src = tmp_path / "big.json"
    src.write_text('{"runner": {"id": "' + "x" * DEFAULT_LIMITS.document_bytes + '"}}')
    refused(invoke(["assess", str(src)]), f"larger than {current_limits().document_bytes} bytes")
    refused(invoke(["assess", "-"], src.read_bytes()), "(stdin)", "larger than")


def test_yaml_is_read_as_yaml_1_2_core_types(tmp_path):
    src = tmp_path / "doc.yaml"
    src.write_text("a: 1:30\nb: 0x1F\nc: yes\nd: no\ne: on\nf: 012\ng: 2024-01-01\nh: true\ni: ~\nj: 1.5\n")
    assert read_document(src) == {
        "a": "1:30",
        "b": "0x1F",
        "c": "yes",
        "d": "no",
        "e": "on",
        "f": 12,
        "g": "2024-01-01",
        "h": True,
        "i": None,
        "j": 1.5,
    }


def test_a_yaml_1_1_number_is_refused_by_the_contract_naming_the_field(tmp_path):
    src = tmp_path / "s.yaml"
    src.write_text("runner: {age: 1:30}\nprogram: {phase: 0x1}\n")
    err = refused(invoke(["assess", str(src)]), "runner.age", '"1:30"', "program.phase")
    assert "90" not in err


def test_the_limits_file_is_checked(tmp_path):
    (tmp_path / "limits.yaml").write_text("shoes: {value: -1}\n")
    with pytest.raises(LimitsError, match="positive"):
        load_limits(tmp_path / "limits.yaml")
    (tmp_path / "limits.yaml").write_text("shoez: {value: 3}\n")
    with pytest.raises(LimitsError, match="unknown bound"):
        load_limits(tmp_path / "limits.yaml")
    (tmp_path / "limits.yaml").write_text("shoes: {value: 3}\n")
    assert load_limits(tmp_path / "limits.yaml").shoes == 3
    assert load_limits(tmp_path / "missing.yaml") == DEFAULT_LIMITS


def test_the_shipped_limits_file_names_every_bound_with_its_reason():
    data, _ = load_with_lines(ROOT / "knowledge" / "limits.yaml")
    assert set(data) == set(DEFAULT_LIMITS.__dataclass_fields__)
    assert all(entry["reason"] and entry["unit"] for entry in data.values())


@pytest.fixture(scope="module")
def web_api(tmp_path_factory):
    from tests.web_support import make_clinic, token_client

    return token_client(make_clinic(tmp_path_factory.mktemp("hardening-api")))


@pytest.mark.parametrize(
    "body,needle",
    [
        (DUPLICATE_RED_FLAGS_JSON.encode(), "red_flags: duplicate key"),
        (b"[" * 5000 + b"]" * 5000, "nested deeper than"),
        (b'{"runner": {"age": ' + b"9" * 5000 + b"}}", "5000 digits"),
        (b'{"running": {"weekly_km": NaN}}', "NaN"),
        (json.dumps(STATE).encode().replace(b'"age"', b'"\xffage"'), "not UTF-8"),
    ],
)
def test_the_web_api_reads_its_body_with_the_same_reader(web_api, body, needle):
    r = web_api.post("/api/v1/assess", content=body)
    assert r.status_code == 422, r.text
    assert needle in r.json()["errors"][0]


def test_an_assessment_id_too_large_for_sqlite_is_bad_input(tmp_path):
    db = str(tmp_path / "fc.db")
    result = invoke(["--db", db, "override", "9" * 30, "--action", "hold", "--reason", "x"])
    assert result.exit_code == EXIT_BAD_INPUT and "internal error" not in result.stderr


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a": ' + b"9" * 5000 + b"}", b'{"a": 1, "a": 2}'])
def test_the_cds_hooks_route_refuses_a_hostile_body_as_a_client_error(web_api, body):
    r = web_api.post("/cds-services/footcoach-patient-view", content=body)
    assert r.status_code == 400, r.text
