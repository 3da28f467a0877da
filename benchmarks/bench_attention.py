"""The ViT's attention kernel on this machine: transformers' "eager" attention (matmul,
softmax, matmul) against "sdpa" (torch's scaled_dot_product_attention), on the profile's
encoder and a training step's crops, measured in one run (ratios: the machine is shared).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_attention.py --profile mini [--threads 2]

Printed per kernel: forward + backward on P x K global crops plus n_local local crops per
image (bf16 autocast as in training), and forward only (no grad, as in evaluation); then
the ratios sdpa / eager. On CPU torch's flash-attention backward for ~65-token sequences is
the slow part; `train.attention` picks the kernel (mini: eager; gpu/paper: sdpa).
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch

import synclr_lib  # noqa: F401  (offline flags first)
from synclr_lib.config import resolve
from synclr_lib.models import build_encoder


def median_time(fn, reps: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--set", dest="overrides", action="append", default=[])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    cfg = resolve(args.profile, [kv for item in args.overrides for kv in item.split()])
    t = cfg.train
    n = t.captions_per_batch * t.images_per_caption
    crops = torch.rand(n, 3, t.image_size, t.image_size) * 2 - 1
    local = torch.rand(n * t.n_local, 3, t.local_size, t.local_size) * 2 - 1
    models = {a: build_encoder(replace(t, attention=a), seed=0) for a in ("eager", "sdpa")}

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.run.bf16)

    def train_step(model):
        with autocast():
            loss = model(crops).last_hidden_state.float().square().mean()
            if len(local):
                loss = loss + model(local, interpolate_pos_encoding=True).last_hidden_state.float().square().mean()
        model.zero_grad(set_to_none=True)
        loss.backward()

    def forward(model):
        with torch.no_grad(), autocast():
            model(crops)

    times = {}
    for rep in range(2):  # alternate kernels so that load from other processes hits both
        for name, model in models.items():
            times.setdefault((name, "fwd+bwd"), []).append(median_time(lambda: train_step(model), args.reps))
            times.setdefault((name, "fwd"), []).append(median_time(lambda: forward(model), args.reps))
    best = {k: min(v) for k, v in times.items()}
    print(f"profile {cfg.profile}: ViT width {t.width} x {t.depth} layers, {t.image_size} px patch "
          f"{t.patch_size} ({(t.image_size // t.patch_size) ** 2 + 1} tokens), {n} global + {len(local)} "
          f"local crops, threads {args.threads}, bf16 {cfg.run.bf16}")
    for (name, what), sec in best.items():
        print(f"{name:6s} {what:8s} {sec * 1000:8.1f} ms")
    for what in ("fwd+bwd", "fwd"):
        print(f"ratio sdpa / eager, {what:8s} = {best[('sdpa', what)] / best[('eager', what)]:.2f}")


if __name__ == "__main__":
    main()
