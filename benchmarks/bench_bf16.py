"""fp32 against bf16 autocast on this CPU, measured in one run (ratios: the machine is shared).

    .venv/bin/python benchmarks/bench_bf16.py --profile mini [--threads 1]

Forward + backward, each case in fp32 and under bf16 autocast, alternated round after round
so that load from other processes hits both alike (the best of the rounds' medians):
a conv block (two 3x3 convolutions with GroupNorm and SiLU, as in g2's UNet and the
encoder's conv stem), a linear layer (as in the ViT's MLP and the heads), one training step
of the profile's encoder (`build_encoder(cfg.train)`, P x K global crops, AdamW), and the
small probe `run.bf16=auto` times (`runtime.time_fp32_and_bf16`). Then the ratio
bf16 / fp32 per case (above 1: bf16 is slower) and what `auto` picks on this machine.
On CPUs without native bf16 (AVX2 only) autocast runs emulated kernels; results per machine
in benchmarks/results/bench_bf16.md.
"""
from __future__ import annotations

import argparse

import torch
from torch import nn

import synclr_lib  # noqa: F401  (offline flags first)
from synclr_lib.config import resolve
from synclr_lib.models import build_encoder
from synclr_lib.runtime import bf16_decision, machine_key, set_threads, time_fp32_and_bf16

from bench_attention import median_time  # a sibling script: run as python benchmarks/bench_bf16.py


def fwd_bwd(model: nn.Module, inputs: torch.Tensor, bf16: bool, optimizer=None) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out = model(inputs)
        out = getattr(out, "last_hidden_state", out)
        loss = out.float().square().mean()
    model.zero_grad(set_to_none=True)
    loss.backward()
    if optimizer is not None:
        optimizer.step()


def cases(cfg) -> dict:
    """{name: step(bf16)}: one forward + backward (+ optimiser step) of each workload."""
    t = cfg.train
    torch.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.GroupNorm(8, 64), nn.SiLU(),
                         nn.Conv2d(64, 64, 3, padding=1), nn.GroupNorm(8, 64), nn.SiLU())
    conv_in = torch.randn(32, 32, 32, 32)
    linear = nn.Linear(t.width, 4 * t.width)
    linear_in = torch.randn(4096, t.width)
    encoder = build_encoder(t, seed=0).train()
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=1e-4)
    crops = torch.rand(t.captions_per_batch * t.images_per_caption, 3, t.image_size, t.image_size) * 2 - 1
    return {
        "conv block 32->64->64, 32 x 32x32": lambda bf16: fwd_bwd(conv, conv_in, bf16),
        f"linear {t.width}->{4 * t.width}, 4096 rows": lambda bf16: fwd_bwd(linear, linear_in, bf16),
        f"encoder train step, {len(crops)} crops": lambda bf16: fwd_bwd(encoder, crops, bf16, optimizer),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--set", dest="overrides", action="append", default=[])
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    p.add_argument("--reps", type=int, default=3, help="timed repetitions per round (median kept)")
    p.add_argument("--rounds", type=int, default=2, help="fp32/bf16 alternations (best median kept)")
    args = p.parse_args()
    threads = set_threads(args.threads)
    cfg = resolve(args.profile, [kv for item in args.overrides for kv in item.split()])
    key = machine_key()
    print(f"profile {cfg.profile}: {key['cpu']}, capability {key['capability']}, torch {key['torch']}, "
          f"threads {threads}")

    workloads = cases(cfg)
    best: dict[tuple[str, bool], float] = {}
    for _ in range(args.rounds):
        for name, step in workloads.items():
            for bf16 in (False, True):
                sec = median_time(lambda: step(bf16), args.reps)
                best[(name, bf16)] = min(sec, best.get((name, bf16), float("inf")))
        fp32_s, bf16_s = time_fp32_and_bf16()
        for bf16, sec in ((False, fp32_s), (True, bf16_s)):
            best[("run.bf16=auto probe", bf16)] = min(sec, best.get(("run.bf16=auto probe", bf16), float("inf")))

    names = dict.fromkeys(name for name, _ in best)
    width = max(map(len, names))
    print(f"{'case':{width}s}  {'fp32 ms':>9s}  {'bf16 ms':>9s}  bf16 / fp32")
    for name in names:
        fp32, bf16 = best[(name, False)], best[(name, True)]
        print(f"{name:{width}s}  {fp32 * 1000:9.1f}  {bf16 * 1000:9.1f}  {bf16 / fp32:11.2f}")
    bf16_decision(cfg)  # prints the line `run.bf16` (default auto) resolves to on this machine


if __name__ == "__main__":
    main()
