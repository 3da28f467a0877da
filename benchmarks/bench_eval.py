"""Benchmark: evaluating ONE encoder on EVERY suite of the world (issue 7's budget: < 2 min at
`mini` on 2 cores), cold (no cached features or results), plus the logistic probe's
warm-start speed-up, measured in the same run.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_eval.py --profile mini [--encoder random|pixels|DIR] [--threads 2]

The suites are loaded first from the normal artifact cache (building the world if needed;
not timed: that is the world's stage); features and results then go to a temporary
directory so the timed evaluation starts cold. Prints one line per suite, the wall time and
the process CPU time (on a shared, loaded machine the wall time measures the neighbours;
the CPU time bounds what an idle 2-core machine takes).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synclr_lib.config import resolve  # noqa: E402  (import synclr_lib first: offline HF)
from synclr_lib.runtime import bf16_enabled  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--encoder", default="random", help="random | pixels | a save_pretrained directory")
    ap.add_argument("--threads", type=int, default=0, help="torch threads for feature extraction (0: all cores)")
    ap.add_argument("--budget", type=float, default=120.0, help="seconds allowed (issue 7: 120 at mini)")
    args = ap.parse_args(argv)

    import pandas as pd
    import torch

    from synclr_lib.evaluate import PixelEncoder, evaluate_encoder, load_encoder, logistic_probe, random_init_encoder
    from synclr_lib.evaluate.suites import probe_threads, suite_features, suite_kinds
    from synclr_lib.runtime import set_threads
    from synclr_lib.world import load_suite

    cfg = resolve(args.profile, args.overrides)
    threads = set_threads(args.threads or cfg.run.threads)
    if args.encoder == "random":
        encoder = random_init_encoder(cfg)
    elif args.encoder == "pixels":
        encoder = PixelEncoder(cfg.train.patch_size)
    else:
        encoder = load_encoder(args.encoder, cfg.run.device)
    kinds = suite_kinds(cfg)
    t0 = time.time()
    loaded = {(n, s): load_suite(n, cfg, s) for n in kinds for s in ("train", "val", "test")}
    n_images = sum(len(v.images) for v in loaded.values())
    print(f"profile {cfg.profile}, encoder {args.encoder} ({type(encoder).__name__}), torch threads {threads}, "
          f"probe threads {cfg.eval.probe_threads}, bf16 {bf16_enabled(cfg)}; "
          f"{len(kinds)} suites, {n_images} images (loaded in {time.time() - t0:.1f} s, not timed)")

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SYNCLR_ARTIFACTS"] = tmp  # cold: no cached features or results
        start, cpu_start = time.time(), time.process_time()
        table = evaluate_encoder(encoder, cfg, loader=lambda n, c, s: loaded[(n, s)], progress=False)
        total, cpu = time.time() - start, time.process_time() - cpu_start

        # the logistic probe with and without warm starts along the C path, on one suite
        name = "multilabel" if "multilabel" in kinds else next(n for n, k in kinds.items() if k == "fine_grained")
        splits = {s: loaded[(name, s)] for s in ("train", "val", "test")}
        feats = suite_features(encoder, name, splits, cfg, progress=False)
        timing = {}
        with probe_threads(cfg.eval.probe_threads):
            for warm in (True, False):
                t = time.time()
                r = logistic_probe(feats["train"].cls, splits["train"].labels, feats["test"].cls,
                                   splits["test"].labels, metric=splits["test"].metric,
                                   X_val=feats["val"].cls, y_val=splits["val"].labels,
                                   n_c=cfg.eval.probe_c_values, max_iter=cfg.eval.probe_max_iter,
                                   warm_start=warm)
                timing[warm] = (time.time() - t, r.score)

    probe_s = table["seconds"].sum()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table[["suite", "kind", "probe", "metric", "score", "hparam", "n_train", "n_test", "seconds"]]
              .round(2).to_string(index=False))
    print(f"\nfeature extraction {total - probe_s:.1f} s + probes {probe_s:.1f} s = {total:.1f} s total "
          f"({n_images / max(total - probe_s, 1e-9):.0f} images/s extracted)")
    print(f"budget {args.budget:.0f} s: total / budget = {total / args.budget:.2f} "
          f"({'within' if total <= args.budget else 'OVER'} budget)")
    print(f"logistic probe on {name} ({cfg.eval.probe_c_values} C values): cold-start {timing[False][0]:.2f} s "
          f"(score {timing[False][1]:.2f}) / warm-start {timing[True][0]:.2f} s (score {timing[True][1]:.2f}) "
          f"= {timing[False][0] / timing[True][0]:.2f}x")
    print(f"CPU time of the evaluation (all threads of this process): {cpu:.1f} s; on an idle machine the "
          f"wall time is at most about this (single-threaded parts: equal; 2-thread extraction: less), "
          f"cpu / budget = {cpu / args.budget:.2f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(other jobs on a shared machine stretch the wall time, not the CPU time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
