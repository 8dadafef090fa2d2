"""The CDS Hooks cards footcoach has issued, so that feedback on a card reaches the right runner's
audit trail.  A card is remembered by its id with the runner and the decision it carried."""

from __future__ import annotations

import sqlite3
from typing import Any

from footcoach.storage.connection import now

_TABLE = """CREATE TABLE IF NOT EXISTS cds_cards (
    id TEXT PRIMARY KEY,
    runner_id TEXT NOT NULL,
    hook_instance TEXT NOT NULL,
    action TEXT NOT NULL,
    phase_next INTEGER,
    created_at TEXT NOT NULL
) STRICT"""


def remember_card(
    conn: sqlite3.Connection, card_id: str, runner_id: str, hook_instance: str, action: str, phase_next: int | None
) -> None:
    conn.execute(_TABLE)
    conn.execute(
        "INSERT OR REPLACE INTO cds_cards (id, runner_id, hook_instance, action, phase_next, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (card_id, runner_id, hook_instance, action, phase_next, now()),
    )


def find_card(conn: sqlite3.Connection, card_id: str) -> dict[str, Any] | None:
    conn.execute(_TABLE)
    row = conn.execute("SELECT * FROM cds_cards WHERE id = ?", (card_id,)).fetchone()
    return None if row is None else dict(row)
