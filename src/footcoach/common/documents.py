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

import difflib
import importlib
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from footcoach.common.errors import BadInput
from footcoach.common.limits import DEFAULT_LIMITS, LIMITS_FILE, Limits, LimitsError
from footcoach.common.paths import knowledge_dir

STDIN = "-"
STDIN_NAME = "(stdin)"
SHOWN_CHARS = 40  # longest value quoted back in a reader's error
KNOWLEDGE_FOLDERS_CACHED = 8  # not clinical: cache size
NAME_SIMILARITY_CUTOFF = 0.6  # not clinical: difflib ratio a did-you-mean name must reach


def did_you_mean(name: str, known: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
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


# ---- YAML 1.2 core schema ------------------------------------------------------------------------


class _Core12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core types, minus hex and octal (read literally as text)."""


_TAG = "tag:yaml.org,2002:"
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _Core12Resolver.add_implicit_resolver(_TAG + _tag, re.compile(_pattern), list(_first))


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
    """PyYAML's own parser, where libyaml is missing."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)


# libyaml's parser when present: parsing is the load-time cost of the rule base.
_Parser: Any = importlib.import_module("yaml.cyaml").CParser if yaml.__with_libyaml__ else _PyParser


class _Loader(_Parser, yaml.constructor.SafeConstructor, _Core12Resolver):
    """libyaml's parser, YAML 1.2 core types, duplicate keys refused while constructing."""

    def __init__(self, stream: str):
        _Parser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        _Core12Resolver.__init__(self)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    return int(str(loader.construct_scalar(node)))  # decimal: "012" is twelve, as in YAML 1.2


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    return {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}.get(
        text
    ) or float(text)


_Loader.add_constructor(_TAG + "map", _construct_mapping)
_Loader.add_constructor(_TAG + "int", _construct_int)
_Loader.add_constructor(_TAG + "float", _construct_float)

_DEFAULT_TAGS: dict[type[yaml.Node], str] = {yaml.MappingNode: _TAG + "map", yaml.SequenceNode: _TAG + "seq"}


def _explicit_tag(loader: _Loader, node: yaml.Node) -> bool:
    """Whether ``node`` carries a tag the document wrote (``!!float x``) rather than its implicit one."""
    if not isinstance(node, yaml.ScalarNode):
        return node.tag != _DEFAULT_TAGS[type(node)]
    if node.style:  # quoted or block text
        return node.tag != _TAG + "str"
    return node.tag != loader.resolve(yaml.ScalarNode, node.value, (True, False))


def _check_nodes(loader: _Loader, root: yaml.Node, path: str, limits: Limits) -> dict[tuple[Any, ...], int]:
    """Refuse aliases, tags, complex or repeated keys, deep nesting and long values; return the line index
    (path of keys/indexes -> 1-based line) for every node."""
    index: dict[tuple[Any, ...], int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]

    def fail(node: yaml.Node, message: str) -> DataFileError:
        return DataFileError(path, node.start_mark.line + 1, dotted(loc), message)

    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            raise fail(node, "YAML aliases (*name) are not accepted; allowed: each value written out")
        seen.add(id(node))
        index[loc] = node.start_mark.line + 1
        if len(loc) > limits.document_depth:
            loc = loc[:2]
            raise fail(node, f"nested deeper than {limits.document_depth} levels (the limit)")
        if _explicit_tag(loader, node):
            raise fail(node, f"tagged value ({node.tag.replace(_TAG, '!!')}) is not accepted; allowed: plain values")
        if isinstance(node, yaml.ScalarNode):
            problem = _scalar_problem(node.value, node.tag == _TAG + "int", limits)
            if problem:
                raise fail(node, problem)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, loc + (i,)) for i, child in reversed(list(enumerate(node.value))))
        else:
            keys: dict[tuple[str, str], int] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise fail(
                        key_node, "complex key (? [...] or a mapping as key) is not accepted; allowed: text keys"
                    )
                key = (key_node.tag, key_node.value)
                if key in keys:
                    raise fail(key_node, f"duplicate key {key_node.value!r} (first at line {keys[key]})")
                keys[key] = key_node.start_mark.line + 1
                problem = _scalar_problem(key_node.value, False, limits)
                if problem:
                    raise fail(key_node, problem)
                index[loc + (key_node.value,)] = key_node.start_mark.line + 1
            stack.extend((v, loc + (k.value,)) for k, v in reversed(node.value))
    return index


def _scalar_problem(text: str, whole: bool, limits: Limits) -> str | None:
    if len(text) > limits.string_chars:
        return f"a text of {len(text)} characters; allowed: at most {limits.string_chars} (the limit)"
    if whole and len(text.lstrip("+-")) > limits.integer_digits:
        return f"a whole number of {len(text.lstrip('+-'))} digits; allowed: at most {limits.integer_digits}"
    return None


def dotted(loc: tuple[Any, ...]) -> str:
    """('when', 0, 'op') -> 'when[0].op'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def validation_errors(
    path: str | Path,
    line_of: Callable[[tuple[Any, ...]], int | None],
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
    """Parse a YAML (or JSON) file; return (data, line_of) where line_of(path_tuple) -> line or None."""
    limits = limits or current_limits()
    name = STDIN_NAME if str(path) == STDIN else str(path)
    if text is None:
        text = read_text(path, limits)
    elif len(text) > limits.document_bytes:
        _decode(text.encode("utf-8", "surrogatepass"), name, limits)
    loader = _Loader(text)
    node = None
    try:
        node = loader.get_single_node()
        index = _check_nodes(loader, node, name, limits) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        at = text[: exc.position].count("\n") + 1
        raise DataFileError(name, at, "", f"character U+{exc.character:04X} is not allowed in YAML") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataFileError(
            name, mark.line + 1 if mark else None, "", f"YAML syntax error: {exc.problem or exc}"
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        near = node.start_mark.line + 1 if node is not None else None
        raise DataFileError(name, near, "", f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()

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


@lru_cache(maxsize=KNOWLEDGE_FOLDERS_CACHED)
def current_limits(folder: Path | None = None) -> Limits:
    """The bounds of a knowledge folder (the shipped one by default), read once."""
    return load_limits(Path(folder or knowledge_dir()) / LIMITS_FILE)


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
