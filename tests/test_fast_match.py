"""The fast matcher keeps experta's matches, and the experta internals it relies on are still there.

If one of these fails after an experta upgrade, read the header of
src/footcoach/inference/fast_match.py: it lists every internal the module relies on.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest

# isort: off
import footcoach.inference  # noqa: F401  (experta needs the collections patch first)

# isort: on
from experta import AND, MATCH, NOT, OR, TEST, DefFacts, Fact, InitialFact, KnowledgeEngine, L, P, Rule, W
from experta.activation import Activation
from experta.factlist import FactList
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete import utils as rete_utils
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode
from experta.matchers.rete.token import Token, TokenInfo
from experta.strategies import DepthStrategy

from footcoach.inference import fast_match, fast_prepare
from footcoach.inference.fast_match import FastKnowledgeEngine, FastReteMatcher, HashJoinNode, HashNotNode


class Item(Fact):
    pass


def _engine_classes():
    """One small rule set, once on experta's matcher and once on the fast one."""
    seen: list = []

    def count(v):
        seen.append(v)
        return v > 1

    def fire(engine, **kw):
        engine.fired.append((engine.rule_name, tuple(sorted((k, str(v)) for k, v in kw.items()))))

    def rule(name, *ces):
        def rhs(engine, **kw):
            engine.fired.append((name, tuple(sorted((k, repr(v)) for k, v in kw.items()))))

        rhs.__name__ = name
        return Rule(*ces)(rhs)

    def times_test(a, b):
        return a < b

    attrs = {
        "big": rule("big", Item(name="km", subject=MATCH.s, value=P(count))),
        "pair": rule(
            "pair",
            Item(name="shoe", subject=MATCH.s),
            Item(name="km", subject=MATCH.s, value=MATCH.a),
            Item(name="limit", value=MATCH.b),
            TEST(times_test),
        ),
        "lonely": rule("lonely", Item(name="shoe", subject=MATCH.s), NOT(Item(name="km", subject=MATCH.s))),
    }

    def init(self):
        KnowledgeEngine.__init__(self)
        self.fired = []

    slow = type("Slow", (KnowledgeEngine,), {**attrs, "__init__": init})
    fast = type("Fast", (FastKnowledgeEngine,), {**attrs, "__init__": init})
    return slow, fast, seen


def _facts(shoes: int) -> list:
    out = [Item(name="limit", value=5)]
    for i in range(shoes):
        out.append(Item(name="shoe", subject=f"s{i}"))
        if i % 3:
            out.append(Item(name="km", subject=f"s{i}", value=i))
    return out


def _run(cls, facts) -> list:
    engine = cls()
    engine.reset()
    engine.declare(*facts)
    engine.run()
    return sorted(engine.fired)


def test_experta_is_the_frozen_version_fast_match_was_written_for():
    assert version("experta") == fast_match.EXPERTA_VERSION


def test_experta_internals_fast_match_relies_on_are_unchanged():
    assert "build_alpha_part" in inspect.getsource(ReteMatcher.build_network)
    assert "build_beta_part" in inspect.getsource(ReteMatcher.build_network)
    assert Token._fields == ("tag", "data", "context") and TokenInfo._fields == ("data", "context")
    checks = list(rete_utils.generate_checks(Item(name="x", value=P(bool))))
    assert isinstance(checks[0], TypeCheck) and isinstance(checks[-1], FactCapture)
    assert all(isinstance(c, FeatureCheck) and {"what", "check", "expected"} <= set(c._fields) for c in checks[1:-1])
    for name in ("left_memory", "right_memory", "_activate_left", "_activate_right"):
        assert name in inspect.getsource(OrdinaryMatchNode) and name in inspect.getsource(NotNode)
    assert {"added", "removed", "memory"} <= set(vars(ConflictSetNode(Rule()(lambda self: None))))
    assert "to_info" in inspect.getsource(ConflictSetNode._activate)
    assert "Activation(" in inspect.getsource(ConflictSetNode._activate)
    assert list(inspect.signature(Activation).parameters) == ["rule", "facts", "context"]
    reset = inspect.getsource(KnowledgeEngine.reset)
    for step in ("Agenda()", "FactList()", "self.matcher.reset()", "get_deffacts", "self.running = False"):
        assert step in reset, step
    declare = inspect.getsource(FactList.declare)
    for name in ("validate", "_get_fact_id", "duplication", "last_index", "reference_counter", "self.added"):
        assert name in declare, name
    plain = Item(name="x", value=1)
    assert FactList._get_fact_id(plain) == frozenset([Item, ("name", "x"), ("value", 1)])
    assert Item.__fields__ == {} and "update" in inspect.getsource(Fact.__init__)
    assert "WhereNode(WhereCheck(" in inspect.getsource(rete_utils.wire_rule).replace(" ", "")
    update = inspect.getsource(DepthStrategy._update_agenda)
    assert "self.get_key(act)" in update and "bisect.insort(agenda.activations, act)" in update
    assert Activation(Rule(), []).key is None and "self.key < other.key" in inspect.getsource(Activation.__lt__)
    assert "self._hash" in inspect.getsource(Fact.__hash__)  # fast_facts sets a declared fact's cached hash
    beta = inspect.getsource(ReteMatcher.build_beta_part)  # fast_beta: experta's wiring, on shared nodes
    assert "isinstance(rule[0], OR)" in beta and "wire_rule(rule, alpha_terminals, lhs=" in beta
    wire = inspect.getsource(rete_utils.wire_rule).replace(" ", "")
    for part in ("node_cls(SameContextCheck())", "ConflictSetNode(rule)", "activate_left", "activate_right"):
        assert part in wire, part
    initial = vars(KnowledgeEngine)["_declare_initial_fact"]
    assert [type(f) for f in initial._wrapped(None)] == [InitialFact] and initial is fast_match._INITIAL_DEFFACTS_OBJ


def test_fast_matcher_fires_exactly_what_experta_fires():
    slow, fast, _seen = _engine_classes()
    for shoes in (0, 1, 4, 9):
        assert _run(fast, _facts(shoes)) == _run(slow, _facts(shoes)), shoes


def _branching_classes():
    """Rules whose branches (an ``any``) and whose leading conditions are alike, on both matchers."""

    def rule(name, *ces):
        def rhs(engine, **kw):
            engine.fired.append((name, tuple(sorted((k, repr(v)) for k, v in kw.items()))))

        rhs.__name__ = name
        return Rule(*ces)(rhs)

    def under(a, b):
        return a < b

    shoe, km = Item(name="shoe", subject=MATCH.s), Item(name="km", subject=MATCH.s, value=MATCH.a)
    attrs = {
        "either": rule(
            "either", shoe, NOT(Item(name="worn", subject=MATCH.s)), OR(km, Item(name="flag", subject=MATCH.s))
        ),
        "both": rule("both", shoe, NOT(Item(name="worn", subject=MATCH.s)), km, Item(name="limit", value=MATCH.b)),
        "tested": rule("tested", shoe, km, Item(name="limit", value=MATCH.b), TEST(under)),
    }

    def init(self):
        KnowledgeEngine.__init__(self)
        self.fired = []

    slow = type("Slow", (KnowledgeEngine,), {**attrs, "__init__": init})
    fast = type("Fast", (FastKnowledgeEngine,), {**attrs, "__init__": init})
    return slow, fast


def test_rules_and_branches_share_the_nodes_experta_builds_alike():
    slow, fast = _branching_classes()
    for shoes in (0, 1, 4, 9):
        facts = _facts(shoes) + [Item(name="worn", subject="s2"), Item(name="flag", subject="s3")]
        assert _run(fast, facts) == _run(slow, facts), shoes
    built = [n for n in fast().matcher._walk() if isinstance(n, (HashJoinNode, HashNotNode))]

    def experta_nodes(node, seen):
        for child in node.children:
            if id(child.node) not in seen:
                seen[id(child.node)] = child.node
                experta_nodes(child.node, seen)
        return seen

    theirs = [
        n for n in experta_nodes(slow().matcher.root_node, {}).values() if isinstance(n, (OrdinaryMatchNode, NotNode))
    ]
    # experta: 2 + 2 (either's branches) + 3 (both) + 2 (tested); shared: shoe-not-worn and its km join once
    assert (len(theirs), len(built)) == (9, 6)


def test_a_fact_meets_only_the_tests_of_its_own_name():
    _slow, fast, seen = _engine_classes()
    _run(fast, _facts(6))
    assert seen and all(isinstance(v, int) for v in seen)  # the km predicate never saw a shoe or limit
    assert len(seen) == sum(1 for f in _facts(6) if f["name"] == "km")


def test_joins_are_hash_joins_and_no_edge_copies_tokens():
    _slow, fast, _seen = _engine_classes()
    matcher = fast().matcher
    assert isinstance(matcher, FastReteMatcher)
    nodes = matcher._walk()
    assert any(type(n) is HashJoinNode for n in nodes)
    assert not any(type(n) is OrdinaryMatchNode for n in nodes)
    for node in nodes:
        for child in node.children:
            routine = getattr(child.callback, "func", child.callback)  # a join's side: a partial of _activate_side
            assert routine.__name__.startswith("_activate"), child.callback


def test_join_work_is_linear_in_the_number_of_shoes():
    _slow, fast, _seen = _engine_classes()
    calls = {"n": 0}
    original = SameContextCheck.__call__

    def counting(self, left, right):
        calls["n"] += 1
        return original(self, left, right)

    SameContextCheck.__call__ = counting
    try:
        work = []
        for shoes in (10, 100):
            calls["n"] = 0
            _run(fast, _facts(shoes))
            work.append(calls["n"])
    finally:
        SameContextCheck.__call__ = original
    assert work[1] <= 12 * work[0], work  # 10x the shoes, about 10x the join tests (not 100x)


def test_reset_clears_every_memory_and_only_nodes_with_memory():
    _slow, fast, _seen = _engine_classes()
    engine = fast()
    engine.reset()
    engine.declare(*_facts(5))
    engine.run()
    first = sorted(engine.fired)
    engine.fired = []
    engine.reset()
    engine.declare(*_facts(5))
    engine.run()
    assert sorted(engine.fired) == first
    kinds = {type(n) for n in engine.matcher._memory_nodes}
    assert kinds <= {HashJoinNode, HashNotNode, ConflictSetNode}
    nodes = engine.matcher._walk()
    assert any(n.left_memory or n.right_memory for n in engine.matcher._memory_nodes)
    engine.matcher.reset()
    for node in nodes:
        assert not (getattr(node, "left_memory", None) or getattr(node, "right_memory", None)), node
        assert not (getattr(node, "memory", None) or getattr(node, "added", None) or getattr(node, "removed", None))


def test_an_equality_with_a_literal_is_a_literal_in_the_pattern():
    """footcoach compiles ``fact == literal`` (a phase, a yes/no) to a literal the alpha plan compares
    in place, the same test as the comparison (== on plain values cannot raise)."""
    from footcoach.inference.engine import default_rulebase

    matcher = default_rulebase().engine_class().matcher
    patterns = [p for (_kind, name), ps in matcher.root_node.index.items() if name == "program.phase" for p in ps]
    literal_values = {v for p in patterns for what, v in p.plan[0] if what == "value"}
    assert {1, 2, 3, 4, 5} <= literal_values


def test_a_fast_fact_is_the_fact_experta_would_build():
    class Plain(Fact):
        pass

    class Quick(fast_match.FastFact):
        pass

    assert vars(Plain(name="x", value=1)) == {"_Fact__defaults": {}}  # what FastFact reproduces
    quick, plain = Quick(name="x", value=1.5, subject="runner"), Plain(name="x", value=1.5, subject="runner")
    assert dict(quick) == dict(plain) and vars(quick) == vars(plain)
    listed = Quick(name="x", value=[1, 2])  # not a scalar: experta's own construction (frozen)
    assert hash(listed) == hash(Plain(name="x", value=[1, 2]))


def test_the_fast_fact_list_declares_as_experta_does():
    slow, fast = FactList(), fast_match.FastFactList()
    facts = [Item(name="a", value=1), Item(name="a", value=1), Item(name="b"), fast_match.FastFact(name="a", value=1)]
    facts += [Item(name="c", other=[1, 2]), Item(name="c", other=[1, 2])]  # a key outside the plain ones
    for fact in facts:
        a, b = slow.declare(fact.copy()), fast.declare(fact.copy())
        assert (a is None) == (b is None) and (a is None or a["__factid__"] == b["__factid__"])
    assert slow.last_index == fast.last_index == 4 and slow.reference_counter == fast.reference_counter


def test_plain_rows_are_declared_as_experta_declares_their_facts():
    slow, fast = FactList(), fast_match.FastFactList()
    rows = [("a", 1, "runner"), ("a", 1, "runner"), ("a", True, "runner"), ("b", [1, 2], "shoes[0]"), ("c", 1.5, "x")]
    for name, value, subject in rows:
        slow.declare(Item(name=name, value=value, subject=subject))
    fast.declare_plain(Item, rows)  # ("a", True) is ("a", 1) to experta: dropped as identical
    assert slow.last_index == fast.last_index == 3 and slow.reference_counter == fast.reference_counter
    assert list(slow.items()) == list(fast.items()) and [type(f) for f in fast.values()] == [Item] * 3
    assert all(vars(f)["_Fact__defaults"] == {} for f in fast.values())
    assert len({*slow.values(), *fast.values()}) == 3  # equal declared facts hash alike


def test_firing_order_is_experta_order():
    def rule(name, salience, *ces):
        def rhs(engine, **kw):
            engine.fired.append(name)

        rhs.__name__ = name
        return Rule(*ces, salience=salience)(rhs)

    attrs = {
        "low": rule("low", 1, Item(name="km", value=MATCH.v)),
        "high": rule("high", 5, Item(name="km", value=P(lambda v: v > 2))),
        "none": rule("none", 3, NOT(Item(name="shoe"))),
    }

    def init(self):
        KnowledgeEngine.__init__(self)
        self.fired = []

    slow = type("Slow", (KnowledgeEngine,), {**attrs, "__init__": init})
    fast = type("Fast", (FastKnowledgeEngine,), {**attrs, "__init__": init})
    facts = [Item(name="km", value=v) for v in (1, 3, 5)]
    orders = []
    for cls in (slow, fast):
        engine = cls()
        engine.reset()
        engine.declare(*[f.copy() for f in facts])
        engine.run()
        orders.append(engine.fired)
    assert orders[0] == orders[1] and len(orders[0]) == 6


def test_a_pattern_the_fast_matcher_does_not_compile_is_refused_at_build():
    def rhs(engine, **kw):
        pass

    refused = type("Refused", (FastKnowledgeEngine,), {"r": Rule(Item(name="km", value=~W()))(rhs)})
    with pytest.raises(TypeError, match="fast_match"):
        refused()


def test_reset_with_deffacts_arguments_is_experta_reset():
    class WithArgs(FastKnowledgeEngine):
        @DefFacts()
        def start(self, km):
            yield Item(name="km", value=km)

    engine = WithArgs()
    engine.reset(km=4)
    assert [f["value"] for f in engine.facts.values() if f.get("name") == "km"] == [4]
    engine.reset(km=7)
    assert [f["value"] for f in engine.facts.values() if f.get("name") == "km"] == [7]


def _prepare_cases():
    """Rules of every shape experta's rewrite treats: plain (facts, NOT, TEST), a leading NOT, no
    fact at all, an OR, field constraints combined with | and ~, an empty rule."""

    def rule(name, *ces, salience=0):
        def rhs(engine, **kw):
            pass

        rhs.__name__ = name
        return Rule(*ces, salience=salience)(rhs)

    def small(v):
        return v < 3

    return {
        "plain": rule("plain", Item(name="a", value=P(small)), Item(name="b", subject=MATCH.s), salience=2),
        "bound": rule("bound", "f" << Item(name="a"), NOT(Item(name="z")), TEST(lambda: True)),
        "not_first": rule("not_first", NOT(Item(name="a")), Item(name="b")),
        "no_fact": rule("no_fact", TEST(lambda: True)),
        "only_not": rule("only_not", NOT(Item(name="a"))),
        "empty": rule("empty"),
        "or": rule("or", OR(AND(Item(name="a"), Item(name="b")), Item(name="c"))),
        "or_field": rule("or_field", Item(name=L("a") | L("b"))),
        "not_field": rule("not_field", Item(name=~L("a"), value=W())),
        "not_and": rule("not_and", NOT(AND(Item(name="a"), Item(name="b")))),
    }


def test_prepared_rules_are_the_ones_experta_prepares():
    from footcoach.inference.engine import default_rulebase

    cases = type("Cases", (KnowledgeEngine,), _prepare_cases())()
    shipped = default_rulebase().engine_class()
    for engine in (cases, shipped):
        fast, slow = FastReteMatcher.prepare_ruleset(engine), ReteMatcher.prepare_ruleset(engine)
        assert fast == slow
        assert sorted(map(repr, fast)) == sorted(map(repr, slow))
    plain = [r for r in shipped.get_rules() if fast_prepare.is_plain(r)]
    assert len(plain) > len(shipped.get_rules()) // 2  # the short cut is the common case
    assert not fast_prepare.is_plain(cases.get_rules()[0].__class__(OR(Item(a=1), Item(a=2))))


def test_an_unpickled_pattern_has_its_plan_with_interned_names():
    import pickle
    import sys

    matcher = FastKnowledgeEngine().matcher  # no rules: the InitialFact's pattern only
    pattern = next(p for ps in matcher.root_node.index.values() for p in ps)
    pattern.plan = ((("va" + "lue", 1),), (), ((("sub" + "ject"), "s" + "x"),), "f" + "0")  # built, not interned
    copy = pickle.loads(pickle.dumps(pattern))
    assert copy.plan == pattern.plan and copy.children == pattern.children
    names = [copy.plan[0][0][0], *copy.plan[2][0], copy.plan[3]]
    for name in ("value", "subject", "sx", "f0"):
        sys.intern(name)  # already interned by someone: an unpickled copy must become that string
    assert all(sys.intern(n) is n for n in names)
    assert "plan" in vars(copy) and "children" in vars(copy)


def test_a_compiled_comparison_and_the_run_values_name_knowledge_by_interned_strings():
    import pickle
    import sys

    from footcoach.inference.compiled import KnowledgeCheck, TimesTest
    from footcoach.inference.engine import Values, default_rulebase

    for name in ("pain.safe_max", "k.x", "v0", "x0"):
        sys.intern(name)  # already interned by someone: an unpickled copy must become that string
    values = Values()
    check = pickle.loads(pickle.dumps(KnowledgeCheck("<", "pain." + "safe_max", values)))
    test = pickle.loads(pickle.dumps(TimesTest("<", "k." + "x", "v" + "0", "x" + "0", values)))
    assert all(sys.intern(n) is n for n in (check.name, test.name, test.v, test.x))
    rb = default_rulebase()
    names = rb._knowledge_for(40, "female")[1]
    assert names and all(sys.intern(n) is n for n in names)
