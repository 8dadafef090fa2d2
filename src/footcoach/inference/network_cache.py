"""The built rule network cached on disk, so a cold start does not rebuild it.

Building experta's network for an engine (:class:`~footcoach.inference.fast_match.FastReteMatcher`:
the disjunctive normal form of every rule, the alpha and the beta part) is the same at every
start for the same rules.  :class:`CachedReteMatcher` pickles the network it builds into an entry
of :mod:`footcoach.common.disk_cache` (the user cache folder, owner-only; a stale, foreign,
damaged or unreadable entry is ignored and rebuilt) and, when an identical rule set is compiled
again, restores it instead of building it.

What the network holds that belongs to the rule base (the rule base itself, its ``Values``, its
rules; the engine) is pickled by name, not by value (``persistent_id``), and restored as the
objects of the rule base that asks: the engine class names them in its ``SHARED`` attribute.  The
key hashes a description of the engine's compiled rules (every pattern, comparison, binding,
salience and action: :mod:`footcoach.inference.compiled` makes the callables data that describe
themselves; a part whose description would differ between processes is never cached), the source of the
``inference`` package (which builds the network and holds its classes), experta's version and
what :func:`footcoach.common.disk_cache.cache_key` adds (footcoach, Python, pydantic).  A rule set
changed in memory, another rules folder or other knowledge is another key.

Like :mod:`footcoach.inference.fast_match` (whose network it pickles), it relies on experta 1.9.4
internals, checked by ``tests/test_network_cache.py``: a conditional element (``Rule``, ``NOT``,
``TEST``, ``OR``, ``AND``, the ``L``/``P``/``W`` field constraints) is a tuple whose ``__new__``
takes its items spread out, with its attributes (``__bind__``; a rule's ``_wrapped``,
``_wrapped_args``, ``_wrapped_self``, ``salience`` and what ``update_wrapper`` copied) in its
``__dict__``; a ``Fact`` is a dict whose ``__dict__`` holds ``_Fact__defaults`` and a cached
``_hash`` (seeded per process: never kept); ``WhereCheck(test)`` computes its ``parameters`` from
the test's signature; ``ChildNode`` is a plain namedtuple; the matcher's state is its ``__dict__``
(with ``engine``); ``fast_match``'s index key for patterns without a name is the module's
``_ANY_NAME`` object; its nodes with memory make their empty memories in ``_reset`` (a join's
``join``, ``left_memory``, ``right_memory``, ``counts``; a conflict set's ``memory``, ``added``,
``removed``: not pickled), a join memory reporting to the matcher's ``_touched``.
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
from typing import Any

import experta
from experta.conditionalelement import ConditionalElement
from experta.fact import Fact
from experta.matchers.rete.check import WhereCheck
from experta.matchers.rete.mixins import ChildNode
from experta.rule import Rule

from footcoach.common import disk_cache
from footcoach.inference import fast_match
from footcoach.inference.fast_match import FastConflictSetNode, FastReteMatcher, HashJoinNode, HashNotNode

FORMAT = "network-v2"  # bump when what is pickled changes shape
# What a built matcher holds besides its engine (tests/test_network_cache.py checks a built one):
# a restored entry holds exactly these, or it is rebuilt.
MATCHER_STATE = frozenset({"_changed", "_filled", "_memory_nodes", "_touched", "root_node"})
KIND = "network"  # the entries' name in the cache folder
SHARED = "__shared__"  # engine class attribute: {name: object of the rule base} pickled by name
ENGINE = "engine"  # the persistent name of the engine the network is built for
_ANY_NAME = "fast_match.any-name"
_MEMORY = frozenset({"join", "left_memory", "right_memory", "counts", "memory", "added", "removed"})
_PLAIN = frozenset({str, int, float, bool, type(None)})  # values whose repr differs between types
_WITH_MEMORY = (HashJoinNode, HashNotNode, FastConflictSetNode)  # nodes whose memory ``_reset`` makes


class _Pickler(pickle.Pickler):
    """Pickles experta's conditional elements and facts by their items and attributes, and the
    rule base's objects by name."""

    def __init__(self, file: io.BytesIO, names: dict[int, str]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = names

    def persistent_id(self, obj: Any) -> str | None:
        return self.names.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Fact):
            state = {k: v for k, v in vars(obj).items() if k != "_hash"}
            return (_fact, (type(obj), dict(obj), state))
        if isinstance(obj, WhereCheck):
            return (WhereCheck, (obj.test,))
        if type(obj) is ChildNode:  # its class's __new__ is Python: the tuple's own is quicker
            return (tuple.__new__, (ChildNode, tuple(obj)))
        if isinstance(obj, _WITH_MEMORY):  # an empty memory is made, not read
            state = {k: v for k, v in vars(obj).items() if k not in _MEMORY}
            return (object.__new__, (type(obj),), state, None, None, _with_fresh_memory)
        if isinstance(obj, ConditionalElement):
            state = vars(obj)
            if isinstance(obj, Rule):  # the engine a rule was last read through is not part of it
                state = {**state, "_wrapped_self": None}
            return (_element, (type(obj), tuple(obj), state))
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: dict[str, Any]):
        super().__init__(file)
        self.objects = objects

    def persistent_load(self, pid: Any) -> Any:
        try:
            return self.objects[pid]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(f"network cache: names an unknown object {pid!r}") from None


def _fact(cls: type, items: dict[Any, Any], state: dict[str, Any]) -> Any:
    fact: Any = dict.__new__(cls)
    dict.update(fact, items)  # the values were frozen when the pattern was made
    vars(fact).update(state)
    return fact


def _element(cls: type, items: tuple[Any, ...], state: dict[str, Any]) -> Any:
    element: Any = tuple.__new__(cls, items)
    vars(element).update(state)
    return element


def _with_fresh_memory(node: Any, state: dict[str, Any]) -> None:
    for key, value in state.items():  # one by one: the node keeps its attributes in place (no dict)
        setattr(node, key, value)
    node._reset()


def _shared(engine: Any) -> dict[str, Any]:
    """The objects pickled by name: the rule base's (engine class ``SHARED``), the engine, and the
    fast matcher's index key for patterns without a name."""
    return {**getattr(type(engine), SHARED), ENGINE: engine, _ANY_NAME: fast_match._ANY_NAME}


def dumps(value: Any, shared: dict[str, Any]) -> bytes:
    """``value`` pickled, the ``shared`` objects by name."""
    out = io.BytesIO()
    _Pickler(out, {id(obj): name for name, obj in shared.items()}).dump(value)
    return out.getvalue()


def loads(data: bytes, shared: dict[str, Any]) -> Any:
    """What :func:`dumps` pickled, the ``shared`` names restored as these objects (the collector
    paused: thousands of new objects, none of them garbage, would only make it walk the heap)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _Unpickler(io.BytesIO(data), shared).load()
    finally:
        if paused:
            gc.enable()


def compiled_rules(engine_class: type) -> list[tuple[str, Any]]:
    """The engine class's rules by attribute name (what ``get_rules`` finds, without reading them
    through an engine)."""
    found: dict[str, Any] = {}
    for klass in reversed(engine_class.__mro__):
        found.update((name, value) for name, value in vars(klass).items() if isinstance(value, Rule))
    return sorted(found.items())


def _describe(part: Any) -> str:
    """A rule part as text: its kind, binding and items, down to the values and callables (whose
    ``repr`` names what they hold; a plain value's ``repr`` tells its type)."""
    kind = type(part)
    if kind in _PLAIN:
        return repr(part)
    if isinstance(part, Fact):
        items = ", ".join(f"{k!r}={_describe(v)}" for k, v in part.items() if k != "__bind__")
        return f"{kind.__module__}.{kind.__qualname__}<{part.__bind__!r}>({items})"
    if isinstance(part, ConditionalElement):
        items = ", ".join(map(_describe, part))
        extra = repr(getattr(part, "__bind__", None))
        if isinstance(part, Rule):
            extra = f"{part.salience!r}, {part._wrapped!r}"
        return f"{kind.__module__}.{kind.__qualname__}<{extra}>({items})"
    return f"{kind.__module__}.{kind.__qualname__}:{part!r}"


def describe(engine_class: type) -> str:
    """The engine class's compiled rules as text (what its network is built from); TypeError when a
    part has no description that holds in another process (a ``repr`` with an address)."""
    text = "\n".join(f"{name} {_describe(rule)}" for name, rule in compiled_rules(engine_class))
    if " at 0x" in text:
        raise TypeError("network cache: a rule part without a stable description")
    return text


def network_key(engine_class: type) -> str:
    """The cache key of an engine class's network: its compiled rules, the code that builds the
    network from them, experta's version."""
    described = hashlib.sha256(describe(engine_class).encode()).hexdigest()
    code = disk_cache.code_fingerprint(("inference",))
    return disk_cache.cache_key(FORMAT, described, code, experta.__version__)


class CachedReteMatcher(FastReteMatcher):
    """The fast matcher, its network restored from the disk cache when the same rules built one
    before (and cached when they did not).  An engine class without ``SHARED`` builds as usual."""

    def __init__(self, engine: Any):
        where = disk_cache.cache_dir()
        if where is None or not hasattr(type(engine), SHARED):
            super().__init__(engine)
            return
        try:
            key = network_key(type(engine))
        except TypeError:  # a rule part not made of data: built at every start
            super().__init__(engine)
            return
        shared = _shared(engine)
        path = where / f"{KIND}-{key}.pickle"
        if self._restore(path, engine, shared):
            return
        super().__init__(engine)
        try:
            data = dumps({k: v for k, v in vars(self).items() if k != "engine"}, shared)
        except Exception:  # a network pickle cannot store (too deep, a part not made of data): not cached
            return
        disk_cache.write_entry(where, path, data)

    def _restore(self, path: Any, engine: Any, shared: dict[str, Any]) -> bool:
        """Take the network pickled in ``path``; False when there is none or it cannot be read."""
        data = disk_cache.read_entry(path, bytes)
        if data is None:
            return False
        try:
            state = loads(data, shared)
            if set(state) != MATCHER_STATE or not isinstance(state["root_node"], fast_match.IndexedBusNode):
                return False  # not a whole matcher of this code
            for node in state["_memory_nodes"]:  # the join memories made afresh report to the matcher
                node.join.touched = state["_touched"]
        except Exception:  # a damaged, stale or foreign entry: rebuild it
            return False
        self.__dict__.update(state)
        self.engine = engine
        return True
