"""Benchmark of g2 generation (issue 5): ratios measured in one run, printed as a table.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
        python benchmarks/bench_generation.py [--profile mini] [--captions 384] [--steps 20] [--batch 64]

1. images/s of the generation loop (`generate_for_captions`: diffusers pipeline, text
   encoding, per-image seeded noise, decoding to uint8) vs a bare loop of the same UNet and
   VAE calls at the same batch (text states computed once, no pipeline); goal: within 10 %.
2. images/s of `generate_dataset` with 2 worker processes vs 1 (one thread each, process
   start and model loading included); goal: >= 1.7x on 2 free cores.

The UNet and VAE have the profile's mini sizes; their weights are untrained (speed does not
depend on them), so the benchmark needs no cached stage. One thread per process.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import synclr_lib  # noqa: F401  (offline HF first)
import numpy as np
import torch

from synclr_lib.config import resolve
from synclr_lib.pixels import to_uint8
from synclr_lib.images.generate import GenerationSettings, generate_dataset, generate_for_captions
from synclr_lib.images.pipeline import build_mini_pipeline, initial_latents, latent_shape, unet_autocast
from synclr_lib.runtime import bf16_enabled

WORDS = (["red", "blue", "green", "pink", "orange"], ["star", "sneaker", "cross", "oval", "coat"],
         ["grass", "sand", "snow", "sky", "wood"])


def captions(n: int) -> list[str]:
    rng = np.random.default_rng(0)
    return [f"a {rng.choice(WORDS[0])} {rng.choice(WORDS[1])} on {rng.choice(WORDS[2])}" for _ in range(n)]


@torch.no_grad()
def bare_loop(pipe, texts: list[str], settings: GenerationSettings) -> np.ndarray:
    """The same UNet and VAE calls without the pipeline: text states once, then per batch
    the CFG denoising loop and the decoder."""
    K = settings.images_per_caption
    per_batch = max(1, settings.batch_size // K)
    cond, uncond = pipe.encode_prompt(texts, "cpu", K, True)
    noise = torch.randn(len(texts) * K, *latent_shape(pipe))
    sched = pipe.scheduler
    out = []
    for b in range(0, len(texts) * K, per_batch * K):
        lat = noise[b:b + per_batch * K]
        ctx = torch.cat([uncond[b:b + len(lat)], cond[b:b + len(lat)]])
        sched.set_timesteps(settings.steps)
        with unet_autocast(pipe, settings.bf16):
            for t in sched.timesteps:
                pred = pipe.unet(torch.cat([lat, lat]), t, encoder_hidden_states=ctx, return_dict=False)[0]
                u, c = pred.chunk(2)
                lat = sched.step(u + settings.cfg_scale * (c - u), t, lat, return_dict=False)[0]
        x = pipe.vae.decode(lat / pipe.vae.config.scaling_factor, return_dict=False)[0]
        out.append(to_uint8(x))
    return np.concatenate(out)


def timed(fn, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", default="mini")
    p.add_argument("--captions", type=int, default=384,
                   help="captions per measurement (x4 images); with 64, process start-up and model loading dominate (1.19x)")
    p.add_argument("--steps", type=int, default=None, help="sampler steps (default: the profile's)")
    p.add_argument("--batch", type=int, default=None, help="images per denoising call (default: the profile's)")
    args = p.parse_args()
    cfg = resolve(args.profile)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    pipe = build_mini_pipeline(cfg.images, cfg.world.image_size)
    n = args.captions
    settings = GenerationSettings(images_per_caption=cfg.images.images_per_caption, cfg_scale=cfg.images.cfg_scale,
                                  steps=args.steps or cfg.images.steps, image_size=cfg.world.image_size,
                                  captions_per_shard=max(1, n // 4), bf16=bf16_enabled(cfg),
                                  batch_size=min(args.batch or cfg.images.batch_size, n * cfg.images.images_per_caption))
    texts = captions(n)
    images = n * settings.images_per_caption
    print(f"profile {args.profile}: {n} captions x {settings.images_per_caption} = {images} images, "
          f"{settings.steps} steps, CFG {settings.cfg_scale}, batch {settings.batch_size}, bf16 {settings.bf16}")

    generate_for_captions(pipe, texts[:2], [0, 1], settings)  # warm-up
    t_loop = timed(lambda: generate_for_captions(pipe, texts, list(range(n)), settings), 2)
    t_bare = timed(lambda: bare_loop(pipe, texts, settings), 2)

    rows = [("generation loop (1 thread)", images / t_loop), ("bare UNet+VAE loop (1 thread)", images / t_bare)]
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "g2"
        pipe.save_pretrained(model_dir)
        caption_rows = [{"caption": t} for t in texts]
        t_one = timed(lambda: generate_dataset(Path(tmp) / "one", caption_rows, model_dir, settings, num_workers=1,
                                               pipe=None))
        t_two = timed(lambda: generate_dataset(Path(tmp) / "two", caption_rows, model_dir, settings, num_workers=2))
        same = all((Path(tmp) / "one" / "shards" / f.name).read_bytes() == f.read_bytes()
                   for f in sorted((Path(tmp) / "two" / "shards").glob("*.npy")))
    rows += [("generate_dataset, 1 process", images / t_one), ("generate_dataset, 2 processes", images / t_two)]
    print(f"\n{'measurement':34s} {'images/s':>9s}")
    for name, rate in rows:
        print(f"{name:34s} {rate:9.2f}")
    print(f"\nloop / bare            = {t_bare / t_loop:.3f}   (goal >= 0.90: the loop within 10 % of bare calls)")
    print(f"2 processes / 1        = {t_one / t_two:.2f}x  (goal >= 1.7x)   shards byte-identical: {same}")
    print(f"cores: {torch.get_num_threads()} thread/process, load average {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
