"""Issue 8: a hypothesis fuzz test over the state schema and over raw bytes.  For every generated
input footcoach exits 0 or 2, prints nothing on stdout with exit 2, never says "internal error",
and answers within a generous per-input bound (tests/fuzzing.py; scripts/fuzz.py runs it longer)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzzing import YAMLISH, check, state_texts

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(state_texts())
def test_states_shaped_like_the_schema_exit_0_or_2(text):
    check("state", text)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["stdin", "file"]), st.sampled_from([".json", ".yaml"]))
def test_raw_bytes_exit_0_or_2(data, where, suffix):
    check("bytes", data, where, suffix)


@FUZZ
@given(YAMLISH)
def test_yaml_looking_text_exits_0_or_2(text):
    check("yaml", text, "file", ".yaml")
