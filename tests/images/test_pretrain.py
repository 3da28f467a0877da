import math

import numpy as np
import pytest
import torch
from dataclasses import replace

from synclr_lib.config import resolve
from synclr_lib.images.pipeline import train_scheduler
from synclr_lib.images.pretrain import (_unet_payload, cosine_lr, encode_images, min_snr_weights, reconstruct,
                                        reconstruction_psnr, save_loss_curve, text_states, train_unet, train_vae,
                                        vae_held_out)


def _images(n=64, seed=0):
    """Blocks of flat colour on a gradient: easy to reconstruct."""
    rng = np.random.default_rng(seed)
    img = np.zeros((n, 32, 32, 3), np.uint8)
    img[:] = np.linspace(40, 200, 32, dtype=np.uint8)[None, :, None, None]
    for i in range(n):
        y, x = rng.integers(0, 20, 2)
        img[i, y:y + 12, x:x + 12] = rng.integers(0, 255, 3)
    return img


def test_cosine_lr_schedule():
    assert cosine_lr(0, 100, 1.0, warmup=10) == pytest.approx(0.1)
    assert cosine_lr(9, 100, 1.0, warmup=10) == pytest.approx(1.0)
    assert cosine_lr(55, 100, 1.0, warmup=10) == pytest.approx(0.5)
    assert cosine_lr(100, 100, 1.0, warmup=10) == pytest.approx(0.0, abs=1e-12)


def test_text_states_deduplicate_and_reserve_the_empty_caption():
    unique, states, mask, ids = text_states(["b cat", "a dog", "b cat"], max_length=16)
    assert unique[0] == "" and sorted(unique[1:]) == ["a dog", "b cat"]
    assert states.shape == (3, 16, 384) and states.dtype == np.float16 and mask.shape == (3, 16)
    assert unique[ids[0]] == "b cat" and ids[0] == ids[2] != ids[1]
    assert mask[0].sum() == 2  # [CLS] [SEP]


def test_vae_learns_to_reconstruct(tiny_images_cfg):
    images = _images()
    cfg = replace(tiny_images_cfg, vae_steps=30, vae_batch=8, vae_channels=(8, 8, 8), vae_lr=5e-3)
    vae, losses = train_vae(images, cfg, seed=0, bf16=False, progress=False)
    assert list(losses.columns) == ["step", "loss", "lr", "elapsed_s"] and len(losses) == 30
    assert losses["loss"].iloc[-5:].mean() < 0.7 * losses["loss"].iloc[:5].mean()
    assert encode_images(vae, images[:3]).shape == (3, 4, 8, 8)
    assert reconstruction_psnr(vae, images[:16]) > 12
    recon = reconstruct(vae, images[:10], batch=4)
    assert recon.shape == (10, 32, 32, 3) and recon.dtype == np.uint8
    np.testing.assert_array_equal(recon, reconstruct(vae, images[:10]))  # batches do not matter


def test_vae_held_out_is_five_percent_capped():
    assert vae_held_out(50_000) == 1000 and vae_held_out(50_000, cap=300) == 300
    assert vae_held_out(512) == 25 and vae_held_out(10) == 1


def test_unet_loss_falls_with_text_and_dropout(tiny_images_cfg, tmp_path):
    torch.manual_seed(0)
    latents = torch.randn(32, 4, 8, 8) * 0.1 + torch.arange(2).repeat(16)[:, None, None, None]
    states = np.random.default_rng(0).normal(size=(3, 16, 384)).astype(np.float16)
    ids = np.array([1, 2] * 16)
    cfg = replace(tiny_images_cfg, unet_steps=20, unet_batch=8, unet_lr=2e-3)
    unet, losses = train_unet(latents, states, ids, cfg, seed=0, bf16=True, progress=False)
    assert not any(p.requires_grad for p in unet.parameters())
    assert losses["loss"].iloc[-5:].mean() < losses["loss"].iloc[:5].mean()
    save_loss_curve(losses, tmp_path, "unet")
    assert (tmp_path / "losses.csv").is_file() and (tmp_path / "losses.png").stat().st_size > 0


@pytest.mark.parametrize("fraction, finite", [(1.0, True), (0.0, False)])
def test_unet_reads_recaptions_with_recaption_fraction(tiny_images_cfg, fraction, finite):
    """Alt-text rows are NaN: the loss stays finite only if every pair reads its recaption."""
    latents = torch.randn(16, 4, 8, 8)
    states = np.random.default_rng(0).normal(size=(3, 16, 384)).astype(np.float16)
    states[1] = np.nan  # every pair's alt-text
    cfg = replace(tiny_images_cfg, unet_steps=3, unet_batch=8, recaption_fraction=fraction)
    _, losses = train_unet(latents, states, np.full(16, 1), cfg, seed=0, bf16=False, progress=False,
                           recaption_ids=np.full(16, 2))
    assert np.isfinite(losses["loss"]).all() == finite


def test_unet_rejects_bad_recaptions(tiny_images_cfg):
    latents, states = torch.randn(4, 4, 8, 8), np.zeros((3, 16, 384), np.float16)
    with pytest.raises(ValueError, match="recaption_fraction"):
        train_unet(latents, states, np.ones(4, int), replace(tiny_images_cfg, recaption_fraction=1.5), seed=0,
                   progress=False, recaption_ids=np.full(4, 2))
    with pytest.raises(ValueError, match="must match text_ids"):
        train_unet(latents, states, np.ones(4, int), tiny_images_cfg, seed=0, progress=False,
                   recaption_ids=np.full(3, 2))


def test_unet_training_continues_a_given_unet(tiny_images_cfg):
    latents = torch.randn(16, 4, 8, 8)
    states = np.random.default_rng(0).normal(size=(2, 16, 384)).astype(np.float16)
    cfg = replace(tiny_images_cfg, unet_steps=3, unet_batch=8)
    first, _ = train_unet(latents, states, np.ones(16, int), cfg, seed=0, bf16=False, progress=False)
    before = [p.clone() for p in first.parameters()]
    again, losses = train_unet(latents, states, np.ones(16, int), cfg, seed=1, bf16=False, progress=False,
                               init_unet=first)
    assert again is first and len(losses) == 3
    assert any(not torch.equal(a, b) for a, b in zip(before, again.parameters()))  # trained further
    assert not any(p.requires_grad for p in again.parameters())


@pytest.mark.parametrize("prediction_type", ["v_prediction", "epsilon"])
@pytest.mark.parametrize("gamma", [1.0, 5.0])
def test_min_snr_weights_match_a_hand_written_reference(tiny_images_cfg, prediction_type, gamma):
    sched = train_scheduler(replace(tiny_images_cfg, prediction_type=prediction_type))
    t = torch.tensor([0, 10, 200, 500, 999])
    got = min_snr_weights(sched, t, gamma)
    for i, step in enumerate(t.tolist()):
        a = float(sched.alphas_cumprod[step])
        snr = a / (1 - a)  # signal-to-noise ratio of x_t = sqrt(a) x0 + sqrt(1 - a) eps
        want = min(snr, gamma) / (snr + 1 if prediction_type == "v_prediction" else snr)
        assert got[i].item() == pytest.approx(want, rel=1e-4)
    assert got[0] < got[2]  # nearly clean latents weigh less than mid-noise ones
    with pytest.raises(ValueError, match="snr_gamma"):
        min_snr_weights(sched, t, 0.0)


def test_min_snr_changes_the_unet_cache_key_only_when_on():
    off = _unet_payload(resolve("mini", ["images.g2=mini-train", "images.unet_snr_gamma=0"]))
    assert "snr_gamma" not in off  # plain-MSE g2s trained before the option keep their key
    assert _unet_payload(resolve("mini", ["images.g2=mini-train", "images.unet_snr_gamma=5"]))["snr_gamma"] == 5.0


def test_unet_trains_with_min_snr_weights(tiny_images_cfg):
    latents = torch.randn(16, 4, 8, 8)
    states = np.random.default_rng(0).normal(size=(2, 16, 384)).astype(np.float16)
    plain = replace(tiny_images_cfg, unet_steps=3, unet_batch=8, unet_snr_gamma=0.0)
    _, base = train_unet(latents, states, np.ones(16, int), plain, seed=0, bf16=False, progress=False)
    _, weighted = train_unet(latents, states, np.ones(16, int), replace(plain, unet_snr_gamma=5.0), seed=0,
                             bf16=False, progress=False)
    assert np.isfinite(weighted["loss"]).all()
    assert weighted["loss"].iloc[0] < base["loss"].iloc[0]  # same batch, weights below 1
    with pytest.raises(ValueError, match="unet_snr_gamma"):
        train_unet(latents, states, np.ones(16, int), replace(plain, unet_snr_gamma=-1.0), seed=0, progress=False)
