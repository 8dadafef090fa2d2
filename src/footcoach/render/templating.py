"""The Jinja2 environment of footcoach's HTML (templates shipped in ``render/templates``).

Autoescaping is on for every template: any value put into a page is escaped, whatever its source
(runner ids, notes, reasons, shoe names).  A missing optional key reads as empty (the records have optional parts).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader

from footcoach.render.charts import fmt


def human_date(iso: str | None) -> str:
    """``2026-11-30T15:05:40+00:00`` -> ``30 Nov 2026`` (the ISO time stays in the technical details)."""
    if not iso:
        return "-"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{when.day} {when:%b %Y}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("footcoach.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["human_date"] = human_date
    env.filters["num"] = fmt
    return env
