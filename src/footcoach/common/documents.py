"""The one way footcoach reads a document: state files, ``-`` (stdin), answer files, FHIR
QuestionnaireResponses, diary imports, rule and knowledge files.

Every document is refused, as bad input naming ``file:line`` or the field path, when it:

- is not a regular file (a FIFO, a device, a folder), is larger than ``document_bytes``, or is
  not UTF-8 (stdin included: its bytes are decoded strictly);
- repeats a key in one mapping (JSON or YAML, at any depth);
- is nested deeper than ``document_depth``, holds a text value or key longer than
  ``string_chars`` or a whole number longer than ``integer_digits`` digits (``knowledge/limits.yaml``);
- uses YAML aliases (``*name``: the "billion laughs" bomb), explicit tags (``!!binary``,
  ``!!float abc``, ``!!python/...``) or complex keys (``? [a]``).

YAML is read with the YAML 1.2 core schema, never PyYAML's YAML 1.1 surprises: only
``true``/``false`` are booleans (``yes``/``no``/``on``/``off`` stay text), only decimal numbers are
numbers (``0x1F``, ``0o17`` and sexagesimal ``1:30`` stay text, ``012`` is twelve), dates stay text,
``<<`` is an ordinary key.  Text where a number is expected is then refused by the contract with
the field named.

``load_with_lines`` returns the data and a function mapping a path of keys and indexes (as pydantic
reports it) to the line that holds it, so every error can say ``file:line: field: message``.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from footcoach.common.errors import BadInput
from footcoach.common.limits import DEFAULT_LIMITS, LIMITS_FILE, Limits, LimitsError
from footcoach.common.paths import knowledge_dir

STDIN = "-"
STDIN_NAME = "(stdin)"
SHOWN_CHARS = 40  # longest value quoted back in a reader's error
KNOWLEDGE_FOLDERS_CACHED = 8  # not clinical: cache size
NAME_SIMILARITY_CUTOFF = 0.6  # not clinical: difflib ratio a did-you-mean name must reach

LineOf = Callable[[tuple[Any, ...]], int | None]  # a path of keys and indexes -> its 1-based line, if known


def did_you_mean(name: str, known: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(str(name), sorted(str(k) for k in known), n=1, cutoff=NAME_SIMILARITY_CUTOFF)
    return f" (did you mean '{close[0]}'?)" if close else ""


class DataFileError(BadInput):
    """One problem in a data file, located as ``file:line: field: message``."""

    def __init__(self, path: str | Path, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__([str(self)])

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def saying_allowed(self, allowed: str) -> str:
        """The problem, ending with ``allowed: ...`` (the reader's own when it gave one)."""
        return str(self) if "allowed:" in self.message else f"{self}; allowed: {allowed}"


def dotted(loc: tuple[Any, ...]) -> str:
    """('when', 0, 'op') -> 'when[0].op'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def validation_errors(
    path: str | Path,
    line_of: LineOf,
    exc: Any,
    prefix: tuple[Any, ...] = (),
    message: Callable[[dict[str, Any], tuple[Any, ...]], str] | None = None,
) -> list[DataFileError]:
    """A pydantic ValidationError on a data file as ``file:line: field: message`` errors.

    ``message(error, loc)`` may rewrite a message (e.g. to add "did you mean")."""
    out = []
    for e in exc.errors():
        loc = prefix + tuple(e["loc"])
        msg = message(e, loc) if message else None
        out.append(DataFileError(path, line_of(loc), dotted(loc), msg or e["msg"].removeprefix("Value error, ")))
    return out


# ---- reading bytes -------------------------------------------------------------------------------


def read_text(source: str | Path, limits: Limits | None = None, stdin: BinaryIO | None = None) -> str:
    """The text of FILE or of ``-`` (stdin): a regular file within the size limit, strict UTF-8."""
    limits = limits or current_limits()
    name = str(source)
    if name == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        return _decode(stream.read(limits.document_bytes + 1), STDIN_NAME, limits)
    if not name or "\x00" in name:
        raise DataFileError(json.dumps(name), None, "", "not a file name; allowed: a path, or - for stdin")
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise DataFileError(name, None, "", "no such file") from None
    except OSError as exc:
        raise DataFileError(name, None, "", f"cannot be read ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
        raise DataFileError(name, None, "", f"{kind}, not a regular file; allowed: a regular file")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limits.document_bytes + 1)
        except OSError as exc:
            raise DataFileError(name, None, "", f"cannot be read ({exc.strerror})") from None
    return _decode(data, name, limits)


def _decode(data: bytes, name: str, limits: Limits) -> str:
    if len(data) > limits.document_bytes:
        raise DataFileError(
            name,
            None,
            "",
            f"larger than {limits.document_bytes} bytes (the document size limit, knowledge/limits.yaml)",
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(name, line, "", f"not UTF-8 (byte {exc.start}: {exc.reason})") from None


# ---- parsing -------------------------------------------------------------------------------------


def load_with_lines(
    path: str | Path, text: str | None = None, limits: Limits | None = None
) -> tuple[Any, Callable[[tuple[Any, ...]], int | None]]:
    """Parse a YAML (or JSON) file; return (data, line_of) where line_of(path_tuple) -> line or None.

    The YAML reader (:mod:`footcoach.common.yaml_reader`) is imported here, at the first YAML
    document: a start that reads only JSON and cached data never imports PyYAML."""
    from footcoach.common.yaml_reader import YamlProblem, parse_with_lines

    limits = limits or current_limits()
    name = STDIN_NAME if str(path) == STDIN else str(path)
    if text is None:
        text = read_text(path, limits)
    elif len(text) > limits.document_bytes:
        _decode(text.encode("utf-8", "surrogatepass"), name, limits)
    try:
        data, index = parse_with_lines(text, limits)
    except YamlProblem as exc:
        raise DataFileError(name, exc.line, dotted(exc.loc), exc.message) from None

    def line_of(loc: tuple[Any, ...]) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in index:
                return index[loc]
            loc = loc[:-1]
        return index.get(())

    return data, line_of


class _Repeated(dict[str, Any]):
    """A JSON object that repeated a key (found while parsing, reported with its path afterwards)."""

    repeated: tuple[str, Any, Any]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            rep = _Repeated(out)
            rep.repeated = (key, out[key], value)
            return rep
        out[key] = value
    return out


def load_json(text: str, name: str, limits: Limits | None = None) -> Any:
    """Parse JSON text: duplicate keys, NaN/Infinity, deep nesting, long numbers and texts refused."""
    limits = limits or current_limits()

    def whole(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.integer_digits:
            raise ValueError(
                f"a whole number of {len(digits.lstrip('-'))} digits; allowed: at most {limits.integer_digits}"
            )
        return int(digits)

    def real(digits: str) -> float:
        value = float(digits)
        if value in (float("inf"), float("-inf")) or len(digits) > limits.string_chars:
            raise ValueError(f"number {_clip(digits)} is too large for a finite number")
        return value

    def constant(word: str) -> Any:
        raise ValueError(f"{word} is not a JSON number; allowed: finite numbers")

    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=whole, parse_float=real, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise DataFileError(name, exc.lineno, "", f"not valid JSON (column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise DataFileError(name, None, "", f"nested deeper than {limits.document_depth} levels (the limit)") from None
    except ValueError as exc:
        raise DataFileError(name, None, "", f"not valid JSON ({exc})") from None
    _check_data(data, name, limits)
    return data


def load_json_bytes(data: bytes, name: str, limits: Limits | None = None) -> Any:
    """Parse JSON bytes (an HTTP body): size limit, strict UTF-8, then as :func:`load_json`."""
    limits = limits or current_limits()
    return load_json(_decode(data, name, limits), name, limits)


def _check_data(data: Any, name: str, limits: Limits) -> None:
    """Refuse repeated keys, deep nesting and long texts in parsed JSON, naming the field path."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if len(loc) > limits.document_depth:
            raise DataFileError(
                name, None, dotted(loc[:2]), f"nested deeper than {limits.document_depth} levels (the limit)"
            )
        if isinstance(node, _Repeated):
            key, first, second = node.repeated
            shown = f"{_short(first)} and {_short(second)}"
            raise DataFileError(
                name, None, dotted(loc + (key,)), f"duplicate key (values {shown}); allowed: each field once"
            )
        if isinstance(node, str) and len(node) > limits.string_chars:
            raise DataFileError(
                name, None, dotted(loc), f"a text of {len(node)} characters; allowed: at most {limits.string_chars}"
            )
        if isinstance(node, dict):
            for key, value in node.items():
                if len(key) > limits.string_chars:
                    raise DataFileError(name, None, dotted(loc), f"a key of {len(key)} characters (the limit)")
                stack.append((value, loc + (key,)))
        elif isinstance(node, list):
            stack.extend((v, loc + (i,)) for i, v in enumerate(node))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return _clip(text)


def _clip(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - len("...")] + "..."


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[", '"') or not text.strip()


def read_document(source: str | Path, limits: Limits | None = None, stdin: BinaryIO | None = None) -> Any:
    """Read and parse a user document: FILE (``.json`` as JSON, else YAML, which covers JSON) or ``-``
    (stdin: JSON when it starts like JSON, else YAML).  DataFileError (bad input) on any problem."""
    limits = limits or current_limits()
    name = STDIN_NAME if str(source) == STDIN else str(source)
    text = read_text(source, limits, stdin)
    if Path(name).suffix.lower() == ".json" or (name == STDIN_NAME and _looks_like_json(text)):
        return load_json(text, name, limits)
    data, _ = load_with_lines(name, text, limits)
    return data


def load_document(path: str | Path, text: str | None = None) -> Any:
    """Load a JSON or YAML document (kept for callers that already hold the text)."""
    name = str(path)
    if text is None:
        return read_document(path)
    limits = current_limits()
    _decode(text.encode("utf-8", "surrogatepass"), name, limits)
    if Path(name).suffix.lower() == ".json" or (name == STDIN and _looks_like_json(text)):
        return load_json(text, STDIN_NAME if name == STDIN else name, limits)
    return load_with_lines(name, text, limits)[0]


# ---- the bounds themselves ------------------------------------------------------------------------


def load_limits(path: Path) -> Limits:
    """The bounds in ``path`` (defaults for entries it does not name); LimitsError if malformed."""
    if not path.is_file():
        return DEFAULT_LIMITS
    try:
        data, line_of = load_with_lines(path, limits=DEFAULT_LIMITS)
    except DataFileError as exc:
        raise LimitsError(str(exc)) from None
    known = {f.name: f for f in fields(Limits)}
    values: dict[str, Any] = {}
    for name, entry in (data or {}).items():
        where = f"{path}:{line_of((name,))}: {name}"
        if name not in known:
            raise LimitsError(f"{where}: unknown bound; known: {', '.join(known)}")
        value = entry.get("value") if isinstance(entry, dict) else None
        whole = known[name].type == "int"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not value > 0:
            kind = "whole number" if whole else "number"
            raise LimitsError(f"{where}.value: {value!r}: allowed: a positive {kind}")
        values[name] = value
    return replace(DEFAULT_LIMITS, **values)


LIMITS_FORMAT = "limits-v1"  # bump when what is pickled changes shape


@lru_cache(maxsize=KNOWLEDGE_FOLDERS_CACHED)
def current_limits(folder: Path | None = None) -> Limits:
    """The bounds of a knowledge folder (the shipped one by default), read once; the shipped ones
    from the on-disk cache (:mod:`footcoach.common.disk_cache`) when it holds this exact file."""
    if folder is not None:
        return load_limits(Path(folder) / LIMITS_FILE)
    from footcoach.common import disk_cache

    path = knowledge_dir() / LIMITS_FILE
    data = path.read_bytes() if path.is_file() else b""
    code = disk_cache.code_fingerprint(("common",))
    key = disk_cache.cache_key(LIMITS_FORMAT, str(path.resolve()), hashlib.sha256(data).hexdigest(), code)
    return disk_cache.cached("limits", key, Limits, lambda: load_limits(path))


__all__ = [
    "DEFAULT_LIMITS",
    "DataFileError",
    "current_limits",
    "did_you_mean",
    "dotted",
    "load_document",
    "load_json",
    "load_json_bytes",
    "load_limits",
    "load_with_lines",
    "read_document",
    "read_text",
    "validation_errors",
]
