"""Answers far outside what people do: taken, with a warning that names them.

The bounds are the questionnaire's ``plausible`` section (data with their reasons); no decision
reads them, they only ask the person typing to check a likely typing error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from footcoach.knowledge.base import num
from footcoach.triage.spec import PlausibleSpec

PERCENT = 100


def heel_raise_warnings(
    plausible: PlausibleSpec | None,
    raises: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None = None,
    where: str = "heel raises",
) -> list[str]:
    """Warnings for one heel-raise pair ``{left, right}`` (and the previous week's pair, if known)."""
    if plausible is None or not raises:
        return []
    out = []
    left, right = raises.get("left"), raises.get("right")
    if left is not None and right is not None and max(left, right) > 0:
        share = min(left, right) * PERCENT / max(left, right)
        bound = plausible.heel_raise_lsi_percent.value
        if share < bound:
            out.append(
                f"{where}: {num(left)} left and {num(right)} right, the weaker leg under {num(bound)} % of the "
                "stronger; taken as typed, please check both counts"
            )
    jump = plausible.heel_raise_jump_reps.value
    for side in ("left", "right"):
        now, before = raises.get(side), (previous or {}).get(side)
        if now is not None and before is not None and abs(now - before) > jump:
            out.append(
                f"{where}, {side} leg: {num(before)} the week before and {num(now)} now, a change of more than "
                f"{num(jump)} in a week; taken as typed, please check"
            )
    return out
