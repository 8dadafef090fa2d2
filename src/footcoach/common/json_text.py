"""The one JSON text footcoach prints and writes: two-space indent, UTF-8 as is, keys in the order given,
no NaN or infinity, a newline at the end (the CLI's stdout, files it writes, the web API's bodies)."""

from __future__ import annotations

import json
from typing import Any


def dump_json(data: Any) -> str:
    """``data`` as footcoach's JSON text; ValueError on NaN or infinity (never valid JSON)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
