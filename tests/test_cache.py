import json

import pytest

from synclr_lib import cache


def test_builds_once_then_reuses(tmp_path, capsys):
    calls = []

    def build(out):
        calls.append(1)
        (out / "x.txt").write_text("hello")
        return {"n": 1}

    a = cache.cached("demo", {"k": 1}, build, root=tmp_path)
    b = cache.cached("demo", {"k": 1}, build, root=tmp_path)
    assert a == b and len(calls) == 1
    assert "reusing" in capsys.readouterr().out
    meta = json.loads((a / cache.META).read_text())
    assert meta["config"] == {"k": 1} and meta["info"] == {"n": 1}
    assert "git_commit" in meta and "torch" in meta["packages"]
    assert (a / cache.DONE).exists()


def test_config_change_and_force_rebuild(tmp_path, monkeypatch):
    calls = []
    build = lambda out: calls.append(1)  # noqa: E731
    a = cache.cached("demo", {"k": 1}, build, root=tmp_path)
    b = cache.cached("demo", {"k": 2}, build, root=tmp_path)
    assert a != b and len(calls) == 2
    monkeypatch.setenv("FORCE", "1")
    c = cache.cached("demo", {"k": 2}, build, root=tmp_path)
    assert c == b and len(calls) == 3 and cache.is_complete(c)


def test_hash_ignores_key_order():
    assert cache.config_hash({"a": 1, "b": [1, 2]}) == cache.config_hash({"b": [1, 2], "a": 1})


def test_failed_build_leaves_nothing(tmp_path):
    def build(out):
        (out / "partial").write_text("x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        cache.cached("demo", {"k": 3}, build, root=tmp_path)
    assert list((tmp_path / "demo").iterdir()) == []


def test_resumable_stage_keeps_its_work_dir(tmp_path):
    def failing(out):
        (out / "shard-0").write_text("done")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.cached("gen", {"k": 1}, failing, root=tmp_path, resumable=True)
    seen = []

    def resume(out):
        seen.append(sorted(p.name for p in out.iterdir()))
        (out / "shard-1").write_text("done")

    final = cache.cached("gen", {"k": 1}, resume, root=tmp_path, resumable=True)
    assert seen == [["shard-0"]]
    assert (final / "shard-0").exists() and (final / "shard-1").exists()
    assert not cache.partial_path(final).exists()
