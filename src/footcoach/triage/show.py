"""``footcoach questionnaire show``: the questions in asking order, for people and for programs."""

from __future__ import annotations

from typing import Any

from footcoach.triage.resolve import answer_text
from footcoach.triage.spec import Questionnaire, WhenSpec


def _condition_json(when: WhenSpec | None) -> dict[str, Any] | None:
    return None if when is None else {"question": when.question, "equals": when.equals}


def show_json(q: Questionnaire) -> list[dict[str, Any]]:
    """The questions in asking order: id, text, type, allowed answers, maps_to, condition, ..."""
    out = []
    for question in q.questions:
        rec: dict[str, Any] = {
            "id": question.id,
            "text": question.text,
            "type": question.type,
            "allowed": question.allowed.as_json(),
            "maps_to": question.maps_to,
            "condition": _condition_json(question.when),
            "why": question.why,
            "decisions": list(question.decisions),
        }
        if question.labels:
            rec["allowed"]["labels"] = dict(question.labels)
        if question.red_flag:
            rec["red_flag"] = question.red_flag
        if question.intro:
            rec["intro"] = question.intro
        if question.code:
            rec["code"] = question.code.model_dump()
        if question.sets:
            rec["sets"] = {("yes" if k else "no"): v for k, v in question.sets.items()}
        if question.default is not None:
            rec["default"] = question.default
        if question.type == "group":
            rec["item"] = question.item
            rec["fields"] = [
                {"id": f.id, "text": f.text, "type": f.type, "maps_to": f.maps_to, "allowed": f.allowed.as_json()}
                for f in question.fields
            ]
        out.append(rec)
    return out


def show_text(q: Questionnaire) -> str:
    """The questionnaire for people: each question with what it allows, fills and when it is asked."""
    lines = [f"{q.title} (version {q.version}, {len(q.questions)} questions)", ""]
    for n, question in enumerate(q.questions, 1):
        lines.append(f"{n:>2}. [{question.id}] {question.text}")
        if question.intro:
            lines.append(f"      explained first: {question.intro}")
        lines.append(f"      allowed: {question.describe()}" + ("" if question.required else " (optional)"))
        if question.maps_to:
            lines.append(f"      fills: {question.maps_to}")
        if question.sets:
            lines.append(
                "      fills: "
                + "; ".join(
                    f"if {'yes' if k else 'no'}: " + ", ".join(f"{t} = {v}" for t, v in vals.items())
                    for k, vals in question.sets.items()
                )
            )
        if question.when:
            lines.append(f"      asked when: {question.when.question} is {answer_text(question.when.equals)}")
        lines.append(f"      why: {question.why}")
        for f in question.fields:
            lines.append(
                f"      - {f.id}: {f.text} ({f.allowed.describe()}"
                + ("" if f.allowed.required else ", optional")
                + f") -> {f.maps_to}"
            )
    if q.not_asked:
        lines.append("")
        lines.append("Not asked:")
        for path, why in q.not_asked.items():
            lines.append(f"  {path}: {why}")
    return "\n".join(lines) + "\n"
