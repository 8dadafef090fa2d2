"""The built rule network is cached on disk and restored, giving what a freshly built one gives.

If a test of the experta internals fails after an experta upgrade, read the header of
src/footcoach/inference/network_cache.py: it lists every internal the module relies on.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys

import pytest

# isort: off
import footcoach.inference  # noqa: F401  (experta needs the collections patch first)

# isort: on
from experta import MATCH, NOT, OR, TEST, Fact, KnowledgeEngine, P, W
from experta import Rule as XRule
from experta.matchers.rete.check import WhereCheck
from experta.matchers.rete.mixins import ChildNode

from footcoach.common import disk_cache
from footcoach.inference import fast_match, network_cache
from footcoach.inference.compiled import Fire, KnowledgeCheck, LiteralCheck, TimesTest
from footcoach.inference.engine import RuleBase
from footcoach.knowledge.base import default_knowledge, load_knowledge
from footcoach.rulebook.cache import CACHE_ENV, load_rules_cached
from footcoach.rulebook.loader import load_rules
from footcoach.service import load_state, record_with

from .conftest import EXAMPLES, ROOT

CORPUS_STATES = ROOT / "tests" / "data" / "corpus" / "states.jsonl"
SOME_STATES = 120  # not clinical: corpus states each comparison runs (of 300)


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def _rulebase(rules_folder=None, kb=None) -> RuleBase:
    kb = kb or default_knowledge()
    rules, version = load_rules_cached(rules_folder, kb)
    return RuleBase(rules, kb, version)


def _entries(folder):
    return sorted(folder.glob(f"{network_cache.KIND}-*.pickle"))


def _states(count: int = SOME_STATES) -> list[dict]:
    lines = CORPUS_STATES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:count]]


def _outputs(rb: RuleBase, states: list[dict]) -> list[str]:
    return [json.dumps(record_with(rb, load_state(s, rb.kb))) for s in states]


@pytest.fixture
def builds(monkeypatch):
    """How many networks were built (not restored) since the test began."""
    count = {"n": 0}
    original = fast_match.FastReteMatcher.build_network

    def counting(self):
        count["n"] += 1
        return original(self)

    monkeypatch.setattr(fast_match.FastReteMatcher, "build_network", counting)
    return count


def test_experta_internals_the_network_cache_relies_on_are_unchanged():
    from experta.conditionalelement import ConditionalElement

    element = NOT(Fact(a=1), Fact(b=2))
    assert isinstance(element, tuple) and tuple.__new__(NOT, tuple(element)) == element
    assert issubclass(XRule, ConditionalElement) and issubclass(type(P(bool)), ConditionalElement)
    assert vars(W("x")) == {"__bind__": "x"} and vars(P(bool)) == {"__bind__": None}

    def action(engine, **kw):
        pass

    rule = XRule(Fact(a=1), salience=3)(action)
    assert {"_wrapped", "_wrapped_args", "_wrapped_self", "salience"} <= set(vars(rule))
    assert rule._wrapped is action and rule.salience == 3
    assert "self._wrapped_self = instance" in inspect.getsource(XRule.__get__)
    fact = Fact(a=1)
    assert set(vars(fact)) == {"_Fact__defaults"}
    hash(fact)
    assert set(vars(fact)) == {"_Fact__defaults", "_hash"}  # seeded per process: never pickled
    assert "inspect.signature(test).parameters" in inspect.getsource(WhereCheck.__new__)
    assert "_ANY_NAME" in inspect.getsource(fast_match.IndexedBusNode._send)
    assert ChildNode.__bases__ == (tuple,) and ChildNode._fields == ("node", "callback")
    assert "self.matcher = self.__matcher__(self)" in inspect.getsource(KnowledgeEngine.__init__)


def test_a_restored_matcher_has_the_state_of_a_built_one(cache_in, monkeypatch):
    built = _rulebase().engine_class().matcher
    restored = _rulebase().engine_class().matcher
    assert sorted(vars(restored)) == sorted(vars(built))
    assert restored.root_node.index.keys() == built.root_node.index.keys()
    assert fast_match._ANY_NAME in {name for _kind, name in restored.root_node.index}
    shapes = [sorted((type(n).__name__, sorted(vars(n))) for n in m._walk()) for m in (built, restored)]
    assert shapes[0] == shapes[1]  # the same nodes, each with the same attributes (memories made afresh)
    assert all(node.join.touched is restored._touched for node in restored._memory_nodes)
    assert all(n.left_memory is n.join.items[0] for n in restored._memory_nodes if type(n) is fast_match.HashJoinNode)
    csns = [n for n in restored._walk() if type(n) is fast_match.FastConflictSetNode]
    assert all(c.changed is restored._changed and c.filled is restored._filled for c in csns)
    assert all(c.memory == set() and c.added == {} == c.removed for c in csns)


def test_pickled_elements_and_facts_come_back_equal_without_their_cached_hash():
    def action(engine, **kw):
        pass

    rule = XRule(
        "f" << Fact(name="a", value=P(LiteralCheck(">", 2))),
        NOT(Fact(name="b", subject=MATCH.s)),
        OR(Fact(name="c"), Fact(name="d")),
        TEST(TimesTest("<", "k", "v0", "x0", None)),
        salience=-2,
    )(action)
    hash(rule[0])
    back = network_cache.loads(network_cache.dumps(rule, {"action": action}), {"action": action})
    assert type(back) is XRule and back.salience == -2 and back._wrapped is action and back._wrapped_args == []
    assert network_cache._describe(back) == network_cache._describe(rule)  # checks compare by identity: described
    assert back[0].__bind__ == "f" and "_hash" not in vars(back[0])
    assert type(back[1]) is NOT and type(back[1][0]) is Fact and back[1][0]["subject"] == MATCH.s
    check = WhereCheck(back[3][0])
    assert list(check.parameters) == ["v0", "x0"]


def test_the_compiled_parts_are_data_that_describe_themselves():
    values = type("Values", (), {"now": {"k": 10}})()
    assert LiteralCheck(">", 2)(3) and not LiteralCheck(">", 2)("text")
    assert KnowledgeCheck(">=", "k", values)(10) and not KnowledgeCheck(">=", "k", values)(None)
    assert TimesTest("<=", "k", "v1", "x1", values)(v1=13.0, x1=1.3)  # 13.0 <= 10 x 1.3 (exactly 13)
    assert list(inspect.signature(TimesTest("<=", "k", "v1", "x1", values)).parameters) == ["v1", "x1"]
    assert repr(KnowledgeCheck(">=", "k", values)) == "KnowledgeCheck('>=', 'k')"
    assert repr(LiteralCheck("!=", True)) != repr(LiteralCheck("!=", 1))
    seen = []
    rule = type("R", (), {"id": "my-rule"})()
    fire = Fire(lambda engine, r, ctx: seen.append((engine, r.id, ctx)), rule)
    fire("engine", subject="s1")
    assert seen == [("engine", "my-rule", {"subject": "s1"})] and fire.__name__ == "my-rule"
    compiled = XRule(Fact(a=1))(fire)  # experta passes every binding to an action taking **ctx
    assert compiled._wrapped_args == [] and compiled.__name__ == "my-rule"


def test_a_miss_builds_and_caches_the_network_owner_only_then_a_hit_restores_it(cache_in, builds):
    rb = _rulebase()
    rb.engine_class()
    assert builds["n"] == 1
    (entry,) = _entries(cache_in)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    again = _rulebase()  # another rule base for the same rules (as in a new process)
    engine = again.engine_class()
    assert builds["n"] == 1 and _entries(cache_in) == [entry]
    csn_rules = {id(n.rule._wrapped.rule) for n in engine.matcher._walk() if hasattr(n, "rank")}
    assert csn_rules == set(map(id, again.rules.rules.values()))  # the restoring rule base's own rules
    assert all(n.rule._wrapped.on_fire.__self__ is again for n in engine.matcher._walk() if hasattr(n, "rank"))
    checks = [c for ps in engine.matcher.root_node.index.values() for p in ps for _w, c in p.plan[1]]
    assert checks and all(c.values is again.values for c in checks if isinstance(c, KnowledgeCheck))


def test_the_restored_network_gives_what_a_fresh_one_gives_on_many_states(cache_in, builds, monkeypatch):
    states = _states()
    _rulebase().engine_class()  # fills the cache
    restored = _rulebase()
    restored_out = _outputs(restored, states)
    assert builds["n"] == 1  # the second rule base restored its network
    monkeypatch.setenv(CACHE_ENV, "")  # caching off: built
    fresh = _rulebase()
    assert _outputs(fresh, states) == restored_out
    assert builds["n"] == 2
    assert len({json.loads(o)["action"] for o in restored_out}) == 4  # the states reach every action


def test_a_restored_engine_runs_again_and_again_like_a_fresh_one(cache_in, monkeypatch):
    states = _states(30)
    _rulebase().engine_class()
    restored = _rulebase()
    twice = _outputs(restored, states + states)
    monkeypatch.setenv(CACHE_ENV, "")
    assert twice == _outputs(_rulebase(), states + states)


DAMAGES = [
    "truncated",
    "garbage",
    "old-format",
    "not-bytes",
    "unknown-name",
    "missing-parts",
    "partial-matcher",
    "world-readable",
    "empty",
]


def _entry_bytes(entry, value) -> bytes:
    """An entry as disk_cache writes it under ``entry``'s name (so a damage is the only fault)."""
    return pickle.dumps((disk_cache.ENTRY_TAG, entry.name, value))


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_foreign_or_unsafe_entry_is_ignored_and_rebuilt(cache_in, builds, damage):
    states = _states(20)
    expected = _outputs(_rulebase(), states)
    (entry,) = _entries(cache_in)
    raw = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"not a pickle at all")
    elif damage == "old-format":  # the network's bytes without the entry's tag and name
        entry.write_bytes(pickle.dumps(pickle.loads(raw)[2]))
    elif damage == "not-bytes":
        entry.write_bytes(_entry_bytes(entry, {"root_node": None}))
    elif damage == "unknown-name":  # a network pickled for objects this rule base does not have
        shared = _shared_of(_rulebase())
        state = network_cache.loads(pickle.loads(raw)[2], shared)
        renamed = {f"someone-else:{name}": obj for name, obj in shared.items()}
        entry.write_bytes(_entry_bytes(entry, network_cache.dumps(state, renamed)))
    elif damage == "missing-parts":  # a network's root without the rest of the matcher
        part = network_cache.dumps({"root_node": fast_match.IndexedBusNode()}, {})
        entry.write_bytes(_entry_bytes(entry, part))
    elif damage == "partial-matcher":  # well formed, but not all a matcher holds
        part = network_cache.dumps({"root_node": fast_match.IndexedBusNode(), "_memory_nodes": []}, {})
        entry.write_bytes(_entry_bytes(entry, part))
    elif damage == "world-readable":
        entry.chmod(0o644)
    elif damage == "empty":
        entry.write_bytes(b"")
    assert builds["n"] == 1
    assert _outputs(_rulebase(), states) == expected
    assert builds["n"] == 2  # rebuilt
    (rebuilt,) = _entries(cache_in)
    assert stat.S_IMODE(rebuilt.stat().st_mode) == 0o600 and rebuilt.read_bytes() != b""
    assert _outputs(_rulebase(), states) == expected and builds["n"] == 2  # the rebuilt entry is read


def _shared_of(rb: RuleBase) -> dict:
    engine = object.__new__(rb.engine_class)
    return network_cache._shared(engine)


def test_rules_changed_in_memory_make_another_entry_the_same_rules_elsewhere_share_one(cache_in, builds, tmp_path):
    shipped = _rulebase()
    shipped.engine_class()
    # The same rules with one rule left out, in memory: another network.
    rules = shipped.rules
    dropped = "decide-progress"
    fewer = dataclasses.replace(rules, rules={k: v for k, v in rules.rules.items() if k != dropped})
    smaller = RuleBase(fewer, shipped.kb, shipped.version)
    engine = smaller.engine_class()
    assert builds["n"] == 2 and len(_entries(cache_in)) == 2
    assert dropped not in {n.rule._wrapped.__name__ for n in engine.matcher._walk() if hasattr(n, "rank")}
    # The same knowledge in another folder, with the same rules: the same compiled rules, one entry.
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb_dir)
    moved = RuleBase(load_rules(ROOT / "rules", load_knowledge(kb_dir)), load_knowledge(kb_dir))
    moved.engine_class()
    assert builds["n"] == 2 and len(_entries(cache_in)) == 2


def test_a_custom_rules_folder_gets_its_own_network_and_its_own_results(cache_in, builds, tmp_path, monkeypatch):
    copied, fewer = tmp_path / "copied", tmp_path / "fewer"
    shutil.copytree(ROOT / "rules", copied)
    shutil.copytree(ROOT / "rules", fewer)
    (fewer / "pain" / "advice-sharp-rest.yaml").unlink()
    states = _states()
    shipped = _outputs(_rulebase(), states)
    assert _outputs(_rulebase(copied), states) == shipped
    assert builds["n"] == 1  # the same rules in another folder compile to the same network: one entry
    custom = _outputs(_rulebase(fewer), states)
    assert builds["n"] == 2 and len(_entries(cache_in)) == 2
    assert custom != shipped and "advice-sharp-rest" not in "".join(custom)
    assert _outputs(_rulebase(fewer), states) == custom and builds["n"] == 2  # restored
    monkeypatch.setenv(CACHE_ENV, "")
    assert _outputs(_rulebase(fewer), states) == custom  # what a network built on the spot gives


def test_an_engine_whose_rule_parts_do_not_describe_themselves_is_built_and_not_cached(cache_in, builds):
    rb = _rulebase()

    def action(engine, **kw):
        pass

    odd = type(
        "Odd",
        (rb.engine_class,),
        {"odd": XRule(rb.engine_class.__mro__[0].__dict__["decide_refer"][0], salience=1)(action)},
    )
    odd()
    odd()
    assert builds["n"] == 2 and _entries(cache_in) == []
    with pytest.raises(TypeError, match="stable description"):
        network_cache.describe(odd)


def test_a_network_pickle_cannot_store_is_built_and_not_cached(cache_in, builds, monkeypatch):
    def too_deep(*_a, **_k):
        raise RecursionError("maximum recursion depth exceeded while pickling an object")

    monkeypatch.setattr(network_cache, "dumps", too_deep)
    states = _states(10)
    outputs = _outputs(_rulebase(), states)
    assert builds["n"] == 1 and _entries(cache_in) == []
    monkeypatch.undo()
    monkeypatch.setenv(CACHE_ENV, "")
    assert _outputs(_rulebase(), states) == outputs


def test_caching_off_builds_every_time_and_writes_nothing(tmp_path, monkeypatch, builds):
    monkeypatch.setenv(CACHE_ENV, "")
    monkeypatch.chdir(tmp_path)
    _rulebase().engine_class()
    _rulebase().engine_class()
    assert builds["n"] == 2 and list(tmp_path.iterdir()) == []


def test_cli_assess_restores_across_processes_and_hash_seeds(tmp_path):
    """A network built in a process with one hash seed, restored in processes with others: the
    output is the one of a network built on the spot (caching off)."""
    example = str(EXAMPLES / "amber-hold-worn-shoes.json")
    base = {k: v for k, v in os.environ.items() if k != CACHE_ENV}

    def assess(cache: str, seed: str) -> str:
        env = {**base, CACHE_ENV: cache, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "footcoach.cli", "assess", example, "--format", "json"]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout

    cache = tmp_path / "cache"
    built = assess(str(cache), "1")
    assert len(_entries(cache)) == 1
    entry = _entries(cache)[0].read_bytes()
    restored = {assess(str(cache), seed) for seed in ("2", "77")}
    assert _entries(cache)[0].read_bytes() == entry  # read, not rewritten
    assert restored == {built} == {assess("", "3")}


def test_a_built_matcher_holds_what_a_restored_entry_must_hold(cache_in):
    """The names a restore accepts are exactly what building a network leaves in a matcher."""
    engine = _rulebase().engine_class()
    assert set(vars(engine.matcher)) - {"engine"} == network_cache.MATCHER_STATE


def test_an_entry_moved_onto_another_rule_sets_key_is_ignored_not_used(cache_in, builds, tmp_path):
    """Two rule sets that differ in one comparison: their entries swapped (as someone who can write
    the folder could) are both refused and rebuilt, and each rule set decides with its own rules."""
    states = _states(60)
    changed = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", changed)
    target = changed / "footwear" / "shoe-check-persistent-morning-pain-no-shoes.yaml"
    text = target.read_text(encoding="utf-8")
    assert '{fact: shoes.count, op: "==", literal: 0}' in text
    target.write_text(text.replace("literal: 0}", "literal: 1}", 1), encoding="utf-8")
    shipped_out = _outputs(_rulebase(), states)
    changed_out = _outputs(_rulebase(changed), states)
    assert shipped_out != changed_out and builds["n"] == 2
    first, second = _entries(cache_in)
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    assert _outputs(_rulebase(), states) == shipped_out
    assert _outputs(_rulebase(changed), states) == changed_out
    assert builds["n"] == 4  # both rebuilt, neither used under the other's key


def test_a_cache_folder_others_may_write_to_is_never_used(tmp_path, monkeypatch, builds):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv(CACHE_ENV, str(folder))
    states = _states(10)
    expected = _outputs(_rulebase(), states)
    assert list(folder.iterdir()) == []  # nothing written there
    assert _outputs(_rulebase(), states) == expected and builds["n"] == 2  # nothing read: built again
    assert disk_cache.private_folder(folder) is False
    folder.chmod(0o700)
    assert disk_cache.private_folder(folder) is True
