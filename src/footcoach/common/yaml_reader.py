"""The YAML reader of :mod:`footcoach.common.documents`: the YAML 1.2 core schema on libyaml's parser
(PyYAML's own where libyaml is missing), duplicate keys, aliases, tags, complex keys, deep nesting
and long values refused, and the line of every node kept.

Imported at the first YAML document only (``documents.load_with_lines``): a start that reads only
JSON and cached data never imports PyYAML.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from footcoach.common.limits import Limits


class YamlProblem(Exception):
    """One problem in a YAML document: the line, the path of keys and indexes, the message
    (``documents.load_with_lines`` makes it a DataFileError naming the file)."""

    def __init__(self, line: int | None, loc: tuple[Any, ...], message: str):
        self.line, self.loc, self.message = line, loc, message
        super().__init__(message)


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
if TYPE_CHECKING:
    _Parser = _PyParser
else:
    _Parser = importlib.import_module("yaml.cyaml").CParser if yaml.__with_libyaml__ else _PyParser


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


# What ``add_constructor`` does (a copy of the inherited table, three entries replaced).
_Loader.yaml_constructors = {
    **_Loader.yaml_constructors,
    _TAG + "map": _construct_mapping,
    _TAG + "int": _construct_int,
    _TAG + "float": _construct_float,
}

_DEFAULT_TAGS: dict[type[yaml.Node], str] = {yaml.MappingNode: _TAG + "map", yaml.SequenceNode: _TAG + "seq"}


_resolve: Callable[..., str] = yaml.resolver.BaseResolver.resolve  # PyYAML's own is unannotated


def _explicit_tag(loader: _Loader, node: yaml.Node) -> bool:
    """Whether ``node`` carries a tag the document wrote (``!!float x``) rather than its implicit one."""
    if not isinstance(node, yaml.ScalarNode):
        return node.tag != _DEFAULT_TAGS[type(node)]
    if node.style:  # quoted or block text
        return node.tag != _TAG + "str"
    implicit: str = _resolve(loader, yaml.ScalarNode, node.value, (True, False))
    return node.tag != implicit


def _check_nodes(loader: _Loader, root: yaml.Node, limits: Limits) -> dict[tuple[Any, ...], int]:
    """Refuse aliases, tags, complex or repeated keys, deep nesting and long values; return the line index
    (path of keys/indexes -> 1-based line) for every node."""
    index: dict[tuple[Any, ...], int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]

    def fail(node: yaml.Node, message: str) -> YamlProblem:
        return YamlProblem(node.start_mark.line + 1, loc, message)

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


def parse_with_lines(text: str, limits: Limits) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML (or JSON) ``text``; return (data, index) where index maps a path of keys and
    indexes to the 1-based line that holds it.  YamlProblem on any problem."""
    loader = _Loader(text)
    node = None
    try:
        node = loader.get_single_node()
        index = _check_nodes(loader, node, limits) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        at = text[: exc.position].count("\n") + 1
        raise YamlProblem(at, (), f"character U+{exc.character:04X} is not allowed in YAML") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, (), f"YAML syntax error: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        near = node.start_mark.line + 1 if node is not None else None
        raise YamlProblem(near, (), f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    return data, index
