"""Time `footcoach rules replay --all` over N stored assessments (default 10,000).

Builds a throw-away database: the corpus generator's states imported as runners (each import stores
an assessment), then the stored assessments copied until there are N of them. Then it times the
replay of a proposed knowledge base with the phase 1 heel-raise gate at 14 instead of 12, with one
worker process and with every core. Run: .venv/bin/python scripts/replay_benchmark.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

RUNNERS = 300  # distinct runners imported; their stored assessments are copied up to --count
COLUMNS = (
    "runner_id, created_at, rulebase_version, source, change_id, action, phase_current, phase_next, "
    "summary, kinds, red_flags, input_hash, input, assessment"
)


def build(db: Path, count: int) -> int:
    from footcoach import service
    from make_corpus import make_states

    for n, state in enumerate(make_states(RUNNERS)):
        state["runner"].pop("id", None)
        service.import_state(str(db), f"gen-{n:04d}", state)
    conn = sqlite3.connect(db)
    have = conn.execute("SELECT count(*) FROM assessments").fetchone()[0]
    while have < count:
        conn.execute(
            f"INSERT INTO assessments ({COLUMNS}) SELECT {COLUMNS} FROM assessments ORDER BY id LIMIT ?",
            (count - have,),
        )
        conn.commit()
        have = conn.execute("SELECT count(*) FROM assessments").fetchone()[0]
    conn.close()
    return int(have)


def proposed(folder: Path) -> Path:
    k = folder / "knowledge"
    shutil.copytree(ROOT / "knowledge", k)
    t = k / "thresholds.yaml"
    t.write_text(t.read_text().replace("start_dose:\n    value: 12", "start_dose:\n    value: 14"))
    return k


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "footcoach")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "replay.db"
        start = time.perf_counter()
        stored = build(db, args.count)
        print(f"built {stored} stored assessments of {RUNNERS} runners in {time.perf_counter() - start:.1f} s")
        k = proposed(Path(tmp))
        for jobs in (1, os.cpu_count() or 1):
            cmd = [exe, "--db", str(db), "rules", "replay", "--all", "--knowledge", str(k), "--jobs", str(jobs)]
            seconds, out = timed(cmd + ["--format", "json"])
            import json

            report = json.loads(out)
            print(
                f"replay --all, {jobs} job(s): {stored} inputs in {seconds:.1f} s "
                f"({stored / seconds:.0f}/s); {report['changed']} would change"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
