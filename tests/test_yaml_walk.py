"""The data files behind the rule-base version and the cache keys, found without pathlib: the same
files in the same order as ``sorted(folder.rglob("*.yaml"))``, so every version and key is unchanged."""

from __future__ import annotations

import hashlib
import os

from footcoach.common.disk_cache import data_fingerprint, yaml_files
from footcoach.knowledge.base import FINGERPRINT_CHARS, fingerprint_folder

from .conftest import ROOT


def _by_pathlib(folder):
    return [(str(p.relative_to(folder)), str(p)) for p in sorted(folder.rglob("*.yaml"))]


def test_the_walk_finds_what_pathlib_finds_in_its_order_on_an_awkward_tree(tmp_path):
    top = tmp_path / "rules"
    for rel in ("a-b.yaml", "a/x.yaml", "a/b/c.yaml", "a.yaml", "B.yaml", "b/a.yaml", ".hidden.yaml",
                "notes.yml", "x.yaml.bak", "z/deep/er/most.yaml", "a b/ü.yaml"):  # fmt: skip
        path = top / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.yaml").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", top / "link-to-folder")  # not followed by either
    os.symlink(tmp_path / "elsewhere" / "linked.yaml", top / "link-to-file.yaml")  # found by both
    assert yaml_files(top) == _by_pathlib(top)
    assert [rel for rel, _ in yaml_files(top)][:3] == [".hidden.yaml", "B.yaml", "a/b/c.yaml"]


def test_the_shipped_folders_keep_their_rule_base_version_and_cache_keys():
    rules, knowledge = ROOT / "rules", ROOT / "knowledge"
    for folder in (rules, knowledge):
        assert yaml_files(folder) == _by_pathlib(folder)
    old = hashlib.sha256()
    for folder in (rules, knowledge):
        for p in sorted(folder.rglob("*.yaml")):
            old.update(str(p.relative_to(folder)).encode())
            old.update(p.read_bytes())
    assert fingerprint_folder(rules, knowledge) == old.hexdigest()[:FINGERPRINT_CHARS]
    digest = hashlib.sha256(str(knowledge.resolve()).encode())
    for p in sorted(knowledge.rglob("*.yaml")):
        digest.update(str(p.relative_to(knowledge)).encode())
        digest.update(p.read_bytes())
    assert data_fingerprint(knowledge) == digest.hexdigest()
