"""OpenMP wait policy on this CPU: the training steps of `make figures` under
OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep) against the default (they spin a while),
measured in one run, each setting in its own process (the policy is read at start-up).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_wait_policy.py [--profile mini] [--threads 2]

Timed, alternating the policies (median of `--reps` steps after a warm-up):
- one SynCLR training step (`benchmarks/bench_train.py`'s full step, random pixels);
- one g2 UNet training step (the profile's mini UNet, untrained, batch `images.unet_batch`
  of random latents and text states).
PASSIVE helps where two busy processes share the 2 cores (the test-suite: a smoke
evaluation took 3.6 s with it and 33 s without, on a loaded machine); the Makefile now sets it
for `make test` only, not for `make figures`, whose heavy stages run alone.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

WORKER = r"""
import json, statistics, sys, time, torch
sys.path.insert(0, "benchmarks")
import synclr_lib
from synclr_lib.config import resolve
from synclr_lib.train import distributed
from bench_train import stepper, timed
from synclr_lib.images.pretrain import mini_unet, train_scheduler
from synclr_lib.runtime import bf16_enabled
import torch.nn.functional as F

profile, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
cfg = resolve(profile)
step = stepper(cfg, distributed.DistInfo())[0]
step()
vit = statistics.median(timed(step, reps))

ic = cfg.images
lat = 32 // 2 ** (len(ic.vae_channels) - 1) if cfg.world.image_size == 32 else cfg.world.image_size // 8
unet = mini_unet(ic, latent_size=lat, cross_attention_dim=384).train()
from diffusers.models.attention_processor import AttnProcessor
unet.set_attn_processor(AttnProcessor())
sched = train_scheduler(ic)
opt = torch.optim.AdamW(unet.parameters(), lr=1e-4)
b = ic.unet_batch
x0, cond = torch.randn(b, 4, lat, lat), torch.randn(b, 24, 384)

def unet_step():
    t = torch.randint(0, sched.config.num_train_timesteps, (b,))
    noise = torch.randn_like(x0)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_enabled(cfg)):
        pred = unet(sched.add_noise(x0, noise, t), t, encoder_hidden_states=cond).sample.float()
    loss = F.mse_loss(pred, noise)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()

for _ in range(3):
    unet_step()
g2 = statistics.median(timed(unet_step, reps * 4))
print(json.dumps({"vit_step_s": vit, "unet_step_s": g2}))
"""


def measure(policy: str | None, profile: str, threads: int, reps: int) -> dict:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    out = subprocess.run([sys.executable, "-c", WORKER, profile, str(threads), str(reps)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--rounds", type=int, default=2, help="alternations of the two policies")
    args = p.parse_args()
    runs = {"PASSIVE": [], "default": []}
    for _ in range(args.rounds):
        for policy in runs:
            runs[policy].append(measure(policy if policy != "default" else None, args.profile, args.threads, args.reps))
    best = {k: {m: min(r[m] for r in v) for m in ("vit_step_s", "unet_step_s")} for k, v in runs.items()}
    print(f"profile {args.profile}, {args.threads} threads, best of {args.rounds} processes per policy "
          f"(each the median of its steps); load average {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'step':28s} {'PASSIVE':>10s} {'default':>10s} {'PASSIVE / default':>18s}")
    for m, name in (("vit_step_s", "SynCLR training step"), ("unet_step_s", "g2 UNet training step")):
        a, b = best["PASSIVE"][m], best["default"][m]
        print(f"{name:28s} {a * 1000:8.1f}ms {b * 1000:8.1f}ms {a / b:17.2f}x")


if __name__ == "__main__":
    main()
