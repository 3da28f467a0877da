import json
import shutil

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
    c = cache.cached("demo", {"k": 2}, build, root=tmp_path, force=True)
    assert c == b and len(calls) == 3 and cache.is_complete(c)
    monkeypatch.setenv("FORCE", "1")  # the command line's named stage only: no stage by itself
    cache.cached("demo", {"k": 2}, build, root=tmp_path)
    assert len(calls) == 3


@pytest.mark.parametrize("value, demo, other, notebooks", [
    ("", False, False, False), ("0", False, False, False), ("1", False, False, True),
    ("all", True, True, True), ("ALL", True, True, True), ("demo", True, False, True),
    ("other, demo", True, True, True),
])
def test_force_values(monkeypatch, value, demo, other, notebooks):
    monkeypatch.setenv("FORCE", value)
    assert (cache.forces("demo"), cache.forces("other"), cache.force_requested()) == (demo, other, notebooks)


def test_force_all_rebuilds_each_artifact_once_per_run(tmp_path, monkeypatch):
    calls = []
    build = lambda out: calls.append(1)  # noqa: E731
    cache.cached("demo", {"k": 1}, build, root=tmp_path)
    monkeypatch.setenv("FORCE", "all")
    monkeypatch.setenv(cache.FORCE_RUN_ENV, "run-1")
    for _ in range(3):  # a stage read by several others within one forced run
        cache.cached("demo", {"k": 1}, build, root=tmp_path)
    assert len(calls) == 2
    monkeypatch.setenv(cache.FORCE_RUN_ENV, "run-2")  # the next forced run rebuilds it again
    cache.cached("demo", {"k": 1}, build, root=tmp_path)
    assert len(calls) == 3


def test_a_missing_or_truncated_file_is_rebuilt(tmp_path, capsys):
    calls = []

    def build(out):
        calls.append(1)
        (out / "sub").mkdir()
        (out / "sub" / "x.bin").write_bytes(b"0123456789")

    path = cache.cached("demo", {"k": 1}, build, root=tmp_path)
    assert json.loads((path / cache.FILES).read_text()) == {"sub/x.bin": 10}
    (path / "sub" / "x.bin").write_bytes(b"01234")
    capsys.readouterr()
    assert cache.cached("demo", {"k": 1}, build, root=tmp_path) == path and len(calls) == 2
    out = capsys.readouterr().out
    assert "is damaged (sub/x.bin: 5 bytes, recorded 10); rebuilding it" in out
    (path / "sub" / "x.bin").unlink()
    cache.cached("demo", {"k": 1}, build, root=tmp_path)
    assert len(calls) == 3 and "sub/x.bin: missing" in capsys.readouterr().out
    assert cache.damage(path) == {}


def test_a_resumable_stage_with_verify_redraws_only_the_damaged_files(tmp_path, capsys):
    drawn = []

    def build(out):
        for k in range(3):
            part = out / f"part-{k}"
            if not part.exists():
                drawn.append(k)
                part.write_text(f"part {k}")

    def verify(path):
        return {f"part-{k}": "wrong content" for k in range(3) if (path / f"part-{k}").read_text() != f"part {k}"}

    path = cache.cached("gen", {"k": 1}, build, root=tmp_path, resumable=True, verify=verify)
    (path / "part-1").write_text("part X")  # same size: only the stage's verify can tell
    capsys.readouterr()
    assert cache.cached("gen", {"k": 1}, build, root=tmp_path, resumable=True, verify=verify) == path
    assert drawn == [0, 1, 2, 1]
    assert "is damaged (part-1: wrong content); redrawing the damaged files" in capsys.readouterr().out
    assert (path / "part-1").read_text() == "part 1" and cache.is_complete(path)
    assert not cache.partial_path(path).exists()


def test_path_keys_do_not_hold_the_artifacts_folder(tmp_path, monkeypatch):
    for name in ("a", "b"):
        monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / name))
        assert cache.path_key(tmp_path / name / "cfg_study" / "abc" / "cfg-2") == {"artifact": "cfg_study/abc/cfg-2"}


def test_a_directory_outside_artifacts_is_keyed_by_content(tmp_path):
    model = tmp_path / "model"
    (model / "unet").mkdir(parents=True)
    (model / "model_index.json").write_text("{}")
    (model / "unet" / "weights.bin").write_bytes(bytes(range(256)) * 4096)  # 1 MiB: sampled
    (model / ".cache").mkdir()
    (model / ".cache" / "lock").write_text("ignored")
    key = cache.path_key(model)
    assert set(key) == {"content"}
    moved = tmp_path / "elsewhere" / "sd"
    moved.parent.mkdir()
    shutil.copytree(model, moved)
    assert cache.path_key(moved) == key  # copied (new modification times) or moved: same key
    (moved / "model_index.json").write_text('{"x": 1}')
    assert cache.path_key(moved) != key


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


def test_two_processes_building_one_stage_build_it_once(tmp_path):
    """A second writer (a kernel left running by a killed run, or a second terminal) waits for
    the first instead of writing into its work directory after it was finalised."""
    import subprocess
    import sys

    code = f"""
import sys, time
from pathlib import Path
from synclr_lib.cache import cached

def build(out):
    with open({str(tmp_path / "builds.log")!r}, "a") as log:
        log.write("build\\n")
    for k in range(3):
        (out / f"part-{{k}}").mkdir(exist_ok=True)
        time.sleep(0.5)
        (out / f"part-{{k}}" / "index.json").write_text(str(k))

print(cached("study", {{"x": 1}}, build, root=Path({str(tmp_path)!r}), resumable=True))
"""
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    assert len({out.strip().splitlines()[-1] for out, _ in results}) == 1
    assert (tmp_path / "builds.log").read_text().count("build") == 1
    assert not list((tmp_path / "study").glob(".partial-*"))


def test_reuse_is_announced_once_per_artifact(tmp_path, capsys):
    """A cell that loops over one stage printed the same reuse line 16 times (issue 26)."""
    build = lambda out: (out / "x.txt").write_text("x")
    for payload in ({"a": 1}, {"a": 1}, {"a": 1}, {"a": 2}, {"a": 2}, {"a": 2}):
        cache.cached("demo", payload, build, root=tmp_path)
    out = capsys.readouterr().out
    assert out.count("building") == 2 and out.count("reusing") == 2
    cache.cached("demo", {"a": 1}, build, root=tmp_path, force=True)
    cache.cached("demo", {"a": 1}, build, root=tmp_path)
    assert capsys.readouterr().out.count("reusing") == 1  # a rebuilt artifact's reuse is said again


def test_a_build_records_its_own_time_without_the_upstream_builds_inside_it(tmp_path):
    """meta.json's own_s leaves out the stages a build starts on the way, so per-stage costs do
    not count an upstream stage twice (wall_s still measures the whole build)."""
    import time

    def inner(out):
        time.sleep(0.3)

    def outer(out):
        cache.cached("inner", {"k": 1}, inner, root=tmp_path, verbose=False)
        time.sleep(0.1)

    path = cache.cached("outer", {"k": 1}, outer, root=tmp_path, verbose=False)
    meta = cache.read_meta(path)
    inner_meta = cache.read_meta(cache.stage_path("inner", {"k": 1}, tmp_path))
    assert meta["wall_s"] >= 0.4 and 0.1 <= meta["own_s"] < 0.25
    assert inner_meta["own_s"] == inner_meta["wall_s"] >= 0.3
    again = cache.cached("outer", {"k": 2}, outer, root=tmp_path, verbose=False)  # inner is reused now
    assert cache.read_meta(again)["own_s"] >= 0.9 * cache.read_meta(again)["wall_s"]
