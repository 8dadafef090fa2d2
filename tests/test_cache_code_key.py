"""The rule-base cache is keyed by the code that made it too: other code never reads a stale pickle."""

from footcoach.rulebook import cache


def test_the_cache_key_changes_with_the_code(monkeypatch, tmp_path):
    before = cache.code_fingerprint()
    assert before == cache.code_fingerprint()
    fake = tmp_path / "footcoach"
    for name in cache.CODE_PACKAGES:
        (fake / name).mkdir(parents=True)
        (fake / name / "m.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "__file__", str(fake / "rulebook" / "cache.py"))
    first = cache.code_fingerprint()
    (fake / "contract" / "m.py").write_text("x = 2\n")
    assert cache.code_fingerprint() != first != before
