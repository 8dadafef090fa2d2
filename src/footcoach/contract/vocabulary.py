"""The assessment's plain vocabulary: its actions, recommendation kinds and disclaimer.

Kept apart from the typed models of :mod:`.assessment` (and re-exported there) so that the engine,
the rule language and ``footcoach assess FILE``, which build the assessment record as plain JSON,
name them without defining the pydantic models (a cold-start cost of every assessment).
"""

from __future__ import annotations

from typing import Literal

Action = Literal["refer", "regress", "hold", "progress"]
RecommendationKind = Literal[
    "progression",
    "hold",
    "regression",
    "referral",
    "reintroduce",
    "shoe_check",
    "shoe_replace",
    "load_advice",
    "advice",
]
Scalar = bool | int | float | str | None
DISCLAIMER = (
    "Decision support, not a diagnosis: footcoach suggests what to do next from the answers given; "
    "a physiotherapist or doctor who examines you decides."
)
