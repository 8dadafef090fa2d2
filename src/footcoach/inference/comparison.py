"""Comparisons and arithmetic on measurements: see :mod:`footcoach.common.comparison` (kept here
for the modules that import it from the inference package)."""

from footcoach.common.comparison import OPS, compare, exact

__all__ = ["OPS", "compare", "exact"]
