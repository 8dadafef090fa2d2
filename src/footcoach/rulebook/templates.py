"""The one template language of rule sentences: ``{namespace.name[:format][|text if unknown]}``.

Namespaces (every placeholder is named; there are no positional ones):

- ``f.FACT``: a fact's value for this firing (``f.pain.worst``);
- ``k.NAME``: a knowledge value as it applies to this runner (``k.pain.safe_max``);
- ``pct.NAME``: a ratio threshold as the percentage it allows over (1.10 -> 10);
- ``limit.FACT``: what the rule's condition on FACT compares it with, resolved for this runner
  (a knowledge value, times another fact when the condition says ``times``);
- ``finding.NAME``: the value of a finding the rule matches;
- ``flag.ATTR``: an attribute of the red flag the rule matches (``flag.whom``, ``flag.id``);
- ``shoe``: the name of the shoe a ``for_each: shoe`` rule fired for.

Placeholders are checked when the rules load (:func:`check`): an unknown one is an error with
"did you mean", so it never reaches an assessment.  A title may use ``k.`` and ``pct.`` only (it
is read without a runner).  The questionnaire's sentences are the same language with names of
their own (``{nrs_max}``, ``{phases}``; a referral's ``{whom}``), checked by :func:`check_names`
when it loads and filled by :func:`render`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from footcoach.common.documents import did_you_mean

_BRACES = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)(?::(?P<fmt>[^|]*))?(?:\|(?P<fallback>.*))?$")
FLAG_ATTRS = ("id", "reported", "suspected", "whom", "how_soon", "meanwhile")
TITLE_NAMESPACES = ("k", "pct")
SENTENCES_CACHED = 4096  # not clinical: parsed sentences kept (rule and questionnaire sentences are fewer)


@dataclass(frozen=True)
class Placeholder:
    """One ``{...}`` of a sentence: its full name (``f.pain.worst``), namespace, the rest, format, fallback."""

    raw: str
    name: str
    fmt: str | None
    fallback: str | None

    @cached_property
    def namespace(self) -> str:
        return self.name.split(".", 1)[0]

    @cached_property
    def key(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else ""


def placeholders(text: str | None) -> list[Placeholder | str]:
    """Every placeholder of a sentence; a ``{...}`` that is not one is returned as its raw text."""
    out: list[Placeholder | str] = []
    for m in _BRACES.finditer(text or ""):
        parsed = _NAME.match(m.group(1))
        if parsed is None:
            out.append(m.group(0))
        else:
            out.append(Placeholder(m.group(0), parsed["name"], parsed["fmt"], parsed["fallback"]))
    return out


@dataclass(frozen=True)
class Vocabulary:
    """What the sentences of one rule may name."""

    facts: Iterable[str]
    knowledge: Iterable[str]
    ratios: Iterable[str]
    limits: Iterable[str]
    findings: Iterable[str]
    red_flag: bool
    shoe: bool

    def names(self, title: bool = False) -> list[str]:
        out = [f"k.{n}" for n in self.knowledge] + [f"pct.{n}" for n in self.ratios]
        if title:
            return sorted(out)
        out += [f"f.{n}" for n in self.facts] + [f"limit.{n}" for n in self.limits]
        out += [f"finding.{n}" for n in self.findings]
        if self.red_flag:
            out += [f"flag.{a}" for a in FLAG_ATTRS]
        if self.shoe:
            out.append("shoe")
        return sorted(out)


def check(text: str | None, vocabulary: Vocabulary, title: bool = False) -> list[str]:
    """One message per placeholder the vocabulary does not know (with did you mean)."""
    return check_names(text, vocabulary.names(title), title)


def check_names(text: str | None, names: Iterable[str], title: bool = False) -> list[str]:
    """One message per placeholder that is not one of ``names`` (with did you mean)."""
    known = sorted(names)
    problems: list[str] = []
    for p in placeholders(text):
        if isinstance(p, str):
            problems.append(f"{p} is not a placeholder: use {{namespace.name}}, e.g. {{f.pain.worst}}")
        elif p.name not in known:
            hint = did_you_mean(p.name, known)
            if p.namespace == "t":
                hint = "; positional placeholders are gone: name the condition, e.g. {limit.FACT}"
            elif title and p.namespace not in TITLE_NAMESPACES:
                hint = f"; a title names knowledge only ({', '.join(n + '.' for n in TITLE_NAMESPACES)})"
            problems.append(f"unknown placeholder {p.raw}{hint}")
    return problems


def render(text: str, value: Callable[[Placeholder], Any], show: Callable[[Any], str]) -> str:
    """Fill every placeholder with ``value(placeholder)`` (None: not known, the fallback or ``?``),
    formatted by its format spec or by ``show``."""

    out: list[str] = []
    for p in _parsed(text):
        if isinstance(p, str):
            out.append(p)
            continue
        v = value(p)
        if v is None:
            out.append(p.fallback if p.fallback is not None else "?")
        elif p.fmt:
            try:
                out.append(format(v, p.fmt))
            except (TypeError, ValueError):
                out.append(show(v))
        else:
            out.append(show(v))
    return "".join(out)


@lru_cache(maxsize=SENTENCES_CACHED)
def _parsed(text: str) -> tuple[str | Placeholder, ...]:
    """A sentence as its text between placeholders and its placeholders, in order (a ``{...}``
    that is not a placeholder stays text), parsed once (rules render theirs at every firing)."""
    out: list[str | Placeholder] = []
    at = 0
    for m in _BRACES.finditer(text):
        parsed = _NAME.match(m.group(1))
        if parsed is None:
            continue  # stays in the text before the next placeholder
        if m.start() > at:
            out.append(text[at : m.start()])
        out.append(Placeholder(m.group(0), parsed["name"], parsed["fmt"], parsed["fallback"]))
        at = m.end()
    if at < len(text) or not out:
        out.append(text[at:])
    return tuple(out)


def knowledge_names(text: str | None) -> list[str]:
    """The knowledge values a sentence quotes (``k.`` and ``pct.``)."""
    return [p.key for p in placeholders(text) if isinstance(p, Placeholder) and p.namespace in TITLE_NAMESPACES]
