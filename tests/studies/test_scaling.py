"""The scaling grid: caption counts, encoder sizes, subsets of the images stage, paper curves."""
import json

import numpy as np
import pytest

from synclr_lib.config import resolve
from synclr_lib.images.shards import load_synthetic_images, write_captions, write_index, write_shard
from synclr_lib.studies import scaling


def test_caption_counts():
    cfg = resolve("mini", ["train.captions_per_batch=64"])
    assert scaling.caption_counts(cfg, (1, 3, 10), total=10_000) == [1000, 3000, 10000]
    assert scaling.caption_counts(cfg, (1, 3, 10), total=300) == [64, 192, 300]  # base raised to a batch, capped
    assert scaling.caption_counts(cfg, (1, 3, 10), base=500, total=2000) == [500, 1500, 2000]
    with pytest.raises(ValueError):
        scaling.caption_counts(cfg, (1, 3), base=10, total=2000)


def test_encoder_sizes():
    cfg = resolve("mini", ["train.width=192", "train.depth=6", "train.heads=3"])
    sizes = scaling.encoder_sizes(cfg)
    assert sizes == {"small (w96 d3)": ["train.width=96", "train.depth=3", "train.heads=3"], "profile (w192 d6)": []}
    assert scaling.encoder_sizes(cfg, 100, 2)["small (w100 d2)"][2] == "train.heads=1"


def test_paper_scaling_from_paper_numbers():
    pts = scaling.paper_scaling()
    vitb = pts[pts.curve.str.startswith("ViT-B/16 ImageNet")]
    assert vitb.captions.tolist() == [1e6, 3e6, 1e7, 4e7, 1.5e8] and vitb.value.iloc[-1] == 80.0


def test_caption_subset_holds_the_first_captions(tmp_path, monkeypatch):
    src = tmp_path / "images"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (10, 4, 8, 8, 3), dtype=np.uint8)
    for k, start in enumerate(range(0, 10, 4)):
        write_shard(src / "shards", k, start, images[start:start + 4])
    write_captions(src, [{"caption": f"cap {i}", "concept": "star"} for i in range(10)])
    write_index(src, num_captions=10, images_per_caption=4, image_size=8, captions_per_shard=4, extra={"cfg_scale": 2.5})
    import synclr_lib.stages as stages
    monkeypatch.setattr(stages, "run_stage", lambda name, cfg: src)
    monkeypatch.setattr(stages, "full_payload", lambda name, cfg: {"fake": name})
    out = scaling.caption_subset(resolve("smoke"), 6)
    ds = load_synthetic_images(out)
    assert len(ds.captions) == 6 and ds.captions[5]["caption"] == "cap 5"
    assert np.array_equal(ds.images.reshape(6, 4, 8, 8, 3), images[:6])
    index = json.loads((out / "index.json").read_text())
    assert index["subset_captions"] == 6 and index["cfg_scale"] == 2.5
    assert scaling.caption_subset(resolve("smoke"), 6) == out  # cached
    with pytest.raises(ValueError):
        scaling.caption_subset(resolve("smoke"), 11)
