"""A damaged image set is noticed by its own stage before reuse, and only its damage redrawn."""
import json

import numpy as np
import pytest

from synclr_lib import stages
from synclr_lib.config import resolve
from synclr_lib.images.shards import (shard_is_complete, shard_ranges, verify_dataset, verify_image_dirs,
                                      write_captions, write_index, write_shard)


def _draw(root, n_captions=6, per_shard=2, drawn=None):
    """A resumable tiny image set: only unfinished shards are drawn (as generate.py does)."""
    write_captions(root, [{"caption": f"c{i}"} for i in range(n_captions)])
    for k, (start, stop) in enumerate(shard_ranges(n_captions, per_shard)):
        if not shard_is_complete(root / "shards", k):
            if drawn is not None:
                drawn.append((root.name, k))
            write_shard(root / "shards", k, start, np.full((stop - start, 2, 4, 4, 3), k, np.uint8))
    write_index(root, num_captions=n_captions, images_per_caption=2, image_size=4, captions_per_shard=per_shard)
    return root


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_verify_dataset_names_the_bad_file(tmp_path):
    root = _draw(tmp_path / "set")
    assert verify_dataset(root) == {}
    _flip_a_byte(root / "shards" / "shard-00001.npy")
    (root / "shards" / "shard-00002.npy").write_bytes(b"x")
    assert verify_dataset(root) == {"shards/shard-00001.npy": "checksum mismatch (sha256 differs from its marker)",
                                    "shards/shard-00002.npy": "truncated: 1 bytes, expected 320"}
    (root / "shards" / "shard-00000.json").unlink()
    (root / "captions.jsonl").write_text('{"caption": "c0"}\n')
    problems = verify_dataset(root)
    assert problems["shards/shard-00000.json"] == "missing"
    assert problems["captions.jsonl"] == "1 captions, index.json says 6"
    (root / "index.json").unlink()
    assert verify_dataset(root) == {"index.json": "missing"}


def test_verify_image_dirs_covers_each_sub_folder(tmp_path):
    _draw(tmp_path / "study" / "cfg-1")
    _draw(tmp_path / "study" / "cfg-2")
    (tmp_path / "study" / "cfg-2" / "shards" / "shard-00001.npy").unlink()
    assert verify_image_dirs(tmp_path / "study") == {"cfg-2/shards/shard-00001.npy": "missing"}


@pytest.fixture
def study_stage(monkeypatch, tmp_path):
    """A stage like cfg_study: one resumable image set per sub-folder; returns the draw log."""
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    drawn = []

    def build(cfg, out, inputs):
        for scale in ("cfg-1", "cfg-2"):
            _draw(out / scale, drawn=drawn)
        (out / "scores.csv").write_text("scale,score\n")

    stages.registry()
    monkeypatch.setitem(stages._REGISTRY, "t_study", stages.Stage(
        "t_study", lambda cfg: {}, build, resumable=True, verify=verify_image_dirs))
    return drawn


@pytest.mark.parametrize("damage, message", [
    (lambda p: _flip_a_byte(p), "cfg-2/shards/shard-00001.npy: checksum mismatch"),
    (lambda p: p.write_bytes(p.read_bytes()[:100]), "cfg-2/shards/shard-00001.npy: 100 bytes, recorded 320"),
    (lambda p: p.unlink(), "cfg-2/shards/shard-00001.npy: missing"),
])
def test_a_damaged_shard_is_noticed_and_only_it_redrawn(study_stage, capsys, damage, message):
    cfg = resolve("smoke")
    path = stages.run_stage("t_study", cfg)
    good = (path / "cfg-2" / "shards" / "shard-00001.npy").read_bytes()
    assert len(study_stage) == 6
    damage(path / "cfg-2" / "shards" / "shard-00001.npy")
    capsys.readouterr()
    assert stages.run_stage("t_study", cfg) == path
    out = capsys.readouterr().out
    assert f"t_study: {path} is damaged ({message}" in out and "redrawing the damaged files" in out
    assert "reusing" not in out
    assert study_stage[6:] == [("cfg-2", 1)]
    assert (path / "cfg-2" / "shards" / "shard-00001.npy").read_bytes() == good
    assert verify_image_dirs(path) == {}
    stages.run_stage("t_study", cfg)
    assert "reusing" in capsys.readouterr().out


def test_the_world_proxy_stage_verifies_its_shards(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    cfg = resolve("smoke", ["train.proxy_captions=8", "world.render_workers=1"])
    path = stages.run_stage("world_proxy", cfg)
    shard = path / "shards" / "shard-00000.npy"
    good = shard.read_bytes()
    shard.write_bytes(good[: len(good) // 2])
    capsys.readouterr()
    stages.run_stage("world_proxy", cfg)
    out = capsys.readouterr().out
    assert "world_proxy:" in out and "is damaged (shards/shard-00000.npy:" in out and "reusing" not in out
    assert shard.read_bytes() == good
    assert json.loads((path / "index.json").read_text())["num_captions"] == 8
