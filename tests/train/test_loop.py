"""The training loop: exact resume after a kill, checkpoints, outputs, bad input."""
import json

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from synclr_lib.config import ConfigError, resolve
from synclr_lib.train import TrainDataError, load_encoder, train
from synclr_lib.train.data import from_synthetic
from synclr_lib.train.loop import CHECKPOINT

SMALL = ["train.steps=6", "run.checkpoint_every=2", "train.log_every=1", "train.captions_per_batch=4"]


class Killed(Exception):
    pass


def test_killed_run_resumes_to_the_same_weights(tiny_data_dir, tmp_path):
    cfg = resolve("smoke", SMALL + ["train.drop_path=0.1"])
    data = from_synthetic(tiny_data_dir)
    train(cfg, data, tmp_path / "straight", progress=False)

    def kill_after_step_3(step):
        if step == 3:  # steps 0-3 done; the last checkpoint holds steps 0-1... 2-3? it holds 4 steps
            raise Killed

    with pytest.raises(Killed):
        train(cfg, data, tmp_path / "killed", on_step=kill_after_step_3, progress=False)
    assert torch.load(tmp_path / "killed" / CHECKPOINT, weights_only=False)["step"] == 4
    info = train(cfg, data, tmp_path / "killed", progress=False)
    assert info["resumed_from"] == 4
    a = load_file(tmp_path / "straight" / "encoder" / "model.safetensors")
    b = load_file(tmp_path / "killed" / "encoder" / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    straight = pd.read_csv(tmp_path / "straight" / "curves.csv")
    resumed = pd.read_csv(tmp_path / "killed" / "curves.csv")
    assert list(resumed["step"]) == [1, 2, 3, 4, 5, 6]
    pd.testing.assert_series_equal(straight["loss"], resumed["loss"])


def test_outputs_encoder_curves_config(tiny_data_dir, tmp_path):
    cfg = resolve("smoke", SMALL)
    info = train(cfg, from_synthetic(tiny_data_dir), tmp_path / "out", progress=False)
    enc = load_encoder(tmp_path / "out")
    assert enc.config.hidden_size == cfg.train.width
    curves = pd.read_csv(tmp_path / "out" / "curves.csv")
    assert {"loss", "contrastive", "local", "ibot", "lr", "ema_momentum", "teacher_temp"} <= set(curves.columns)
    assert json.loads((tmp_path / "out" / "config.json").read_text())["train"]["steps"] == 6
    assert info["steps"] == 6 and info["resumed_from"] == 0


def test_checkpoint_from_another_config_is_refused(tiny_data_dir, tmp_path):
    data = from_synthetic(tiny_data_dir)
    train(resolve("smoke", SMALL), data, tmp_path / "out", progress=False)
    with pytest.raises(ConfigError, match="different training config"):
        train(resolve("smoke", SMALL + ["train.lr=0.1"]), data, tmp_path / "out", progress=False)


# ---------------------------------------------------------------- bad input: one clear error
def test_cli_bad_inputs_give_one_error_line(tmp_path, capsys):
    from synclr_lib.__main__ import main

    (tmp_path / "empty").mkdir()
    cases = {
        "empty": (["--set", f"train.data_dir={tmp_path / 'empty'}"], "no index.json"),
        "component": (["--set", "train.components=ema,dino"], "unknown train.components 'dino'"),
        "one image": (["--set", "train.images_per_caption=1"], "at least 2 images per caption"),
    }
    for name, (args, message) in cases.items():
        assert main(["train", "--profile", "smoke", *args]) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, (name, err)


def test_corrupt_shard_is_named(tiny_data_dir, tmp_path):
    shard = tiny_data_dir / "shards" / "shard-00001.npy"
    shard.write_bytes(shard.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(TrainDataError, match="shard-00001.npy is corrupt"):
        from_synthetic(tiny_data_dir)
    (tiny_data_dir / "shards" / "shard-00000.npy").unlink()
    with pytest.raises(TrainDataError, match="shard-00000.npy is missing"):
        from_synthetic(tiny_data_dir)


def test_fewer_than_two_images_per_caption(tmp_path, make_shards):
    data = from_synthetic(make_shards("one_each", per_caption=1))
    with pytest.raises(TrainDataError, match="at least 2 images per caption"):
        train(resolve("smoke", SMALL), data, tmp_path / "out", progress=False)
    data = from_synthetic(make_shards("four_each"))
    with pytest.raises(TrainDataError, match="at least 2 images per caption"):
        train(resolve("smoke", SMALL + ["train.images_per_caption=1"]), data, tmp_path / "out", progress=False)
    # SimCLR makes its own two views: one image per caption is fine there
    train(resolve("smoke", SMALL + ["train.method=simclr", "train.steps=1"]),
          from_synthetic(tmp_path / "one_each"), tmp_path / "simclr", progress=False)


@pytest.mark.parametrize("override, message", [
    ("train.method=byol", "unknown train.method"),
    ("train.data=internet", "unknown train.data"),
    ("train.group_by=weather", "not in every caption row"),
])
def test_other_bad_settings(tiny_data_dir, tmp_path, override, message):
    cfg = resolve("smoke", SMALL + [override])
    with pytest.raises(ConfigError, match=message):
        if override.startswith("train.data="):
            from synclr_lib.train import load_train_data
            load_train_data(cfg)
        else:
            train(cfg, from_synthetic(tiny_data_dir), tmp_path / "out", progress=False)


def test_group_by_row_fields_and_caption_text(tiny_data_dir):
    data = from_synthetic(tiny_data_dir)
    concept = data.group_keys("concept")
    assert len(set(concept)) == 4 and (concept[::4] == concept[0]).all()
    combo = data.group_keys("concept,background")
    assert len(set(combo)) == 4  # concept i % 4 fixes background i % 2
    data.rows[0]["caption"] = "a crimson star on the beach"
    data.rows[0].pop("background")
    keys = data.group_keys("colour,background")  # colour from the text for every row
    assert keys[0] != keys[1]


def test_embeddings_do_not_collapse(tiny_data_dir, tmp_path):
    """The curves log the mean pairwise cosine of a batch's embeddings. With the default
    (BatchNorm) projection head it stays well below 1 through training; a LayerNorm head under
    BYOL's colour augmentation maps every image to one vector and its loss stays at ln(P*K - 1)."""
    data = from_synthetic(tiny_data_dir)
    common = ["train.steps=20", "train.log_every=1", "train.captions_per_batch=8", "train.components=", "train.lr=3e-3"]
    byol = ["train.jitter_prob=0.8", "train.grayscale_prob=0.2", "train.solarize_prob=0.2", "train.global_scale=0.32,1.0"]
    train(resolve("smoke", common), data, tmp_path / "batch", progress=False)
    train(resolve("smoke", common + byol + ["train.proj_norm=layer"]), data, tmp_path / "layer", progress=False)
    batch, layer = (pd.read_csv(tmp_path / name / "curves.csv") for name in ("batch", "layer"))
    assert batch["embedding_cosine"].max() < 0.9
    assert layer["embedding_cosine"].iloc[-10:].min() > 0.99
    assert layer["loss"].iloc[-1] == pytest.approx(np.log(31), abs=0.05)  # 32 images: 31 candidates each
