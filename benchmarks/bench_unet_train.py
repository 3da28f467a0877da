"""g2's UNet training speed at a profile, and what it means for the `make figures` budget
(issue 8: a fresh clone in at most 60 minutes on 2 cores).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_unet_train.py --profile mini [--threads 1,2] [--steps 160]

Runs `synclr_lib.images.pretrain.train_unet` itself (the stage's own step: batch sampling,
noising, Min-SNR loss under bf16 autocast, backward, clipping, AdamW) on random latents and
text states of the profile's shapes (speed does not depend on the values), times the steps
after a warm-up, and prints for each thread count the seconds per step, the projected time of
the profile's `images.unet_steps`, and that time as a share of the 60-minute budget. Ratios
between thread counts come from one run.
"""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import torch

import synclr_lib  # noqa: F401  (offline flags first)
from synclr_lib.config import resolve
from synclr_lib.images.pipeline import TEXT_MAX_LENGTH
from synclr_lib.images.pretrain import train_unet
from synclr_lib.runtime import bf16_enabled

BUDGET_MIN = 60.0  # issue 8: fresh-clone `make figures` at mini


def seconds_per_step(cfg, threads: int, steps: int, warmup: int) -> float:
    torch.set_num_threads(threads)
    im = cfg.images
    side = cfg.world.image_size // 2 ** (len(im.vae_channels) - 1)  # AutoencoderKL halves per extra block
    latents = torch.randn(2048, 4, side, side, generator=torch.Generator().manual_seed(0))
    states = np.random.default_rng(0).standard_normal((512, TEXT_MAX_LENGTH, 384)).astype(np.float32)
    text_ids = np.random.default_rng(1).integers(0, 512, len(latents))
    run_cfg = dataclasses.replace(cfg.images, unet_steps=warmup + steps)
    _, losses = train_unet(latents, states, text_ids, run_cfg, seed=0, bf16=bf16_enabled(cfg), progress=False)
    elapsed = losses["elapsed_s"].to_numpy()
    return float(elapsed[-1] - elapsed[warmup - 1]) / steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--set", dest="overrides", action="append", default=[])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts to time")
    p.add_argument("--steps", type=int, default=160, help="timed steps per thread count")
    p.add_argument("--warmup", type=int, default=40, help="untimed steps first")
    args = p.parse_args()
    cfg = resolve(args.profile, [kv for item in args.overrides for kv in item.split()])
    n = cfg.images.unet_steps
    print(f"profile {cfg.profile}: UNet {tuple(cfg.images.unet_channels)}, batch {cfg.images.unet_batch}, "
          f"{n:,} steps, bf16 {bf16_enabled(cfg)}")
    per = {}
    for threads in (int(t) for t in args.threads.split(",")):
        per[threads] = seconds_per_step(cfg, threads, args.steps, args.warmup)
        total = per[threads] * n / 60
        print(f"threads {threads}: {per[threads] * 1000:7.1f} ms/step -> {n:,} steps {total:6.1f} min "
              f"= {total / BUDGET_MIN:.2f} of the {BUDGET_MIN:.0f}-min budget")
    if len(per) > 1:
        lo, hi = min(per), max(per)
        print(f"speed-up {hi} threads / {lo}: {per[lo] / per[hi]:.2f}x")


if __name__ == "__main__":
    main()
