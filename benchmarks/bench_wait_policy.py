"""OpenMP wait policy and thread count on this CPU, alone and under load: the training steps of
`make figures` under the default policy (idle OpenMP threads spin a while), OMP_WAIT_POLICY=PASSIVE
(they sleep) and a short spin (GOMP_SPINCOUNT), each in its own process (the policy is read at
start-up), with nothing else running, beside one busy core, or beside a 2-thread process.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_wait_policy.py [--threads 2] [--policies default,PASSIVE]
        [--loads "alone,beside 1 busy core"] [--set run.bf16=false]

Timed (median of `--reps` steps after a warm-up; each measurement printed as it finishes):
- one SynCLR training step (`benchmarks/bench_train.py`'s full step, random pixels);
- one g2 UNet training step (the profile's mini UNet, untrained, batch `images.unet_batch`
  of random latents and text states).
The load process inherits the policy under test. bf16 is forced off by default: `run.bf16=auto`
decides per thread count, which would mix precision into a comparison of thread counts.
Results: benchmarks/results/bench_wait_policy.md.
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
cfg = resolve(profile, sys.argv[4:])
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


LOADS = {  # what else the machine is doing while a step is timed
    "alone": None,
    "beside 1 busy core": "while True: pass",
    "beside a 2-thread process": ("import torch; torch.set_num_threads(2); a = torch.randn(512, 512)\n"
                                  "while True: a = (a @ a).tanh()"),
}


def measure(policy: dict, profile: str, threads: int, reps: int, load: str | None, overrides=()) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(policy)
    other = subprocess.Popen([sys.executable, "-c", load], env=env) if load else None
    try:
        out = subprocess.run([sys.executable, "-c", WORKER, profile, str(threads), str(reps), *overrides], env=env,
                             capture_output=True, text=True, check=True)
    finally:
        if other:
            other.kill()
            other.wait()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--rounds", type=int, default=2, help="alternations of the policies")
    p.add_argument("--spincount", type=int, default=10_000, help="the short-spin candidate's GOMP_SPINCOUNT")
    p.add_argument("--loads", default=",".join(LOADS), help="comma-separated, of: " + ", ".join(LOADS))
    p.add_argument("--set", dest="overrides", nargs="*", default=["run.bf16=false"],
                   help="config overrides (default run.bf16=false: auto picks per thread count, which would confound)")
    p.add_argument("--policies", default="default,PASSIVE,spin", help="comma-separated, of: default, PASSIVE, spin")
    args = p.parse_args()
    policies = {"default": {}, "PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
                f"spin {args.spincount}": {"GOMP_SPINCOUNT": str(args.spincount)}}
    wanted = {x.strip() for x in args.policies.split(",")}
    policies = {k: v for k, v in policies.items() if k.split()[0] in wanted}
    loads = [x.strip() for x in args.loads.split(",") if x.strip()]
    best = {}
    for load in loads:
        runs = {k: [] for k in policies}
        for _ in range(args.rounds):
            for name, env in policies.items():
                runs[name].append(measure(env, args.profile, args.threads, args.reps, LOADS[load], args.overrides))
                print(f"  {load} / {name}: {json.dumps(runs[name][-1])}", flush=True)  # partial results survive a kill
        best[load] = {k: {m: min(r[m] for r in v) for m in ("vit_step_s", "unet_step_s")} for k, v in runs.items()}
    print(f"profile {args.profile}, {args.threads} threads, best of {args.rounds} processes per policy and load "
          f"(each the median of its steps); ratios against the default policy alone")
    print(f"{'step':24s} {'load':28s} " + " ".join(f"{k:>20s}" for k in policies))
    for m, name in (("vit_step_s", "SynCLR training step"), ("unet_step_s", "g2 UNet training step")):
        base = best[loads[0]]["default"][m]
        for load in loads:
            cells = [f"{best[load][k][m] * 1000:7.1f} ms ({best[load][k][m] / base:4.2f}x)" for k in policies]
            print(f"{name:24s} {load:28s} " + " ".join(f"{c:>20s}" for c in cells))


if __name__ == "__main__":
    main()
