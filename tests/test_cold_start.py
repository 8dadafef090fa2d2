"""Cold start: `assess` imports only what it needs; the checked rule base is cached on disk."""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import stat
import subprocess
import sys

import click
import pytest

from footcoach.cli import MODULE_OF
from footcoach.common import disk_cache, documents
from footcoach.knowledge import base as knowledge_base
from footcoach.knowledge.base import default_knowledge
from footcoach.planning import catalogue as catalogue_module
from footcoach.rulebook import cache as rule_cache

from .conftest import EXAMPLES, ROOT


def test_every_command_is_found_lazily_under_its_module():
    found = {}
    for module in sorted(set(MODULE_OF.values())):
        group = click.Group()
        importlib.import_module(f"footcoach.cli.{module}").register(group)
        found.update(dict.fromkeys(group.commands, module))
    assert found == MODULE_OF


def test_assess_imports_no_database_fhir_web_triage_or_typed_assessment_module():
    code = (
        "import sys\n"
        "from footcoach.cli import main\n"
        "try:\n"
        f"    main(['assess', {str(EXAMPLES / 'progress-to-phase-3.json')!r}, '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = ('sqlite3', '_sqlite3', 'footcoach.storage', 'footcoach.web', 'footcoach.triage', 'footcoach.governance',\n"
        "         'footcoach.render', 'fhir', 'fastapi', 'starlette', 'uvicorn', 'httpx', 'jinja2', 'argon2',\n"
        "         'importlib.metadata', 'email', 'difflib',\n"
        "         'footcoach.contract.assessment')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stderr.strip() == "[]"


def test_importing_the_contract_builds_no_validator():
    """The contract's classes are the shape of a state; only the bound models of a knowledge base
    validate, and each is built at its first validation, not at import (a cold-start cost)."""
    code = (
        "from footcoach.contract import state\n"
        "built = [n for n in ('Strict', 'Runner', 'Program', 'Pain', 'BalancePair', 'RepsPair', 'Tests',\n"
        "         'DiaryEntry', 'Shoe', 'Running', 'State') if getattr(state, n).__pydantic_complete__]\n"
        "print(built)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(rule_cache.CACHE_ENV, str(folder))
    return folder


def _files(folder):
    return sorted(p for p in folder.glob("rules-*.pickle"))


def test_the_rule_base_is_cached_owner_only_and_then_read_from_the_cache(cache_in, monkeypatch):
    kb = default_knowledge()
    rules, version = rule_cache.load_rules_cached(None, kb)
    (path,) = _files(cache_in)
    assert stat.S_IMODE(cache_in.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def no_loading(*_a, **_k):
        raise AssertionError("loaded the rule files although the cache holds them")

    monkeypatch.setattr(rule_cache, "load_rules", no_loading)
    again, same = rule_cache.load_rules_cached(None, kb)
    assert same == version and sorted(again.rules) == sorted(rules.rules)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "world-readable", "another-type"])
def test_a_damaged_or_unsafe_cache_file_is_ignored_and_rebuilt(cache_in, damage):
    import pickle

    kb = default_knowledge()
    rules, _version = rule_cache.load_rules_cached(None, kb)
    (path,) = _files(cache_in)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "garbage":
        path.write_bytes(b"not a pickle")
    elif damage == "world-readable":
        os.chmod(path, 0o644)
    else:
        path.write_bytes(pickle.dumps({"rules": 1}))
    assert rule_cache._read(path) is None
    again, _ = rule_cache.load_rules_cached(None, kb)
    assert sorted(again.rules) == sorted(rules.rules)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and rule_cache._read(path) is not None


def test_a_changed_rule_file_gets_its_own_cache_entry(cache_in, tmp_path):
    kb = default_knowledge()
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    _rules, before = rule_cache.load_rules_cached(folder, kb)
    rule = next(folder.rglob("pain-green.yaml"))
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _rules, after = rule_cache.load_rules_cached(folder, kb)
    assert before != after
    assert len(_files(cache_in)) == 2


def test_an_empty_cache_setting_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(rule_cache.CACHE_ENV, "")
    assert rule_cache.cache_dir() is None
    rules, _ = rule_cache.load_rules_cached(None, default_knowledge())
    assert rules.rules


def _refuse(*_a, **_k):
    raise AssertionError("read the data files although the cache holds them")


@pytest.mark.parametrize(
    ("kind", "load", "module", "loader"),
    [
        ("knowledge", knowledge_base.default_knowledge, knowledge_base, "load_knowledge"),
        ("catalogue", catalogue_module._default_catalogue, catalogue_module, "_load"),
        ("limits", documents.current_limits, documents, "load_limits"),
    ],
)
def test_the_shipped_knowledge_catalogue_and_limits_are_cached_owner_only(
    cache_in, monkeypatch, kind, load, module, loader
):
    fresh = load.__wrapped__()  # past the per-process lru_cache
    (path,) = sorted(cache_in.glob(f"{kind}-*.pickle"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setattr(module, loader, _refuse)
    again = load.__wrapped__()
    assert again is not fresh and again == fresh


def test_the_cache_keeps_the_newest_entries_of_a_kind_and_drops_the_old_unprefixed_ones(cache_in):
    cache_in.mkdir(mode=0o700)
    old = cache_in / ("0" * disk_cache.KEY_CHARS + ".pickle")  # a rule cache file before rules-v3
    old.write_bytes(b"x")
    for i in range(disk_cache.KEPT_PER_KIND + 3):
        path = cache_in / f"demo-{i:0{disk_cache.KEY_CHARS}d}.pickle"
        disk_cache.write_entry(cache_in, path, i)
        os.utime(path, ns=(i * 10**9, i * 10**9))
    other = cache_in / f"rules-{'1' * disk_cache.KEY_CHARS}.pickle"
    disk_cache.write_entry(cache_in, other, "rules")
    kept = sorted(int(p.stem.split("-")[1]) for p in cache_in.glob("demo-*.pickle"))
    assert kept == list(range(3, disk_cache.KEPT_PER_KIND + 3))
    assert not old.exists() and disk_cache.read_entry(other, str) == "rules"


def test_a_start_with_the_caches_filled_builds_no_data_model_and_imports_no_yaml_for_json(tmp_path):
    code = (
        "import sys\n"
        "from footcoach.cli import main\n"
        "try:\n"
        f"    main(['assess', {str(EXAMPLES / 'progress-to-phase-3.json')!r}, '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "from footcoach.common.closed_model import ClosedModel\n"
        "def subclasses(c):\n"
        "    return [c] + [s for d in c.__subclasses__() for s in subclasses(d)]\n"
        "built = sorted(c.__qualname__ for c in subclasses(ClosedModel)[1:] if c.__pydantic_complete__)\n"
        "print(built, 'yaml' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, rule_cache.CACHE_ENV: str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert first.stderr.strip().endswith("True")  # the first start read the YAML files and filled the caches
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert done.stderr.strip() == "[] False"
    assert done.stdout == first.stdout


def _assess_in_a_new_process(code_after: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        "from footcoach.cli import main\n"
        "try:\n"
        f"    main(['assess', {str(EXAMPLES / 'progress-to-phase-3.json')!r}, '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n" + code_after
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env or dict(os.environ), check=True
    )


def test_pydantic_plugins_are_looked_for_only_when_the_user_enables_them():
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    show = "print('importlib.metadata' in sys.modules, file=sys.stderr)\n"
    quiet = _assess_in_a_new_process(show, env)
    assert quiet.stderr.strip() == "False"
    wanted = _assess_in_a_new_process(show, {**env, "PYDANTIC_DISABLE_PLUGINS": ""})
    assert wanted.stderr.strip() == "True"  # pydantic's own loader ran, and looked
    assert wanted.stdout == quiet.stdout


def test_the_plugin_loader_stand_in_gives_anything_else_from_the_real_module():
    code = (
        "import os, sys\n"
        "from footcoach.common.startup import LOADER, no_pydantic_plugins\n"
        "os.environ.pop('PYDANTIC_DISABLE_PLUGINS', None)\n"
        "assert no_pydantic_plugins()\n"
        "from pydantic.plugin._loader import get_plugins\n"
        "assert tuple(get_plugins()) == () and 'importlib.metadata' not in sys.modules\n"
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"
        "assert PYDANTIC_ENTRY_POINT_GROUP == 'pydantic' and sys.modules[LOADER].__file__.endswith('_loader.py')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_one_document_commands_run_with_the_collector_paused_and_others_resume_it(monkeypatch):
    import gc

    from footcoach import service
    from footcoach.cli import main

    seen = []
    real = service.assess_document

    def recording(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "assess_document", recording)
    assert gc.isenabled()
    with pytest.raises(SystemExit) as done:
        main(["assess", str(EXAMPLES / "progress-to-phase-3.json"), "--format", "json"])
    assert done.value.code in (0, None)
    assert seen == [False] and gc.isenabled()  # paused while assessing, back on afterwards

    from footcoach.common.startup import pause_collection, resume_collection

    pause_collection()
    try:
        main.resolve_command(click.Context(main), ["rules", "check"])
        assert gc.isenabled()  # any other command collects as usual
    finally:
        resume_collection()


EAGER_ANNOTATIONS = ("contract/state.py", "planning/catalogue.py", "knowledge/base.py", "knowledge/measurements.py",
                     "rulebook/model.py", "rulebook/conditions.py")  # fmt: skip


@pytest.mark.parametrize("module", EAGER_ANNOTATIONS)
def test_the_models_an_assessment_loads_have_their_annotations_evaluated_where_written(module):
    """With postponed annotations pydantic compiles every field's annotation text when the class is
    defined: about a fifth of what defining these models costs at every start."""
    tree = ast.parse((ROOT / "src" / "footcoach" / module).read_text())
    future = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    assert future == []
