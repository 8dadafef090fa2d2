"""One rule base seen from governance: validate a document, decide, explain, and read its knowledge."""

from __future__ import annotations

from typing import Any

from footcoach import service


def decision_of(assessment: dict[str, Any]) -> dict[str, Any]:
    """The decision part of an assessment: action and next phase."""
    return {"action": assessment["action"], "next_phase": assessment["phase"]["next"]}


class Assessor:
    """Assessments of state documents under one rule base (the shipped one by default)."""

    def __init__(self, rules: str | None = None, knowledge: str | None = None):
        from footcoach.inference.engine import rulebase_for

        self.folders = (rules, knowledge)  # a worker process builds the same rule base from these
        self.rulebase = rulebase_for(rules, knowledge)
        self.kb = self.rulebase.kb

    def state(self, doc: Any) -> Any:
        return service.load_state(doc)

    def full(self, doc: Any) -> dict[str, Any]:
        """The whole assessment of a document (raises InputError on bad input)."""
        return service.assessment_with(self.rulebase, self.state(doc)).record()

    def decide_recs(self, doc: Any) -> dict[str, Any]:
        """Action, phase and recommendations on the decision-only path (no why-not, trace or plan)."""
        return service.decision_with(self.rulebase, self.state(doc))

    def decide(self, doc: Any) -> dict[str, Any]:
        """Action and next phase only (the cheapest path the engine offers)."""
        result = self.decide_recs(doc)
        return {"action": result["action"], "phase": result["phase"]}

    def knowledge_values(self, unit: str, age: int | None, sex: str | None) -> list[float]:
        """Every threshold and norm (resolved for this age and sex) in ``unit``."""
        out = [float(t.value) for t in self.kb.thresholds.values() if t.unit == unit]
        if age is not None:
            for name, norm in self.kb.norms.items():
                if norm.unit == unit:
                    out.append(float(self.kb.resolve(name, age, sex).value))
        return out

    def failing_conditions(self, doc: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The assessment and the leaf conditions that keep the runner from progressing."""
        full = self.full(doc)
        leaves: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if item.get("because"):
                    for sub in item["because"]:
                        walk(sub.get("failing", []))
                else:
                    leaves.append(item)

        for rule in full.get("progress_blocked_by", {}).get("rules", []):
            walk(rule.get("failing", []))
        return full, leaves

    def blockers_not_measured(self, doc: Any) -> list[str]:
        """What blocks progress that no test value can change (pain, weeks in phase, a referral ...)."""
        full, leaves = self.failing_conditions(doc)
        out: list[str] = []
        for item in leaves:
            name = item.get("fact") or item.get("finding") or ""
            if name.startswith("tests."):
                continue
            words = item.get("label") or name
            if not words:
                continue
            if "value" in item and item.get("threshold"):
                words += f": {item['value']} now, {item['op']} {item['threshold']['value']} needed"
            if words not in out:
                out.append(words)
        if full["action"] in ("refer", "regress"):
            out.insert(0, f"the decision is {full['action']}: progress is not considered until that is resolved")
        return out
