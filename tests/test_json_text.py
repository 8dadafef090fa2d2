"""footcoach's JSON text (common/json_text.dump_json) is exactly the standard library's
``json.dumps(indent=2, ensure_ascii=False, allow_nan=False)`` plus a newline, whatever the value."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footcoach.common.json_text import dump_json

from .test_corpus import mc


def _standard(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from([Colour.RED, Level.HIGH, '\x00\x1f\x7f\u2028"\\/\t\n\r\b\f', "é漢😀"])
)
_keys = (
    st.text(max_size=8) | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False, allow_infinity=False)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple) | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_the_text_is_the_standard_librarys_for_any_json_value(value):
    assert dump_json(value) == _standard(value)


def test_the_text_is_the_standard_librarys_for_every_corpus_assessment():
    outputs = [json.loads(line) for line in mc.read_outputs()]
    assert len(outputs) == mc.COUNT
    for i, assessment in enumerate(outputs):
        assert dump_json(assessment) == _standard(assessment), f"corpus assessment {i}"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": [1, math.nan]}, {math.inf: 1}])
def test_nan_and_infinity_are_refused_like_the_standard_library(bad):
    with pytest.raises(ValueError):
        _standard(bad)
    with pytest.raises(ValueError, match="not JSON compliant"):
        dump_json(bad)


@pytest.mark.parametrize("bad", [{"a": {1, 2}}, [object()], {(1, 2): "tuple key"}, b"bytes"])
def test_values_json_has_no_form_for_are_refused_like_the_standard_library(bad):
    with pytest.raises(TypeError):
        _standard(bad)
    with pytest.raises(TypeError):
        dump_json(bad)
