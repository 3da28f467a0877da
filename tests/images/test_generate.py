import json
import random

import numpy as np
import pytest

from synclr_lib.images.generate import (GenerationSettings, generate_dataset, generate_for_captions, generate_part,
                                        missing_shards)
from synclr_lib.images.pipeline import G2Error
from synclr_lib.images.shards import ShardError, load_synthetic_images, read_shard, shard_ranges

ROWS = [{"caption": c, "concept": c.split()[-3], "strategy": "c", "background": None, "relation": None, "seed": i}
        for i, c in enumerate(["a red sneaker on grass", "a blue letter A on sand", "two green stars in sky",
                               "a pink coat on snow", "an orange ring on water", "a navy heart on wood",
                               "a lime bag on gravel"])]
SETTINGS = GenerationSettings(images_per_caption=2, cfg_scale=2.0, steps=2, base_seed=5, captions_per_shard=2,
                              batch_size=4, bf16=True)


def _bytes(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(tiny_pipe, tiny_model_dir, tmp_path_factory):
    """An uninterrupted run."""
    root = tmp_path_factory.mktemp("gen") / "ref"
    generate_dataset(root, ROWS, tiny_model_dir, SETTINGS, pipe=tiny_pipe)
    return root


def test_dataset_layout_and_captions(reference):
    ds = load_synthetic_images(reference)
    assert ds.images.shape == (14, 32, 32, 3)
    assert [c["caption"] for c in ds.captions] == [r["caption"] for r in ROWS]
    assert ds.captions[3]["concept"] == "coat" and ds.captions[3]["caption_id"] == 3
    assert ds.index["generation"]["cfg_scale"] == 2.0 and ds.index["num_shards"] == 4
    assert list(ds.caption_ids[:4]) == [0, 0, 1, 1]


def test_any_subset_regenerates_identically(reference, tiny_pipe):
    ds = load_synthetic_images(reference)
    again = generate_for_captions(tiny_pipe, [ROWS[4]["caption"]], [4], SETTINGS)
    np.testing.assert_array_equal(again[0], ds.images[ds.caption_ids == 4])


def test_batch_size_does_not_change_bytes(reference, tiny_pipe, tiny_model_dir, tmp_path):
    from dataclasses import replace

    generate_dataset(tmp_path, ROWS, tiny_model_dir, replace(SETTINGS, batch_size=2), pipe=tiny_pipe)
    assert _bytes(tmp_path)["shards/shard-00001.npy"] == _bytes(reference)["shards/shard-00001.npy"]
    assert {k: v for k, v in _bytes(tmp_path).items() if k != "generation.json"} == \
        {k: v for k, v in _bytes(reference).items() if k != "generation.json"}


def test_shard_k_of_n_covers_exactly_its_captions(tiny_pipe, tmp_path):
    from synclr_lib.images.generate import _prepare_root

    _prepare_root(tmp_path, ROWS, SETTINGS, tmp_path)
    written = generate_part(tiny_pipe, tmp_path, ROWS, SETTINGS, shard=1, num_shards=3)
    assert written == [1]  # shards 0..3; 1 % 3 == 1 only
    meta, images = read_shard(tmp_path / "shards", 1)
    assert shard_ranges(len(ROWS), 2)[1] == (2, 4)
    assert (meta["first_caption"], meta["num_captions"]) == (2, 2) and images.shape[:2] == (2, 2)
    assert missing_shards(tmp_path, len(ROWS), 2) == [0, 2, 3]
    assert generate_part(tiny_pipe, tmp_path, ROWS, SETTINGS, shard=0, num_shards=3) == [0, 3]
    assert generate_part(tiny_pipe, tmp_path, ROWS, SETTINGS, shard=2, num_shards=3) == [2]
    assert generate_part(tiny_pipe, tmp_path, ROWS, SETTINGS, shard=2, num_shards=3) == []  # nothing twice
    with pytest.raises(G2Error, match="shard must be in"):
        generate_part(tiny_pipe, tmp_path, ROWS, SETTINGS, shard=3, num_shards=3)


class _Killed(BaseException):
    pass


@pytest.mark.parametrize("trial", range(3))
def test_resume_after_interruption_is_byte_identical(reference, tiny_pipe, tiny_model_dir, tmp_path, monkeypatch, trial):
    """Kill the run at a random UNet call (mid-shard), leave a half-written temp file, resume."""
    unet_calls = 4 * 2  # 4 shards x 1 batch each x 2 steps (CFG's two branches share a call)
    kill_at = random.Random(trial).randrange(1, unet_calls + 1)
    calls = {"n": 0}
    plain = type(tiny_pipe.unet).forward

    def counting_forward(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == kill_at:
            raise _Killed
        return plain(self, *args, **kwargs)

    monkeypatch.setattr(type(tiny_pipe.unet), "forward", counting_forward)
    with pytest.raises(_Killed):
        generate_dataset(tmp_path, ROWS, tiny_model_dir, SETTINGS, pipe=tiny_pipe)
    monkeypatch.setattr(type(tiny_pipe.unet), "forward", plain)
    assert calls["n"] == kill_at and not (tmp_path / "index.json").exists()
    # what a SIGKILL inside np.save leaves behind: a temp file, never a finished shard
    (tmp_path / "shards").mkdir(exist_ok=True)
    (tmp_path / "shards" / ".shard-00003.npy.dead00.tmp").write_bytes(b"\x93NUMPY half")
    assert 3 in missing_shards(tmp_path, len(ROWS), 2)
    generate_dataset(tmp_path, ROWS, tiny_model_dir, SETTINGS, pipe=tiny_pipe)
    resumed = {k: v for k, v in _bytes(tmp_path).items() if not k.endswith(".tmp")}
    assert resumed == _bytes(reference)


def test_truncated_generated_shard_is_named(reference, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(reference, root)
    npy = root / "shards" / "shard-00002.npy"
    npy.write_bytes(npy.read_bytes()[:100])
    with pytest.raises(ShardError, match="shard-00002.npy is truncated"):
        load_synthetic_images(root)


def test_other_settings_cannot_mix_into_a_directory(reference, tiny_pipe, tiny_model_dir):
    from dataclasses import replace

    with pytest.raises(G2Error, match="other settings"):
        generate_dataset(reference, ROWS, tiny_model_dir, replace(SETTINGS, cfg_scale=3.0), pipe=tiny_pipe)


@pytest.mark.parametrize("change, message", [({"images_per_caption": 0}, "images_per_caption must be >= 1"),
                                             ({"cfg_scale": -0.5}, "CFG scale must be")])
def test_bad_settings(change, message, tiny_pipe, tiny_model_dir, tmp_path):
    from dataclasses import replace

    with pytest.raises(G2Error, match=message):
        generate_dataset(tmp_path, ROWS, tiny_model_dir, replace(SETTINGS, **change), pipe=tiny_pipe)
    assert not list(tmp_path.rglob("*.npy"))


def test_empty_caption_file(tiny_pipe, tiny_model_dir, tmp_path):
    with pytest.raises(G2Error, match="caption file is empty"):
        generate_dataset(tmp_path / "out", [], tiny_model_dir, SETTINGS, pipe=tiny_pipe)
    with pytest.raises(G2Error, match="no 'caption' string"):
        generate_dataset(tmp_path / "out2", [{"text": "x"}], tiny_model_dir, SETTINGS, pipe=tiny_pipe)


def test_missing_model_dir(tmp_path):
    with pytest.raises(G2Error, match="not found"):
        generate_dataset(tmp_path / "out", ROWS, tmp_path / "no-model", SETTINGS)


def test_settings_from_config():
    from synclr_lib.config import resolve
    from synclr_lib.images.generate import settings_from_config

    s = settings_from_config(resolve("mini"))
    assert (s.images_per_caption, s.cfg_scale, s.steps, s.captions_per_shard) == (4, 2.5, 10, 256)
    with pytest.raises(G2Error, match="images_per_caption"):
        settings_from_config(resolve("mini", ["images.images_per_caption=0"]))


@pytest.mark.slow
def test_two_worker_processes_give_the_same_bytes(reference, tiny_model_dir, tmp_path):
    generate_dataset(tmp_path, ROWS, tiny_model_dir, SETTINGS, num_workers=2)
    assert {k: v for k, v in _bytes(tmp_path).items()} == _bytes(reference)


def test_shard_cli_rejects_bad_input(capsys):
    from synclr_lib.images.__main__ import main

    assert main(["--profile", "smoke", "--shard", "2", "--num-shards", "2"]) == 2
    assert "--shard < --num-shards" in capsys.readouterr().err
    assert main(["--profile", "smoke", "--set", "images.cfg_scale=-1"]) == 2
    assert "images.cfg_scale=-1.0: expected a number >= 0" in capsys.readouterr().err
