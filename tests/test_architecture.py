"""The architecture, checked: imports point down the layers, no cycles, small modules and functions,
no clinical number written in code.

Layers, bottom to top (README, "How it is built"):

    common < contract, knowledge < rulebook < inference < planning, triage < storage, render
           < service < governance < web < cli

A module may import its own package and any lower layer; packages on the same layer do not import
each other (knowledge may import contract, not the reverse). ``cli`` sits above ``web`` only so that
``footcoach serve`` can start the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "footcoach"

LAYER = {
    "common": 0,
    "contract": 1,
    "knowledge": 1,
    "rulebook": 2,
    "inference": 3,
    "planning": 4,
    "triage": 4,
    "storage": 5,
    "render": 5,
    "service": 6,
    "governance": 7,
    "web": 8,
    "cli": 9,
    "__main__": 10,
    "__init__": 0,
}
EXTRA_ALLOWED = {("knowledge", "contract")}

MODULE_MAX_LINES = 500
FUNCTION_MAX_LINES = 80

# Numbers that carry no clinical meaning wherever they appear.
NON_CLINICAL = {0, 1, -1, 2, 100, 0.5}
# A literal on a line whose comment says "not clinical: <why>" is a layout, protocol or file-format number.
MARKER = "not clinical"

# Debts that existed when these checks were written (the layout move); they may shrink, never grow.
# Whoever pays one off deletes its line.
LAYER_DEBT: set[tuple[str, str]] = set()
CYCLE_DEBT: set[frozenset[str]] = set()
SIZE_DEBT: dict[str, int] = {}
LITERAL_DEBT: set[tuple[str, float]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _package(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skip.update(id(n) for n in ast.walk(child))
    return skip


def _imports(module: str, path: Path) -> set[str]:
    """footcoach modules imported at run time (module level or inside functions), not under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    known = _modules()
    found: set[str] = set()
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = ".".join(base[: len(base) - node.level + 1])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("footcoach"):
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    return {m: _imports(m, p) for m, p in _modules().items()}


def test_every_package_has_a_layer():
    unknown = sorted({_package(m) for m in _modules()} - set(LAYER))
    assert not unknown, f"new package(s) {unknown}: give them a layer in tests/test_architecture.py and the README"


def test_imports_point_down_the_layers():
    bad = []
    for mod, targets in _graph().items():
        src = _package(mod)
        for target in targets:
            dst = _package(target)
            if dst == src or dst == "__init__" or (src, dst) in EXTRA_ALLOWED:
                continue
            if LAYER[dst] >= LAYER[src] and (mod, target) not in LAYER_DEBT:
                bad.append(f"{mod} imports {target} ({src} layer {LAYER[src]} -> {dst} layer {LAYER[dst]})")
    assert not bad, "imports that point up or sideways:\n" + "\n".join(sorted(bad))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    cycles = [c for c in _cycles(_graph()) if frozenset(c) not in CYCLE_DEBT]
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_modules_are_small():
    bad = []
    for path in _modules().values():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > max(MODULE_MAX_LINES, SIZE_DEBT.get(_rel(path), 0)):
            bad.append(f"{_rel(path)}: {n} lines (at most {MODULE_MAX_LINES})")
    assert not bad, "\n".join(bad)


def test_functions_are_small():
    bad = []
    for path in _modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{_rel(path)}::{node.name}"
                if n > max(FUNCTION_MAX_LINES, SIZE_DEBT.get(key, 0)):
                    bad.append(f"{key} (line {node.lineno}): {n} lines (at most {FUNCTION_MAX_LINES})")
    assert not bad, "\n".join(bad)


def _named_constant_nodes(tree: ast.AST) -> set[int]:
    """Nodes inside an assignment to an UPPER_CASE name: a named constant says what it is."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if targets and all(isinstance(t, ast.Name) and t.id.strip("_").isupper() for t in targets):
                inside.update(id(n) for n in ast.walk(node))
    return inside


def _clinical_numbers() -> set[float]:
    from footcoach.knowledge.base import default_knowledge

    kb = default_knowledge()
    nums = {float(t.value) for t in kb.thresholds.values()}
    for norm in kb.norms.values():
        for band in norm.bands:
            nums |= {float(v) for v in (band.value, band.female, band.male) if v is not None}
    return nums


def numeric_literals(source: str) -> list[tuple[int, float, bool]]:
    """(line, value, in a named constant) for every numeric literal outside the non-clinical set
    and not marked ``# not clinical: why`` on its line."""
    tree = ast.parse(source)
    lines = source.splitlines()
    named = _named_constant_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = node.value
            if value in NON_CLINICAL or MARKER in lines[node.lineno - 1]:
                continue
            out.append((node.lineno, float(value), id(node) in named))
    return sorted(out)


def test_literal_finder_sees_what_it_must():
    src = "X = 44\ndef f(a):\n    return a >= 12  \ny = 3\nz = 2\nw = 640  # not clinical: px\n"
    assert numeric_literals(src) == [(1, 44.0, True), (3, 12.0, False), (4, 3.0, False)]


def test_no_clinical_number_written_in_src():
    clinical = _clinical_numbers()
    bad = []
    for path in _modules().values():
        for line, value, named in numeric_literals(path.read_text(encoding="utf-8")):
            if (_rel(path), value) in LITERAL_DEBT:
                continue
            if named and value not in clinical:
                continue  # a named, non-clinical constant (a scale, a limit, a protocol number)
            bad.append(f"{_rel(path)}:{line}: {value:g}")
    assert not bad, (
        "numeric literals in src/: read clinical numbers from knowledge/ by name; give any other number "
        "an UPPER_CASE name, or mark its line '# not clinical: why':\n" + "\n".join(bad)
    )
