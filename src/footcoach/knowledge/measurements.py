"""How each gate test is measured, from ``knowledge/measurements.yaml``.

"What blocks progress" names a missing measurement with these instructions.  Each entry is keyed
by the contract field of the test; ``{k.NAME}`` in its text is filled from the knowledge base, and
an unknown name or source key is a ``file:line`` error when the file loads.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from footcoach.common.closed_model import ClosedModel
from footcoach.common.documents import DataFileError, did_you_mean, load_with_lines, validation_errors
from footcoach.knowledge.base import Knowledge, KnowledgeError, num

MEASUREMENTS_FILE = "measurements.yaml"
_PLACEHOLDER = re.compile(r"\{k\.([a-z0-9_.]+)\}")


class _Entry(ClosedModel):
    label: str = Field(min_length=1)
    how: str = Field(min_length=1)
    source: str = Field(min_length=1)
    says: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """One test: the contract field it fills, its name for a runner, how to do it, the protocol's source key."""

    field: str
    label: str
    how: str
    source: str
    says: tuple[tuple[str, str], ...] = ()

    def words_for(self, fact: str) -> str | None:
        """A runner's words for ``fact`` read from this test (``(self)`` is the field itself)."""
        part = SELF if fact == self.field else fact[len(self.field) + 1 :]
        return dict(self.says).get(part)


SELF = "(self)"
_CACHE: dict[tuple[Path, str], dict[str, Measurement]] = {}


def load_measurements(kb: Knowledge) -> dict[str, Measurement]:
    """The measurements of ``kb``'s folder, keyed by contract field (an absent file: none).

    Raises KnowledgeError naming file:line for a bad entry, an unknown ``{k.NAME}`` or source key."""
    key = (kb.folder, kb.fingerprint)
    if key in _CACHE:
        return _CACHE[key]
    path = Path(kb.folder) / MEASUREMENTS_FILE
    out: dict[str, Measurement] = {}
    if path.is_file():
        errors: list[DataFileError] = []
        try:
            data, line_of = load_with_lines(path)
        except DataFileError as e:
            raise KnowledgeError([e]) from None
        for name, raw in (data or {}).items():
            try:
                entry = _Entry.model_validate(raw)
            except ValidationError as exc:
                errors.extend(validation_errors(path, line_of, exc, prefix=(name,)))
                continue
            line = line_of((name,))
            if entry.source not in kb.sources:
                errors.append(
                    DataFileError(
                        path,
                        line,
                        f"{name}.source",
                        f"unknown source {entry.source!r}" + did_you_mean(entry.source, list(kb.sources)),
                    )
                )
            how = _fill(entry.how, kb, path, line, name, errors)
            out[str(name)] = Measurement(str(name), entry.label, how, entry.source, tuple(sorted(entry.says.items())))
        if errors:
            raise KnowledgeError(errors)
    _CACHE[key] = out
    return out


def _fill(text: str, kb: Knowledge, path: Path, line: int | None, name: str, errors: list[DataFileError]) -> str:
    def sub(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref not in kb.thresholds:
            errors.append(
                DataFileError(
                    path,
                    line,
                    f"{name}.how",
                    f"unknown knowledge value {{k.{ref}}}" + did_you_mean(ref, list(kb.thresholds)),
                )
            )
            return m.group(0)
        return str(num(kb.thresholds[ref].value))

    return _PLACEHOLDER.sub(sub, " ".join(text.split()))


def measurement_for(fact: str, measurements: dict[str, Measurement]) -> Measurement | None:
    """The test a fact is read from (``tests.heel_raises.weaker`` -> ``tests.heel_raises``), if any."""
    for field_name, m in measurements.items():
        if fact == field_name or fact.startswith(field_name + "."):
            return m
    return None
