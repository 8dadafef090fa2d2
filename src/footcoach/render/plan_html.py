"""This week's plan as one printable page for the runner (``footcoach plan ... --out plan.html``).

The decision in the runner's words, what blocks progress (with how to measure a missing test), this
week's exercises with dosing and cues, when to stop and call, and when to check in.  One
self-contained HTML page (no scripts, no links) laid out to print on one sheet; it also reads on a
phone.  Render takes data: the assessment record (with its plan) and the knowledge base.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from footcoach.knowledge.base import Knowledge
from footcoach.render.charts import fmt
from footcoach.render.report import HEADLINE, blockers_view, carrier
from footcoach.render.templating import environment, human_date

DAYS_PER_WEEK = 7  # the plan covers one week; the check-in is a week on (calendar, not clinical)
# Printing on one A4 sheet: a page with more text than this is scaled down in print (layout only).
PRINT_FIT_CHARS = 5600
ZOOM_DIGITS = 2


def check_in(generated_at: str, plan: dict[str, Any] | None) -> dict[str, Any]:
    """When to check in again: a week from today, with what to write in the diary."""
    when = datetime.fromisoformat(generated_at) + timedelta(days=DAYS_PER_WEEK)
    diary = (plan or {}).get("diary") or {}
    return {
        "date": f"{when:%A} {human_date(when.isoformat())}",
        "record": diary.get("record", []),
        "note": diary.get("note", ""),
    }


def stop_signs(kb: Knowledge) -> dict[str, Any]:
    """When to stop and call: pain above the acceptable band, or any red flag (knowledge base words)."""
    return {
        "pain_max": fmt(kb.value("pain.acceptable_max")),
        "nrs_max": kb.nrs_max,
        "flags": [flag.reported for _, flag in sorted(kb.red_flags.items())],
    }


def render_plan(assessment: dict[str, Any], kb: Knowledge, runner_id: str | None, generated_at: str) -> str:
    """The printable plan page of one assessment."""
    rec = carrier(assessment)
    view = {
        "runner_id": runner_id,
        "generated": human_date(generated_at),
        "action": assessment["action"],
        "headline": HEADLINE.get(assessment["action"], assessment["action"]),
        "words": rec["runner"] if rec else "",
        "blockers": blockers_view(assessment),
        "advice": [r["runner"] for r in assessment.get("recommendations", []) if r is not rec and r.get("runner")],
        "plan": assessment.get("plan"),
        "check_in": check_in(generated_at, assessment.get("plan")),
        "stop": stop_signs(kb),
        "disclaimer": assessment.get("disclaimer", ""),
    }
    page = environment().get_template("plan.html").render(view, print_zoom=1)
    zoom = print_zoom(page)
    return page if zoom == 1 else environment().get_template("plan.html").render(view, print_zoom=zoom)


def print_zoom(page: str) -> float:
    """How much to scale the page in print so that it fits one sheet: 1, or less for a long plan
    (estimated from the length of its text; no script needed)."""
    body = page[page.index("<body") :]
    text = re.sub(r"<[^>]+>", "", body)
    chars = len(re.sub(r"\s+", " ", text))
    return 1 if chars <= PRINT_FIT_CHARS else round(PRINT_FIT_CHARS / chars, ZOOM_DIGITS)
