"""`footcoach rules replay` and `footcoach export --fhir` on a database built from the shared examples
and generated runners: replay writes nothing; the runners between the old and the new gate move."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.bundle import Bundle

from footcoach.cli import main
from tests.conftest import EXAMPLES, example_names

ROOT = Path(__file__).resolve().parent.parent
GREEN = {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True}


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replay")
    path = str(tmp / "clinic.db")
    for name in example_names():
        doc = json.loads((EXAMPLES / f"{name}.json").read_text())
        doc["runner"].pop("id", None)
        assert cli("--db", path, "diary", "import", name, str(EXAMPLES / f"{name}.json")).exit_code in (0, 2)
    for reps in range(8, 16):
        state = {
            "runner": {"age": 33},
            "program": {"phase": 1, "weeks_in_phase": 3},
            "pain": GREEN,
            "tests": {"balance_eyes_open_s": {"left": 45, "right": 45}, "heel_raises": {"left": reps, "right": reps}},
        }
        f = tmp / f"g{reps}.json"
        f.write_text(json.dumps(state))
        r = cli("--db", path, "diary", "import", f"gen-{reps}", str(f))
        assert r.exit_code == 0, r.output
    return path


@pytest.fixture
def proposed(tmp_path):
    k = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", k)
    t = k / "thresholds.yaml"
    t.write_text(t.read_text().replace("start_dose:\n    value: 12", "start_dose:\n    value: 14"))
    return k


def test_replay_moves_exactly_the_runners_between_the_gates_and_writes_nothing(db, proposed):
    before = hashlib.sha256(Path(db).read_bytes()).hexdigest()
    r = cli("--db", db, "rules", "replay", "--knowledge", str(proposed), "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert sorted(c["runner"] for c in report["runners"]) == ["gen-12", "gen-13"]
    assert report["summary"][0]["change"] == "progress -> hold; gate-p1-heel-raises; heel_raises.start_dose 12 -> 14"
    assert hashlib.sha256(Path(db).read_bytes()).hexdigest() == before


def test_an_unchanged_rule_base_reports_no_change(db):
    r = cli("--db", db, "rules", "replay")
    assert r.exit_code == 0 and "no runner's decision or advice would change" in r.stdout


def test_replay_html_page_and_filters(db, proposed, tmp_path):
    out = tmp_path / "replay.html"
    r = cli("--db", db, "rules", "replay", "--knowledge", str(proposed), "--format", "html", "--out", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "heel_raises.start_dose" in html and 'class="del">-    value: 12' in html
    one = json.loads(
        cli(
            "--db", db, "rules", "replay", "--knowledge", str(proposed), "--runner", "gen-13", "--format", "json"
        ).stdout
    )
    assert one["inputs"] == 1 and one["changed"] == 1
    later = json.loads(cli("--db", db, "rules", "replay", "--since", "2999-01-01", "--format", "json").stdout)
    assert later["inputs"] == 0
    assert cli("--db", db, "rules", "replay", "--since", "yesterday").exit_code == 2


def test_replay_of_a_missing_database_reads_nothing_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.db"
    r = cli("--db", str(missing), "rules", "replay")
    assert r.exit_code == 0 and "Replayed 0 stored input(s)" in r.stdout and not missing.exists()


def test_export_fhir_bundle_is_valid(db, tmp_path):
    out = tmp_path / "b.json"
    r = cli("--db", db, "export", "--fhir", "gen-12", "--out", str(out))
    assert r.exit_code == 0, r.output
    bundle = Bundle.model_validate(json.loads(out.read_text()))
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds[0] == "Patient" and "CarePlan" in kinds
    assert (out.stat().st_mode & 0o777) == 0o600
    r = cli("--db", db, "export", "--fhir", "nobody")
    assert r.exit_code == 2 and "nobody" in r.stderr
