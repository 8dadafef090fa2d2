#!/usr/bin/env python3
"""Fuzz footcoach's input for longer than the test suite does, and print the counts.

Runs the three families of tests/fuzzing.py (states shaped like the schema with wild values,
raw bytes on stdin and in files, YAML-looking text) in rounds of fresh random examples until the
time is up, then prints how many inputs each family had and their outcomes (exit 0, exit 2) with
the slowest input.  Any broken promise (another exit code, stdout on exit 2, "internal error", an
input slower than the per-input bound) is printed with the input and makes the exit code 1.

    .venv/bin/python scripts/fuzz.py --seconds 300
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from tests.fuzzing import PER_INPUT_S, YAMLISH, check, state_texts  # noqa: E402

ROUND = 100  # examples per family and round


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="how long to fuzz (default 300)")
    args = parser.parse_args()
    counts: Counter[tuple[str, int]] = Counter()
    slowest = [0.0, ""]
    failures: list[str] = []
    deadline = time.monotonic() + args.seconds

    def record(family: str, payload: object, where: str = "stdin", suffix: str = ".json") -> None:
        if time.monotonic() > deadline:
            return
        try:
            outcome = check(family, payload, where, suffix)  # type: ignore[arg-type]
        except AssertionError as exc:
            counts[(family, -1)] += 1
            failures.append(f"{family}: {exc}")
            return
        counts[(family, outcome.exit_code)] += 1
        if outcome.seconds > slowest[0]:
            slowest[:] = [outcome.seconds, f"{family} {payload!r:.120}"]

    fuzz = settings(max_examples=ROUND, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @fuzz
    @given(state_texts())
    def states(text: str) -> None:
        record("state", text)

    @fuzz
    @given(st.binary(max_size=400), st.sampled_from(["stdin", "file"]), st.sampled_from([".json", ".yaml"]))
    def raw(data: bytes, where: str, suffix: str) -> None:
        record("bytes", data, where, suffix)

    @fuzz
    @given(YAMLISH)
    def yamlish(text: str) -> None:
        record("yaml", text, "file", ".yaml")

    rounds = 0
    while time.monotonic() < deadline:
        for family in (states, raw, yamlish):
            family()
        rounds += 1
    total = sum(counts.values())
    print(f"fuzzed {total} inputs in {args.seconds:.0f} s ({rounds} rounds); per-input bound {PER_INPUT_S:.0f} s")
    for family in ("state", "bytes", "yaml"):
        n = sum(v for (f, _), v in counts.items() if f == family)
        print(
            f"  {family:6} {n:6} inputs: exit 0 {counts[(family, 0)]:6}, exit 2 {counts[(family, 2)]:6}, "
            f"broken {counts[(family, -1)]}"
        )
    print(f"slowest input: {slowest[0]:.3f} s ({slowest[1]})")
    for failure in failures[:20]:
        print("BROKEN:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
