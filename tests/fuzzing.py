"""Fuzzing footcoach's input (shared by tests/test_hardening_fuzz.py and scripts/fuzz.py).

Three families of generated input, each given to ``footcoach assess`` in-process (click's
CliRunner): states shaped like the contract with wild values in any field (huge and tiny
numbers, 1e308, NaN spelled out, control characters, wrong types, extra and repeated keys, deep
nesting), raw bytes on stdin and in a file, and YAML-looking text.  ``check`` runs one input and
returns its outcome; it raises AssertionError when footcoach misbehaves: an exit code other than
0 or 2, anything on stdout with exit 2, an "internal error", or an input taking longer than
``PER_INPUT_S``.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import strategies as st

from footcoach.cli import main
from footcoach.common.exits import EXIT_BAD_INPUT, EXIT_OK

PER_INPUT_S = 10.0  # generous: an input takes milliseconds; the bug this guards against took minutes

WILD_NUMBERS = st.sampled_from(
    [0, -1, 1, 10**19, 10**25, -(10**30), 1e308, -1e308, 5e-324, 1e-300, 0.1, 2**31, 2**63, 45.0001, 10.5]
)
WILD_TEXT = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(["\x00", "\x1b[2J", "\x9b", "\u202e", " "]),
    max_size=30,
).map("".join)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | WILD_NUMBERS
    | st.floats(allow_nan=False, allow_infinity=False)
    | WILD_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(WILD_TEXT, kids, max_size=4), max_leaves=12
)

VALID_WEIGHT = 30  # a field is wild about once in 31: a whole state is often valid, often not
RED_FLAGS = ["numbness_tingling", "night_pain", "heel_squeeze_pain", "cannot_hop", "sudden_pop", "nope"]


def sometimes(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a valid value, sometimes a wild one."""
    wild = st.one_of(WILD_NUMBERS, SCALARS, JSON_VALUES)
    return st.sampled_from([False] * VALID_WEIGHT + [True]).flatmap(lambda go_wild: wild if go_wild else valid)


def pair(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return sometimes(st.fixed_dictionaries({"left": sometimes(values), "right": sometimes(values)}))


NRS = st.integers(0, 10)
STATE = st.fixed_dictionaries(
    {
        "runner": sometimes(
            st.fixed_dictionaries(
                {"age": sometimes(st.integers(12, 100))},
                optional={"id": sometimes(WILD_TEXT), "sex": sometimes(st.sampled_from(["female", "male"]))},
            )
        ),
        "program": sometimes(
            st.fixed_dictionaries(
                {"phase": sometimes(st.integers(1, 5)), "weeks_in_phase": sometimes(st.integers(0, 30))},
                optional={"weeks_in_program": sometimes(st.integers(0, 60))},
            )
        ),
        "pain": sometimes(
            st.fixed_dictionaries(
                {
                    "during": sometimes(NRS),
                    "after": sometimes(NRS),
                    "morning": sometimes(NRS),
                    "settled_next_morning": sometimes(st.booleans()),
                },
                optional={"sharp": sometimes(st.booleans())},
            )
        ),
    },
    optional={
        "red_flags": sometimes(st.lists(sometimes(st.sampled_from(RED_FLAGS)), max_size=4)),
        "tests": sometimes(
            st.fixed_dictionaries(
                {},
                optional={
                    "balance_eyes_open_s": pair(st.floats(0, 45)),
                    "balance_eyes_closed_s": pair(st.floats(0, 45)),
                    "heel_raises": pair(st.integers(0, 60)),
                    "hop_pain": sometimes(NRS),
                },
            )
        ),
        "history": sometimes(
            st.lists(
                st.fixed_dictionaries(
                    {"week": sometimes(st.integers(0, 600))},
                    optional={"pain_morning": sometimes(NRS), "heel_raises": pair(st.integers(0, 60))},
                ),
                max_size=8,
            )
        ),
        "shoes": sometimes(
            st.lists(
                st.fixed_dictionaries(
                    {"name": sometimes(WILD_TEXT)},
                    optional={
                        "km": sometimes(st.floats(0, 2000)),
                        "drop_mm": sometimes(st.floats(0, 20)),
                        "minimalist": sometimes(st.booleans()),
                        "weeks_worn": sometimes(st.integers(0, 200)),
                    },
                ),
                max_size=25,
            )
        ),
        "running": sometimes(
            st.fixed_dictionaries(
                {},
                optional={
                    k: sometimes(st.floats(0, 600))
                    for k in ("weekly_km", "previous_weekly_km", "longest_run_km_30d", "planned_long_run_km")
                },
            )
        ),
    },
)


@st.composite
def state_texts(draw: st.DrawFn) -> str:
    """A state as JSON text, sometimes with a repeated key or deep nesting spliced in."""
    state = draw(STATE)
    text = json.dumps(state, allow_nan=False)
    trick = draw(st.sampled_from(["none"] * 6 + ["repeat", "deep", "bignum", "nan", "extra"]))
    if trick == "repeat" and text.endswith("}"):
        text = text[:-1] + ', "pain": {"during": 1}}'
    elif trick == "deep":
        depth = draw(st.integers(30, 3000))
        text = text[:-1] + ', "tests": ' + "[" * depth + "]" * depth + "}"
    elif trick == "bignum":
        text = text.replace('"age": ', '"age": ' + "9" * draw(st.integers(15, 6000)) + "0 + ", 1).replace(" + ", "", 1)
    elif trick == "extra" and text.endswith("}"):
        text = text[:-1] + ', "extra": ' + json.dumps(draw(JSON_VALUES)) + "}"
    elif trick == "nan":
        text = text.replace('"during": ', '"during": NaN, "x": ', 1)
    return text


YAML_PIECES = list("abc:-[]{}&*!?|>'\"#%@`,. 0123456789\n\t~x\x00") + [
    "!!binary ",
    "!!float ",
    "<<: ",
    "0x1F",
    "1:30",
    "yes",
    "&a [*a]",
    "? [a]\n: 1\n",
    "runner: {age: 40}\n",
    "program: {phase: 1, weeks_in_phase: 2}\n",
    "pain: {during: 1, after: 1, morning: 1, settled_next_morning: true}\n",
]
YAMLISH = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join)


@dataclass
class Outcome:
    family: str
    exit_code: int
    seconds: float


def check(family: str, payload: str | bytes, where: str = "stdin", suffix: str = ".json") -> Outcome:
    """Run ``footcoach assess`` on one input and check footcoach's promises (AssertionError if broken)."""
    runner = CliRunner()
    started = time.perf_counter()
    if where == "stdin":
        result = runner.invoke(main, ["assess", "-", "--format", "json"], input=payload)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"state{suffix}"
            path.write_bytes(payload if isinstance(payload, bytes) else payload.encode("utf-8", "surrogatepass"))
            result = runner.invoke(main, ["assess", str(path), "--format", "json"])
    seconds = time.perf_counter() - started
    shown = repr(payload[:300])
    assert result.exit_code in (EXIT_OK, EXIT_BAD_INPUT), f"exit {result.exit_code} for {shown}: {result.stderr[-500:]}"
    assert "internal error" not in result.stderr, f"{shown}: {result.stderr[-500:]}"
    if result.exit_code == EXIT_BAD_INPUT:
        assert result.stdout == "", f"stdout on exit 2 for {shown}"
        assert result.stderr.strip(), f"exit 2 without a reason for {shown}"
    else:
        json.loads(result.stdout)
    assert seconds < PER_INPUT_S, f"{seconds:.1f} s for {shown}"
    return Outcome(family, result.exit_code, seconds)
