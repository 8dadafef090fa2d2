"""Replay: what a rule change would change, for whom, and why, before anyone is told.

Every stored input is assessed under the current rule base and under the proposed one. Decisions are
compared on the cheap decision path; only the inputs whose decision or recommendations differ are
explained again in full, and the two traces say which rules and which knowledge values made the
difference. Nothing is written to the record.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footcoach.contract.errors import InputError
from footcoach.governance.assessing import Assessor
from footcoach.knowledge.base import num


@dataclass(frozen=True)
class StoredInput:
    """One stored assessment's input, as the audit trail keeps it."""

    runner_id: str
    document: dict[str, Any]
    recorded_at: str = ""
    assessment_id: int | None = None


@dataclass
class RunnerChange:
    runner_id: str
    assessment_id: int | None
    old: dict[str, Any]
    new: dict[str, Any]
    added: list[dict[str, str]]
    removed: list[dict[str, str]]
    rules_only_old: list[str]
    rules_only_new: list[str]
    knowledge: list[dict[str, Any]]
    causes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What changed, in words a clinic lead can group by."""
        decision = f"{self.old['action']} -> {self.new['action']}"
        if self.old == self.new:
            decision = f"{self.old['action']} (recommendations changed)"
        elif self.old["action"] == self.new["action"]:
            decision = f"{self.old['action']}: next phase {self.old['next_phase']} -> {self.new['next_phase']}"
        why = self.causes or sorted(set(self.rules_only_old) | set(self.rules_only_new))
        values = [f"{k['name']} {_text(k['old'])} -> {_text(k['new'])}" for k in self.knowledge]
        return "; ".join([decision, ", ".join(why)] + ([", ".join(values)] if values else []))

    def as_record(self) -> dict[str, Any]:
        return {
            "runner": self.runner_id,
            "assessment_id": self.assessment_id,
            "old": self.old,
            "new": self.new,
            "recommendations_added": self.added,
            "recommendations_removed": self.removed,
            "rules_no_longer_firing": self.rules_only_old,
            "rules_now_firing": self.rules_only_new,
            "knowledge_changed": self.knowledge,
            "caused_by_rules": self.causes,
        }


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class ReplayReport:
    inputs: int = 0
    unchanged: int = 0
    changes: list[RunnerChange] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    knowledge_diff: list[dict[str, Any]] = field(default_factory=list)
    rules_diff: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> list[dict[str, Any]]:
        groups: dict[str, list[str]] = {}
        for change in self.changes:
            groups.setdefault(change.key, []).append(change.runner_id)
        rows = [{"change": k, "runners": len(v), "runner_ids": sorted(set(v))} for k, v in groups.items()]
        return sorted(rows, key=lambda r: (-r["runners"], r["change"]))

    def as_record(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "unchanged": self.unchanged,
            "changed": len(self.changes),
            "errors": self.errors,
            "knowledge_changed": self.knowledge_diff,
            "rules_changed": self.rules_diff,
            "summary": self.summary(),
            "runners": [c.as_record() for c in self.changes],
        }


def _decision(assessment: dict[str, Any]) -> dict[str, Any]:
    return {"action": assessment["action"], "next_phase": assessment["phase"]["next"]}


def _recs(assessment: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["kind"], r["rule"]) for r in assessment.get("recommendations", [])}


def _fired(assessment: dict[str, Any]) -> set[str]:
    return {s["rule"] for s in assessment.get("trace", []) if isinstance(s, dict) and "rule" in s}


def _thresholds(node: Any, out: set[str]) -> set[str]:
    """Every knowledge name a trace or why-not record used."""
    if isinstance(node, dict):
        t = node.get("threshold")
        if isinstance(t, dict) and "name" in t:
            out.add(t["name"])
        for v in node.values():
            _thresholds(v, out)
    elif isinstance(node, list):
        for v in node:
            _thresholds(v, out)
    return out


def knowledge_values(assessor: Assessor) -> dict[str, Any]:
    """Every scalar threshold and every norm band of a knowledge base, by name."""
    kb = assessor.kb
    out: dict[str, Any] = {name: num(t.value) for name, t in kb.thresholds.items()}
    for name, norm in kb.norms.items():
        out[name] = [b.model_dump(exclude_none=True) for b in norm.bands]
    return out


def rules_diff(old: Assessor, new: Assessor) -> dict[str, list[str]]:
    a = {rid: r.spec.model_dump_json() for rid, r in old.rulebase.rules.rules.items()}
    b = {rid: r.spec.model_dump_json() for rid, r in new.rulebase.rules.rules.items()}
    return {
        "added": sorted(set(b) - set(a)),
        "removed": sorted(set(a) - set(b)),
        "changed": sorted(rid for rid in set(a) & set(b) if a[rid] != b[rid]),
    }


@dataclass(frozen=True)
class _Difference:
    """What differs between the two rule bases: knowledge values, and the rules that use them or changed."""

    knowledge: dict[str, dict[str, Any]]
    rules: dict[str, list[str]]
    specs: dict[str, str]

    def causes(self, fired_changed: set[str]) -> list[str]:
        """The rules whose firing changed because their own text or a knowledge value they name changed."""
        edited = set(self.rules["added"]) | set(self.rules["removed"]) | set(self.rules["changed"])
        out = []
        for rid in sorted(fired_changed):
            spec = self.specs.get(rid, "")
            if rid in edited or any(f'"{name}"' in spec for name in self.knowledge):
                out.append(rid)
        return out


def _compare(item: StoredInput, current: Assessor, proposed: Assessor, diff: _Difference) -> RunnerChange | None:
    old_d, new_d = current.decide_recs(item.document), proposed.decide_recs(item.document)
    if _decision(old_d) == _decision(new_d) and _recs(old_d) == _recs(new_d):
        return None
    old, new = current.full(item.document), proposed.full(item.document)
    used = _thresholds([old.get("trace"), new.get("trace"), old.get("why_not"), new.get("why_not")], set())
    fired_old, fired_new = _fired(old), _fired(new)
    kdiff = diff.knowledge
    return RunnerChange(
        runner_id=item.runner_id,
        assessment_id=item.assessment_id,
        old=_decision(old),
        new=_decision(new),
        added=[{"kind": k, "rule": r} for k, r in sorted(_recs(new) - _recs(old))],
        removed=[{"kind": k, "rule": r} for k, r in sorted(_recs(old) - _recs(new))],
        rules_only_old=sorted(fired_old - fired_new),
        rules_only_new=sorted(fired_new - fired_old),
        knowledge=[kdiff[name] for name in sorted(used) if name in kdiff],
        causes=diff.causes(fired_old ^ fired_new),
    )


_Outcome = tuple[str, Any]  # ("same", None) | ("changed", RunnerChange) | ("error", problems)
CHUNK = 64  # not clinical: stored inputs handed to a worker process at a time
WINDOW = 4  # not clinical: chunks in flight per worker
_WORKER: dict[str, Any] = {}


def _outcome(item: StoredInput, current: Assessor, proposed: Assessor, diff: _Difference) -> _Outcome:
    try:
        change = _compare(item, current, proposed, diff)
    except InputError as exc:
        return ("error", exc.problems)
    return ("same", None) if change is None else ("changed", change)


def _init_worker(current: tuple[str | None, str | None], proposed: tuple[str | None, str | None], diff: Any) -> None:
    _WORKER.update(current=Assessor(*current), proposed=Assessor(*proposed), diff=diff)


def _work(chunk: list[StoredInput]) -> list[_Outcome]:
    return [_outcome(item, _WORKER["current"], _WORKER["proposed"], _WORKER["diff"]) for item in chunk]


def _chunks(items: Iterable[StoredInput]) -> Iterator[list[StoredInput]]:
    chunk: list[StoredInput] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _outcomes(
    inputs: Iterable[StoredInput], current: Assessor, proposed: Assessor, diff: _Difference, jobs: int
) -> Iterator[tuple[StoredInput, _Outcome]]:
    """Each input with its outcome, in input order; ``jobs`` > 1 spreads chunks over worker processes."""
    if jobs <= 1:
        for item in inputs:
            yield item, _outcome(item, current, proposed, diff)
        return
    import collections
    import multiprocessing

    context = multiprocessing.get_context("fork")
    args = (current.folders, proposed.folders, diff)
    with context.Pool(jobs, initializer=_init_worker, initargs=args) as pool:
        pending: collections.deque[tuple[list[StoredInput], Any]] = collections.deque()
        for chunk in _chunks(inputs):  # read in this process; a bounded window keeps memory flat
            pending.append((chunk, pool.apply_async(_work, (chunk,))))
            if len(pending) >= jobs * WINDOW:
                done, result = pending.popleft()
                yield from zip(done, result.get())
        while pending:
            done, result = pending.popleft()
            yield from zip(done, result.get())


def replay(inputs: Iterable[StoredInput], current: Assessor, proposed: Assessor, jobs: int = 1) -> ReplayReport:
    """Compare every input's assessment under the current and the proposed rule base (on ``jobs``
    worker processes; the report is the same whatever ``jobs`` is)."""
    old_k, new_k = knowledge_values(current), knowledge_values(proposed)
    kdiff = {
        name: {"name": name, "old": old_k.get(name), "new": new_k.get(name)}
        for name in sorted(set(old_k) | set(new_k))
        if old_k.get(name) != new_k.get(name)
    }
    rdiff = rules_diff(current, proposed)
    specs = {rid: r.spec.model_dump_json() for rb in (current, proposed) for rid, r in rb.rulebase.rules.rules.items()}
    diff = _Difference(kdiff, rdiff, specs)
    report = ReplayReport(knowledge_diff=list(kdiff.values()), rules_diff=rdiff)
    for item, (kind, value) in _outcomes(inputs, current, proposed, diff, jobs):
        report.inputs += 1
        if kind == "error":
            report.errors.append({"runner": item.runner_id, "assessment_id": item.assessment_id, "problems": value})
        elif kind == "same":
            report.unchanged += 1
        else:
            report.changes.append(value)
    return report


def latest_per_runner(items: Iterable[StoredInput]) -> Iterator[StoredInput]:
    """The newest stored input of each runner (items in any order; ties keep the later one)."""
    latest: dict[str, StoredInput] = {}
    for item in items:
        seen = latest.get(item.runner_id)
        if seen is None or (item.recorded_at, item.assessment_id or 0) >= (seen.recorded_at, seen.assessment_id or 0):
            latest[item.runner_id] = item
    for runner in sorted(latest):
        yield latest[runner]


def _texts(folder: Path) -> dict[str, list[str]]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8").splitlines()
        for p in sorted(folder.rglob("*.yaml"))
        if p.is_file()
    }


def folder_diff(label: str, old: Path, new: Path) -> list[str]:
    """The unified diff of the YAML files of two folders (rules or knowledge), file by file."""
    a, b = _texts(old), _texts(new)
    out: list[str] = []
    for name in sorted(set(a) | set(b)):
        out.extend(
            difflib.unified_diff(
                a.get(name, []), b.get(name, []), f"{label} now/{name}", f"{label} proposed/{name}", lineterm=""
            )
        )
    return out
