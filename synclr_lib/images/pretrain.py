"""Pretraining the mini g2 on the mini-web's (image, caption) pairs, as three cached stages.

    g2_text : MiniLM token states (24 tokens + mask) of every distinct alt-text and descriptive
              recaption (world/recaption.py, DALL-E 3's recipe), once per corpus
    g2_vae  : the AutoencoderKL (32x32x3 <-> 16x16x4 at mini), trained first; its latent scaling factor
    g2      : the UNet on the VAE's latents, each pair captioned by its recaption with probability
              `images.recaption_fraction` (else its alt-text), 10 % empty captions (so CFG works), assembled
              with the VAE, MiniLM and DPM-Solver++ into a StableDiffusionPipeline and saved
              with save_pretrained under <artifact>/pipeline

    python -m synclr_lib g2 --profile mini --set images.g2=mini-train   # runs g2_text and g2_vae first if needed

At `mini` these stages run only under `make generators` (or images.g2=mini-train): the profile
draws from the shipped g2 in generators/mini/g2, whose training/ folder keeps the loss curves.

The recipe came from an early feasibility study on a 2-core CPU (v-prediction, batch 32, cosine lr, a VAE trained
on its posterior mean plus a little noise with L1 + MSE), with bf16 autocast where `run.bf16` resolves to it.
Loss curves land beside each model as losses.csv and losses.png. The functions below take
plain arrays, so tests train tiny models on a handful of pairs.

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from ..progress import tqdm

from ..config import TRAIN_HERE
from ..pixels import to_tensor
from ..paths import local_dir
from ..runtime import bf16_enabled, generator, quiet_model_io
from ..stages import run_stage, stage
from .pipeline import (TEXT_MAX_LENGTH, assemble_pipeline, minilm_text_encoder, mini_unet, mini_vae,
                       sampling_scheduler, train_scheduler)

WEB_STAGE = "world"  # the world's stage holding the mini-web (synclr_lib.world.web)
RECAPTION_VERSION = 1  # bump when world/recaption.py's wording changes, so g2_text is rebuilt
UNET_TRAIN_ATTENTION = "classic"  # the UNet's attention kernel while training (see train_unet)


def _autocast(enabled: bool):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled)


def cosine_lr(step: int, total: int, peak: float, warmup: int) -> float:
    """Linear warm-up then cosine decay to zero."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def save_loss_curve(df: pd.DataFrame, out_dir: Path, title: str) -> None:
    """losses.csv and losses.png (raw loss and a running mean) in out_dir."""
    # a bare Figure draws headless without pyplot, so the notebook kernel's backend stays inline
    from matplotlib.figure import Figure

    from ..plots import draw_loss_curve

    df.to_csv(out_dir / "losses.csv", index=False)
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    draw_loss_curve(ax, df, title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "losses.png", dpi=120)


# --------------------------------------------------------------------------------------
# Text: token states of every distinct alt-text
# --------------------------------------------------------------------------------------
def text_states(texts: list[str], max_length: int = TEXT_MAX_LENGTH):
    """(unique texts, states float16 [U, L, 384], mask uint8 [U, L], text_ids [N]) where
    text_ids[n] indexes texts[n] in the unique list; "" (the empty caption) is always id 0."""
    from ..text.minilm import token_states

    unique = [""] + sorted(set(texts) - {""})
    lookup = {t: i for i, t in enumerate(unique)}
    states, masks = [], []
    chunk = 2048
    for i in tqdm(range(0, len(unique), chunk), desc="g2: MiniLM token states", unit="chunk"):
        s, m = token_states(unique[i:i + chunk], max_length=max_length)
        states.append(s.half())
        masks.append(m.to(torch.uint8))
    ids = np.array([lookup[t] for t in texts], dtype=np.int64)
    return unique, torch.cat(states).numpy(), torch.cat(masks).numpy(), ids


# --------------------------------------------------------------------------------------
# VAE
# --------------------------------------------------------------------------------------
def train_vae(images: np.ndarray, images_cfg, *, seed: int, bf16: bool = True, progress: bool = True):
    """Train the mini AutoencoderKL on uint8 images [N, H, W, 3].

    The decoder sees the posterior mean plus `vae_latent_noise` Gaussian noise (sharper than
    sampling the posterior with a KL term in that study); loss L1 + MSE. Returns
    (vae in eval mode, losses DataFrame)."""
    torch.manual_seed(seed)
    vae = mini_vae(images_cfg, image_size=images.shape[1])
    opt = torch.optim.AdamW(vae.parameters(), lr=images_cfg.vae_lr, weight_decay=0.0)
    steps, batch = images_cfg.vae_steps, images_cfg.vae_batch
    gen = generator(seed + 1)
    rows, start = [], time.time()
    vae.train()
    for step in tqdm(range(steps), desc="g2: VAE", disable=not progress, mininterval=2):
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, steps, images_cfg.vae_lr, warmup=min(100, steps // 10 + 1))
        idx = torch.randint(0, len(images), (batch,), generator=gen)
        x = to_tensor(images[idx.numpy()])
        with _autocast(bf16):
            mean = vae.encode(x).latent_dist.mean
            z = mean + images_cfg.vae_latent_noise * torch.randn(mean.shape, generator=gen)
            recon = vae.decode(z).sample.float()
        loss = F.l1_loss(recon, x) + F.mse_loss(recon, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        rows.append({"step": step, "loss": loss.item(), "lr": opt.param_groups[0]["lr"],
                     "elapsed_s": time.time() - start})
    return vae.eval().requires_grad_(False), pd.DataFrame(rows)


@torch.no_grad()
def encode_images(vae, images: np.ndarray, batch: int = 512) -> torch.Tensor:
    """Posterior means float32 [N, 4, h, w] (unscaled)."""
    out = [vae.encode(to_tensor(images[i:i + batch])).latent_dist.mean for i in range(0, len(images), batch)]
    return torch.cat(out)


def vae_held_out(n_images: int, cap: int = 1000) -> int:
    """How many of the last mini-web images the VAE never trains on: 5 %, at most `cap`
    (reconstruction PSNR here; the CFG study's reference rows judge the same images)."""
    return max(1, min(cap, n_images // 20))


@torch.no_grad()
def reconstruct(vae, images: np.ndarray, batch: int = 256) -> np.ndarray:
    """uint8 decode(posterior mean of encode(x)) of uint8 images [N, H, W, 3]."""
    from ..pixels import to_uint8

    return np.concatenate([to_uint8(vae.decode(vae.encode(to_tensor(images[i:i + batch])).latent_dist.mean).sample)
                           for i in range(0, len(images), batch)])


@torch.no_grad()
def reconstruction_psnr(vae, images: np.ndarray) -> float:
    """Mean PSNR (dB, on [0, 1] pixels) of decode(encode(x))."""
    x = to_tensor(images)
    recon = vae.decode(vae.encode(x).latent_dist.mean).sample.clamp(-1, 1)
    mse = ((recon - x) / 2).pow(2).flatten(1).mean(1).clamp(min=1e-10)
    return float((10 * torch.log10(1 / mse)).mean())


# --------------------------------------------------------------------------------------
# UNet
# --------------------------------------------------------------------------------------
def min_snr_weights(sched, timesteps: torch.Tensor, gamma: float) -> torch.Tensor:
    """Min-SNR-gamma loss weights per timestep (Hang et al. 2023, as diffusers'
    train_text_to_image.py --snr_gamma): min(SNR, gamma) / SNR for epsilon targets,
    min(SNR, gamma) / (SNR + 1) for v targets, so every timestep weighs as min(SNR, gamma)
    times its x0 error. It caps the weight of the nearly clean timesteps, which otherwise
    pull the UNet towards detail before it has the layout."""
    from diffusers.training_utils import compute_snr

    if gamma <= 0:
        raise ValueError(f"images.unet_snr_gamma must be > 0 for Min-SNR weights, got {gamma}")
    snr = compute_snr(sched, timesteps)
    clipped = snr.clamp(max=gamma)
    if sched.config.prediction_type == "v_prediction":
        return clipped / (snr + 1)
    return clipped / snr


def train_unet(latents: torch.Tensor, states: np.ndarray, text_ids: np.ndarray, images_cfg, *,
               seed: int, bf16: bool = True, progress: bool = True, recaption_ids: np.ndarray | None = None,
               init_unet=None):
    """Train the mini UNet on scaled latents [N, 4, h, w] with text states [U, L, 384]
    (text_ids [N] -> row of `states`; row 0 is the empty caption, used for caption dropout).
    With `recaption_ids` [N], each drawn pair uses its recaption's row instead with probability
    `images_cfg.recaption_fraction` (drawn anew every time the pair is drawn). `init_unet`
    continues training that UNet (a new warm-up and cosine) instead of a fresh one.

    Returns (unet in eval mode, losses DataFrame)."""
    from diffusers.models.attention_processor import AttnProcessor

    torch.manual_seed(seed)
    unet = (init_unet.requires_grad_(True) if init_unet is not None else
            mini_unet(images_cfg, latent_size=latents.shape[-1], cross_attention_dim=states.shape[-1]))
    # diffusers' classic attention (matmul, softmax, matmul): on CPU its backward is 2x faster
    # than torch's sdpa at these sizes (benchmarks/bench_attention.py); sampling keeps sdpa
    unet.set_attn_processor(AttnProcessor())  # UNET_TRAIN_ATTENTION
    sched = train_scheduler(images_cfg)
    opt = torch.optim.AdamW(unet.parameters(), lr=images_cfg.unet_lr, weight_decay=0.01)
    steps, batch = images_cfg.unet_steps, images_cfg.unet_batch
    states_t = torch.from_numpy(states)
    ids_t = torch.from_numpy(text_ids)
    recaption_t = None if recaption_ids is None else torch.from_numpy(recaption_ids)
    if not 0.0 <= images_cfg.recaption_fraction <= 1.0:
        raise ValueError(f"images.recaption_fraction must lie in [0, 1], got {images_cfg.recaption_fraction}")
    if recaption_t is not None and recaption_t.shape != ids_t.shape:
        raise ValueError(f"recaption_ids {tuple(recaption_t.shape)} must match text_ids {tuple(ids_t.shape)}")
    if images_cfg.unet_snr_gamma < 0:
        raise ValueError(f"images.unet_snr_gamma must be >= 0 (0 = plain MSE), got {images_cfg.unet_snr_gamma}")
    gen = generator(seed + 1)
    rows, start = [], time.time()
    unet.train()
    for step in tqdm(range(steps), desc="g2: UNet", disable=not progress, mininterval=2):
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, steps, images_cfg.unet_lr, warmup=min(200, steps // 10 + 1))
        idx = torch.randint(0, len(latents), (batch,), generator=gen)
        x0 = latents[idx]
        text = ids_t[idx].clone()
        if recaption_t is not None:
            use = torch.rand(batch, generator=gen) < images_cfg.recaption_fraction
            text[use] = recaption_t[idx][use]
        text[torch.rand(batch, generator=gen) < images_cfg.caption_dropout] = 0  # "" -> CFG
        cond = states_t[text].float()
        noise = torch.randn(x0.shape, generator=gen)
        t = torch.randint(0, sched.config.num_train_timesteps, (batch,), generator=gen)
        xt = sched.add_noise(x0, noise, t)
        target = sched.get_velocity(x0, noise, t) if sched.config.prediction_type == "v_prediction" else noise
        with _autocast(bf16):
            pred = unet(xt, t, encoder_hidden_states=cond).sample.float()
        if images_cfg.unet_snr_gamma > 0:
            per_pair = F.mse_loss(pred, target, reduction="none").flatten(1).mean(1)
            loss = (per_pair * min_snr_weights(sched, t, images_cfg.unet_snr_gamma)).mean()
        else:
            loss = F.mse_loss(pred, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        rows.append({"step": step, "loss": loss.item(), "lr": opt.param_groups[0]["lr"],
                     "elapsed_s": time.time() - start})
    return unet.eval().requires_grad_(False), pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Cached stages
# --------------------------------------------------------------------------------------
def _vae_payload(cfg) -> dict:
    im = cfg.images
    return {"seed": cfg.run.seed, "bf16": bf16_enabled(cfg), "vae_channels": list(im.vae_channels),
            "vae_steps": im.vae_steps, "vae_batch": im.vae_batch, "vae_lr": im.vae_lr,
            "vae_latent_noise": im.vae_latent_noise}


def _unet_payload(cfg) -> dict:
    im = cfg.images
    return {"seed": cfg.run.seed, "bf16": bf16_enabled(cfg), "unet_channels": list(im.unet_channels),
            "unet_layers_per_block": im.unet_layers_per_block,
            "unet_attention_levels": list(im.unet_attention_levels), "unet_heads": im.unet_heads,
            "beta_schedule": im.beta_schedule, "prediction_type": im.prediction_type,
            "unet_steps": im.unet_steps, "unet_batch": im.unet_batch, "unet_lr": im.unet_lr,
            "caption_dropout": im.caption_dropout, "recaption_fraction": im.recaption_fraction,
            "attention": UNET_TRAIN_ATTENTION,
            # only when on, so plain-MSE g2s trained before the option existed keep their cache key
            **({"snr_gamma": im.unet_snr_gamma} if im.unet_snr_gamma > 0 else {})}


@stage("g2_text", payload=lambda cfg: {"max_length": TEXT_MAX_LENGTH, "recaption": RECAPTION_VERSION},
       requires=(WEB_STAGE,))
def build_g2_text(cfg, out: Path, inputs: dict) -> dict:
    """MiniLM token states of the mini-web's alt-texts and recaptions (distinct texts only)."""
    from ..world import read_mini_web
    from ..world.recaption import recaption

    web = read_mini_web(inputs[WEB_STAGE])
    recaptions = [recaption(web.spec(i)) for i in range(len(web))]
    unique, states, mask, ids = text_states(list(web.texts) + recaptions)
    np.save(out / "states.npy", states)
    np.save(out / "mask.npy", mask)
    np.save(out / "text_ids.npy", ids[:len(web)])
    np.save(out / "recaption_ids.npy", ids[len(web):])
    (out / "texts.json").write_text(json.dumps(unique))
    return {"unique_texts": len(unique), "unique_recaptions": len(set(recaptions)), "pairs": len(web)}


def load_text_states(cfg):
    """(states float16 [U, 24, 384], mask [U, 24], text_ids [N], unique texts) of the mini-web;
    text_ids point at each pair's alt-text (`load_recaption_ids` at its recaption)."""
    return read_text_states(run_stage("g2_text", cfg))


def read_text_states(path: Path):
    """`load_text_states` from a g2_text artifact."""
    return (np.load(path / "states.npy"), np.load(path / "mask.npy"), np.load(path / "text_ids.npy"),
            json.loads((path / "texts.json").read_text()))


def load_recaption_ids(cfg) -> np.ndarray:
    """recaption_ids [N]: the row of `load_text_states`' states holding pair n's recaption."""
    return read_recaption_ids(run_stage("g2_text", cfg))


def read_recaption_ids(path: Path) -> np.ndarray:
    """`load_recaption_ids` from a g2_text artifact."""
    return np.load(Path(path) / "recaption_ids.npy")


@stage("g2_vae", payload=_vae_payload, requires=(WEB_STAGE,))
def build_g2_vae(cfg, out: Path, inputs: dict) -> dict:
    """The mini AutoencoderKL (save_pretrained), its latent scaling factor and loss curve."""
    from ..world import read_mini_web

    web = read_mini_web(inputs[WEB_STAGE])
    images = web.images
    held_out = vae_held_out(len(images))
    vae, losses = train_vae(images[:-held_out], cfg.images, seed=cfg.run.seed, bf16=bf16_enabled(cfg))
    latents = encode_images(vae, images)
    scaling = float(1.0 / latents.std())
    vae.register_to_config(scaling_factor=scaling)
    vae.save_pretrained(out / "vae")
    torch.save((latents * scaling).to(torch.float32), out / "latents.pt")  # scaled, all pairs
    save_loss_curve(losses, out, "g2 VAE (L1 + MSE)")
    psnr = reconstruction_psnr(vae, images[-held_out:])
    info = {"psnr_held_out_db": round(psnr, 2), "scaling_factor": scaling,
            "train_s": round(float(losses["elapsed_s"].iloc[-1]), 1), "params": sum(p.numel() for p in vae.parameters())}
    (out / "summary.json").write_text(json.dumps(info, indent=2))
    return info


@stage("g2", payload=_unet_payload, requires=("g2_text", "g2_vae"))
def build_g2(cfg, out: Path, inputs: dict) -> dict:
    """The mini g2 as a StableDiffusionPipeline under <artifact>/pipeline."""
    from diffusers import AutoencoderKL

    if cfg.images.g2 != TRAIN_HERE:
        from .pipeline import resolve_model_dir
        raise ValueError(f"images.g2={cfg.images.g2!r} is a pretrained model "
                         f"({resolve_model_dir(cfg.images.g2)}); only images.g2={TRAIN_HERE} is pretrained here")
    vae_dir, text_dir = inputs["g2_vae"], inputs["g2_text"]
    states, _, text_ids, _ = read_text_states(text_dir)
    latents = torch.load(vae_dir / "latents.pt")
    unet, losses = train_unet(latents, states, text_ids, cfg.images, seed=cfg.run.seed, bf16=bf16_enabled(cfg),
                              recaption_ids=read_recaption_ids(text_dir) if cfg.images.recaption_fraction > 0 else None)
    save_loss_curve(losses, out, "g2 UNet (v-prediction MSE)")
    tokenizer, text_encoder = minilm_text_encoder()
    vae = AutoencoderKL.from_pretrained(vae_dir / "vae")
    pipe = assemble_pipeline(vae, unet, sampling_scheduler(train_scheduler(cfg.images)), tokenizer, text_encoder)
    with quiet_model_io():
        pipe.save_pretrained(out / "pipeline")
    info = {"train_s": round(float(losses["elapsed_s"].iloc[-1]), 1),
            "final_loss_mean_last_10pct": float(losses["loss"].iloc[-max(1, len(losses) // 10):].mean()),
            "unet_params": sum(p.numel() for p in unet.parameters()),
            "vae": json.loads((vae_dir / "summary.json").read_text())}
    (out / "summary.json").write_text(json.dumps(info, indent=2))
    return info


# what a shipped g2 keeps of its pretraining, in its training/ folder: name -> (stage, file there)
G2_TRAINING_RECORD = {"summary.json": ("g2", "summary.json"), "unet_losses.csv": ("g2", "losses.csv"),
                      "vae_losses.csv": ("g2_vae", "losses.csv")}


def g2_training_files(cfg) -> dict[str, Path] | None:
    """{record name: file} of the mini g2's pretraining: the stages' files at images.g2=mini-train
    (built if needed), a shipped g2's training/ folder (synclr_lib/generators.py); None for
    any other g2 (Stable Diffusion), which was not pretrained by this project."""
    if cfg.images.g2 == TRAIN_HERE:
        return {name: run_stage(st, cfg) / file for name, (st, file) in G2_TRAINING_RECORD.items()}
    record = local_dir(cfg.images.g2) / "training"
    files = {name: record / name for name in G2_TRAINING_RECORD}
    return files if all(f.is_file() for f in files.values()) else None


SHIPPED_FIDELITY = "fidelity.json"  # a shipped g2's judged fidelity at the default CFG, in training/


def g2_training_record(cfg) -> dict | None:
    """{"summary": dict, "vae": DataFrame, "unet": DataFrame, "fidelity": dict | None}: the mini
    g2's pretraining summary and loss curves (for notebooks/03) and, for a shipped g2, the
    judged fidelity it was shipped with; None when g2 was not pretrained by this project."""
    files = g2_training_files(cfg)
    if files is None:
        return None
    shipped = files["summary.json"].parent / SHIPPED_FIDELITY
    return {"summary": json.loads(files["summary.json"].read_text()),
            "vae": pd.read_csv(files["vae_losses.csv"]), "unet": pd.read_csv(files["unet_losses.csv"]),
            "fidelity": json.loads(shipped.read_text()) if shipped.is_file() else None}
