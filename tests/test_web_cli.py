"""`footcoach user add|token|revoke-token`, `footcoach invite` and `footcoach serve`'s start-up."""

from __future__ import annotations

import json

from click.testing import CliRunner

from footcoach.cli import main
from footcoach.storage import accounts
from tests import record_calls as store
from tests.web_support import PASSWORD, client, example


def _run(args, stdin=None):
    return CliRunner().invoke(main, args, input=stdin)


def test_user_add_token_and_revoke(tmp_path):
    db = str(tmp_path / "c.db")
    r = _run(["--db", db, "user", "add", "a@example.org", "--password-stdin"], PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert accounts.check_password(db, "a@example.org", PASSWORD, "test").ok
    token = _run(["--db", db, "user", "token", "a@example.org"]).stdout.strip()
    assert len(token) >= 43 and accounts.user_for_api_token(db, token)["email"] == "a@example.org"
    assert _run(["--db", db, "user", "revoke-token", "a@example.org"]).exit_code == 0
    assert accounts.user_for_api_token(db, token) is None


def test_user_add_refuses_a_short_password_and_a_taken_email(tmp_path):
    db = str(tmp_path / "c.db")
    short = _run(["--db", db, "user", "add", "a@example.org", "--password-stdin"], "short\n")
    assert short.exit_code == 2 and f"allowed: {accounts.PASSWORD_MIN_LENGTH} to" in short.stderr
    _run(["--db", db, "user", "add", "a@example.org", "--password-stdin"], PASSWORD + "\n")
    again = _run(["--db", db, "user", "add", "A@example.org", "--password-stdin"], PASSWORD + "\n")
    assert again.exit_code == 2 and "already has an account" in again.stderr
    assert _run(["--db", db, "user", "token", "nobody@example.org"]).exit_code == 2


def test_invite_prints_a_link_that_opens_the_runners_triage(tmp_path):
    db = str(tmp_path / "c.db")
    state = example("progress-to-phase-3")
    store.import_state(db, "r-017", state)
    r = _run(["--db", db, "invite", "r-017", "--days", "3", "--base-url", "https://clinic.example.org"])
    assert r.exit_code == 0, r.output
    url = r.stdout.strip()
    assert url.startswith("https://clinic.example.org/t/")
    token = url.rsplit("/", 1)[1]
    assert client(db).get(f"/t/{token}").status_code == 200
    assert _run(["--db", db, "invite", "nobody"]).exit_code == 2
    assert _run(["--db", db, "invite", "r-017", "--days", "0"]).exit_code == 2
    assert _run(["--db", db, "invite", "r-017", "--revoke"]).exit_code == 0
    assert client(db).get(f"/t/{token}").status_code == 404


def test_serve_is_local_by_default_and_says_so_when_it_is_not(tmp_path, monkeypatch):
    import uvicorn

    from footcoach.cli import web

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    monkeypatch.setattr(web, "_free_port", lambda host, port: port)  # the default port may be busy here
    db = str(tmp_path / "c.db")
    local = _run(["serve", "--db", db])
    assert local.exit_code == 0 and calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8765
    assert "warning" not in local.stderr
    wide = _run(["serve", "--db", db, "--host", "0.0.0.0", "--port", "9000"])
    assert wide.exit_code == 0 and calls[-1]["host"] == "0.0.0.0"
    assert "warning: listening on 0.0.0.0" in wide.stderr
    assert json.dumps(calls[-1]["factory"]) == "true"


def test_serve_runs_without_an_access_log_that_would_hold_runner_link_tokens(tmp_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    assert _run(["serve", "--db", str(tmp_path / "c.db"), "--workers", "2", "--port", "0"]).exit_code == 0
    assert calls[-1]["access_log"] is False and calls[-1]["workers"] == 2


def test_a_worker_warms_up_before_it_listens_and_touches_no_database(tmp_path):
    import os
    import subprocess
    import sys

    db = tmp_path / "c.db"
    code = (
        "import gc\n"
        "from starlette.testclient import TestClient\n"
        "from footcoach.web import entry\n"
        "app = entry.app()\n"
        "import os\n"
        "print(gc.get_freeze_count(), os.path.exists(os.environ['FOOTCOACH_WEB_DB']))\n"
        "print(TestClient(app).get('/login').status_code)\n"
    )
    env = {**os.environ, "FOOTCOACH_WEB_DB": str(db), "FOOTCOACH_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, created, status = done.stdout.split()
    assert int(frozen) > 0  # the warmed-up heap is out of the collector's way
    assert created == "False"  # the warm-up assessed a state in memory: no database file
    assert status == "200"


def test_serve_warns_when_several_workers_would_run_without_uvloop(tmp_path, monkeypatch):
    import uvicorn

    from footcoach.cli import web

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    db = str(tmp_path / "c.db")
    monkeypatch.setattr(web, "_has_uvloop", lambda: False)
    assert "without uvloop" in _run(["serve", "--db", db, "--workers", "2", "--port", "0"]).stderr
    assert "without uvloop" not in _run(["serve", "--db", db, "--workers", "1", "--port", "0"]).stderr
    monkeypatch.setattr(web, "_has_uvloop", lambda: True)
    assert "without uvloop" not in _run(["serve", "--db", db, "--workers", "2", "--port", "0"]).stderr


def test_serve_refuses_a_port_in_use_or_a_bad_host_before_announcing_anything(tmp_path, monkeypatch):
    import socket

    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    db = str(tmp_path / "c.db")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = _run(["serve", "--db", db, "--port", str(port)])
    assert taken.exit_code == 2 and taken.stderr.startswith(f"error: --port: value {port}: "), taken.output
    assert "allowed: " in taken.stderr and "serving" not in taken.stderr
    for host in ("bad host!", "192.0.2.1"):  # not a name; an address this machine does not have (TEST-NET-1)
        bad = _run(["serve", "--db", db, "--host", host, "--port", "0"])
        assert bad.exit_code == 2 and bad.stderr.startswith(f'error: --host: value "{host}": '), bad.output
        assert "allowed: " in bad.stderr and "serving" not in bad.stderr and "warning" not in bad.stderr
    assert calls == []


def test_serve_with_port_0_announces_and_listens_on_the_real_port(tmp_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    result = _run(["serve", "--db", str(tmp_path / "c.db"), "--port", "0"])
    assert result.exit_code == 0, result.output
    [call] = calls
    assert call["port"] > 0 and f"on http://127.0.0.1:{call['port']}/ " in result.stderr
