"""The base of every model read from a data file (knowledge, rules, catalogue, questionnaire)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ClosedModel(BaseModel):
    """A pydantic model that refuses any key it does not declare and cannot change once validated.

    Its validator is built at its first validation, not when its module is imported
    (``defer_build``): a start that takes these models from the on-disk cache
    (:mod:`footcoach.common.disk_cache`) never builds them."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
