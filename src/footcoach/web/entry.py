"""The application factory uvicorn workers import (settings come from ``footcoach serve``)."""

from __future__ import annotations

import os
from typing import Any


def app() -> Any:
    from footcoach.web.app import create_app

    proxies = tuple(p for p in os.environ.get("FOOTCOACH_WEB_PROXIES", "").split(",") if p)
    return create_app(
        os.environ.get("FOOTCOACH_WEB_DB") or None,
        https_only=bool(os.environ.get("FOOTCOACH_WEB_HTTPS_ONLY")),
        trusted_proxies=proxies,
    )
