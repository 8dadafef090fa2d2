"""The replay report for a clinic lead: text for the terminal, a self-contained HTML page."""

from __future__ import annotations

from typing import Any

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("footcoach.render", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def _diff_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


def replay_html(report: dict[str, Any], diff: list[str]) -> str:
    """The replay record (``ReplayReport.as_record()``) and the unified diff of the rule files as HTML."""
    lines = [{"kind": _diff_kind(line), "text": line} for line in diff]
    return _ENV.get_template("replay.html.j2").render(r=report, diff_lines=lines)


def replay_text(report: dict[str, Any]) -> str:
    """The replay record as plain text: counts, the summary by change, then each runner."""
    out = [
        f"Replayed {report['inputs']} stored input(s): {report['changed']} would change, "
        f"{report['unchanged']} would not"
        + (f", {len(report['errors'])} could not be assessed." if report["errors"] else "."),
        "Nothing was written to the record.",
    ]
    if report["knowledge_changed"]:
        out += ["", "Knowledge values changed:"]
        out += [f"  {k['name']}: {k['old']} -> {k['new']}" for k in report["knowledge_changed"]]
    rules = report["rules_changed"]
    for kind in ("added", "removed", "changed"):
        if rules.get(kind):
            out.append(f"Rules {kind}: {', '.join(rules[kind])}")
    out += ["", "Summary by change:"]
    if not report["summary"]:
        out.append("  no runner's decision or advice would change")
    for row in report["summary"]:
        out.append(f"  {row['change']}: {row['runners']} runner(s) ({', '.join(row['runner_ids'])})")
    for c in report["runners"]:
        out += [
            "",
            f"{c['runner']}: {c['old']['action']} (phase {c['old']['next_phase']}) -> "
            f"{c['new']['action']} (phase {c['new']['next_phase']})",
        ]
        out += [f"  + {a['kind']} ({a['rule']})" for a in c["recommendations_added"]]
        out += [f"  - {a['kind']} ({a['rule']})" for a in c["recommendations_removed"]]
        why = c["caused_by_rules"] or c["rules_now_firing"] + c["rules_no_longer_firing"]
        if why:
            out.append(f"  because: {', '.join(why)}")
        out += [f"  {k['name']}: {k['old']} -> {k['new']}" for k in c["knowledge_changed"]]
    for e in report["errors"]:
        out.append(f"could not assess {e['runner']} (assessment {e['assessment_id']}): {'; '.join(e['problems'])}")
    return "\n".join(out) + "\n"
