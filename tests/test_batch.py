"""``footcoach assess --batch``: one state per line in, one assessment per line out."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner

from footcoach.cli import batch as batch_mod
from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK

from .test_corpus import mc

STATES = mc.STATES.read_text(encoding="utf-8").splitlines()


def _run(lines: list[bytes], jobs: int, decision_only: bool = False) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = batch_mod.run_batch(io.BytesIO(b"".join(line + b"\n" for line in lines)), out, jobs, decision_only)
    return code, out.getvalue().splitlines()


def test_batch_output_is_the_corpus_output_in_input_order_with_one_and_two_jobs():
    lines = [s.encode() for s in STATES[:60]]
    expected = mc.read_outputs()[:60]
    for jobs in (1, 2):
        code, out = _run(lines, jobs)
        assert code == EXIT_OK
        assert out == expected, jobs


def test_decision_only_batch_lines_are_the_decisions():
    code, out = _run([s.encode() for s in STATES[:40]], 2, decision_only=True)
    assert code == EXIT_OK
    for line, full in zip(out, mc.read_outputs()[:40], strict=True):
        record = json.loads(line)
        assert "trace" not in record and "why_not" not in record
        assert record["action"] == json.loads(full)["action"]


def test_a_bad_line_is_an_error_record_naming_its_line_and_fields_and_the_run_goes_on():
    bad_state = json.loads(STATES[0])
    bad_state["pain"]["during"] = 11
    del bad_state["program"]
    lines = [
        STATES[0].encode(),
        json.dumps(bad_state).encode(),
        b"not json",
        b"\xff\xfe",
        b"",
        b'{"runner": {"age": 40}, "runner": {"age": 41}}',
        b"[" * 5000,
        STATES[1].encode(),
    ]
    code, out = _run(lines, 2)
    assert code == EXIT_FINDINGS
    assert len(out) == len(lines)
    records = [json.loads(line) for line in out]
    assert records[0] == json.loads(mc.read_outputs()[0]) and records[-1] == json.loads(mc.read_outputs()[1])
    for number, record in enumerate(records[1:-1], start=2):
        assert record["line"] == number and record["error"] == "bad input" and record["problems"], record
    fields = {p["field"] for p in records[1]["problems"]}
    assert {"pain.during", "program"} <= fields
    assert "UTF-8" in records[3]["problems"][0]["problem"]
    assert "duplicate" in records[5]["problems"][0]["problem"]


def test_batch_streams_reading_at_most_a_bounded_window_ahead_of_writing(monkeypatch):
    monkeypatch.setattr(batch_mod, "CHUNK", 4)
    read = {"n": 0}
    window = []

    def source():
        for line in STATES[:120]:
            read["n"] += 1
            yield line.encode() + b"\n"

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            window.append(read["n"] - len(window))
            return super().write(text)

    assert batch_mod.run_batch(source(), Out(), 2, decision_only=True) == EXIT_OK
    assert len(window) == 120
    bound = batch_mod.CHUNK * (2 * batch_mod.IN_FLIGHT_PER_JOB + 1)
    assert max(window) <= bound < 120, max(window)


def test_cli_batch_from_stdin_and_usage_errors():
    runner = CliRunner()
    text = "\n".join(STATES[:5]) + "\n"
    result = runner.invoke(main, ["assess", "--batch", "-", "--jobs", "1"], input=text)
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines() == mc.read_outputs()[:5]
    assert result.stderr == ""  # no progress bar outside a terminal
    for args in (
        ["assess", "--jobs", "2", "x.json"],
        ["assess", "--batch", "-", "x.json"],
        ["assess", "--batch", "/nonexistent/states.jsonl"],
        ["assess", "--decision-only", "x.json"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == EXIT_BAD_INPUT, (args, result.output)
        assert result.stdout == ""


def test_decision_only_for_one_file_is_the_projection_of_its_full_json(tmp_path):
    state = tmp_path / "s.json"
    state.write_text(STATES[3], encoding="utf-8")
    runner = CliRunner()
    full = json.loads(runner.invoke(main, ["assess", str(state), "--format", "json"]).stdout)
    result = runner.invoke(main, ["assess", str(state), "--format", "json", "--decision-only"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {k: v for k, v in full.items() if k in mc_decision_keys()}


def mc_decision_keys() -> tuple[str, ...]:
    from footcoach.inference.explain import DECISION_KEYS

    return DECISION_KEYS


def test_jobs_above_the_per_core_cap_or_below_one_is_refused_in_the_project_form():
    runner = CliRunner()
    cap = batch_mod.max_jobs()
    for jobs in (cap + 1, 99999999, 0):
        result = runner.invoke(main, ["assess", "--batch", "-", "--jobs", str(jobs)], input=STATES[0] + "\n")
        assert result.exit_code == EXIT_BAD_INPUT, (jobs, result.output)
        assert result.stdout == ""
        assert (
            result.stderr
            == f"error: --jobs: value {jobs}; allowed: 1 to {cap} ({batch_mod.MAX_JOBS_PER_CORE} per core)\n"
        )
    result = runner.invoke(main, ["assess", "--batch", "-", "--jobs", str(cap)], input=STATES[0] + "\n")
    assert result.exit_code == EXIT_OK, result.output


def test_never_more_worker_processes_than_chunks_of_input(monkeypatch):
    import multiprocessing

    sizes: list[int] = []
    real = multiprocessing.get_context

    class Counting:
        def __init__(self, ctx):
            self.ctx = ctx

        def Pool(self, processes, **kwargs):
            sizes.append(processes)
            return self.ctx.Pool(processes, **kwargs)

    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: Counting(real(method)))
    code, out = _run([s.encode() for s in STATES[:4]], 40)
    assert code == EXIT_OK and out == mc.read_outputs()[:4]
    assert sizes == []  # four lines are one chunk: assessed in this process, no pool of 40
    lines = [s.encode() for s in STATES] * (2 * batch_mod.CHUNK // len(STATES) + 1)
    code, out = _run(lines[: batch_mod.CHUNK + 1], 40)
    assert code == EXIT_OK and len(out) == batch_mod.CHUNK + 1
    assert sizes == [2]  # two chunks, two workers
