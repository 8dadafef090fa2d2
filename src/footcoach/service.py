"""The use cases the interfaces share: validate a state, assess it, render the assessment, and keep a
runner's record (storage asked to record, the engine asked to assess, in one transaction).

The interfaces (CLI, web) call these; storage never calls the engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from footcoach.contract.errors import InputError, describe
from footcoach.contract.state import State

if TYPE_CHECKING:
    import sqlite3

    from footcoach.contract.assessment import Assessment
    from footcoach.inference.engine import RuleBase
    from footcoach.knowledge.base import Knowledge
    from footcoach.planning.catalogue import Catalogue
    from footcoach.triage.answers import TriageResult
    from footcoach.triage.spec import Questionnaire

DbPath = str | os.PathLike[str] | None
T = TypeVar("T")


def load_state(data: Any, knowledge: Knowledge | None = None) -> State:
    """Validate a parsed JSON/YAML document as a runner's state against a knowledge base (default:
    the shipped one: its red flags, ranges and limits); raise InputError listing every problem."""
    if not isinstance(data, dict):
        what = f"(document): value {type(data).__name__}: a runner's state must be a mapping; allowed: an object"
        raise InputError([what + " with runner, program, pain, ..."])
    from footcoach.knowledge.base import contract_model

    model = contract_model(State, knowledge)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe(exc, model)) from None


def assess_document_with(data: Any, rules: str | None, knowledge: str | None) -> dict[str, Any]:
    """Validate and assess a parsed document with the rule base of these folders (default: shipped)."""
    from footcoach.inference.engine import rulebase_for
    from footcoach.knowledge.base import KnowledgeError
    from footcoach.rulebook.loader import RuleBaseError

    try:
        rb = rulebase_for(rules, knowledge)
    except (KnowledgeError, RuleBaseError) as exc:
        raise InputError([str(e) for e in exc.errors]) from None
    return record_with(rb, load_state(data, rb.kb))


def assessment_with(rb: RuleBase, state: State) -> Assessment:
    """The typed assessment of one validated state under a rule base, with this week's plan."""
    from footcoach.contract.assessment import Assessment  # the typed model: not built by `assess FILE`

    return Assessment.model_validate(record_with(rb, state))


def record_with(rb: RuleBase, state: State) -> dict[str, Any]:
    """The assessment record (JSON-ready, ``Assessment.record``) of one validated state under a rule
    base, with this week's plan, built without the typed model."""
    from footcoach.inference.explain import assemble_record
    from footcoach.planning.attach import attach_plan_record

    return attach_plan_record(assemble_record(rb, rb.run(state)), state, rb.kb, catalogue_for(rb.kb))


def catalogue_for(kb: Knowledge) -> Catalogue:
    """The exercise catalogue beside a knowledge base (the shipped one is loaded once)."""
    from footcoach.planning.catalogue import catalogue_beside

    return catalogue_beside(kb.folder)


def assessment(state: State) -> Assessment:
    """The typed assessment of one validated state with the shipped rule base."""
    from footcoach.inference.engine import default_rulebase

    return assessment_with(default_rulebase(), state)


def assess(state: State, explain: bool = True) -> dict[str, Any]:
    """Assess one validated state with the shipped rule base; return the JSON-ready assessment
    (the dump of :func:`assessment`).  ``explain=False`` (batch ``--decision-only``, caseload,
    replay): :func:`decision` instead."""
    from footcoach.inference.engine import default_rulebase

    return record_with(default_rulebase(), state) if explain else decision_with(default_rulebase(), state)


def decision_with(rb: RuleBase, state: State) -> dict[str, Any]:
    """The decision only: the assessment record's action, phase, recommendations, superseded,
    rules_version and disclaimer, the same values in the same order, without building the
    explanations (why-not, what blocks progress, notes, trace) or this week's plan."""
    from footcoach.inference.explain import concluded, decide

    run = rb.run(state)
    out = decide(rb, run)
    if any(r["kind"] == "reintroduce" for r in out["recommendations"]):
        # A stall's recommendation names the exercises this week's plan brings back (the plan is
        # built for that, and dropped; no explanation is).
        from footcoach.planning.attach import plan_for

        flags = concluded(run, "red_flag")
        out["recommendations"] = plan_for(out, flags, state, rb.kb, catalogue_for(rb.kb))[1]
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
    rb: RuleBase | None = None,
) -> TriageResult:
    """Assess triage answers against the questionnaire's knowledge base with ``rb`` (default: the shipped
    rules; ``known``: a stored runner's record); InputError naming the questions when no state is valid."""
    from footcoach.triage.answers import TriageResult, triage_state

    prepared = triage_state(questionnaire, answers, runner_id, known)
    state = load_state(prepared.state, questionnaire.knowledge)
    assessed = assess(state) if rb is None else record_with(rb, state)
    return TriageResult(prepared.state, assessed, prepared.red_flags, prepared.assumed)


def report_data(db_path: str | None, runner_id: str, generated_at: str | None = None) -> dict[str, Any]:
    """Everything the progress report shows for a stored runner: the record (diary, current-report
    rows, assessments with overrides), the assessment of the record as it is now (not stored; None
    without a current report) and the override standing on it, the rule base's phase gates and version.  InputError for an unknown runner."""
    from datetime import UTC, datetime

    from footcoach.inference.engine import default_rulebase
    from footcoach.render.report_charts import gates_from_rules
    from footcoach.storage.audit import get_assessment, list_changes
    from footcoach.storage.caseload import progress_data
    from footcoach.storage.errors import Conflict

    data = read(db_path, progress_data, runner_id)
    data["current"], data["current_override"] = None, None
    try:
        state: dict[str, Any] | None = export_state(db_path, runner_id)
    except Conflict:
        state = None
    if state is not None:
        data["current"] = assess_document(state)
        if data["assessments"]:
            latest = read(db_path, get_assessment, data["assessments"][-1]["id"])
            # An override stands while the record is what the physiotherapist overrode.
            if latest["input"] == state and latest["overrides"]:
                data["current_override"] = latest["overrides"][-1]
    data["phase_log"] = [
        {
            "created_at": c["created_at"],
            "to_phase": (c["new"] or {}).get("phase"),
            "reason": c["reason"],
            "author": c["author"],
        }
        for c in read(db_path, list_changes, runner_id)
        if c["kind"].startswith("phase.")
    ]
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


# ---- the runner's record: storage through the service ---------------------------------------
# Every change to a runner's record re-assesses that runner in the same transaction and stores the
# assessment as caused by the change, so the caseload is never older than the record.  Looking
# (assess_runner, record_triage) stores nothing new unless the input or the rule base changed.


@contextmanager
def _changing(db_path: DbPath) -> Iterator[sqlite3.Connection]:
    from footcoach.storage.connection import opened, transaction

    with opened(db_path) as conn, transaction(conn):
        yield conn


def _reading(db_path: DbPath) -> AbstractContextManager[sqlite3.Connection]:
    from footcoach.storage.connection import opened

    return opened(db_path, create=False)


def _after_change(conn: sqlite3.Connection, runner_id: str, kind: str, **change: Any) -> dict[str, Any]:
    """Log the change, then re-assess the runner (when it has a current report) as caused by it."""
    from footcoach.storage import audit, records

    change_id = audit.record_change(conn, runner_id, kind, **change)
    document = records.state_document(conn, runner_id)
    if document is None:
        return {"change_id": change_id, "assessment_id": None, "action": None}
    assessment = assess(load_state(document))
    cause = audit.Cause("change", change_id)
    assessment_id = audit.save_assessment(conn, runner_id, document, assessment, rulebase_version(), cause)
    return {"change_id": change_id, "assessment_id": assessment_id, "action": assessment.get("action")}


def add_runner(
    db_path: DbPath, runner_id: str, age: int, sex: str | None = None, experience: str | None = None
) -> dict[str, Any]:
    """Add a runner profile; return it (the contract's ``runner`` object)."""
    from footcoach.storage import runners

    with _changing(db_path) as conn:
        profile = runners.add_runner(conn, runner_id, age, sex, experience)
        _after_change(conn, runner_id, "runner.add", new=profile)
    return profile


def edit_runner(db_path: DbPath, runner_id: str, changes: dict[str, Any], author: str | None = None) -> dict[str, Any]:
    """Change profile fields; the old profile goes to the change log.  Returns old, new and the outcome."""
    from footcoach.storage import runners

    with _changing(db_path) as conn:
        old, new = runners.edit_runner(conn, runner_id, changes)
        done = _after_change(conn, runner_id, "runner.edit", old=old, new=new, author=author)
    return {"runner": runner_id, "old": old, "new": new, **done}


def delete_runner(
    db_path: DbPath, runner_id: str, reason: str, author: str | None = None, *, erase: bool = False
) -> dict[str, Any]:
    """Delete a runner: refused while assessments exist unless ``erase``; every row of health data goes
    and a tombstone (who, when, why) stays."""
    from footcoach.storage import audit

    with _changing(db_path) as conn:
        tombstone = audit.erase_runner(conn, runner_id, reason, author, erase=erase)
    return {"runner": runner_id, "tombstone": tombstone}


def add_diary_entry(
    db_path: DbPath,
    runner_id: str,
    entry: dict[str, Any],
    report: dict[str, Any] | None = None,
    *,
    replace: bool = False,
    author: str | None = None,
) -> dict[str, Any]:
    """Add one week to the diary (and the current report, see :func:`footcoach.storage.diary.add_entry`),
    then re-assess.  Returns the storage result with ``change_id``, ``assessment_id`` and ``action``."""
    from footcoach.storage import diary

    with _changing(db_path) as conn:
        result = diary.add_entry(conn, runner_id, entry, report, replace=replace)
        new = {"entry": result["entry"], "report": report or {}}
        old = None if result["replaced"] is None else {"entry": result["replaced"]}
        kind = "diary.replace" if old else "diary.add"
        result |= _after_change(conn, runner_id, kind, week=result["entry"]["week"], old=old, new=new, author=author)
    return result


def edit_diary_entry(
    db_path: DbPath,
    runner_id: str,
    week: int,
    entry: dict[str, Any],
    report: dict[str, Any] | None = None,
    *,
    reason: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    """Correct a diary week (and the current report when it is that week's); old values to the change log."""
    from footcoach.storage import diary

    with _changing(db_path) as conn:
        old, new = diary.edit_entry(conn, runner_id, week, entry, report)
        done = _after_change(conn, runner_id, "diary.edit", week=week, old=old, new=new, reason=reason, author=author)
    return {"runner": runner_id, "week": week, "old": old, "new": new, **done}


def delete_diary_entry(
    db_path: DbPath, runner_id: str, week: int, reason: str, author: str | None = None
) -> dict[str, Any]:
    """Delete a diary week (with the report rows it made); the deleted values go to the change log."""
    from footcoach.storage import diary

    if not reason or not reason.strip():
        raise InputError(['reason: value "": empty; allowed: a sentence saying why'])
    with _changing(db_path) as conn:
        old = diary.delete_entry(conn, runner_id, week)
        done = _after_change(conn, runner_id, "diary.delete", week=week, old=old, reason=reason, author=author)
    return {"runner": runner_id, "week": week, "old": old, **done}


def import_state(
    db_path: DbPath,
    runner_id: str,
    document: Any,
    *,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Store a state document as runner ``runner_id`` (all or nothing), then assess it."""
    from footcoach.storage import diary

    if not str(runner_id).strip():
        raise InputError([f"runner.id: value {json.dumps(runner_id)}: blank; allowed: a non-blank runner id"])
    state = load_state(document)
    with _changing(db_path) as conn:
        result = diary.import_state(conn, runner_id, state, replace=replace, progress=progress)
        new = {"entries": result["entries"], "report_week": result["report_week"]}
        result |= _after_change(conn, runner_id, "diary.import", old=result.pop("old"), new=new)
    return result


def set_phase(
    db_path: DbPath,
    runner_id: str,
    phase: int | None = None,
    *,
    reason: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    """Record a phase change.  ``phase`` None accepts the latest decision's next phase (a progress or
    regress decision not overridden to another action); a phase given needs a reason."""
    from footcoach.storage import audit, diary
    from footcoach.storage.errors import Conflict

    with _changing(db_path) as conn:
        latest = audit.latest_assessment(conn, runner_id)
        kind = "phase.set"
        if phase is None:
            phase, kind = _phase_to_accept(runner_id, latest), "phase.accept"
            reason = reason or f"accepted the decision of assessment #{latest['id']}" if latest else reason
        elif not reason or not reason.strip():
            raise InputError(['reason: value "": empty; allowed: a sentence saying why the phase is set'])
        old, new = diary.set_phase(conn, runner_id, phase)
        if old.get("phase") == new.get("phase"):
            raise Conflict("phase", phase, f"runner {runner_id} is already in it", allowed="another phase")
        done = _after_change(conn, runner_id, kind, old=old, new=new, reason=reason, author=author)
    return {"runner": runner_id, "old": old, "new": new, **done}


def _phase_to_accept(runner_id: str, latest: dict[str, Any] | None) -> int:
    from footcoach.storage.errors import Conflict

    if latest is None:
        raise Conflict("runner", runner_id, "has no assessment to accept", allowed="a runner with one")
    action, phase = latest["effective_action"], latest["phase"]
    if latest["action"] not in ("progress", "regress") or action != latest["action"] or phase["next"] is None:
        raise Conflict(
            "assessment",
            latest["id"],
            f"the latest decision is {action}, which does not change the phase",
            allowed="a progress or regress decision to accept, or setting a phase with a reason",
        )
    if phase["next"] == phase["current"]:
        raise Conflict("assessment", latest["id"], "its next phase is the current one", allowed="another decision")
    return int(phase["next"])


def _look(conn: sqlite3.Connection, runner_id: str, document: dict[str, Any], record: bool) -> tuple[bool, str]:
    """Whether looking at ``document`` should be recorded, and why (or why not)."""
    from footcoach.storage import audit
    from footcoach.storage.schema import canonical, input_hash

    latest = audit.latest_key(conn, runner_id)
    if latest is None:
        return True, "no assessment on record yet"
    if latest["rulebase_version"] != rulebase_version():
        return True, f"the rule base changed since assessment #{latest['id']} ({latest['rulebase_version']})"
    if latest["input_hash"] != input_hash(canonical(document)):
        return True, f"the input differs from assessment #{latest['id']}"
    if record:
        return True, f"recorded on request; input and rule base are those of assessment #{latest['id']}"
    return False, f"input and rule base unchanged since assessment #{latest['id']}"


def _store_look(
    db_path: DbPath, runner_id: str, document: dict[str, Any], assessment: dict[str, Any], source: str, record: bool
) -> dict[str, Any]:
    from footcoach.storage import audit, records

    with _changing(db_path) as conn:
        records.require_runner(conn, runner_id)
        store, why = _look(conn, runner_id, document, record)
        saved = None
        if store:
            cause = audit.Cause(source)
            saved = audit.save_assessment(conn, runner_id, document, assessment, rulebase_version(), cause)
    return {"recorded": store, "assessment_id": saved, "reason": why}


def assess_runner(db_path: DbPath, runner_id: str, *, record: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Assess a stored runner (the state ``export_state`` gives).  Returns the assessment and what was
    done with it: ``{"recorded", "assessment_id", "reason"}`` (recorded only when the input or the rule
    base changed since the latest record, or ``record``)."""
    document = export_state(db_path, runner_id)
    assessment = assess(load_state(document))
    return assessment, _store_look(db_path, runner_id, document, assessment, "assess", record)


def record_triage(
    db_path: DbPath, runner_id: str, state_doc: dict[str, Any], assessment: dict[str, Any], *, record: bool = False
) -> dict[str, Any]:
    """Store a triage assessment for a stored runner, unless input and rule base are unchanged since its
    latest assessment (``record`` stores it anyway)."""
    return _store_look(db_path, runner_id, state_doc, assessment, "triage", record)


def export_state(db_path: DbPath, runner_id: str) -> dict[str, Any]:
    """The runner's stored records as a contract state document."""
    from footcoach.storage import records
    from footcoach.storage.diary import REQUIRED_FOR_REPORT
    from footcoach.storage.errors import Conflict

    with _reading(db_path) as conn:
        document = records.state_document(conn, runner_id)
    if document is None:
        raise Conflict(
            "runner",
            runner_id,
            "no current report yet (program and pain)",
            allowed="a runner with one: import a state document, or record " + ", ".join(REQUIRED_FOR_REPORT),
        )
    return document


def read(db_path: DbPath, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a storage reader ``fn(conn, *args, **kwargs)`` on the database without creating it."""
    with _reading(db_path) as conn:
        return fn(conn, *args, **kwargs)


def write(db_path: DbPath, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a storage writer that is not a change to a runner's record (an override) in one transaction."""
    with _changing(db_path) as conn:
        return fn(conn, *args, **kwargs)
