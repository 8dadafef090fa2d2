"""`footcoach rules check` passes the shipped rules and refuses broken copies with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from footcoach.cli import main


@pytest.fixture
def copy(tmp_path, root):
    rules = tmp_path / "rules"
    knowledge = tmp_path / "knowledge"
    shutil.copytree(root / "rules", rules)
    shutil.copytree(root / "knowledge", knowledge)
    return rules, knowledge


def check(rules: Path, knowledge: Path):
    return CliRunner().invoke(main, ["rules", "check", "--rules", str(rules), "--knowledge", str(knowledge)])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_shipped_rules_pass():
    r = CliRunner().invoke(main, ["rules", "check"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("ok: ")


def test_unchanged_copy_passes(copy):
    r = check(*copy)
    assert r.exit_code == 0, r.output


def test_yaml_syntax_error_has_file_and_line(copy):
    rules, kb = copy
    p = rules / "pain" / "pain-amber.yaml"
    edit(p, "family: pain", "family: [pain")
    r = check(rules, kb)
    assert r.exit_code == 1
    assert f"{p}:" in r.stdout and "YAML syntax error" in r.stdout


def test_unknown_key_with_did_you_mean(copy):
    rules, kb = copy
    p = rules / "pain" / "pain-amber.yaml"
    edit(p, "sources:", "sorces:")
    r = check(rules, kb)
    assert r.exit_code == 1
    assert f"{p}:" in r.stdout and "unknown key 'sorces'" in r.stdout and "did you mean 'sources'" in r.stdout


def test_unknown_fact_with_did_you_mean_and_line(copy):
    rules, kb = copy
    p = rules / "pain" / "pain-amber.yaml"
    edit(p, "fact: pain.worst", "fact: pain.worse")
    r = check(rules, kb)
    line = next(i for i, text in enumerate(p.read_text().splitlines(), 1) if "pain.worse" in text)
    assert f"{p}:{line}: when[0].fact: unknown fact 'pain.worse' (did you mean 'pain.worst'?)" in r.stdout


def test_unknown_knowledge_name(copy):
    rules, kb = copy
    p = rules / "progression" / "gate-p2-hop.yaml"
    edit(p, "value: hop.pain_max", "value: hop.pain_maxx")
    r = check(rules, kb)
    assert "unknown knowledge name 'hop.pain_maxx' (did you mean 'hop.pain_max'?)" in r.stdout


def test_duplicate_rule_id(copy):
    rules, kb = copy
    shutil.copy(rules / "pain" / "pain-amber.yaml", rules / "load" / "pain-amber.yaml")
    r = check(rules, kb)
    assert r.exit_code == 1 and "duplicate rule id 'pain-amber'" in r.stdout


def test_overlapping_pain_bands_name_both_files(copy):
    rules, kb = copy
    # amber starts at 3 instead of above 3: 3/10 is then both green and amber.
    edit(rules / "pain" / "pain-amber.yaml", 'op: ">"\n    value: pain.safe_max', 'op: ">="\n    value: pain.safe_max')
    r = check(rules, kb)
    assert r.exit_code == 1
    line = next(x for x in r.stdout.splitlines() if "overlaps" in x)
    assert "pain-amber.yaml" in line and "pain-green.yaml" in line and "pain.worst = 3" in line


def test_gapped_pain_bands(copy):
    rules, kb = copy
    edit(rules / "pain" / "pain-green.yaml", 'op: "<="\n    value: pain.safe_max', 'op: "<"\n    value: pain.safe_max')
    r = check(rules, kb)
    assert r.exit_code == 1 and "no band covers pain.worst = 3" in r.stdout


def test_failing_case_is_reported(copy):
    rules, kb = copy
    edit(kb / "thresholds.yaml", "value: 800", "value: 900")
    r = check(rules, kb)
    assert r.exit_code == 1
    assert "shoe-replace-worn.yaml: case km-800 (fires): rule did not fire" in r.stdout


def test_value_outside_declared_range(copy):
    rules, kb = copy
    edit(kb / "thresholds.yaml", "value: 1.10", "value: 3.5")
    r = check(rules, kb)
    assert r.exit_code == 1
    assert "thresholds.yaml" in r.stdout and "outside its declared range" in r.stdout


def test_unused_knowledge_value(copy):
    rules, kb = copy
    with (kb / "thresholds.yaml").open("a") as f:
        f.write(
            "extra:\n  never_used:\n    value: 7\n    unit: s\n    source: springer2007\n"
            "    range: [0, 10]\n    description: nobody reads this\n"
        )
    r = check(rules, kb)
    assert r.exit_code == 1 and "knowledge value 'extra.never_used' is used by no rule" in r.stdout


def test_rule_without_negative_cases(copy):
    rules, kb = copy
    p = rules / "load" / "load-weekly-spike.yaml"
    text = p.read_text()
    p.write_text(text[: text.index("  does_not_fire:")])
    r = check(rules, kb)
    assert r.exit_code == 1 and "cases.does_not_fire" in r.stdout and "load-weekly-spike.yaml:" in r.stdout


def test_finding_nobody_concludes(copy):
    rules, kb = copy
    edit(rules / "pain" / "regress-red-pain.yaml", "value: red", "value: crimson")
    r = check(rules, kb)
    assert "finding 'pain_band = crimson' is concluded by no rule" in r.stdout


def test_bad_rule_never_reaches_engine(copy):
    from footcoach.knowledge.base import load_knowledge
    from footcoach.rulebook.loader import RuleBaseError, load_rules

    rules, kb = copy
    edit(rules / "pain" / "pain-amber.yaml", 'op: "<="', 'op: "=<"')
    with pytest.raises(RuleBaseError) as exc:
        load_rules(rules, load_knowledge(kb))
    assert "pain-amber.yaml" in str(exc.value)


def test_rules_list_show_doc(root):
    r = CliRunner().invoke(main, ["rules", "list"])
    assert r.exit_code == 0 and "pain-red-band" in r.stdout and "refer-red-flag" in r.stdout
    r = CliRunner().invoke(main, ["rules", "show", "gate-p2-balance-eyes-closed"])
    assert r.exit_code == 0
    assert "balance.eyes_closed_norm" in r.stdout and "Springer" in r.stdout and "F 13.5 / M 12" in r.stdout
    r = CliRunner().invoke(main, ["rules", "show", "pain-ambr"])
    assert r.exit_code == 2 and "did you mean 'pain-amber'" in r.stderr


def test_committed_rulebook_is_current(root):
    from footcoach.cli.rules import rulebook_markdown
    from footcoach.inference.engine import default_rulebase

    committed = (root / "docs" / "rulebook.md").read_text()
    assert committed == rulebook_markdown(default_rulebase()), (
        "docs/rulebook.md is stale: run `footcoach rules doc --out docs/rulebook.md`"
    )


def test_every_rule_fires_in_some_case():
    r = CliRunner().invoke(main, ["rules", "coverage", "--format", "json"])
    assert r.exit_code == 0, r.output


def test_unknown_placeholder_in_a_sentence_is_refused_with_file_line_and_did_you_mean(copy):
    rules, knowledge = copy
    path = rules / "pain" / "regress-red-pain.yaml"
    edit(path, "{f.program.previous_phase}", "{f.program.previous_phse}")
    r = check(rules, knowledge)
    assert r.exit_code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("physio:"))
    assert f"{path}:{line}: physio: unknown placeholder {{f.program.previous_phse}}" in r.stdout
    assert "(did you mean 'f.program.previous_phase'?)" in r.stdout


def test_positional_placeholder_is_refused_and_never_reaches_an_assessment(copy):
    rules, knowledge = copy
    path = rules / "load" / "load-weekly-spike.yaml"
    edit(path, "{limit.running.weekly_km:.1f}", "{t.3}")
    r = check(rules, knowledge)
    assert r.exit_code == 1
    assert "unknown placeholder {t.3}; positional placeholders are gone" in r.stdout
    # assess with the same rules refuses the rule base instead of crashing mid-assessment
    from footcoach.knowledge.base import load_knowledge
    from footcoach.rulebook.loader import RuleBaseError, load_rules

    with pytest.raises(RuleBaseError):
        load_rules(rules, load_knowledge(knowledge))


def test_a_title_names_knowledge_only(copy):
    rules, knowledge = copy
    path = rules / "pain" / "regress-red-pain.yaml"
    edit(path, "title: Regress one phase", "title: Regress from {f.program.phase} one phase")
    r = check(rules, knowledge)
    assert r.exit_code == 1
    assert "title: unknown placeholder {f.program.phase}; a title names knowledge only" in r.stdout


def test_every_rule_case_that_fires_renders_both_sentences(rulebase):
    from footcoach.inference.cases import run_all_cases
    from footcoach.inference.explain import render_template
    from footcoach.rulebook.cases import case_state, iter_cases
    from footcoach.service import load_state

    rendered = 0
    for rule in rulebase.rules.rules.values():
        if rule.spec.recommend is None:
            continue
        for _kind, case in iter_cases(rule):
            run = rulebase.run(load_state(case_state(rulebase.rules.case_base, case)))
            for firing in run.firings:
                if firing.rule.id == rule.id:
                    for text in (rule.spec.physio, rule.spec.runner):
                        out = render_template(text, rulebase, run, firing)
                        assert "{" not in out and "}" not in out, (rule.id, case.name, out)
                        rendered += 1
    assert rendered and all(r.ok for r in run_all_cases(rulebase))


def _add_red_flag(rules: Path, knowledge: Path) -> None:
    """A new red flag in the knowledge copy, with its triage question, and its rule in the rules copy."""
    with (knowledge / "red_flags.yaml").open("a") as f:
        f.write(
            "achilles_rupture:\n"
            "  reported: a sudden snap at the back of the heel, then weakness pushing off\n"
            "  suspected: Achilles tendon rupture\n"
            "  whom: an emergency department\n"
            "  how_soon: today\n"
            "  meanwhile: do not walk on it more than you must\n"
            "  sources: [jaoa-heel-pain]\n"
        )
    edit(
        knowledge / "questionnaire.yaml",
        "  - id: red_flag_night_pain\n",
        "  - id: red_flag_achilles_rupture\n"
        "    page: safety_nerves\n"
        "    text: Did you feel a sudden snap at the back of your heel, then weakness pushing off?\n"
        "    why: A snapped tendon needs urgent care; a yes means referral.\n"
        "    decisions: [refer]\n"
        "    type: boolean\n"
        "    maps_to: red_flags.achilles_rupture\n"
        "  - id: red_flag_night_pain\n",
    )
    rule = (rules / "red_flags" / "red-flag-sudden-pop.yaml").read_text()
    rule = rule.replace("sudden_pop", "achilles_rupture").replace(
        'title: "Red flag: Sudden pop in the arch, then bruising or swelling"',
        'title: "Red flag: Sudden snap at the back of the heel"',
    )
    (rules / "red_flags" / "red-flag-achilles-rupture.yaml").write_text(rule)


def test_a_red_flag_added_in_the_knowledge_with_its_rule_passes_rules_check(copy):
    rules, knowledge = copy
    _add_red_flag(rules, knowledge)
    r = check(rules, knowledge)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("ok: 60 rules")


def test_assess_with_rules_and_knowledge_refers_on_the_new_red_flag(copy, tmp_path, root):
    import json

    rules, knowledge = copy
    _add_red_flag(rules, knowledge)
    state = json.loads((root / "tests" / "data" / "examples" / "progress-to-phase-3.json").read_text())
    state["red_flags"] = ["achilles_rupture"]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    args = ["assess", str(path), "--format", "json"]
    shipped = CliRunner().invoke(main, args)
    assert shipped.exit_code == 2 and "red_flags[0]" in shipped.stderr  # the shipped knowledge does not know it
    r = CliRunner().invoke(main, args + ["--rules", str(rules), "--knowledge", str(knowledge)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["action"] == "refer"
    assert out["plan"]["see"][0]["red_flag"] == "achilles_rupture"
    assert out["plan"]["see"][0]["whom"] == "an emergency department"


def test_triage_with_rules_and_knowledge_asks_the_new_red_flag_and_refers(copy, tmp_path):
    """`triage --rules R --knowledge K` asks K's questionnaire (the new red-flag question) and refers
    on a yes with R's rule; the shipped questionnaire does not know the question."""
    import json

    rules, knowledge = copy
    _add_red_flag(rules, knowledge)
    folders = ["--rules", str(rules), "--knowledge", str(knowledge)]
    # In the terminal: no to the first red flag, yes to the new one (asked next, on the same page).
    r = CliRunner().invoke(main, ["triage", "--format", "json", *folders], input="no\nyes\n")
    assert r.exit_code == 0, r.output
    assert "Did you feel a sudden snap at the back of your heel" in r.stderr
    out = json.loads(r.stdout)
    assert out["action"] == "refer" and out["plan"]["see"][0]["red_flag"] == "achilles_rupture"
    # From an answers file, in a runner's words: only the stop, with K's whom and how soon.
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"red_flag_achilles_rupture": True}))
    r = CliRunner().invoke(main, ["triage", "--answers", str(answers), *folders])
    assert r.exit_code == 0, r.output
    said = " ".join(r.stdout.split())
    assert "Please see an emergency department, today" in said and "Achilles tendon rupture" in said
    shipped = CliRunner().invoke(main, ["triage", "--answers", str(answers)])
    assert shipped.exit_code == 2 and "red_flag_achilles_rupture" in shipped.stderr


def test_triage_with_a_knowledge_folder_refuses_a_red_flag_its_questionnaire_does_not_ask(copy):
    """A red flag added to K without its triage question: K's questionnaire is refused (exit 2),
    naming the flag, before anything is asked."""
    rules, knowledge = copy
    _add_red_flag(rules, knowledge)
    edit(knowledge / "questionnaire.yaml", "maps_to: red_flags.achilles_rupture", "maps_to: red_flags.night_pain")
    r = CliRunner().invoke(main, ["triage", "--rules", str(rules), "--knowledge", str(knowledge)], input="no\n")
    assert r.exit_code == 2
    assert "questionnaire.yaml" in r.stderr and "red flags not asked: achilles_rupture" in r.stderr


def test_triage_with_rules_or_knowledge_refuses_a_stored_runner(copy, tmp_path):
    _rules, knowledge = copy
    args = ["--db", str(tmp_path / "fc.db"), "triage", "--runner", "r1", "--knowledge", str(knowledge)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "--rules/--knowledge: not with --runner" in r.stderr


def test_an_unknown_placeholder_in_the_questionnaire_fails_rules_check_with_file_line_and_did_you_mean(copy):
    """The questionnaire is checked with the rules' template language by `rules check`: file:line,
    the field, the placeholder and did you mean (exit 1); it can never reach a runner."""
    rules, knowledge = copy
    path = knowledge / "questionnaire.yaml"
    edit(path, "DURING exercise or running? (0 = none, {nrs_max}", "DURING exercise or running? (0 = none, {nrs_mx}")
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "{nrs_mx}" in text)
    r = check(rules, knowledge)
    assert r.exit_code == 1
    assert f"{path}:{line}: questions[" in r.stdout
    assert "].text: unknown placeholder {nrs_mx} (did you mean 'nrs_max'?)" in r.stdout


def test_a_referral_message_names_red_flag_attributes_only(copy):
    rules, knowledge = copy
    path = knowledge / "questionnaire.yaml"
    edit(path, "Please see\n    {whom}", "Please see\n    {who}")
    r = check(rules, knowledge)
    assert r.exit_code == 1
    assert "messages.referral: unknown placeholder {who} (did you mean 'whom'?)" in r.stdout


def test_a_red_flag_in_the_knowledge_without_its_triage_question_fails_rules_check(copy):
    rules, knowledge = copy
    _add_red_flag(rules, knowledge)
    edit(knowledge / "questionnaire.yaml", "maps_to: red_flags.achilles_rupture", "maps_to: red_flags.night_pain")
    r = check(rules, knowledge)
    assert r.exit_code == 1 and "red flags not asked: achilles_rupture" in r.stdout
