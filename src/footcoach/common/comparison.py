"""Comparisons and arithmetic on measurements, done the way a person reads the numbers.

Kept apart so that facts, rules, engine and explanations share one definition.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _dec(v: float | int) -> Decimal:
    """The decimal a person wrote: 17.4 is 17.4, not 17.39999999999999857891452847979962825775146484375."""
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


def exact(op: str, a: float | int, b: float | int) -> float:
    """``a op b`` (op one of * / -) in decimal arithmetic, as the nearest float.

    1.3 x 17.4 is exactly 22.62 (binary floats give 22.619999999999997), 23.4 / 26 x 100 is exactly
    90, 33.3 - 30.3 is exactly 3: values on a threshold must land on it, not a hair below."""
    x, y = _dec(a), _dec(b)
    return float(x * y if op == "*" else x / y if op == "/" else x - y)


def compare(value: Any, op: str, threshold: Any) -> bool:
    """``value op threshold``; comparisons of a number with a non-number are false."""
    try:
        return bool(OPS[op](value, threshold))
    except TypeError:
        return False
