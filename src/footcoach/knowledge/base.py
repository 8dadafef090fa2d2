"""The knowledge base: thresholds, norms, sources, red flags and phases, loaded from ``knowledge/``.

Every clinical number lives in these files once, under a dotted name (``pain.safe_max``), with its
unit and a source key.  Files are validated when they load; a problem is reported as
``file:line: field: message``.
"""

# Annotations are evaluated where they are written (no "from __future__ import annotations"): pydantic
# would compile each field's annotation text at import, a cold-start cost (tests/test_cold_start.py).

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import ValidationError, model_validator

from footcoach.common.closed_model import ClosedModel
from footcoach.common.disk_cache import read_bytes, yaml_files
from footcoach.common.documents import (
    DataFileError,
    current_limits,
    did_you_mean,
    load_with_lines,
    validation_errors,
)
from footcoach.common.paths import knowledge_dir
from footcoach.contract.state import StateBounds, Strict, bound_model

M = TypeVar("M", bound=Strict)

Evidence = Literal["guideline", "trial", "norm", "consensus", "design"]


class Source(ClosedModel):
    citation: str
    year: int | None = None
    evidence: Evidence
    based_on: tuple[str, ...] = ()


class Threshold(ClosedModel):
    value: float
    unit: str
    source: str
    also: tuple[str, ...] = ()
    range: tuple[float, float]
    description: str

    @model_validator(mode="after")
    def _within_range(self) -> "Threshold":
        lo, hi = self.range
        if lo > hi:
            raise ValueError(f"range [{lo}, {hi}] is empty")
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value} is outside its declared range [{lo}, {hi}]")
        return self


class Band(ClosedModel):
    age_min: int | None
    age_max: int | None
    value: float | None = None
    female: float | None = None
    male: float | None = None


class Norm(ClosedModel):
    unit: str
    source: str
    description: str
    by_sex: bool = False
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def _bands_cover_ages(self) -> "Norm":
        prev_max: int | None = None
        for i, b in enumerate(self.bands):
            if i == 0 and b.age_min is not None:
                raise ValueError("the first band must be open below (age_min: null)")
            if i > 0 and (b.age_min is None or prev_max is None or b.age_min != prev_max + 1):
                raise ValueError(
                    f"band {i} starts at {b.age_min}; expected {None if prev_max is None else prev_max + 1} "
                    "(bands must not overlap or leave gaps)"
                )
            if self.by_sex and (b.female is None or b.male is None):
                raise ValueError(f"band {i} needs female and male values")
            if not self.by_sex and b.value is None:
                raise ValueError(f"band {i} needs a value")
            prev_max = b.age_max
        if self.bands and self.bands[-1].age_max is not None:
            raise ValueError("the last band must be open above (age_max: null)")
        return self


class RedFlag(ClosedModel):
    reported: str
    suspected: str
    whom: str
    how_soon: str
    meanwhile: str
    sources: tuple[str, ...]


class Phase(ClosedModel):
    name: str
    source: str


@dataclass(frozen=True)
class ResolvedValue:
    """A knowledge value as it applies to one runner: the number, and where it came from."""

    name: str
    value: float
    unit: str
    source: str
    also: tuple[str, ...] = ()
    note: str = ""

    def as_record(self, kb: "Knowledge") -> dict[str, Any]:
        rec: dict[str, Any] = {
            "name": self.name,
            "value": _num(self.value),
            "unit": self.unit,
            "source": kb.source_record(self.source),
        }
        if self.also:
            rec["also"] = [kb.source_record(k) for k in self.also]
        if self.note:
            rec["note"] = self.note
        return rec


def num(v: Any, digits: int | None = None) -> Any:
    """A number for display: whole floats as ints (3.0 reads 3), others optionally rounded.

    Display only: comparisons always use the raw value."""
    if isinstance(v, float) and not isinstance(v, bool):
        if v.is_integer():
            return int(v)
        return round(v, digits) if digits is not None else v
    return v


_num = num


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Nested mapping -> {path: leaf mapping}; a leaf is a mapping with a value/unit/bands key."""
    out: dict[tuple[str, ...], Any] = {}
    if isinstance(data, dict):
        if any(k in data for k in ("value", "bands", "unit")) and prefix:
            out[prefix] = data
            return out
        for k, v in data.items():
            out.update(_flatten(v, prefix + (str(k),)))
    else:
        out[prefix] = data
    return out


@dataclass
class Knowledge:
    """All knowledge files of one folder, validated."""

    folder: Path
    sources: dict[str, Source]
    thresholds: dict[str, Threshold]
    norms: dict[str, Norm]
    red_flags: dict[str, RedFlag]
    phases: dict[int, Phase]
    extra: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    # -- lookups -------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(list(self.thresholds) + list(self.norms))

    def has(self, name: str) -> bool:
        return name in self.thresholds or name in self.norms

    def suggest(self, name: str) -> str:
        return did_you_mean(name, self.names())

    def value(self, name: str) -> float:
        """A scalar threshold's value (norms need :meth:`resolve`)."""
        return self.thresholds[name].value

    def int_value(self, name: str) -> int:
        return int(self.thresholds[name].value)

    def resolve(self, name: str, age: int | None = None, sex: str | None = None) -> ResolvedValue:
        """The value of ``name`` for a runner of this age and sex (norms are looked up by band)."""
        if name in self.thresholds:
            t = self.thresholds[name]
            return ResolvedValue(name, t.value, t.unit, t.source, t.also)
        norm = self.norms[name]
        if age is None:
            raise ValueError(f"{name} is an age-banded norm and needs the runner's age")
        band = next(
            b for b in norm.bands if (b.age_min is None or age >= b.age_min) and (b.age_max is None or age <= b.age_max)
        )
        lo = "" if band.age_min is None else str(band.age_min)
        hi = "" if band.age_max is None else str(band.age_max)
        label = f"age {lo}-{hi}" if lo and hi else (f"age <= {hi}" if hi else f"age >= {lo}")
        notes = [label]
        youngest = self.int_value("balance.youngest_band_max_age")
        if age < youngest and band is norm.bands[0]:
            notes.append(f"runner is {age}: under {youngest} has no norm of its own, the youngest band is used")
        if norm.by_sex:
            if sex in ("female", "male"):
                value = getattr(band, sex)
                notes.append(sex)
            else:
                assert band.female is not None and band.male is not None  # a by-sex norm has both (checked at load)
                value = min(band.female, band.male)
                notes.append(f"sex not given: the lower of female {_num(band.female)} and male {_num(band.male)}")
        else:
            value = band.value
        return ResolvedValue(name, value, norm.unit, norm.source, (), "; ".join(notes))

    def source_record(self, key: str) -> dict[str, Any]:
        s = self.sources[key]
        rec: dict[str, Any] = {"key": key, "citation": s.citation, "evidence": s.evidence}
        if s.year is not None:
            rec["year"] = s.year
        if s.based_on:
            rec["based_on"] = list(s.based_on)
        if s.evidence == "design":
            rec["note"] = "a default chosen by footcoach from the cited evidence, not a published cut-off"
        return rec

    def phase_name(self, phase: int) -> str:
        return self.phases[phase].name

    @property
    def nrs_max(self) -> int:
        return self.int_value("scales.nrs_max")

    @cached_property
    def state_bounds(self) -> StateBounds:
        """What this knowledge base decides about a valid state (scale tops, contract ranges, phases,
        red-flag ids, the input limits of its ``limits.yaml``): what a state is checked against."""
        return StateBounds(
            nrs_max=self.nrs_max,
            balance_cap=self.int_value("balance.test_cap_s"),
            age_min=self.int_value("contract.age_min"),
            age_max=self.int_value("contract.age_max"),
            reps_max=self.int_value("contract.reps_max"),
            drop_max_mm=self.int_value("contract.drop_max_mm"),
            phase_min=min(self.phases),
            phase_max=max(self.phases),
            red_flags=tuple(self.red_flags),
            limits=current_limits(None if self.folder.resolve() == knowledge_dir().resolve() else self.folder),
        )

    def contract_model(self, model: type[M]) -> type[M]:
        """The contract model (``State``, ``DiaryEntry``, ...) that checks against this knowledge base."""
        return bound_model(model, self.state_bounds)


def _load_section(
    folder: Path, name: str, model: Any, errors: list[DataFileError], key_type: Any = str
) -> dict[Any, Any]:
    path = folder / name
    if not path.is_file():
        errors.append(DataFileError(path, None, "", "file is missing"))
        return {}
    try:
        data, line_of = load_with_lines(path)
    except DataFileError as e:
        errors.append(e)
        return {}
    data = data or {}
    entries = _flatten(data) if model in (Threshold, Norm) else {(k,): v for k, v in data.items()}
    out = {}
    for loc, raw in entries.items():
        key = ".".join(str(p) for p in loc)
        try:
            out[key_type(key)] = model.model_validate(raw)
        except ValidationError as exc:
            errors.extend(validation_errors(path, line_of, exc, prefix=loc))
    return out


class KnowledgeError(Exception):
    def __init__(self, errors: list[DataFileError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


FINGERPRINT_CHARS = 16  # not clinical: hex digits of the rule-base version


def fingerprint_folder(*folders: Path) -> str:
    """A short hash of every data file in the folders: the rule-base version."""
    h = hashlib.sha256()
    for folder in folders:
        for rel, full in yaml_files(folder):
            h.update(rel.encode())
            h.update(read_bytes(full))
    return h.hexdigest()[:FINGERPRINT_CHARS]


# Names the code itself reads (scales, windows of the diary derivations, contract ranges); a
# knowledge folder without them is refused when it loads rather than failing mid-assessment.
REQUIRED_NAMES = (
    "scales.nrs_max",
    "balance.test_cap_s",
    "balance.youngest_band_max_age",
    "pain.rising_entries",
    "stall.window_entries",
    "heel_raises.start_dose",
    "contract.age_min",
    "contract.age_max",
    "contract.reps_max",
    "contract.drop_max_mm",
    "balance.eyes_open_norm",
    "balance.eyes_closed_norm",
)


def load_knowledge(folder: Path | None = None) -> Knowledge:
    """Load and cross-check every knowledge file; raise KnowledgeError listing every problem."""
    folder = Path(folder) if folder else knowledge_dir()
    errors: list[DataFileError] = []
    sources = _load_section(folder, "sources.yaml", Source, errors)
    thresholds = _load_section(folder, "thresholds.yaml", Threshold, errors)
    norms = _load_section(folder, "norms.yaml", Norm, errors)
    red_flags = _load_section(folder, "red_flags.yaml", RedFlag, errors)
    phases = _load_section(folder, "phases.yaml", Phase, errors, key_type=int)
    for fname, table, attr in (
        ("thresholds.yaml", thresholds, "source"),
        ("norms.yaml", norms, "source"),
        ("phases.yaml", phases, "source"),
    ):
        for key, item in table.items():
            keys = [getattr(item, attr)] + list(getattr(item, "also", ()))
            for k in keys:
                if k not in sources:
                    hint = did_you_mean(k, sources)
                    errors.append(DataFileError(folder / fname, None, f"{key}.source", f"unknown source '{k}'{hint}"))
    if phases and sorted(phases) != list(range(1, len(phases) + 1)):
        numbers = ", ".join(str(n) for n in sorted(phases))
        errors.append(
            DataFileError(folder / "phases.yaml", None, "", f"phases are 1, 2, ... without gaps (got {numbers})")
        )
    for key, flag in red_flags.items():
        for k in flag.sources:
            if k not in sources:
                errors.append(DataFileError(folder / "red_flags.yaml", None, f"{key}.sources", f"unknown source '{k}'"))
    for key, src in sources.items():
        for k in src.based_on:
            if k not in sources:
                errors.append(DataFileError(folder / "sources.yaml", None, f"{key}.based_on", f"unknown source '{k}'"))
    for name in REQUIRED_NAMES:
        if (
            name not in thresholds
            and name not in norms
            and not any(e.path.endswith(("thresholds.yaml", "norms.yaml")) for e in errors)
        ):
            fname = "norms.yaml" if name.endswith("_norm") else "thresholds.yaml"
            errors.append(DataFileError(folder / fname, None, name, "missing: footcoach reads this value by name"))
    if errors:
        raise KnowledgeError(errors)
    return Knowledge(folder, sources, thresholds, norms, red_flags, phases, fingerprint=fingerprint_folder(folder))


KNOWLEDGE_BASES_CACHED = 8  # not clinical: cache size


KNOWLEDGE_FORMAT = "knowledge-v1"  # bump when what is pickled changes shape


def contract_model(model: type[M], knowledge: Knowledge | None = None) -> type[M]:
    """The contract model (``State``, ...) that checks against a knowledge base (default: the shipped one)."""
    return (knowledge or default_knowledge()).contract_model(model)


@lru_cache(maxsize=KNOWLEDGE_BASES_CACHED)
def default_knowledge() -> Knowledge:
    """The shipped knowledge base, loaded once per process (from the on-disk cache of
    :mod:`footcoach.common.disk_cache` when it holds these exact files and code)."""
    from footcoach.common import disk_cache

    folder = knowledge_dir()
    code = disk_cache.code_fingerprint(("common", "knowledge"))
    key = disk_cache.cache_key(KNOWLEDGE_FORMAT, disk_cache.data_fingerprint(folder), code)
    return disk_cache.cached("knowledge", key, Knowledge, lambda: load_knowledge(folder))
