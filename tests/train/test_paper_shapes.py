"""The paper's ViT-B/16 through the real training code: one SynCLR step at the `paper`
profile's settings, only the batch shrunk (slow: a full-size ViT-B on CPU)."""
import math

import pytest

from synclr_lib.config import resolve
from synclr_lib.train import load_encoder, train
from synclr_lib.train.data import from_synthetic

from .conftest import write_tiny_shards

# only the batch and the device differ from the paper profile (2 captions x 4 images)
SMALL_BATCH = ["run.device=cpu", "run.bf16=false", "train.steps=1", "train.captions_per_batch=2"]


@pytest.mark.slow
def test_one_paper_profile_step_of_vit_b16(tmp_path):
    cfg = resolve("paper", SMALL_BATCH)
    t = cfg.train
    assert (t.image_size, t.images_per_caption, t.method) == (224, 4, "synclr")
    assert set(t.components.split(",")) == {"ema", "ibot", "multicrop"}
    data = from_synthetic(write_tiny_shards(tmp_path / "data", n_captions=4, per_caption=4, size=224,
                                            captions_per_shard=4))
    summary = train(cfg, data, tmp_path / "out", progress=False)
    assert summary["steps"] == 1 and math.isfinite(summary["final"]["loss"])
    enc = load_encoder(tmp_path / "out")
    c = enc.config
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.patch_size, c.image_size) == (
        12, 768, 12, 16, 224)
