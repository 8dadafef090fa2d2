"""Explanations as data: the trace of what fired, why no stronger action, what blocks progress.

``assemble`` turns one engine run into the assessment record; ``footcoach.render.text`` renders
that same record for people.  Tests assert on the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from footcoach.contract.vocabulary import DISCLAIMER
from footcoach.inference.blockers import flat_blockers
from footcoach.inference.comparison import exact
from footcoach.inference.facts import RUNNER, Obs, catalogue
from footcoach.knowledge.base import num
from footcoach.rulebook import templates
from footcoach.rulebook.model import (
    ACTION,
    INDICATED,
    NEXT_PHASE,
    Rule,
)

if TYPE_CHECKING:  # pragma: no cover
    from footcoach.contract.assessment import Assessment
    from footcoach.inference.engine import Firing, RuleBase, Run

KIND_ORDER = (
    "referral",
    "regression",
    "hold",
    "progression",
    "advice",
    "reintroduce",
    "shoe_replace",
    "shoe_check",
    "load_advice",
)


def _num(v: Any) -> Any:
    return num(v, 2)


# ---- conditions -------------------------------------------------------------------------------


class RunView:
    """One run seen by the conditions that evaluate themselves on it (rulebook.conditions.Evaluation)."""

    def __init__(self, rb: RuleBase, run: Run):
        self.rb, self.run = rb, run
        self.catalogue = catalogue(rb.kb)

    def fact(self, name: str, subject: str) -> Obs | None:
        """The fact about ``subject``; a fact about the runner whatever the subject (as the engine joins)."""
        spec = self.catalogue.get(name)
        return self.run.facts.get((name, subject if spec is not None and spec.per else RUNNER))

    def label(self, name: str) -> str:
        return self.catalogue[name].description

    def threshold(self, name: str) -> Any:
        return self.run.resolved[name].value

    def threshold_record(self, name: str) -> dict[str, Any]:
        return self.run.resolved[name].as_record(self.rb.kb)

    def finding_steps(self, name: str, value: str | None, subject: str) -> list[int]:
        return sorted(
            step
            for (n, v, s, _by), step in self.run.finding_step.items()
            if n == name and (value is None or v == value) and s in (subject, RUNNER)
        )

    def findings_present(self, name: str) -> list[str]:
        return sorted({v for (n, v, _s, _b) in self.run.finding_step if n == name})

    def step_of(self, finding: tuple[Any, ...]) -> int | None:
        return self.run.finding_step.get(finding)

    def explain_producers(self, name: str, value: str | None, subject: str, depth: int) -> list[dict[str, Any]]:
        """Why each rule that could have concluded the finding (for this phase) did not."""
        rb, run = self.rb, self.run
        return [
            {"rule": p.id, "title": rb.title(p), "failing": explain_not_fired(rb, run, p, depth, subject)}
            for p in rb.producers(name, value, run.state.program.phase)
        ]


PHASE_FACT = "program.phase"
WHY_NOT_DEPTH = 3  # not clinical: how many findings deep why-not follows an unmet finding


def explain_not_fired(
    rb: RuleBase, run: Run, rule: Rule, depth: int = 2, subject: str = RUNNER
) -> list[dict[str, Any]]:
    """The conditions of ``rule`` that do not hold for this run, each with values and thresholds;
    a missing finding is explained through the rules that could have concluded it."""
    view = RunView(rb, run)
    return [rec for c in rule.spec.when if not (rec := c.evaluate(view, subject, depth))["holds"]]


def _condition_records(rb: RuleBase, run: Run, firing: Firing) -> list[dict[str, Any]]:
    """Every condition of a rule that fired, evaluated by the same evaluator as the why-not."""
    view = RunView(rb, run)
    return [c.evaluate(view, firing.subject, 0, list(firing.findings)) for c in firing.rule.spec.when]


# ---- templates --------------------------------------------------------------------------------


def _show(v: Any) -> str:
    return ("yes" if v else "no") if isinstance(v, bool) else str(_num(v))


def render_template(text: str, rb: RuleBase, run: Run, firing: Firing) -> str:
    """Fill a rule's sentence from this firing (the template language: :mod:`footcoach.rulebook.templates`);
    ``{name|text}`` gives text when the value is not known (a missing measurement)."""
    flag_id = next((f[1] for f in firing.findings if f[0] == "red_flag"), None)

    def fact(name: str) -> Any:
        o = run.facts.get((name, firing.subject)) or run.facts.get((name, RUNNER))
        return None if o is None else o.value

    def limit(name: str) -> Any:
        c = firing.rule.limit_for(name)
        if c is None or c.value is None:
            return None
        t = run.resolved[c.value].value
        m = run.facts.get((c.times, firing.subject)) or run.facts.get((c.times, RUNNER)) if c.times else None
        return exact("*", t, m.value) if m is not None else t

    def value(p: templates.Placeholder) -> Any:
        ns, key = p.namespace, p.key
        if ns == "f":
            return fact(key)
        if ns == "k":
            return run.resolved[key].value
        if ns == "pct":
            return round((run.resolved[key].value - 1) * 100)
        if ns == "limit":
            return limit(key)
        if ns == "flag" and flag_id is not None:
            return flag_id if key == "id" else getattr(rb.kb.red_flags[flag_id], key)
        if ns == "finding":
            return next((f[1] for f in firing.findings if f[0] == key), None)
        if p.name == "shoe":
            return fact("shoe.name")
        return None

    return templates.render(text, value, _show)


# ---- assembly ---------------------------------------------------------------------------------


def _chain(run: Run, firing: Firing, by_step: dict[int, Firing]) -> list[int]:
    steps = {firing.step}
    todo = [firing]
    while todo:
        f = todo.pop()
        for key in f.findings:
            s = run.finding_step.get(key)
            if s and s not in steps:
                steps.add(s)
                todo.append(by_step[s])
    return sorted(steps)


class DecisionError(RuntimeError):
    """The rule base concluded no action, or more than one: a bug in the rules, not in the input."""


def decided(run: Run) -> tuple[str, int, Firing]:
    """The action and next phase the decision rules concluded, and the firing that decided the action."""
    by_finding: dict[str, list[Firing]] = {ACTION: [], NEXT_PHASE: []}
    for f in run.firings:
        c = f.rule.spec.conclude
        if c is not None and c.finding in by_finding and f.concluded is not None:
            by_finding[c.finding].append(f)
    # One decision rule may fire once per rule that indicated its action (two referrals): one value.
    actions, phases = by_finding[ACTION], by_finding[NEXT_PHASE]
    values = ({f.concluded for f in actions}, {f.concluded for f in phases})
    if len(values[0]) != 1 or len(values[1]) != 1:
        raise DecisionError(
            f"the decision rules concluded action(s) {sorted(map(str, values[0]))} and next phase(s) "
            f"{sorted(map(str, values[1]))}; exactly one of each is needed"
        )
    return str(actions[0].concluded), int(str(phases[0].concluded)), actions[0]


def _why_not(rb: RuleBase, run: Run, decision: Firing) -> list[dict[str, Any]]:
    """Why no stronger action: each action the winning decision rule required absent (its
    ``no_finding: indicated`` conditions, strongest first), explained through the decision rule that
    would have concluded it and the rules that could have indicated it."""
    out: list[dict[str, Any]] = []
    for name, value, negated in decision.rule.findings_used():
        if not negated or name != INDICATED or value is None:
            continue
        for rule in rb.producers(ACTION, value):
            failing = explain_not_fired(rb, run, rule, depth=WHY_NOT_DEPTH)
            because = [b for x in failing if x.get("finding") == INDICATED for b in x.get("because", [])]
            out.append({"action": value, "decision_rule": rule.id, "rules": because})
    return out


DECISION_KEYS = ("action", "phase", "recommendations", "superseded", "rules_version", "disclaimer")


def _decide(rb: RuleBase, run: Run) -> tuple[str, int, list[dict[str, Any]], list[dict[str, Any]], Firing]:
    """The action and next phase the decision rules concluded, the recommendations kept, those the
    action superseded, and the firing that decided the action."""
    recs: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    by_step = {f.step: f for f in run.firings}
    for f in run.firings:
        spec = f.rule.spec
        if spec.recommend is None:
            continue
        key = (f.rule.id, f.subject, tuple(sorted((n, v) for n, v, _s, _b in f.findings)))
        chain = _chain(run, f, by_step)
        if key in seen:
            seen[key]["because"] = sorted(set(seen[key]["because"]) | set(chain))
            continue
        rec: dict[str, Any] = {
            "kind": spec.recommend.kind,
            "rule": f.rule.id,
            "summary": render_template(spec.physio or "", rb, run, f),
            "runner": render_template(spec.runner or "", rb, run, f),
        }
        if f.rule.action:
            rec["action"] = f.rule.action
        if f.subject != RUNNER:
            rec["subject"] = f.subject
            shoe = run.facts.get(("shoe.name", f.subject))
            if shoe:
                rec["shoe"] = shoe.value
        rec["because"] = chain
        seen[key] = rec

        recs.append(rec)

    for r in recs:
        # The findings behind a recommendation, in words: what a physiotherapist checks first.
        r["reasons"] = [
            rb.title(by_step[s].rule)
            for s in r["because"]
            if by_step[s].rule.id != r["rule"] and by_step[s].rule.spec.conclude is not None
        ]
    action, nxt, decision = decided(run)
    superseded = [r for r in recs if "action" in r and r["action"] != action]
    recs = [r for r in recs if "action" not in r or r["action"] == action]
    recs.sort(key=lambda r: (KIND_ORDER.index(r["kind"]), r["rule"], r.get("subject", "")))
    return action, nxt, recs, superseded, decision


def _phase_record(kb: Any, phase: int, nxt: int) -> dict[str, Any]:
    return {"current": phase, "next": nxt, "current_name": kb.phase_name(phase), "next_name": kb.phase_name(nxt)}


def _superseded(superseded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"rule": r["rule"], "kind": r["kind"], "action": r["action"], "summary": r["summary"]} for r in superseded]


def decide(rb: RuleBase, run: Run) -> dict[str, Any]:
    """The decision of one run without its explanations: the ``DECISION_KEYS`` of the assessment
    record, with the same values and order (no why-not, blocking, notes, plan or trace).  A stall's
    ``reintroduce`` recommendation names its exercises only once the plan is attached."""
    action, nxt, recs, superseded, _decision = _decide(rb, run)
    out: dict[str, Any] = {
        "action": action,
        "phase": _phase_record(rb.kb, run.state.program.phase, nxt),
        "recommendations": recs,
    }
    if superseded:
        out["superseded"] = _superseded(superseded)
    out["rules_version"] = rb.version
    out["disclaimer"] = DISCLAIMER
    return out


def concluded(run: Run, finding: str) -> list[Any]:
    """The values the rules of this run concluded for ``finding``, sorted (what the trace's
    ``concluded`` records say, read from the run)."""
    return sorted(
        {f.concluded for f in run.firings if f.rule.spec.conclude and f.rule.spec.conclude.finding == finding}
    )


def _progress_rules(rb: RuleBase, phase: int) -> list[Rule]:
    """The progress rules of this phase (they admit it, and not every phase), by id."""

    def find() -> list[Rule]:
        return [
            r
            for r in sorted(rb.rules.rules.values(), key=lambda r: r.id)
            if r.action == "progress"
            and r.admits(PHASE_FACT, phase)
            and not all(r.admits(PHASE_FACT, p) for p in rb.kb.phases)
        ]

    return rb.memo(("progress rules", phase), find)


def assemble(rb: RuleBase, run: Run) -> Assessment:
    """The typed assessment of one run (this week's plan is attached by the caller)."""
    from footcoach.contract.assessment import Assessment  # the typed model, built when first asked for

    return Assessment.model_validate(assemble_record(rb, run))


def assemble_record(rb: RuleBase, run: Run) -> dict[str, Any]:
    """The assessment record of one run without this week's plan: exactly what :func:`assemble`
    dumps (``Assessment.record``), built without the model (every key in the contract's field order,
    every value JSON-ready; tests/test_explanations.py holds the two equal)."""
    action, nxt, recs, superseded, decision = _decide(rb, run)
    kb = rb.kb
    phase = run.state.program.phase
    why_not = _why_not(rb, run, decision)

    blocking: dict[str, Any] | None = None
    if action != "progress":
        progress_rules = _progress_rules(rb, phase)
        if progress_rules:
            gates = [
                {"rule": r.id, "title": rb.title(r), "failing": explain_not_fired(rb, run, r, depth=WHY_NOT_DEPTH)}
                for r in progress_rules
            ]
            blocking = {"rules": gates, "items": flat_blockers(kb, gates)}
        else:
            blocking = {"note": f"phase {phase} ({kb.phase_name(phase)}) has no further phase: maintain"}

    trace = []
    for f in run.firings:
        spec = f.rule.spec
        item: dict[str, Any] = {
            "step": f.step,
            "rule": f.rule.id,
            "family": spec.family,
            "title": rb.title(f.rule),
        }
        if f.subject != RUNNER:
            item["subject"] = f.subject
        item["conditions"] = _condition_records(rb, run, f)
        if spec.conclude:
            item["concluded"] = {"finding": spec.conclude.finding, "value": f.concluded}
        if spec.recommend:
            item["recommended"] = spec.recommend.kind
            if f.rule.action and f.rule.action != action:
                item["superseded_by"] = action
        item["sources"] = [kb.source_record(k) for k in spec.sources]
        trace.append(item)

    out: dict[str, Any] = {
        "action": action,
        "phase": _phase_record(kb, phase, nxt),
        "recommendations": recs,
        "why_not": why_not,
    }
    if blocking is not None:
        out["progress_blocked_by"] = blocking
    if superseded:
        out["superseded"] = _superseded(superseded)
    notes = _norm_notes([trace, blocking]) if _has_norm_caveat(run) else []
    if notes:
        out["notes"] = notes
    out["trace"] = trace
    out["rules_version"] = rb.version
    out["disclaimer"] = DISCLAIMER
    return out


NORM_CAVEATS = ("youngest band", "sex not given")  # what a resolved norm's note says when it needs a caveat


def _has_norm_caveat(run: Run) -> bool:
    """Whether a knowledge value of this run carries a caveat (every threshold a record shows is one
    of the run's resolved values, so without one there is no note to find)."""
    return any(c in v.note for v in run.resolved.values() for c in NORM_CAVEATS)


def _norm_notes(records: Any) -> list[str]:
    """Every norm looked up with a caveat (under 18: the youngest band; sex not given: the lower
    value), as sentences; the brief asks that the output says so."""
    found: list[str] = []
    stack = [records]  # depth first, in document order, without a call per value
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            t = x.get("threshold")
            if isinstance(t, dict) and any(c in t.get("note", "") for c in NORM_CAVEATS):
                text = f"{t['name']} = {t['value']} {t['unit']}: {t['note']}"
                if text not in found:
                    found.append(text)
            stack.extend(v for v in reversed(x.values()) if isinstance(v, (dict, list)))
        elif isinstance(x, list):
            stack.extend(v for v in reversed(x) if isinstance(v, (dict, list)))
    return found
