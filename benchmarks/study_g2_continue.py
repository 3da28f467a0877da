"""Does the mini g2 still gain from more UNet training? (issue 5: the 70 % judged-object bar)

Continues the cached `g2` stage's UNet (or `--init`, a pipeline this script saved) for
`--steps` more steps (a new warm-up and cosine from `--lr`, other batches: seed + offset), then scores it exactly as the `cfg_study` stage scores
g2: the study's first `study.cfg_captions` g1 captions x 4 images, the same seeds and
sampler, judged for object / colour / background, at each `--scales`. The cached stage is
only read; the continued pipeline is saved under <out>/<tag>/pipeline.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/study_g2_continue.py --tag plus8k --steps 8000 --lr 5e-4 --threads 2
    .venv/bin/python benchmarks/study_g2_continue.py --tag plus16k --steps 8000 --lr 5e-4 --threads 1 \
        --init artifacts/studies/g2_continue/plus8k/pipeline --seed-offset 2

Printed (and written to <out>/<tag>.json): train seconds, the loss over the last 10 % of
steps, and the judged fidelity and diversity per scale beside the cached g2's (its
`cfg_study` scores, same captions and seeds).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import synclr_lib  # noqa: F401  (offline HF first)
import pandas as pd
import torch

from synclr_lib.config import resolve
from synclr_lib.images import pipeline as g2
from synclr_lib.images.cfg_study import cfg_study_table
from synclr_lib.images.generate import generate_for_captions, load_caption_rows, settings_from_config
from synclr_lib.images.judge import fidelity_diversity, load_judge
from synclr_lib.images.pretrain import load_recaption_ids, load_text_states, train_unet
from synclr_lib.runtime import bf16_enabled
from synclr_lib.stages import run_stage


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tag", required=True)
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--set", default="", help="config overrides of the g2 being continued")
    ap.add_argument("--steps", type=int, required=True, help="further UNet steps")
    ap.add_argument("--lr", type=float, default=None, help="peak lr of the continuation (default: images.unet_lr)")
    ap.add_argument("--init", default="", help="pipeline directory to continue (default: the cached g2 stage's)")
    ap.add_argument("--seed-offset", type=int, default=1, help="batches and noise use run.seed + this")
    ap.add_argument("--scales", default="2.5,4")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="artifacts/studies/g2_continue")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = resolve(args.profile, args.set)
    ic = dataclasses.replace(cfg.images, unet_steps=args.steps, unet_lr=args.lr or cfg.images.unet_lr)
    out = Path(args.out) / args.tag
    out.mkdir(parents=True, exist_ok=True)

    base_dir = run_stage("g2", cfg)
    pipe = g2.load_pipeline(args.init or base_dir / "pipeline")
    states, _, text_ids, _ = load_text_states(cfg)
    latents = torch.load(run_stage("g2_vae", cfg) / "latents.pt")
    recaption_ids = load_recaption_ids(cfg) if ic.recaption_fraction > 0 else None
    start = time.time()
    unet, losses = train_unet(latents, states, text_ids, ic, seed=cfg.run.seed + args.seed_offset, bf16=bf16_enabled(cfg),
                              recaption_ids=recaption_ids, init_unet=pipe.unet)
    result = {"tag": args.tag, "base_g2": base_dir.name, "init": args.init or "cached g2", "steps": args.steps,
              "lr": ic.unet_lr, "seed_offset": args.seed_offset,
              "threads": args.threads, "train_s": round(time.time() - start, 1),
              "loss_last_10pct": round(float(losses["loss"].iloc[-max(1, len(losses) // 10):].mean()), 4)}
    losses.to_csv(out / "losses.csv", index=False)
    pipe.unet = unet
    pipe.save_pretrained(out / "pipeline")

    rows = load_caption_rows(cfg)[:cfg.study.cfg_captions]
    texts = [r["caption"] for r in rows]
    judge = load_judge(cfg)
    base = cfg_study_table(cfg)
    records = []
    for scale in (float(s) for s in args.scales.split(",")):
        settings = settings_from_config(cfg, cfg_scale=scale)
        drawn = generate_for_captions(pipe, texts, list(range(len(rows))), settings)
        k = settings.images_per_caption
        ids = torch.arange(len(rows)).repeat_interleave(k).numpy()
        scores = fidelity_diversity(judge, drawn.reshape(-1, *drawn.shape[2:]), ids, rows)
        cached = base[(base["source"] == "generated") & (base["cfg_scale"] == scale)]
        records.append({"cfg_scale": scale, **{f"continued {k}": round(v, 4) for k, v in scores.items()},
                        **({f"cached {c}": round(float(cached[c].iloc[0]), 4) for c in ("fidelity_object", "diversity")}
                           if len(cached) else {})})
    result["scores"] = records
    (Path(args.out) / f"{args.tag}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "scores"}))
    print(pd.DataFrame(records).to_string(index=False))


if __name__ == "__main__":
    main()
