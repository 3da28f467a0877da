"""Benchmark: how long the mini g1 takes to produce a caption set (issue 4: 10,000 captions < 2 min).

Times the real stage code (build_caption_set: prompts, batched generation, de-duplication,
top-up, statistics) into a temporary directory, with the mini g1 from the cached `g1` stage
(pretrained first if missing; that time is not counted). Prints seconds, captions per second
and the ratio to the 2-minute budget, then, on a smaller slice, the speed ratios of bf16
autocast vs fp32 and of the configured batch size vs a quarter of it.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
        .venv/bin/python benchmarks/bench_captions.py --profile mini --threads 2
"""
from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import synclr_lib  # noqa: F401  (offline HF before any HF import)
from synclr_lib.captions.demonstrations import pool_for
from synclr_lib.captions.g1 import load_g1
from synclr_lib.captions.generation import generate_completions
from synclr_lib.captions.prompts import build_prompt
from synclr_lib.captions.sets import build_caption_set, demonstration_pool_name
from synclr_lib.captions.strategies import concept_source, sample_queries
from synclr_lib.config import resolve
from synclr_lib.runtime import bf16_enabled, set_threads

BUDGET_S = 120.0  # the bar for 10,000 captions on 2 cores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--n", type=int, default=10_000, help="captions in the timed set")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--slice", type=int, default=1024, help="prompts in the bf16 / batch-size comparison")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    cfg = resolve(args.profile, args.overrides + [f"captions.n_captions={args.n}", f"run.threads={args.threads}"])
    threads = set_threads(cfg.run.threads)
    model, tok = load_g1(cfg)  # pretrains the mini g1 on first use (not timed)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        info = build_caption_set(cfg, Path(tmp), progress=False)
        total = time.perf_counter() - t0
        stats = json.loads((Path(tmp) / "stats.json").read_text())
    print(f"threads={threads}  g1={cfg.captions.g1}  strategy={cfg.captions.strategy}  "
          f"batch={cfg.captions.batch_size}  bf16={bf16_enabled(cfg)}")
    print(f"{info['n_captions']} captions ({info['queries']} queries) in {total:.1f} s "
          f"(generation {info['generation_seconds']:.1f} s): {info['n_captions'] / total:.1f} captions/s; "
          f"time / 2-minute budget = {total / BUDGET_S:.2f}")
    print(f"concept mention rate {stats['mention_rate']['concept']:.3f}, "
          f"distinct-2 {stats['distinct_2']:.3f}, duplicates dropped {stats['duplicates']}")

    # speed ratios on a slice of prompts, same prompts for every variant
    source, pool = concept_source(cfg), pool_for(demonstration_pool_name(cfg))
    rng = np.random.default_rng(0)
    queries = sample_queries(source, cfg.captions.strategy, args.slice, seed=1, mix=cfg.captions.mix)
    prompts = [build_prompt(q["template"], q["concept"], pool, rng, background=q["background"],
                            relation=q["relation"])[0] for q in queries if q["strategy"] != "template"]

    def timed(batch, bf16):
        t = time.perf_counter()
        generate_completions(model, tok, prompts, seed=0, temperature=cfg.captions.temperature,
                             top_p=cfg.captions.top_p, max_new_tokens=cfg.captions.max_new_tokens,
                             batch_size=batch, bf16=bf16, progress=False)
        return time.perf_counter() - t

    b, bf16 = cfg.captions.batch_size, bf16_enabled(cfg)
    base = timed(b, bf16)
    other = timed(b, not bf16)
    small = timed(max(1, b // 4), bf16)
    print(f"slice of {len(prompts)} prompts: {len(prompts) / base:.1f} captions/s; "
          f"{'fp32' if bf16 else 'bf16'} / {'bf16' if bf16 else 'fp32'} time = {other / base:.2f}; "
          f"batch {max(1, b // 4)} / batch {b} time = {small / base:.2f}")


if __name__ == "__main__":
    main()
