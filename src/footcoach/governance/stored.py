"""Governance on the stored record: the inputs a replay re-assesses, a runner's record as FHIR, and
CDS Hooks cards and their feedback in the audit trail.  Reads never create a database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from footcoach import service
from footcoach.governance.replay import StoredInput


def stored_inputs(db_path: str | None, runner_id: str | None = None, since: str | None = None) -> Iterator[StoredInput]:
    """Every stored assessment's input (oldest first), for a replay."""
    from footcoach.storage import audit
    from footcoach.storage.connection import opened

    with opened(db_path, create=False) as conn:
        for row in audit.stored_inputs(conn, runner_id, since):
            yield StoredInput(row["runner"], row["input"], row["created_at"], row["id"])


def fhir_bundle(db_path: str | None, runner_id: str) -> dict[str, Any]:
    """The runner's record as a FHIR Bundle (Patient, diary Observations, the latest plan as a CarePlan)."""
    from footcoach.governance.fhir_export import bundle
    from footcoach.storage import audit, records, runners

    def read(conn: Any) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
        shown = runners.show_runner(conn, runner_id)
        latest = audit.latest_assessment(conn, runner_id, full=True)
        return shown["runner"], records.diary(conn, runner_id), (latest or {}).get("assessment")

    runner, diary, assessment = service.read(db_path, read)
    return bundle(runner, diary, assessment, None)


def runner_known(db_path: str | None, runner_id: str) -> bool:
    """Whether footcoach has a runner with this id (a CDS patient id may be one)."""
    from footcoach.storage.errors import NotFound
    from footcoach.storage.records import require_runner

    try:
        service.read(db_path, require_runner, runner_id)
    except NotFound:
        return False
    return True


def remember_cards(
    db_path: str | None, runner_id: str, hook_instance: str, cards: list[dict[str, Any]], decision: dict[str, Any]
) -> None:
    """Keep the id of each card issued for a runner footcoach knows (feedback refers to it)."""
    from footcoach.storage.cds import remember_card

    for card in cards:
        service.write(
            db_path,
            remember_card,
            card["uuid"],
            runner_id,
            hook_instance,
            decision["action"],
            decision["phase"]["next"],
        )


def record_feedback(db_path: str | None, items: list[dict[str, Any]], author: str | None) -> list[dict[str, Any]]:
    """Each feedback item into the audit trail of the runner its card was about; unknown cards are said."""
    from footcoach.storage.audit import record_change
    from footcoach.storage.cds import find_card

    out: list[dict[str, Any]] = []
    for item in items:
        card = service.read(db_path, find_card, item["card"])
        if card is None:
            out.append({"card": item["card"], "recorded": False, "why": "footcoach issued no such card"})
            continue
        reason = (item.get("overrideReason") or {}).get("userComment")
        new = {
            "card": item["card"],
            "outcome": item["outcome"],
            "decision": {"action": card["action"], "next_phase": card["phase_next"]},
            "accepted_suggestions": [s.get("id") for s in item.get("acceptedSuggestions") or []],
            "override_reason": (item.get("overrideReason") or {}).get("reason"),
            "at": item.get("outcomeTimestamp"),
        }
        change_id = service.write(
            db_path, record_change, card["runner_id"], "cds.feedback", new=new, reason=reason, author=author
        )
        out.append({"card": item["card"], "recorded": True, "runner": card["runner_id"], "change_id": change_id})
    return out
