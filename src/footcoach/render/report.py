"""The progress report a physiotherapist hands to a runner: one self-contained HTML file.

No scripts, fonts, images or links: it opens offline, prints on paper (a print stylesheet) and
stacks to one column on a phone.  It opens with *what to do now* (the decision in the runner's
words, what blocks progress, this week's plan), then the charts per diary week with the phase gates
as target lines, the phase changes and the decisions with any override and its reason; the
technical details (rule-base version, ISO times, rule ids) sit in a collapsible section.

Render takes data: the service layer reads the record and passes it in (``service.report_data``);
this module never reads storage or runs the engine.
"""

from __future__ import annotations

from typing import Any

from footcoach.knowledge.base import Knowledge
from footcoach.render.charts import layout
from footcoach.render.report_charts import COLORS, build_charts
from footcoach.render.templating import environment, human_date
from footcoach.render.text import blocker_text

DECISION_KINDS = ("progression", "hold", "regression", "referral")
# The decision as a headline a runner reads (wording, not a clinical rule).
HEADLINE = {
    "progress": "Move on to the next phase",
    "hold": "Keep going with this phase",
    "regress": "Step back to an easier phase",
    "refer": "See a clinician before you go on",
}
PHASE_ACTIONS = ("progress", "regress")


def carrier(assessment: dict[str, Any]) -> dict[str, Any] | None:
    recs = assessment.get("recommendations", [])
    return next((r for r in recs if r.get("kind") in DECISION_KINDS), None)


def blockers_view(assessment: dict[str, Any]) -> list[dict[str, str]]:
    """What blocks progress in the runner's words (the text renderer's sentence for each item), with
    how to measure a test that is missing."""
    blocked = assessment.get("progress_blocked_by") or {}
    if assessment["action"] != "hold" or not blocked:
        return []
    if "note" in blocked:
        return [{"text": blocked["note"], "how": ""}]
    return [
        {
            "text": blocker_text(i, "runner", how_below=False),
            "how": i.get("measure", {}).get("how", ""),
        }
        for i in blocked.get("items", [])
    ]


def now_view(current: dict[str, Any] | None, override: dict[str, Any] | None) -> dict[str, Any] | None:
    """The "what to do now" section: headline (the physiotherapist's override when one stands on the
    record as it is), the runner's words, what blocks progress, other advice, this week's plan."""
    if current is None:
        return None
    rec = carrier(current)
    blockers = blockers_view(current)
    action = override["action"] if override else current["action"]
    return {
        "action": action,
        "suggested": current["action"],
        "headline": HEADLINE.get(action, action),
        "words": rec["runner"] if rec else "",
        "phase": current["phase"],
        "blockers": blockers,
        "advice": [r["runner"] for r in current.get("recommendations", []) if r is not rec and r.get("runner")],
        "override": override,
        "plan": current.get("plan"),
    }


def phase_changes(data: dict[str, Any], kb: Knowledge, marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each phase change with when and why: the reason the record gives, else the progress or regress
    decision it followed, else "recorded with the diary"."""
    recorded = data.get("phase_changes")
    if recorded is not None:
        return [
            {
                "week": c.get("week"),
                "date": human_date(c.get("created_at")),
                "from": c.get("from_phase"),
                "to": c.get("to_phase"),
                "name": kb.phase_name(c["to_phase"]),
                "reason": c.get("reason") or "",
                "by": c.get("author") or "",
            }
            for c in recorded
        ]
    out = []
    reports = data["reports"]
    for m in marks:
        row = next(r for r in reports if r["week"] == m["week"] and r["phase"] == m["phase"])
        before = [r for r in reports if r["id"] < row["id"]]
        followed = [
            a
            for a in data["assessments"]
            if a["effective_action"] in PHASE_ACTIONS
            and a["phase"]["next"] == m["phase"]
            and a["created_at"] <= row["recorded_at"]
        ]
        logged = [
            c
            for c in data.get("phase_log", [])
            if c["to_phase"] == m["phase"] and c["created_at"] <= row["recorded_at"]
        ]
        reason = (
            f"after the {followed[-1]['effective_action']} decision of {human_date(followed[-1]['created_at'])}"
            if followed
            else "recorded with the diary"
        )
        if logged:  # the physiotherapist's own words when the change was recorded with a reason
            reason = logged[-1]["reason"] or reason
        out.append(
            {
                "week": m["week"],
                "date": human_date(row["recorded_at"]),
                "from": before[-1]["phase"] if before else None,
                "to": m["phase"],
                "name": m["name"],
                "reason": reason,
                "by": (logged[-1]["author"] or "") if logged else "",
            }
        )
    return out


def decisions_view(assessments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored decisions, oldest first, with their overrides (reason, who, when)."""
    return [
        {
            "id": a["id"],
            "date": human_date(a["created_at"]),
            "iso": a["created_at"],
            "week": a.get("week"),
            "action": a["action"] or "-",
            "effective": a.get("effective_action") or a["action"] or "-",
            "phase": a["phase"],
            "summary": a.get("summary") or "",
            "also": [k.replace("_", " ") for k in a.get("kinds", []) if k not in DECISION_KINDS],
            "overrides": [dict(o, date=human_date(o["created_at"])) for o in a["overrides"]],
            "rulebase_version": a["rulebase_version"],
            "source": a.get("source", ""),
        }
        for a in assessments
    ]


def render_report(data: dict[str, Any], kb: Knowledge) -> str:
    """The whole report as one HTML string.  ``data``: the stored record (``runner``, ``diary``,
    ``reports``, ``assessments``, optional ``phase_changes``), plus ``current`` (the assessment of the
    record as it is now, or None), ``current_override`` (the override standing on it, or None), ``gates`` (the rule base's phase gates, see
    :func:`report_charts.gates_from_rules`), ``rules_version`` and ``generated_at`` (ISO)."""
    charts, marks, span = build_charts(data, kb, data["gates"])
    reports, assessments = data["reports"], data["assessments"]
    latest_report = reports[-1] if reports else None
    current = data.get("current")
    view = {
        "runner": data["runner"],
        "phase": latest_report["phase"] if latest_report else None,
        "phase_name": kb.phase_name(latest_report["phase"]) if latest_report else "",
        "weeks_in_phase": latest_report["weeks_in_phase"] if latest_report else None,
        "diary_weeks": len(data["diary"]),
        "generated": human_date(data["generated_at"]),
        "generated_iso": data["generated_at"],
        "rules_version": data["rules_version"],
        "now": now_view(current, data.get("current_override")),
        "charts": [{"chart": c, "svg": layout(c, span, marks)} for c in charts],
        "phase_changes": phase_changes(data, kb, marks),
        "decisions": decisions_view(assessments),
        "current_rules": [r["rule"] for r in current.get("recommendations", [])] if current else [],
        "disclaimer": current["disclaimer"] if current else "",
        "colors": COLORS,
    }
    return environment().get_template("report.html").render(view)
