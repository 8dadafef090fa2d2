"""The base of every model read from a data file (knowledge, rules, catalogue, questionnaire)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ClosedModel(BaseModel):
    """A pydantic model that refuses any key it does not declare and cannot change once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
