"""YAML loading that remembers where each value came from.

``load_with_lines`` returns the plain data and a function that maps a path of keys and indexes
(as pydantic reports it) to the line of the file that holds it, so every error can say
``file:line: field: message``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def did_you_mean(name: str, known) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    close = difflib.get_close_matches(str(name), sorted(str(k) for k in known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class DataFileError(Exception):
    """One problem in a data file, located as ``file:line: field: message``."""

    def __init__(self, path: str | Path, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: parsing is the load-time cost


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader that refuses duplicate keys (a silently lost rule condition is a bug)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(node: yaml.Node | None) -> dict[tuple, int]:
    """Path of keys/indexes -> 1-based line, for every node under ``node``."""
    index: dict[tuple, int] = {}

    def walk(n: yaml.Node, path: tuple) -> None:
        index[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value
                index[path + (key,)] = k.start_mark.line + 1
                walk(v, path + (key,))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, path + (i,))

    if node is not None:
        walk(node, ())
    return index


def dotted(loc: tuple) -> str:
    """('when', 0, 'op') -> 'when[0].op'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def validation_errors(
    path: str | Path,
    line_of: Callable[[tuple], int | None],
    exc: Any,
    prefix: tuple = (),
    message: Callable[[dict, tuple], str] | None = None,
) -> list[DataFileError]:
    """A pydantic ValidationError on a data file as ``file:line: field: message`` errors.

    ``message(error, loc)`` may rewrite a message (e.g. to add "did you mean")."""
    out = []
    for e in exc.errors():
        loc = prefix + tuple(e["loc"])
        msg = message(e, loc) if message else None
        out.append(DataFileError(path, line_of(loc), dotted(loc), msg or e["msg"].removeprefix("Value error, ")))
    return out


def load_with_lines(path: str | Path, text: str | None = None) -> tuple[Any, Callable[[tuple], int | None]]:
    """Parse a YAML (or JSON) file; return (data, line_of) where line_of(path_tuple) -> line or None."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DataFileError(path, line, "", f"YAML syntax error: {exc.problem or exc}") from None
    finally:
        loader.dispose()
    index = _line_index(node)

    def line_of(loc: tuple) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in index:
                return index[loc]
            loc = loc[:-1]
        return index.get(())

    return data, line_of


def load_document(path: str | Path, text: str | None = None) -> Any:
    """Load a JSON or YAML document (JSON is tried first for .json files and for stdin)."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json" or str(path) == "-":
        return json.loads(text)
    return yaml.load(text, Loader=_Loader)
