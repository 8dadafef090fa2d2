#!/usr/bin/env python3
"""Build the golden corpus: generated runner states and their committed assessments.

The states are generated deterministically (a fixed seed, values drawn around the thresholds of
the clinical brief) and written to ``tests/data/corpus/states.jsonl``; each state's assessment,
exactly as ``footcoach assess --format json`` computes it, is written to
``tests/data/corpus/outputs.jsonl.gz`` (one compact JSON line per state, gzip without a time
stamp so the file is byte-stable).  ``tests/test_corpus.py`` compares every output byte for byte.

After an intentional change of the JSON output, regenerate and commit both files:

    .venv/bin/python scripts/make_corpus.py

``--check`` compares instead of writing (exit 1 on the first difference).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
STATES = CORPUS / "states.jsonl"
OUTPUTS = CORPUS / "outputs.jsonl.gz"
SEED = 20261130
COUNT = 300
RED_FLAGS = (
    "numbness_tingling",
    "night_pain",
    "heel_squeeze_pain",
    "cannot_hop",
    "trauma_cannot_bear_weight",
    "sudden_pop",
    "fever_hot_red_heel",
    "bilateral_inflammatory",
)


def _pair(rng: random.Random, lo: float, hi: float, whole: bool) -> dict[str, Any]:
    left = rng.randint(int(lo), int(hi)) if whole else round(rng.uniform(lo, hi), 1)
    right = left + rng.choice((0, 0, -1, -2, -3, 1, -5)) if whole else round(left * rng.choice((1, 0.95, 0.85)), 1)
    right = max(0, min(right, hi))
    return {"left": left, "right": right}


def _history(rng: random.Random, weeks: int, entries: int) -> list[dict[str, Any]]:
    start = max(0, weeks - entries)
    pain = rng.randint(0, 8)
    out = []
    for i in range(entries):
        pain = max(0, min(10, pain + rng.choice((-1, -1, 0, 0, 1))))
        e: dict[str, Any] = {"week": start + i, "pain_morning": pain}
        if rng.random() < 0.7:
            e["heel_raises"] = _pair(rng, 5, 30, True)
        if rng.random() < 0.5:
            e["balance_eyes_open_s"] = _pair(rng, 10, 45, False)
        if rng.random() < 0.2:
            e["foot_fatigue"] = rng.randint(0, 10)
        out.append(e)
    return out


def _shoes(rng: random.Random, count: int) -> list[dict[str, Any]]:
    shoes = []
    for i in range(count):
        s: dict[str, Any] = {"name": f"shoe {i + 1}"}
        if rng.random() < 0.8:
            s["km"] = rng.choice((0, 120, 299, 300, 400, 499, 500, 650, 800, 1000))
        if rng.random() < 0.7:
            s["drop_mm"] = rng.choice((0, 4, 6, 8, 10, 12))
        if rng.random() < 0.3:
            s["minimalist"] = rng.random() < 0.5
        if rng.random() < 0.5:
            s["weeks_worn"] = rng.randint(0, 60)
        shoes.append(s)
    return shoes


def make_state(rng: random.Random) -> dict[str, Any]:
    """One plausible state, with values drawn around the thresholds the rules test."""
    phase = rng.randint(1, 5)
    weeks_in_phase = rng.randint(0, 8)
    state: dict[str, Any] = {
        "runner": {"id": f"gen-{rng.randint(0, 10**6)}", "age": rng.randint(18, 80)},
        "program": {"phase": phase, "weeks_in_phase": weeks_in_phase},
        "pain": {
            "during": rng.choice((0, 1, 2, 3, 3, 4, 5, 6, 7)),
            "after": rng.choice((0, 1, 2, 3, 4, 5, 6)),
            "morning": rng.choice((0, 1, 2, 3, 4, 5, 6)),
            "settled_next_morning": rng.random() < 0.85,
        },
    }
    if rng.random() < 0.8:
        state["runner"]["sex"] = rng.choice(("female", "male"))
    if rng.random() < 0.6:
        state["runner"]["experience"] = rng.choice(("novice", "occasional", "regular"))
    if rng.random() < 0.6:
        state["program"]["weeks_in_program"] = weeks_in_phase + rng.choice((0, 2, 4, 8, 11, 12, 16))
    if rng.random() < 0.15:
        state["pain"]["sharp"] = True
    if rng.random() < 0.12:
        state["red_flags"] = rng.sample(RED_FLAGS, rng.choice((1, 1, 2)))
    tests: dict[str, Any] = {}
    if rng.random() < 0.7:
        tests["balance_eyes_open_s"] = _pair(rng, 10, 45, False)
    if rng.random() < 0.5:
        tests["balance_eyes_closed_s"] = _pair(rng, 2, 30, False)
    if rng.random() < 0.75:
        tests["heel_raises"] = _pair(rng, 5, 35, True)
    if rng.random() < 0.5:
        tests["hop_pain"] = rng.choice((0, 0, 1, 2, 3, 5))
    if tests:
        state["tests"] = tests
    entries = rng.choice((0, 0, 1, 2, 3, 4, 6, 8, 13))
    if entries:
        state["history"] = _history(rng, state["program"].get("weeks_in_program", weeks_in_phase) + 1, entries)
    n_shoes = rng.choice((0, 0, 1, 1, 2, 3))
    if n_shoes:
        state["shoes"] = _shoes(rng, n_shoes)
    if rng.random() < 0.6:
        weekly = rng.choice((10, 20, 26, 30, 40))
        running: dict[str, Any] = {"weekly_km": weekly}
        if rng.random() < 0.8:
            running["previous_weekly_km"] = rng.choice((weekly, round(weekly / 1.1, 1), round(weekly / 1.3, 1), 8))
        if rng.random() < 0.6:
            longest = rng.choice((8, 12, 15, 17.4))
            running["longest_run_km_30d"] = longest
            running["planned_long_run_km"] = rng.choice((longest, round(longest * 1.3, 2), longest + 6))
        state["running"] = running
    if rng.random() < 0.35:
        _make_good(rng, state)
    return state


def _make_good(rng: random.Random, state: dict[str, Any]) -> None:
    """Green pain and strong tests, so the progression gates are exercised near their thresholds."""
    state["pain"] = {
        "during": rng.choice((0, 1, 2, 3)),
        "after": rng.choice((0, 1, 2)),
        "morning": rng.choice((0, 1)),
        "settled_next_morning": True,
    }
    state.pop("red_flags", None)
    state["program"]["weeks_in_phase"] = rng.choice((2, 3, 4, 6))
    state["program"].pop("weeks_in_program", None)
    state.pop("history", None)
    state["tests"] = {
        "balance_eyes_open_s": {"left": rng.choice((30, 40, 45)), "right": rng.choice((30, 40, 45))},
        "balance_eyes_closed_s": {"left": rng.choice((5, 10, 20)), "right": rng.choice((5, 10, 20))},
        "heel_raises": {"left": rng.choice((20, 25, 30)), "right": rng.choice((18, 23, 27, 30))},
        "hop_pain": rng.choice((0, 1, 2, 3)),
    }


def make_states(count: int = COUNT, seed: int = SEED) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_state(rng) for _ in range(count)]


def render(assessment: dict[str, Any]) -> str:
    """One output line: the assessment as compact JSON in its own key order."""
    return json.dumps(assessment, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def outputs_for(states: list[dict[str, Any]]) -> list[str]:
    from footcoach.service import assess_document

    return [render(assess_document(s)) for s in states]


def read_outputs(path: Path = OUTPUTS) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def write(states: list[dict[str, Any]], outputs: list[str]) -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    STATES.write_text("".join(json.dumps(s, sort_keys=True) + "\n" for s in states), encoding="utf-8")
    data = "".join(line + "\n" for line in outputs).encode("utf-8")
    with open(OUTPUTS, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed corpus instead of writing")
    args = ap.parse_args()
    states = make_states()
    outputs = outputs_for(states)
    if args.check:
        committed = read_outputs()
        for i, (new, old) in enumerate(zip(outputs, committed, strict=True)):
            if new != old:
                print(f"state {i} differs", file=sys.stderr)
                return 1
        print(f"{len(outputs)} outputs identical")
        return 0
    write(states, outputs)
    print(f"wrote {len(states)} states to {STATES.relative_to(ROOT)} and their outputs to {OUTPUTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
