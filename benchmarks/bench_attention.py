"""Attention kernels on this machine, measured in one run (ratios: the machine is shared):
the SynCLR ViT with transformers' "eager" attention (matmul, softmax, matmul) against "sdpa"
(torch's scaled_dot_product_attention) on a training step's crops, and the mini g2 UNet
with diffusers' classic `AttnProcessor` against `AttnProcessor2_0` (sdpa).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_attention.py --profile mini [--threads 2]

Printed per kernel: forward + backward on P x K global crops plus n_local local crops per
image (bf16 autocast as in training), and forward only (no grad, as in evaluation); then
the ratios sdpa / eager. On CPU torch's flash-attention backward for ~65-token sequences is
the slow part; `train.attention` picks the kernel (mini: eager; gpu/paper: sdpa). The g2
UNet: a training step at images.unet_batch (the g2 stage trains with the classic processor)
and a CFG sampling call at 2 x images.batch_size, forward only (sampling keeps sdpa). The
mini g1 (a Llama): a pretraining step, transformers' eager against sdpa.
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
from synclr_lib.runtime import bf16_enabled


def median_time(fn, reps: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def best_times(cases: dict, rounds: int = 2) -> dict:
    """{key: (fn, reps)} -> {key: best median seconds}. The cases alternate, round after round,
    so that load from other processes hits them alike."""
    times = {}
    for _ in range(rounds):
        for key, (fn, reps) in cases.items():
            times.setdefault(key, []).append(median_time(fn, reps))
    return {k: min(v) for k, v in times.items()}


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
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_enabled(cfg))

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

    cases = {}
    for name, model in models.items():
        cases[(name, "fwd+bwd")] = (lambda m=model: train_step(m), args.reps)
        cases[(name, "fwd")] = (lambda m=model: forward(m), args.reps)
    best = best_times(cases)
    print(f"profile {cfg.profile}: ViT width {t.width} x {t.depth} layers, {t.image_size} px patch "
          f"{t.patch_size} ({(t.image_size // t.patch_size) ** 2 + 1} tokens), {n} global + {len(local)} "
          f"local crops, threads {args.threads}, bf16 {bf16_enabled(cfg)}")
    for (name, what), sec in best.items():
        print(f"{name:6s} {what:8s} {sec * 1000:8.1f} ms")
    for what in ("fwd+bwd", "fwd"):
        print(f"ratio sdpa / eager, {what:8s} = {best[('sdpa', what)] / best[('eager', what)]:.2f}")
    if cfg.profile in ("smoke", "mini"):  # the profiles whose g1 and g2 follow the mini recipe (shipped or mini-train)
        bench_unet(cfg, args.reps)
        bench_g1(cfg, args.reps)


def bench_g1(cfg, reps: int) -> None:
    """The mini g1's pretraining step (captions.g1_batch x g1_seq_len tokens), eager vs sdpa."""
    from transformers import LlamaForCausalLM

    from synclr_lib.captions.mini_g1 import g1_config

    c = cfg.captions
    tokens = torch.randint(0, c.g1_vocab, (c.g1_batch, c.g1_seq_len))

    def step(model):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_enabled(cfg)):
            loss = model(tokens, labels=tokens).loss
        model.zero_grad(set_to_none=True)
        loss.backward()

    models = {impl: LlamaForCausalLM(g1_config(cfg, c.g1_vocab, attention=impl)) for impl in ("eager", "sdpa")}
    best = best_times({impl: (lambda m=model: step(m), reps) for impl, model in models.items()})
    print(f"g1 Llama {c.g1_hidden} x {c.g1_layers} layers, train batch {c.g1_batch} x {c.g1_seq_len} tokens: "
          f"eager {best['eager'] * 1000:.1f} ms, sdpa {best['sdpa'] * 1000:.1f} ms")
    print(f"ratio sdpa / eager, g1 train = {best['sdpa'] / best['eager']:.2f}")


def bench_unet(cfg, reps: int) -> None:
    """The mini g2 UNet's train step and CFG sampling call, classic processor vs sdpa."""
    from diffusers.models.attention_processor import AttnProcessor, AttnProcessor2_0

    from synclr_lib.images.pipeline import TEXT_MAX_LENGTH, mini_unet

    im = cfg.images
    size = cfg.world.image_size // 2 ** (len(im.vae_channels) - 1)
    unets = {}
    for name, processor in (("classic", AttnProcessor), ("sdpa", AttnProcessor2_0)):
        torch.manual_seed(0)
        unets[name] = mini_unet(im, latent_size=size, cross_attention_dim=384)
        unets[name].set_attn_processor(processor())

    def inputs(n):
        return (torch.randn(n, 4, size, size), torch.randint(0, 1000, (n,)), torch.randn(n, TEXT_MAX_LENGTH, 384))

    train_in, sample_in = inputs(im.unet_batch), inputs(2 * im.batch_size)

    def train_step(unet):
        unet.train()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_enabled(cfg)):
            loss = unet(train_in[0], train_in[1], encoder_hidden_states=train_in[2]).sample.float().square().mean()
        unet.zero_grad(set_to_none=True)
        loss.backward()

    def sample_call(unet):
        unet.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_enabled(cfg)):
            unet(sample_in[0], sample_in[1], encoder_hidden_states=sample_in[2])

    cases = {}
    for name, unet in unets.items():
        cases[(name, "train")] = (lambda u=unet: train_step(u), reps)
        cases[(name, "sample")] = (lambda u=unet: sample_call(u), max(1, reps // 2))
    best = best_times(cases)
    print(f"g2 UNet {tuple(im.unet_channels)} at {size}x{size} latents, {TEXT_MAX_LENGTH} text tokens: "
          f"train batch {im.unet_batch}, sampling batch {2 * im.batch_size} (CFG)")
    for (name, what), sec in best.items():
        print(f"{name:8s} {what:7s} {sec * 1000:8.1f} ms")
    for what in ("train", "sample"):
        print(f"ratio sdpa / classic, {what:7s} = {best[('sdpa', what)] / best[('classic', what)]:.2f}")


if __name__ == "__main__":
    main()
