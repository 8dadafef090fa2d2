#!/usr/bin/env python3
"""Benchmark footcoach: a warm in-process assessment and a cold `footcoach assess` call.

Warm: the rule base is compiled once, then every shared example is assessed ROUNDS times; the
figure is the median per assessment.  Cold: a new `footcoach assess FILE --format json` process per
call (interpreter start, imports, loading and compiling the rules), median of COLD_RUNS.  Peak
memory is the resident set of this process after the warm runs and of the largest cold child.
Run: .venv/bin/python scripts/benchmark.py [--rounds N] [--cold-runs N] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "tests" / "data" / "examples").glob("*.json") if ".expected" not in p.name)


def warm(rounds: int) -> dict:
    from footcoach.inference.engine import default_rulebase
    from footcoach.service import assess, load_state

    t0 = time.perf_counter()
    default_rulebase()
    build_s = time.perf_counter() - t0
    states = [load_state(json.loads(p.read_text())) for p in EXAMPLES]
    for s in states:  # first run of each state warms caches
        assess(s)
    times = []
    for _ in range(rounds):
        for s in states:
            t = time.perf_counter()
            assess(s)
            times.append(time.perf_counter() - t)
    return {
        "rule_base_build_ms": round(build_s * 1000, 1),
        "assessments": len(times),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(sorted(times)[int(len(times) * 0.95) - 1] * 1000, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def cold(runs: int) -> dict:
    exe = shutil.which("footcoach", path=str(Path(sys.executable).parent)) or "footcoach"
    times = []
    for i in range(runs):
        p = EXAMPLES[i % len(EXAMPLES)]
        t = time.perf_counter()
        subprocess.run([exe, "assess", str(p), "--format", "json"], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "runs": runs,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "max_rss_mb": round(child_rss, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {"examples": len(EXAMPLES), "warm": warm(args.rounds), "cold": cold(args.cold_runs)}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    w, c = result["warm"], result["cold"]
    print(f"rule base build (load + compile): {w['rule_base_build_ms']} ms")
    print(
        f"warm in-process assessment: median {w['median_ms']} ms, p95 {w['p95_ms']} ms "
        f"over {w['assessments']} assessments of {result['examples']} shared examples; RSS {w['max_rss_mb']} MB"
    )
    print(
        f"cold `footcoach assess --format json`: median {c['median_ms']} ms over {c['runs']} runs "
        f"(min {c['min_ms']} ms); peak child RSS {c['max_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
