"""The application factory uvicorn workers import (settings come from ``footcoach serve``).

Each worker process warms up before it listens: it assesses one small state (loading the rule base,
building the engine and the exercise catalogue: about a second the first runner would otherwise
wait), then freezes what it has built out of the garbage collector's way (``gc.freeze``), so the
collections that run between requests do not walk the rule base again and again.
"""

from __future__ import annotations

import gc
import json
import os
from typing import Any

# Not clinical: a small valid state assessed once per worker to warm it up; its result is dropped.
WARM_UP_STATE = (
    '{"runner": {"age": 40, "experience": "regular"}, "program": {"phase": 1, "weeks_in_phase": 1}, '
    '"pain": {"during": 0, "after": 0, "morning": 0, "settled_next_morning": true}}'
)


def warm_up() -> None:
    """Assess :data:`WARM_UP_STATE` and render it as the API does, then freeze the heap built so far."""
    import footcoach.inference  # noqa: F401  (experta needs it imported first)
    from footcoach import service
    from footcoach.common.json_text import dump_json

    dump_json(service.assess_document(json.loads(WARM_UP_STATE)))
    gc.collect()
    gc.freeze()


def app() -> Any:
    from footcoach.web.app import create_app

    proxies = tuple(p for p in os.environ.get("FOOTCOACH_WEB_PROXIES", "").split(",") if p)
    application = create_app(
        os.environ.get("FOOTCOACH_WEB_DB") or None,
        https_only=bool(os.environ.get("FOOTCOACH_WEB_HTTPS_ONLY")),
        trusted_proxies=proxies,
    )
    warm_up()
    return application
