"""Knowledge passed in, not imported: the contract reads no file, and a state is checked against the
knowledge base it is given (its red flags, phases, scale tops, contract ranges and limits)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from pydantic import ValidationError

from footcoach.contract.state import DiaryEntry, Pain, State, UnboundModelError, bound_model, state_json_schema
from footcoach.knowledge.base import KnowledgeError, default_knowledge, load_knowledge

SHIPPED = default_knowledge().state_bounds

DOC = {
    "runner": {"age": 30},
    "program": {"phase": 1, "weeks_in_phase": 3},
    "pain": {"during": 1, "after": 1, "morning": 1, "settled_next_morning": True},
}

_NO_FILE_READ = textwrap.dedent(
    """
    import json, sys
    opened = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and not args[0].endswith((".py", ".pyc", ".pth")):
            opened.append(args[0])
    sys.addaudithook(hook)
    import footcoach.contract, footcoach.contract.state, footcoach.contract.assessment, footcoach.contract.errors
    loaded = sorted(m for m in sys.modules if m.startswith("footcoach.knowledge"))
    print(json.dumps({"opened": [p for p in opened if "/lib/python" not in p], "loaded": loaded}))
    """
)


def test_importing_the_contract_reads_no_file():
    """Every file opened while importing the contract package (Python sources aside) is listed: none,
    and no knowledge module is imported."""
    out = subprocess.run([sys.executable, "-c", _NO_FILE_READ], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen == {"opened": [], "loaded": []}, seen


def test_the_no_file_check_sees_a_knowledge_file_being_read():
    """The audit hook above does see a YAML file opened (so the test above can fail)."""
    probe = _NO_FILE_READ.replace(
        "import footcoach.contract,",
        "import footcoach.knowledge.base as kb; kb.default_knowledge(); import footcoach.contract,",
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert any(p.endswith("red_flags.yaml") for p in seen["opened"]) and "footcoach.knowledge.base" in seen["loaded"]


def test_a_bare_contract_model_refuses_to_validate_without_a_knowledge_base():
    with pytest.raises(UnboundModelError, match="bound_model"):
        State.model_validate(DOC)


def test_red_flags_phases_and_scales_come_from_the_knowledge_base_given():
    wider = replace(SHIPPED, red_flags=(*SHIPPED.red_flags, "foot_drop"), phase_max=SHIPPED.phase_max + 1)
    doc = {**DOC, "program": {"phase": SHIPPED.phase_max + 1, "weeks_in_phase": 0}, "red_flags": ["foot_drop"]}
    state = bound_model(State, wider).model_validate(doc)
    assert state.red_flags == ["foot_drop"] and state.program.phase == SHIPPED.phase_max + 1
    assert isinstance(state, State)
    with pytest.raises(ValidationError) as exc:
        bound_model(State, SHIPPED).model_validate(doc)
    assert {e["loc"] for e in exc.value.errors()} == {("program", "phase"), ("red_flags",)}
    softer = replace(SHIPPED, nrs_max=SHIPPED.nrs_max * 2)
    high = {"during": SHIPPED.nrs_max + 1, "after": 0, "morning": 0, "settled_next_morning": True}
    assert bound_model(Pain, softer).model_validate(high).during == SHIPPED.nrs_max + 1
    with pytest.raises(ValidationError, match=f"less than or equal to {SHIPPED.nrs_max}"):
        bound_model(Pain, SHIPPED).model_validate(high)
    # Nested models are the same knowledge base's: a diary entry inside a state and on its own.
    entry = {"week": 1, "pain_morning": SHIPPED.nrs_max + 1}
    assert bound_model(DiaryEntry, softer).model_validate(entry).pain_morning == SHIPPED.nrs_max + 1
    assert bound_model(State, softer).model_validate({**DOC, "history": [entry]}).history[0].pain_morning


def test_the_schema_follows_the_knowledge_base(root):
    assert state_json_schema(SHIPPED) == json.loads((root / "schema" / "state.schema.json").read_text())
    softer = state_json_schema(replace(SHIPPED, nrs_max=SHIPPED.nrs_max * 2, phase_max=SHIPPED.phase_max + 1))
    assert softer["$defs"]["Pain"]["properties"]["during"]["maximum"] == SHIPPED.nrs_max * 2
    assert softer["$defs"]["Program"]["properties"]["phase"]["maximum"] == SHIPPED.phase_max + 1


def _knowledge_copy(root, tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(root / "knowledge", folder)
    return folder


def test_a_knowledge_folder_brings_its_red_flags_phases_and_limits(root, tmp_path):
    folder = _knowledge_copy(root, tmp_path)
    with (folder / "red_flags.yaml").open("a") as f:
        f.write(
            "foot_drop:\n  reported: the foot slaps or drags when you walk\n  suspected: a nerve problem\n"
            "  whom: your GP\n  how_soon: within a few days\n  meanwhile: stop running\n  sources: [tu2011]\n"
        )
    with (folder / "phases.yaml").open("a") as f:
        f.write("6: {name: Return to racing, source: seed-routine}\n")
    (folder / "limits.yaml").write_text(
        (folder / "limits.yaml").read_text().replace("shoes:\n  value: 20", "shoes:\n  value: 1")
    )
    kb = load_knowledge(folder)
    model = kb.contract_model(State)
    doc = {**DOC, "program": {"phase": 6, "weeks_in_phase": 0}, "red_flags": ["foot_drop"]}
    assert model.model_validate(doc).red_flags == ["foot_drop"]
    with pytest.raises(ValidationError, match="more than 1 pairs of shoes"):
        model.model_validate({**doc, "shoes": [{"name": "a"}, {"name": "b"}]})
    with pytest.raises(ValidationError):
        default_knowledge().contract_model(State).model_validate(doc)


def test_phases_are_numbered_without_gaps(root, tmp_path):
    folder = _knowledge_copy(root, tmp_path)
    with (folder / "phases.yaml").open("a") as f:
        f.write("7: {name: Far ahead, source: seed-routine}\n")
    with pytest.raises(KnowledgeError, match="without gaps"):
        load_knowledge(folder)
