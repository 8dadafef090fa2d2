"""What a command-line start does before anything else, to start fast (the cold-start target).

Python's cyclic garbage collector runs again and again while a start imports modules and builds
classes, models and the rule network: hundreds of thousands of objects that live as long as the
process.  :func:`pause_collection` turns it off for a command's start and :func:`resume_collection`
back on; the command line pauses it for every command and resumes it as soon as the command is not
one whose whole work is bounded by one document (``assess FILE``, ``schema``), so a server, a batch
stream or a replay collects as usual.  Garbage is still freed by reference counting meanwhile.

footcoach uses no pydantic plugin.  :func:`no_pydantic_plugins` sets ``PYDANTIC_DISABLE_PLUGINS``
(unless the user set it: a user who wants plugins sets it to an empty value) and, while plugins are
disabled, stands in for ``pydantic.plugin._loader``.  With plugins disabled that module's
``get_plugins()`` returns no plugin without looking for any, but importing it imports
``importlib.metadata`` (and with it ``email``, ``zipfile``, ``socket`` and more), about a twentieth
of a cold ``footcoach assess``.  The stand-in's ``get_plugins()`` returns no plugin too; any other
name pydantic asks of it is read from the real module, imported then.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import types
from typing import Any

PLUGINS_ENV = "PYDANTIC_DISABLE_PLUGINS"
DISABLED = ("__all__", "1", "true")  # the values pydantic reads as "no plugin at all"
LOADER = "pydantic.plugin._loader"


def _no_plugins() -> tuple[()]:
    return ()


def _real_loader(name: str) -> Any:
    """Any other name of the loader module: from the real module (which then replaces the stand-in)."""
    if name.startswith("__"):
        raise AttributeError(name)
    sys.modules.pop(LOADER, None)
    return getattr(importlib.import_module(LOADER), name)


def no_pydantic_plugins() -> bool:
    """Disable pydantic plugins unless the user chose otherwise, and skip the plugin loader's
    import while they are disabled; return whether the stand-in is in place."""
    os.environ.setdefault(PLUGINS_ENV, "__all__")
    if os.environ[PLUGINS_ENV] not in DISABLED or LOADER in sys.modules:
        return False
    stand_in = types.ModuleType(LOADER, "footcoach's stand-in: pydantic plugins are disabled")
    stand_in.__dict__.update(get_plugins=_no_plugins, __getattr__=_real_loader)
    sys.modules[LOADER] = stand_in
    return True


_paused = False  # whether pause_collection turned the collector off (and it is still off)


def pause_collection() -> None:
    """Turn the cyclic garbage collector off for a start (a no-op when it is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Turn the collector back on when :func:`pause_collection` turned it off."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
