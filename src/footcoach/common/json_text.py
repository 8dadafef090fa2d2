"""The one JSON text footcoach prints and writes: two-space indent, UTF-8 as is, keys in the order given,
no NaN or infinity, a newline at the end (the CLI's stdout, files it writes, the web API's bodies).

The text is exactly ``json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)`` plus a newline
(tests/test_json_text.py compares the two on generated documents and the golden corpus checks the
assessments), written by a small recursive writer: with ``indent`` the standard library falls back to
its pure-Python generator, which costs about three times as much on an assessment (a third of a web
API request's CPU).  Strings are escaped by the standard library's own C function.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "
_float_repr = float.__repr__
_int_repr = int.__repr__


def dump_json(data: Any) -> str:
    """``data`` as footcoach's JSON text; ValueError on NaN or infinity (never valid JSON), TypeError
    on a value JSON has no form for (as ``json.dumps``)."""
    out: list[str] = []
    _write(data, "\n", out)
    out.append("\n")
    return "".join(out)


def _float(value: float) -> str:
    if math.isfinite(value):
        return _float_repr(value)
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


def _key(key: Any) -> str:
    """A mapping key as ``json.dumps`` turns it into a string (bool and None before int)."""
    if isinstance(key, str):
        return str(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return _float(key)
    if isinstance(key, int):
        return _int_repr(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _write(value: Any, indent: str, out: list[str]) -> None:
    """Append ``value`` written at nesting ``indent`` (a newline and the enclosing indentation)."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(_int_repr(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):
        _write_dict(value, indent, out)
    elif isinstance(value, list | tuple):
        _write_list(value, indent, out)
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _write_dict(value: dict[Any, Any], indent: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    inner = indent + _INDENT
    opening = "{"
    for key, item in value.items():
        out.append(opening)
        out.append(inner)
        out.append(encode_basestring(_key(key)))
        out.append(": ")
        _write(item, inner, out)
        opening = ","
    out.append(indent)
    out.append("}")


def _write_list(value: list[Any] | tuple[Any, ...], indent: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = indent + _INDENT
    opening = "["
    for item in value:
        out.append(opening)
        out.append(inner)
        _write(item, inner, out)
        opening = ","
    out.append(indent)
    out.append("]")
