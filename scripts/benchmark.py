#!/usr/bin/env python3
"""Benchmark footcoach's engine, batch mode, cold start, caseload, diary length and shoes in one run.

Figures (medians over repeated runs; p95 where it says so):

- warm: an in-process assessment with its full explanation and decision-only, over the shared
  examples and the first states of the golden corpus (rule base compiled once);
- baseline: the same warm figure for the engine of an earlier commit (``--baseline REV``, default the
  commit before the speed work), run from a detached ``git worktree`` of that commit, as a ratio;
- batch: ``footcoach assess --batch FILE --jobs N`` assessments per second with 1 job and with every
  core, and the peak resident memory for a short and a ten times longer input (flat = streaming);
- cold: a new ``footcoach assess FILE --format json`` process, wall and CPU time (user + system),
  median and minimum, with every imported module byte-compiled beforehand (as after ``pip install``)
  and with footcoach's own modules compiled from source at every start (a checkout run with
  PYTHONDONTWRITEBYTECODE=1); how it was measured is printed with the figures (``COLD_HOW``);
  ``--cold-against FOOTCOACH`` times another installation (an earlier commit installed in its own
  virtual environment) in the same interleaved runs, for a before/after from one run;
- caseload: ``caseload`` over a database of 1,000 runners with stored assessments;
- diary: a 104-week diary against a 4-week one (warm, full explanation);
- shoes: 1, 20, the shoe limit of knowledge/limits.yaml, and engine runs far past it (cost per shoe).

The machine is shared: quote medians, and re-run before comparing.  Only the standard library's
clocks and ``resource``/``os.wait4`` are used.
Run: .venv/bin/python scripts/benchmark.py [--quick] [--json] [--baseline REV] [--skip NAME ...] [--only NAME ...]
     [--cold-runs N] [--cold-against PATH/TO/OTHER/.venv/bin/footcoach]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "tests" / "data" / "examples").glob("*.json") if ".expected" not in p.name)
CORPUS = ROOT / "tests" / "data" / "corpus" / "states.jsonl"
BASELINE = "0cd7d21"  # the commit before the speed work (golden corpus only)
CACHE_ENV = "FOOTCOACH_CACHE_DIR"  # footcoach.rulebook.cache.CACHE_ENV
SECTIONS = ("warm", "baseline", "batch", "cold", "caseload", "diary", "shoes")

# Measured in a child process, so the current and the baseline engine run the same code path.
WARM_CHILD = r"""
import json, statistics, sys, time
from footcoach.service import assess, load_state
states = [load_state(json.loads(line)) for line in open(sys.argv[1], encoding="utf-8")]
rounds = int(sys.argv[2])
out = {}
modes = [("full", {})]
import inspect
if "explain" in inspect.signature(assess).parameters:
    modes.append(("decision", {"explain": False}))
for name, kw in modes:
    for s in states:
        assess(s, **kw)
    times = []
    for _ in range(rounds):
        for s in states:
            t = time.perf_counter()
            assess(s, **kw)
            times.append(time.perf_counter() - t)
    times.sort()
    out[name] = {"median_ms": round(statistics.median(times) * 1e3, 3),
                 "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1e3, 3), "n": len(times)}
print(json.dumps(out))
"""


def _python() -> str:
    return sys.executable


def _footcoach() -> str:
    return shutil.which("footcoach", path=str(Path(sys.executable).parent)) or "footcoach"


def _run(cmd: list[str], **kw: Any) -> tuple[float, float, float, int]:
    """(wall s, cpu s, peak RSS MB, exit code) of one child process (and its waited-for children)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, **kw)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def _states(count: int) -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    examples = [json.dumps(json.loads(p.read_text(encoding="utf-8"))) for p in EXAMPLES]
    return (examples + lines)[:count]


def _warm_states_file(tmp: Path, count: int) -> Path:
    path = tmp / "warm.jsonl"
    path.write_text("".join(s + "\n" for s in _states(count)), encoding="utf-8")
    return path


def warm(tmp: Path, rounds: int, count: int, src: Path | None = None) -> dict[str, Any]:
    """Warm per-assessment figures, measured in a child process (``src``: another checkout's code)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    path = _warm_states_file(tmp, count)
    out = subprocess.run(
        [_python(), "-c", WARM_CHILD, str(path), str(rounds)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def baseline(tmp: Path, rounds: int, count: int, rev: str, current: dict[str, Any]) -> dict[str, Any]:
    """The warm figure of the engine at ``rev`` (a detached worktree), and current/baseline ratios."""
    where = tmp / "baseline"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev], check=True, capture_output=True
    )
    try:
        old = warm(tmp, rounds, count, src=where / "src")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], capture_output=True)
    result: dict[str, Any] = {"rev": rev, "full": old["full"]}
    result["full_ratio"] = round(current["full"]["median_ms"] / old["full"]["median_ms"], 3)
    if "decision" in current:
        result["decision_vs_old_full_ratio"] = round(current["decision"]["median_ms"] / old["full"]["median_ms"], 3)
    return result


def batch(tmp: Path, lines: int) -> dict[str, Any]:
    """Assessments per second with 1 job and with every core; peak memory short vs ten times longer."""
    states = _states(10_000)
    short, long = tmp / "short.jsonl", tmp / "long.jsonl"
    short.write_text("".join(states[i % len(states)] + "\n" for i in range(lines)), encoding="utf-8")
    long.write_text(short.read_text(encoding="utf-8") * 10, encoding="utf-8")
    cores = len(os.sched_getaffinity(0))
    out: dict[str, Any] = {"lines": lines, "cores": cores}
    for jobs in sorted({1, cores}):
        for mode, extra in (("full", []), ("decision", ["--decision-only"])):
            cmd = [_footcoach(), "assess", "--batch", str(short), "--jobs", str(jobs), *extra]
            wall, cpu, rss, code = _run(cmd, stdout=subprocess.DEVNULL)
            assert code == 0, cmd
            out[f"jobs{jobs}_{mode}_per_s"] = round(lines / wall, 1)
            out[f"jobs{jobs}_{mode}_cpu_ms_per_line"] = round(cpu * 1e3 / lines, 3)
            out[f"jobs{jobs}_{mode}_rss_mb"] = round(rss, 1)
    cmd = [_footcoach(), "assess", "--batch", str(long), "--jobs", str(cores), "--decision-only"]
    wall, _cpu, rss, code = _run(cmd, stdout=subprocess.DEVNULL)
    out[f"x10_lines_jobs{cores}_decision_per_s"] = round(10 * lines / wall, 1)
    out[f"x10_lines_jobs{cores}_decision_rss_mb"] = round(rss, 1)
    return out


COLD_IMPORTS = r"""
import os, sys
sys.argv = ["footcoach", *sys.argv[1:]]
from footcoach.cli import main
try:
    main()
except SystemExit:
    pass
files = sorted({m.__file__ for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").endswith(".py")})
with open(os.environ["FOOTCOACH_BENCH_IMPORTED"], "w", encoding="utf-8") as out:
    out.write("\n".join(files))
"""


def _cold_cmd(i: int, footcoach: str | None = None) -> list[str]:
    return [footcoach or _footcoach(), "assess", str(EXAMPLES[i % len(EXAMPLES)]), "--format", "json"]


def _imported_files(env: dict[str, str], tmp: Path) -> list[str]:
    """The source files of every module `footcoach assess FILE --format json` imports."""
    listing = tmp / "imported.txt"
    cmd = [_python(), "-c", COLD_IMPORTS, *_cold_cmd(0)[1:]]
    subprocess.run(cmd, env={**env, "FOOTCOACH_BENCH_IMPORTED": str(listing)}, stdout=subprocess.DEVNULL, check=True)
    return listing.read_text(encoding="utf-8").split("\n")


def _compile(files: list[str], prefix: Path, env: dict[str, str]) -> None:
    """``python -m compileall`` the files into the PYTHONPYCACHEPREFIX ``prefix`` (the source tree,
    the virtual environment and the standard library's own caches are left alone)."""
    prefix.mkdir()
    compile_env = {**env, "PYTHONPYCACHEPREFIX": str(prefix)}
    subprocess.run(
        [_python(), "-m", "compileall", "-q", *files], env=compile_env, check=True, stdout=subprocess.DEVNULL
    )


def _cold_runs(
    runs: int, envs: dict[str, dict[str, str]], programs: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """``runs`` measured runs per mode, the modes interleaved (a shared machine's load falls on each
    alike), after one discarded run per mode; ``programs`` names another ``footcoach`` for a mode."""
    walls: dict[str, list[float]] = {mode: [] for mode in envs}
    cpus: dict[str, list[float]] = {mode: [] for mode in envs}
    rss = dict.fromkeys(envs, 0.0)
    for i in range(runs + 1):
        for mode, env in envs.items():
            cmd = _cold_cmd(i, (programs or {}).get(mode))
            wall, cpu, peak, code = _run(cmd, stdout=subprocess.DEVNULL, env=env)
            assert code == 0, mode
            if i:  # the first run fills the rule-base cache
                walls[mode].append(wall)
                cpus[mode].append(cpu)
                rss[mode] = max(rss[mode], peak)
    return {
        mode: {
            "wall_median_ms": round(statistics.median(walls[mode]) * 1e3, 1),
            "wall_min_ms": round(min(walls[mode]) * 1e3, 1),
            "cpu_median_ms": round(statistics.median(cpus[mode]) * 1e3, 1),
            "cpu_min_ms": round(min(cpus[mode]) * 1e3, 1),
            "peak_rss_mb": round(rss[mode], 1),
        }
        for mode in envs
    }


COLD_HOW = (
    "a new `footcoach assess FILE --format json` process per run (the shared examples in turn, stdout to "
    "/dev/null), {runs} runs per mode, the modes interleaved, after one discarded run that fills the rule-base cache (a fresh "
    "FOOTCOACH_CACHE_DIR); wall = start to exit, cpu = user + system of the child (os.wait4). Both modes "
    "read bytecode from a fresh PYTHONPYCACHEPREFIX filled beforehand by `python -m compileall` and never "
    "write any (PYTHONDONTWRITEBYTECODE=1). bytecode: all {compiled} imported modules compiled, as after "
    "`pip install` (pip compiles at install; Python ships its standard library compiled). no_bytecode: "
    "the same without footcoach's own {own} modules, which are compiled from source at every start (a "
    "checkout run with PYTHONDONTWRITEBYTECODE=1, as on this machine)."
)
COLD_AGAINST_HOW = (
    " against: {program} (another installation, e.g. an earlier commit's `pip install .` in its own "
    "virtual environment, with the bytecode pip compiled), in turn with the two modes above, its own "
    "rule-base cache filled by its discarded run."
)


def cold(tmp: Path, runs: int, against: str | None = None) -> dict[str, Any]:
    """A new `footcoach assess FILE --format json` per run, with and without footcoach's modules
    byte-compiled (see COLD_HOW, printed with the figures); the rule-base cache filled first.
    ``against``: another installation's ``footcoach``, measured in the same runs (before/after)."""
    import footcoach

    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")}
    base[CACHE_ENV] = str(tmp / "rule-cache")
    files = _imported_files(base, tmp)
    package = str(Path(footcoach.__file__).resolve().parent) + os.sep
    others = [f for f in files if not str(Path(f).resolve()).startswith(package)]
    modes = {"bytecode": (tmp / "pycache-all", files), "no_bytecode": (tmp / "pycache-deps", others)}
    out: dict[str, Any] = {"how": COLD_HOW.format(runs=runs, compiled=len(files), own=len(files) - len(others))}
    envs, before = {}, {}
    for mode, (prefix, compiled) in modes.items():
        _compile(compiled, prefix, base)
        before[mode] = sorted(prefix.rglob("*.pyc"))
        envs[mode] = {**base, "PYTHONPYCACHEPREFIX": str(prefix), "PYTHONDONTWRITEBYTECODE": "1"}
    programs = {}
    if against:
        out["how"] += COLD_AGAINST_HOW.format(program=against)
        own = {k: v for k, v in base.items() if k != "PYTHONPATH"}  # the other installation's own code
        envs["against"] = {**own, CACHE_ENV: str(tmp / "against-cache"), "PYTHONDONTWRITEBYTECODE": "1"}
        programs["against"] = against
    out.update(_cold_runs(runs, envs, programs))
    if against:
        out["bytecode_vs_against_wall"] = round(out["bytecode"]["wall_median_ms"] / out["against"]["wall_median_ms"], 3)
    for mode, (prefix, _compiled) in modes.items():
        assert sorted(prefix.rglob("*.pyc")) == before[mode], f"{mode}: a run wrote bytecode"
    return out


def caseload(tmp: Path, runners: int, rounds: int) -> dict[str, Any]:
    """`caseload` over a database of ``runners`` runners, each imported (which stores its assessment)."""
    from footcoach import service
    from footcoach.storage.caseload import caseload as read_caseload

    db = str(tmp / "caseload.db")
    states = [json.loads(s) for s in _states(300)]
    for i in range(runners):
        doc = json.loads(json.dumps(states[i % len(states)]))
        doc["runner"]["id"] = f"r-{i:05d}"
        service.import_state(db, doc["runner"]["id"], doc)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        rows = service.read(db, read_caseload)
        times.append(time.perf_counter() - t)
    assert len(rows) == runners
    return {"runners": runners, "median_ms": round(statistics.median(times) * 1e3, 1), "rounds": rounds}


def _median_ms(fn: Any, rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1e3, 3)


def diary(rounds: int) -> dict[str, Any]:
    """A 104-week diary against a 4-week one (warm assessment with its full explanation)."""
    from footcoach.service import assess, load_state

    base = json.loads((ROOT / "tests" / "data" / "examples" / "progress-to-phase-3.json").read_text())
    out: dict[str, Any] = {}
    for weeks in (4, 104):
        doc = json.loads(json.dumps(base))
        doc["program"]["weeks_in_program"] = max(weeks, doc["program"]["weeks_in_phase"])
        doc["history"] = [
            {"week": w, "pain_morning": 3 - (w * 3) // weeks, "heel_raises": {"left": 15 + w % 8, "right": 14 + w % 8}}
            for w in range(weeks)
        ]
        state = load_state(doc)
        out[f"weeks{weeks}_ms"] = _median_ms(lambda s=state: assess(s), rounds)
    out["ratio"] = round(out["weeks104_ms"] / out["weeks4_ms"], 3)
    return out


def shoes(rounds: int) -> dict[str, Any]:
    """Warm assessments with 1, 20 and the limit's shoes; engine runs far past the limit (per shoe)."""
    from footcoach.common.documents import current_limits
    from footcoach.contract.state import Shoe
    from footcoach.inference.engine import default_rulebase
    from footcoach.knowledge.base import default_knowledge
    from footcoach.service import assess, load_state

    limit = current_limits().shoes
    base = load_state(json.loads((ROOT / "tests" / "data" / "examples" / "amber-hold-worn-shoes.json").read_text()))

    def with_shoes(n: int) -> Any:
        shoe = default_knowledge().contract_model(Shoe)
        pairs = [shoe(name=f"shoe {i}", km=200 + 37 * i % 700, drop_mm=4 + i % 8, weeks_worn=i % 40) for i in range(n)]
        return base.model_copy(update={"shoes": pairs})  # past the limit: the engine alone, unvalidated

    out: dict[str, Any] = {"limit": limit}
    for n in sorted({1, 20, limit}):
        out[f"shoes{n}_assess_ms"] = _median_ms(lambda s=with_shoes(n): assess(s), rounds)
    rb = default_rulebase()
    for n in (1, 20, 200, 2000):
        ms = _median_ms(lambda s=with_shoes(n): rb.run(s), max(3, rounds // max(1, n // 20)))
        out[f"shoes{n}_engine_ms"] = ms
        out[f"shoes{n}_engine_ms_per_shoe"] = round(ms / n, 3)
    return out


def _print(result: dict[str, Any]) -> None:
    for section, figures in result.items():
        print(f"{section}:")
        for key, value in figures.items() if isinstance(figures, dict) else [("", figures)]:
            print(f"  {key}: {json.dumps(value)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and lines (a smoke run)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--baseline", default=BASELINE, help="the commit whose engine is the baseline")
    ap.add_argument("--skip", nargs="*", default=[], choices=SECTIONS)
    ap.add_argument("--only", nargs="*", default=None, choices=SECTIONS, help="run only these sections")
    ap.add_argument("--cold-runs", type=int, default=20, help="measured runs per cold-start mode (default 20)")
    ap.add_argument(
        "--cold-against",
        metavar="FOOTCOACH",
        help="another installation's footcoach program, timed in the same cold runs (e.g. the previous release)",
    )
    args = ap.parse_args()
    if args.only is not None:
        args.skip = [name for name in SECTIONS if name not in args.only]
    q = args.quick
    rounds, count = (3, 20) if q else (10, 60)
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as name:
        tmp = Path(name)
        if "warm" not in args.skip:
            result["warm"] = warm(tmp, rounds, count)
            if "baseline" not in args.skip:
                result["baseline"] = baseline(tmp, rounds, count, args.baseline, result["warm"])
        if "batch" not in args.skip:
            result["batch"] = batch(tmp, 200 if q else 1000)
        if "cold" not in args.skip:
            result["cold"] = cold(tmp, 3 if q else args.cold_runs, args.cold_against)
        if "caseload" not in args.skip:
            result["caseload"] = caseload(tmp, 100 if q else 1000, 3 if q else 7)
        if "diary" not in args.skip:
            result["diary"] = diary(5 if q else 30)
        if "shoes" not in args.skip:
            result["shoes"] = shoes(5 if q else 20)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)


if __name__ == "__main__":
    main()
