"""What the pages show, shaped for the templates: no clinical logic here, only the records the
service and storage return, rearranged and labelled."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote as _quote

from markupsafe import Markup

from footcoach.contract.errors import InputError
from footcoach.storage import accounts
from footcoach.web import data

SECONDS_OF_ISO = len("2026-01-01T00:00:00")  # times compared to the second (stored with different precision)
WHY_NOT_SHOWN = 6  # not clinical: how many failing conditions a why-not line lists
CASELOAD_FILTERS = {
    "all": "Everyone",
    "referral": "Referrals",
    "regression": "Regressions",
    "stall": "Stalls",
    "overdue": "Overdue check-ins",
    "not_assessed": "Not assessed",
}
ACTIONS = ("refer", "regress", "hold", "progress")
CARRIERS = ("referral", "regression", "hold", "progression")
DIARY_FORM_FIELDS = (
    ("pain_morning", "Morning pain (0-10)"),
    ("balance_eyes_open_s.left", "Balance, eyes open, left (s)"),
    ("balance_eyes_open_s.right", "Balance, eyes open, right (s)"),
    ("heel_raises.left", "Heel raises, left"),
    ("heel_raises.right", "Heel raises, right"),
    ("foot_fatigue", "Foot fatigue (0-10)"),
)


def quote(text: str) -> str:
    return _quote(text, safe="")


def whole_number(text: str, field: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise InputError([f"{field}: value {text!r}: not a whole number; allowed: a whole number"]) from None


def reason(form: dict[str, str]) -> str:
    text = form.get("reason", "").strip()
    if not text:
        raise InputError(['reason: value "": empty; allowed: a sentence saying why'])
    return text


def profile_choices() -> dict[str, tuple[str, ...]]:
    return {"sex": data.SEX_VALUES, "experience": data.EXPERIENCE_VALUES}


def caseload_rows(rows: list[dict[str, Any]], q: str, show: str) -> list[dict[str, Any]]:
    """The caseload as stored (already in order: referrals first), filtered by flag and searched by id."""
    needle = q.strip().lower()
    out = []
    for row in rows:
        if show in CASELOAD_FILTERS and show != "all" and show not in row["flags"]:
            continue
        if needle and needle not in str(row["runner"]).lower():
            continue
        out.append({**row, "href": "/runners/" + quote(str(row["runner"]))})
    return out


def entry_form(entry: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name, _label in DIARY_FORM_FIELDS:
        value: Any = entry
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        values[name] = "" if value is None else str(value)
    return values


def _number(text: str) -> int | float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def entry_from_form(form: dict[str, str], week: int) -> dict[str, Any]:
    """A diary entry (the contract's ``history[]`` shape) from the correction form; InputError lists
    every field that is not a number."""
    entry: dict[str, Any] = {"week": week}
    problems = []
    for name, label in DIARY_FORM_FIELDS:
        raw = form.get(name, "").strip()
        value = _number(raw)
        if raw and value is None:
            problems.append(f"{name}: value {raw!r}: not a number; allowed: {label}")
            continue
        if value is None:
            continue
        if "." in name:
            pair, side = name.split(".")
            entry.setdefault(pair, {})[side] = value
        else:
            entry[name] = value
    if problems:
        raise InputError(problems)
    return entry


def _leaves(failing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The measured conditions behind a failing rule (nested findings and either/or unrolled)."""
    out: list[dict[str, Any]] = []
    for item in failing:
        if "any" in item:
            out.append({"either": _leaves(item["any"])})
        elif item.get("because"):
            for sub in item["because"]:
                out += _leaves(sub.get("failing", []))
        elif "fact" in item:
            out.append(item)
    return out


def condition_text(c: dict[str, Any]) -> str:
    if "either" in c:
        return " or ".join(condition_text(x) for x in c["either"])
    value = "not measured" if c.get("value") is None else c["value"]
    th = c.get("threshold")
    target = f"{th['value']} {th.get('unit', '')}".strip() if th else c.get("literal")
    note = f" ({th['note']})" if th and th.get("note") else ""
    return f"{c.get('label', c['fact'])}: {value} now, needs {c['op']} {target}{note}"


def blocks(assessment: dict[str, Any], audience: str = "physio") -> list[str]:
    """What blocks progress, one line each, in the text renderer's words (shown for a hold, as there)."""
    from footcoach.render.text import blocker_text

    blocked = assessment.get("progress_blocked_by") or {}
    if assessment.get("action") != "hold":
        return []
    if "note" in blocked:
        return [str(blocked["note"])]
    return [blocker_text(item, audience, how_inline=True) for item in blocked.get("items") or []]


def why_not(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for entry in assessment.get("why_not", []):
        rules = [
            {
                "title": r.get("title", r.get("rule")),
                "missing": [condition_text(x) for x in _leaves(r.get("failing", []))][:WHY_NOT_SHOWN],
            }
            for r in entry.get("rules", [])
        ]
        out.append({"action": entry.get("action"), "rules": rules})
    return out


def trace(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule that fired, its conditions in the text renderer's words (the CLI's ``--trace``)."""
    from footcoach.render.explain_text import cond_text

    return [
        {
            "step": t.get("step"),
            "rule": t.get("rule"),
            "title": t.get("title", ""),
            "conditions": [cond_text(c) for c in t.get("conditions") or []],
        }
        for t in assessment.get("trace") or []
    ]


def carrier(assessment: dict[str, Any]) -> dict[str, Any]:
    return next((r for r in assessment.get("recommendations", []) if r.get("kind") in CARRIERS), {})


def charts(db_path: str | None, runner_id: str) -> list[dict[str, Any]]:
    """The progress report's charts (with the phase gates as target lines), drawn by the report's own
    chart template.  Their colours come from the stylesheet (the CSP allows no inline style)."""
    import re

    from footcoach import service
    from footcoach.knowledge.base import default_knowledge
    from footcoach.render.charts import layout
    from footcoach.render.report_charts import build_charts
    from footcoach.render.templating import environment

    record = service.report_data(db_path, runner_id)
    made, marks, span = build_charts(record, default_knowledge(), record["gates"])
    chart_svg = environment().get_template("chart.svg").module.chart_svg  # type: ignore[attr-defined]
    out = []
    for c in made:
        # The report's template escapes every value it draws (labels, runner ids, shoe names).
        svg = re.sub(r' style="[^"]*"', "", str(chart_svg(layout(c, span, marks))))
        legend = [(s.label, s.css.split()[-1]) for s in c.series]
        out.append(
            {
                "title": c.title,
                "svg": Markup(svg),
                "legend": legend,
                "bands": [(label, color) for _, _, color, label in c.bands],
                "targets": [(t.label, getattr(t, "detail", "")) for t in c.targets],
            }
        )
    return out


def runner_view(db_path: str | None, runner_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """Everything the runner page shows."""
    history = data.list_assessments(db_path, runner_id)
    latest_record = data.latest_assessment(db_path, runner_id)
    latest = latest_record["assessment"] if latest_record else None
    return {
        "id": runner_id,
        "href": "/runners/" + quote(runner_id),
        "record": record,
        "diary": data.list_diary(db_path, runner_id),
        "latest": latest,
        "latest_row": history[-1] if history else None,
        "carrier": carrier(latest) if latest else {},
        "blocks": blocks(latest) if latest else [],
        "why_not": why_not(latest) if latest else [],
        "trace": trace(latest) if latest else [],
        "events": events(history, data.changes(db_path, runner_id)),
        "charts": charts(db_path, runner_id),
        "live_links": live_links(accounts.list_runner_links(db_path, runner_id)),
        "actions": ACTIONS,
        "diary_fields": DIARY_FORM_FIELDS,
    }


def live_links(links: list[dict[str, Any]], now: float | None = None) -> int:
    """How many of the runner's links still open: neither revoked nor expired."""
    import time

    at = time.time() if now is None else now
    return sum(1 for link in links if link.get("revoked_at") is None and float(link["expires_at"]) > at)


def events(history: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assessments (with their overrides) and changes to the record in one list, newest first."""
    merged = [{"type": "assessment", "at": a["created_at"], "a": a} for a in history]
    merged += [{"type": "change", "at": c["created_at"], "c": c} for c in changes]
    return sorted(merged, key=lambda e: (str(e["at"])[:SECONDS_OF_ISO], e["type"] == "assessment"), reverse=True)


def rule_book() -> list[dict[str, Any]]:
    from footcoach.inference.engine import default_rulebase

    rb = default_rulebase()
    out = []
    for r in rb.rules.rules.values():
        out.append({"id": r.id, "title": r.title_text(rb.kb), "family": r.family})
    return sorted(out, key=lambda r: (r["family"], r["id"]))
