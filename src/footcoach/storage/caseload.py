"""The caseload (every runner, who needs attention first) and the data of a runner's progress report.

The caseload reads the latest assessment's action, summary, kinds and red flags from their own columns
and the current report's red flags from their table: one query, no stored assessment is parsed.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from footcoach.storage.audit import assessment_row
from footcoach.storage.connection import db_name, load_json, parse_time
from footcoach.storage.records import entry_doc, report_doc, require_runner, runner_doc

# A check-in is overdue when the last diary entry is older than this (caseload default; interfaces
# let the user choose).  A scheduling convention of this tool, not a clinical threshold.
OVERDUE_DAYS_DEFAULT = 14
# Lower rank = needs attention first.  A red flag on record comes first whatever the stored decision.
CASELOAD_ORDER = ("red_flag", "referral", "regression", "stall", "overdue", "not_assessed", "ok")
CASELOAD_RANKS = {flag: rank for rank, flag in enumerate(CASELOAD_ORDER)}

_CASELOAD_SQL = """
WITH la AS (SELECT runner_id, max(id) AS id FROM assessments GROUP BY runner_id),
     lr AS (SELECT runner_id, max(id) AS id FROM reports GROUP BY runner_id),
     checkins AS (SELECT runner_id, recorded_at AS at, week FROM diary
                  UNION ALL SELECT runner_id, recorded_at, week FROM reports),
     lc AS (SELECT runner_id, max(at) AS at, max(week) AS week FROM checkins GROUP BY runner_id)
SELECT r.id, r.age, r.created_at, lc.at AS last_at, lc.week AS last_week,
       a.id AS a_id, a.created_at AS a_created, a.action AS a_action, a.phase_current, a.phase_next,
       a.summary, a.kinds, a.red_flags AS a_flags,
       (SELECT o.action FROM overrides o WHERE o.assessment_id = a.id ORDER BY o.id DESC LIMIT 1) AS o_action,
       (SELECT json_group_array(flag) FROM report_red_flags f WHERE f.report_id = lr.id) AS r_flags,
       rep.phase AS r_phase
FROM runners r
LEFT JOIN la ON la.runner_id = r.id LEFT JOIN assessments a ON a.id = la.id
LEFT JOIN lr ON lr.runner_id = r.id LEFT JOIN reports rep ON rep.id = lr.id
LEFT JOIN lc ON lc.runner_id = r.id
ORDER BY r.id
"""


def _item(path: str, r: sqlite3.Row, now: datetime, overdue_days: int) -> dict[str, Any]:
    where = f"runners row {r['id']!r}"
    since = parse_time(path, r["last_at"] or r["created_at"], where)
    days = (now - since) / timedelta(days=1)
    red_flags = sorted(set(load_json(path, r["r_flags"] or "[]", where)))
    item: dict[str, Any] = {
        "runner": r["id"],
        "age": r["age"],
        "phase": r["r_phase"],
        "last_week": r["last_week"],
        "last_entry_at": r["last_at"],
        "days_since_entry": int(days),
        "red_flags": red_flags,
    }
    flags = ["red_flag"] if red_flags else []
    if r["a_id"] is None:
        item.update(action=None, assessment=None)
        flags.append("not_assessed")
    else:
        action = r["o_action"] or r["a_action"]
        kinds = load_json(path, r["kinds"], f"assessments row {r['a_id']}")
        item.update(
            action=action,
            assessment={
                "id": r["a_id"],
                "created_at": r["a_created"],
                "action": r["a_action"],
                "overridden": r["o_action"] is not None,
                "phase": {"current": r["phase_current"], "next": r["phase_next"]},
                "summary": r["summary"],
            },
        )
        flags += [f for f, hit in (("referral", action == "refer"), ("regression", action == "regress")) if hit]
        if "reintroduce" in kinds:
            flags.append("stall")
    if days > overdue_days:
        flags.append("overdue")
    flags.sort(key=CASELOAD_RANKS.__getitem__)
    item["flags"] = flags
    item["priority"] = min((CASELOAD_RANKS[f] for f in flags), default=CASELOAD_RANKS["ok"])
    return item


def caseload(
    conn: sqlite3.Connection, *, overdue_days: int = OVERDUE_DAYS_DEFAULT, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every runner with the latest action (a physiotherapist's override wins), sorted: red flags on
    record, referrals, regressions, stalls (the latest assessment recommends ``reintroduce``), overdue
    check-ins (no diary entry or report for more than ``overdue_days`` days, counted from when the runner
    was added when there is none), not yet assessed, the rest; ties by runner id."""
    now = now or datetime.now(UTC)
    path = db_name(conn)
    out = [_item(path, r, now, overdue_days) for r in conn.execute(_CASELOAD_SQL).fetchall()]
    out.sort(key=lambda i: (i["priority"], i["runner"]))
    return out


def progress_data(conn: sqlite3.Connection, runner_id: str) -> dict[str, Any]:
    """What the progress report charts: the diary, the report rows (week, phase, pain, what each row
    reported, its source) and the assessments with their overrides and causes, oldest first."""
    path = db_name(conn)
    row = require_runner(conn, runner_id)
    diary = [
        entry_doc(r) | {"recorded_at": r["recorded_at"]}
        for r in conn.execute("SELECT * FROM diary WHERE runner_id = ? ORDER BY week", (runner_id,))
    ]
    reports = [
        {
            "id": r["id"],
            "week": r["week"],
            "phase": r["phase"],
            "weeks_in_phase": r["weeks_in_phase"],
            "pain_during": r["pain_during"],
            "pain_after": r["pain_after"],
            "changed": load_json(path, r["changed"], f"reports row {r['id']}"),
            "source": r["source"],
            "recorded_at": r["recorded_at"],
            "doc": report_doc(conn, r),
        }
        for r in conn.execute("SELECT * FROM reports WHERE runner_id = ? ORDER BY id", (runner_id,))
    ]
    assessments = []
    for r in conn.execute("SELECT * FROM assessments WHERE runner_id = ? ORDER BY id", (runner_id,)).fetchall():
        item = assessment_row(conn, r)
        hist = load_json(path, r["input"], f"assessments row {r['id']}").get("history") or []
        item["week"] = hist[-1]["week"] if hist else None
        assessments.append(item)
    return {"runner": runner_doc(row), "diary": diary, "reports": reports, "assessments": assessments}
