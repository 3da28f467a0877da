"""Feature extraction: shapes, batching, the raw-pixel baseline, random init, and the cache."""
import numpy as np
import pytest
import torch
from transformers import ViTConfig, ViTModel

from synclr_lib import paths
from synclr_lib.config import resolve
from synclr_lib.evaluate import (PixelEncoder, encoder_fingerprint, extract_features, load_encoder,
                                 random_init_encoder)
from synclr_lib.evaluate.features import feature_cache_dir


def tiny_vit(seed=0):
    torch.manual_seed(seed)
    return ViTModel(ViTConfig(image_size=16, patch_size=4, hidden_size=16, num_hidden_layers=1,
                              num_attention_heads=2, intermediate_size=32), add_pooling_layer=False).eval()


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)


def test_vit_features_shapes_and_batching(images):
    model = tiny_vit()
    a = extract_features(model, images, batch_size=3, bf16=False, patches=True, progress=False)
    b = extract_features(model, images, batch_size=10, bf16=False, progress=False)
    assert a.cls.shape == (10, 16) and a.patch.shape == (10, 16, 16) and a.grid == 4
    np.testing.assert_allclose(a.cls, b.cls, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(a.patch.mean(1), b.mean_patch, rtol=1e-4, atol=1e-5)
    assert b.patch is None
    with torch.no_grad():
        from synclr_lib.pixels import to_tensor
        ref = model(pixel_values=to_tensor(images)).last_hidden_state
    np.testing.assert_allclose(a.cls, ref[:, 0].numpy(), rtol=1e-4, atol=1e-5)
    assert not model.training


def test_bf16_features_are_close(images):
    model = tiny_vit()
    full = extract_features(model, images, bf16=False, progress=False)
    half = extract_features(model, images, bf16=True, progress=False)
    assert half.cls.dtype == np.float32
    assert np.abs(full.cls - half.cls).max() < 0.1 * np.abs(full.cls).max()


def test_images_are_resized_to_the_model(images):
    big = np.repeat(np.repeat(images, 2, 1), 2, 2)  # 32 px images, a 16 px model
    feats = extract_features(tiny_vit(), big, bf16=False, progress=False)
    assert feats.cls.shape == (10, 16)


def test_pixel_encoder_tokens_are_pixel_blocks(images):
    feats = extract_features(PixelEncoder(patch_size=4), images, bf16=False, patches=True, progress=False)
    assert feats.cls.shape == (10, 16 * 16 * 3) and feats.patch.shape == (10, 16, 48)
    # patch 1 is the top row's second 4x4 block; unfold orders (channel, row, col)
    block = images[0, :4, 4:8].astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(feats.patch[0, 1], block.transpose(2, 0, 1).ravel(), atol=1e-6)


def test_random_init_is_seeded_and_leaves_global_rng_alone():
    cfg = resolve("smoke")
    state = torch.random.get_rng_state()
    a, b, c = random_init_encoder(cfg), random_init_encoder(cfg), random_init_encoder(cfg, seed=1)
    assert torch.equal(state, torch.random.get_rng_state())
    assert encoder_fingerprint(a) == encoder_fingerprint(b) != encoder_fingerprint(c)
    assert a.config.hidden_size == cfg.train.width and a.config.num_hidden_layers == cfg.train.depth


def test_cache_is_reused_and_keyed_by_weights_and_pixels(images, tmp_path):
    model = tiny_vit()
    first = extract_features(model, images, bf16=False, patches=True, cache_name="toy-train", progress=False)
    entry = feature_cache_dir(model, images, "toy-train", bf16=False, patches=True)
    assert (entry / "DONE").exists() and (entry / "patch.npy").exists() and (entry / "meta.json").exists()
    np.save(entry / "cls.npy", first.cls + 1)  # tamper: a reuse must read the file
    again = extract_features(model, images, bf16=False, cache_name="toy-train", progress=False)
    np.testing.assert_array_equal(again.cls, first.cls + 1)  # the entry with patches serves it
    assert not feature_cache_dir(model, images, "toy-train", bf16=False).exists()
    other = tiny_vit(seed=1)  # new weights -> new entry, never the stale one
    fresh = extract_features(other, images, bf16=False, cache_name="toy-train", progress=False)
    assert not np.allclose(fresh.cls, first.cls + 1)
    changed = images.copy()
    changed[0, 0, 0, 0] ^= 1  # one pixel differs -> new entry
    extract_features(model, changed, bf16=False, cache_name="toy-train", progress=False)
    assert feature_cache_dir(model, changed, "toy-train", bf16=False) != feature_cache_dir(model, images, "toy-train", bf16=False)
    assert feature_cache_dir(model, changed, "toy-train", bf16=False).exists()
    assert len(list((paths.artifacts_dir() / "features").iterdir())) == 3


def test_saved_encoder_loads_and_matches(images, tmp_path):
    model = tiny_vit()
    model.save_pretrained(tmp_path / "enc")
    loaded = load_encoder(tmp_path / "enc")
    assert encoder_fingerprint(loaded) == encoder_fingerprint(model)
    with pytest.raises(FileNotFoundError, match="no encoder"):
        load_encoder(tmp_path / "missing")


def test_bad_images_give_one_clear_error():
    with pytest.raises(ValueError, match="uint8 image array"):
        extract_features(PixelEncoder(), np.zeros((2, 8, 8, 3), np.float32))


def test_pixel_encoder_can_shrink_only_the_cls_feature(images):
    feats = extract_features(PixelEncoder(patch_size=4, cls_size=8), images, bf16=False, patches=True,
                             progress=False)
    assert feats.cls.shape == (10, 8 * 8 * 3) and feats.patch.shape == (10, 16, 48)
