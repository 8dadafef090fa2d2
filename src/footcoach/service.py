"""The public entry points: validate a state, assess it, render the assessment.

Other modules (CLI, triage, storage) call only these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from footcoach.contract.assessment import Assessment
from footcoach.contract.errors import InputError, describe
from footcoach.contract.state import State

if TYPE_CHECKING:
    from footcoach.inference.engine import RuleBase
    from footcoach.knowledge.base import Knowledge
    from footcoach.planning.catalogue import Catalogue
    from footcoach.triage.answers import TriageResult
    from footcoach.triage.spec import Questionnaire


def load_state(data: Any) -> State:
    """Validate a parsed JSON/YAML document as a runner's state; raise InputError listing every problem."""
    if not isinstance(data, dict):
        raise InputError(
            [
                f"(document): value {type(data).__name__}: a runner's state must be a mapping; "
                "allowed: an object with runner, program, pain, ..."
            ]
        )
    try:
        return State.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe(exc, State)) from None


def assessment_with(rb: RuleBase, state: State) -> Assessment:
    """The typed assessment of one validated state under a rule base, with this week's plan."""
    from footcoach.planning.attach import attach_plan

    return attach_plan(rb.assess(state), state, rb.kb, catalogue_for(rb.kb))


def catalogue_for(kb: Knowledge) -> Catalogue:
    """The exercise catalogue beside a knowledge base (the shipped one is loaded once)."""
    from footcoach.common.paths import knowledge_dir
    from footcoach.planning.catalogue import load_catalogue

    return load_catalogue(None if kb.folder.resolve() == knowledge_dir().resolve() else kb.folder)


def assessment(state: State) -> Assessment:
    """The typed assessment of one validated state with the shipped rule base."""
    from footcoach.inference.engine import default_rulebase

    return assessment_with(default_rulebase(), state)


def assess(state: State, explain: bool = True) -> dict[str, Any]:
    """Assess one validated state with the shipped rule base; return the JSON-ready assessment
    (the dump of :func:`assessment`).  ``explain=False`` (batch ``--decision-only``, caseload,
    replay): :func:`decision` instead."""
    if not explain:
        from footcoach.inference.engine import default_rulebase

        return decision_with(default_rulebase(), state)
    return assessment(state).record()


def decision_with(rb: RuleBase, state: State) -> dict[str, Any]:
    """The decision only: the assessment record's action, phase, recommendations, superseded,
    rules_version and disclaimer, the same values in the same order, without building the
    explanations (why-not, what blocks progress, notes, trace) or this week's plan."""
    from footcoach.inference.explain import DECISION_KEYS, assemble, decide

    run = rb.run(state)
    out = decide(rb, run)
    if any(r["kind"] == "reintroduce" for r in out["recommendations"]):
        # A stall's recommendation names the exercises this week's plan brings back.
        from footcoach.planning.attach import attach_plan

        full = attach_plan(assemble(rb, run), state, rb.kb, catalogue_for(rb.kb)).record()
        out = {k: v for k, v in full.items() if k in DECISION_KEYS}
    return out


def assess_document(data: Any, explain: bool = True) -> dict[str, Any]:
    """Validate then assess a parsed document (raises InputError on bad input)."""
    return assess(load_state(data), explain)


def rulebase_version() -> str:
    """A short hash of the shipped rules and knowledge (stored with every assessment)."""
    from footcoach.inference.engine import default_rulebase

    return default_rulebase().version


def render_text(
    assessment: dict[str, Any],
    audience: str = "physio",
    *,
    width: int | None = None,
    plan: bool = True,
    trace: bool | None = None,
) -> str:
    """Readable text of an assessment, for a physiotherapist ("physio") or a runner ("runner").

    ``width`` defaults to the terminal's; ``plan`` and ``trace`` choose the optional parts (the
    trace by default for the physiotherapist only)."""
    from footcoach.common.wrapping import terminal_width
    from footcoach.render.text import render_text as _render

    return _render(assessment, audience, width=terminal_width() if width is None else width, plan=plan, trace=trace)


def assess_triage(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    runner_id: str | None = None,
    known: dict[str, Any] | None = None,
) -> TriageResult:
    """Assess complete triage answers (a session's or a checked answers file's); return a TriageResult.

    ``known`` is what is on record for a stored runner (``runner``, ``program``, ``history``).
    Raises InputError when the answers do not make a valid state (the problems name the questions)."""
    from footcoach.triage.answers import TriageResult, triage_state

    prepared = triage_state(questionnaire, answers, runner_id, known)
    return TriageResult(prepared.state, assess(load_state(prepared.state)), prepared.red_flags, prepared.assumed)


def report_data(db_path: str | None, runner_id: str, generated_at: str | None = None) -> dict[str, Any]:
    """Everything the progress report shows for a stored runner: the record (diary, current-report
    rows, assessments with overrides), the assessment of the record as it is now (not stored; None
    without a current report) and the override standing on it, the rule base's phase gates and version.  InputError for an unknown runner."""
    from datetime import UTC, datetime

    from footcoach.inference.engine import default_rulebase
    from footcoach.render.report_charts import gates_from_rules
    from footcoach.storage import store

    data = store.progress_data(db_path, runner_id)
    data["current"], data["current_override"] = None, None
    try:
        state = store.export_state(db_path, runner_id)
    except InputError:
        state = None
    if state is not None:
        data["current"] = assess_document(state)
        if data["assessments"]:
            latest = store.get_assessment(db_path, data["assessments"][-1]["id"])
            # An override stands while the record is what the physiotherapist overrode.
            if latest["input"] == state and latest["overrides"]:
                data["current_override"] = latest["overrides"][-1]
    rulebase = default_rulebase()
    data["gates"] = gates_from_rules(rulebase.rules.rules.values())
    data["rules_version"] = rulebase.version
    data["generated_at"] = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    return data


def report_html(db_path: str | None, runner_id: str, generated_at: str | None = None) -> str:
    """The progress report of a stored runner as one self-contained HTML page."""
    from footcoach.knowledge.base import default_knowledge
    from footcoach.render.report import render_report

    return render_report(report_data(db_path, runner_id, generated_at), default_knowledge())


def plan_page_html(assessment: dict[str, Any], document: Any, generated_at: str | None = None) -> str:
    """This week's plan of an assessment (of ``document``) as one printable HTML page."""
    from datetime import UTC, datetime

    from footcoach.knowledge.base import default_knowledge
    from footcoach.render.plan_html import render_plan

    runner = document.get("runner") if isinstance(document, dict) else None
    runner_id = runner.get("id") if isinstance(runner, dict) else None
    when = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    return render_plan(assessment, default_knowledge(), runner_id, when)


def plan_html(document: Any, generated_at: str | None = None) -> str:
    """This week's plan of a state document as one printable HTML page (InputError on bad input)."""
    return plan_page_html(assess_document(document), document, generated_at)
