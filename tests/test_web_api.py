"""The JSON API: the same bytes and the same messages as the CLI, and a valid OpenAPI document."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from footcoach.cli import main
from tests.conftest import EXAMPLES, example_names
from tests.web_support import make_clinic, token_client


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    return make_clinic(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def api(clinic):
    return token_client(clinic)


def _cli(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(main, args, input=stdin)


@pytest.mark.parametrize("name", example_names())
def test_assess_answers_with_the_bytes_of_the_cli(api, name):
    path = EXAMPLES / f"{name}.json"
    cli = _cli(["assess", str(path), "--format", "json"])
    assert cli.exit_code == 0, cli.output
    r = api.post("/api/v1/assess", content=path.read_bytes(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.content == cli.stdout_bytes


BAD_STATES = {
    "out_of_range_and_unknown_field": {
        "runner": {"age": 9},
        "program": {"phase": 7, "weeks_in_phase": 1},
        "pain": {"during": 11, "after": 2, "morning": 2, "settled_next_morning": True},
        "red_flag": ["numbness_tingling"],
    },
    "missing_required": {"runner": {"age": 40}},
    "not_a_mapping": [1, 2, 3],
}


@pytest.mark.parametrize("name", sorted(BAD_STATES))
def test_bad_input_is_422_with_the_cli_messages(api, name):
    text = json.dumps(BAD_STATES[name])
    cli = _cli(["assess", "-", "--format", "json"], stdin=text)
    assert cli.exit_code == 2
    cli_problems = [line.removeprefix("error: ") for line in cli.stderr.splitlines() if line.startswith("error: ")]
    r = api.post("/api/v1/assess", content=text)
    assert r.status_code == 422
    assert r.json()["errors"] == cli_problems
    assert cli_problems  # every problem named, at least one


def test_bad_json_and_duplicate_keys_are_422(api):
    assert api.post("/api/v1/assess", content=b"{not json").status_code == 422
    r = api.post("/api/v1/assess", content=b'{"runner": {"age": 40}, "runner": {"age": 41}}')
    assert r.status_code == 422 and "duplicate key" in r.json()["errors"][0]


def test_a_body_over_the_limit_is_413(api):
    r = api.post("/api/v1/assess", content=b"[" + b"0," * 200_000 + b"0]")
    assert r.status_code == 413


def test_read_routes_have_the_cli_shapes(api, clinic):
    caseload = api.get("/api/v1/caseload").json()
    cli = json.loads(_cli(["--db", clinic.db, "caseload", "--format", "json"]).stdout)
    assert [row["runner"] for row in caseload] == [row["runner"] for row in cli] == ["ben", "r-017"]
    assert caseload[0]["flags"][:2] == ["red_flag", "referral"]
    runners = api.get("/api/v1/runners").json()
    assert runners == json.loads(_cli(["--db", clinic.db, "runner", "list", "--format", "json"]).stdout)
    history = api.get("/api/v1/runners/r-017/history").json()
    assert history == json.loads(_cli(["--db", clinic.db, "history", "r-017", "--format", "json"]).stdout)
    diary = api.get("/api/v1/runners/r-017/diary").json()
    assert diary == json.loads(_cli(["--db", clinic.db, "diary", "list", "r-017", "--format", "json"]).stdout)
    assert api.get("/api/v1/runners/nobody").status_code == 404


def test_adding_a_diary_week_through_the_api_reassesses_the_runner(api, clinic):
    before = len(api.get("/api/v1/runners/ben/history").json())
    r = api.post("/api/v1/runners/ben/diary", json={"entry": {"pain_morning": 9}})
    assert r.status_code == 201, r.text
    assert len(api.get("/api/v1/runners/ben/history").json()) == before + 1
    bad = api.post("/api/v1/runners/ben/diary", json={"entry": {"pain_morning": 11}})
    assert bad.status_code == 422 and bad.json()["errors"][0].startswith("pain_morning")


def test_the_openapi_document_validates_and_describes_the_state(api):
    from openapi_spec_validator import validate

    doc = api.get("/api/v1/openapi.json").json()
    validate(doc)
    assert "/api/v1/assess" in doc["paths"] and "/api/v1/caseload" in doc["paths"]
    state = doc["components"]["schemas"]["State"]
    assert {"runner", "program", "pain"} <= set(state["required"])
    assert doc["security"] == [{"bearer": []}]
