"""A training study (issue 6): train named config variants and probe each frozen encoder on
`objects` and the fine-grained suites, beside the random-init floor. Every run is the cached
`train` stage of the variant (`synclr_lib.train.runs.train_variant`), so a row trained here is
reused by notebooks 04/07 when its overrides match theirs.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
        python benchmarks/study_train.py --profile mini --set run.threads=1 \
            --variant "synclr=train.data=proxy" \
            --variant "simclr=train.data=proxy train.method=simclr train.components=" \
            --suites objects,garments,shapes,colours --out artifacts/studies/train

Printed and written to <out>/<tag>.csv: one row per encoder, one column per suite (the
score of the suite's metric, %), the fine-grained mean over the probed fine-grained suites,
and training minutes read from the run's meta.json.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import synclr_lib  # noqa: F401  (offline HF first)
import torch

from synclr_lib.config import resolve
from synclr_lib.evaluate.features import random_init_encoder
from synclr_lib.evaluate.suites import comparison_suites, evaluate_encoders, wide_table
from synclr_lib.runtime import set_threads
from synclr_lib.train.runs import train_variant


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="base overrides (all variants)")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=OVERRIDES",
                    help='a row: "name=key=value key=value ..." (repeatable)')
    ap.add_argument("--suites", default="", help="comma-separated suites (default: objects + fine-grained)")
    ap.add_argument("--no-random", action="store_true", help="skip the random-init row")
    ap.add_argument("--tag", default="study")
    ap.add_argument("--out", default="artifacts/studies/train")
    args = ap.parse_args()
    if not args.variant:
        ap.error("give at least one --variant NAME=OVERRIDES")
    cfg = resolve(args.profile, [kv for item in args.overrides for kv in item.split()])
    set_threads(cfg.run.threads)
    suites = [s for s in args.suites.split(",") if s] or comparison_suites(cfg)
    encoders, minutes = [], {}
    if not args.no_random:
        encoders.append(("random init", random_init_encoder(cfg)))
    for item in args.variant:
        name, _, overrides = item.partition("=")
        path = train_variant(cfg, overrides.split())
        meta = json.loads((path / "meta.json").read_text())
        minutes[name] = round(meta["wall_s"] / 60, 2)
        encoders.append((name, path / "encoder"))
    long = evaluate_encoders(encoders, cfg, suites=suites)
    kinds = tuple(k for k in ("objects", "fine_grained") if k in set(long["kind"]))
    table = wide_table(long, kinds=kinds)
    table["train min"] = table["encoder"].map(minutes)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{args.tag}.csv", index=False)
    print(table.round(1).to_string(index=False))
    print(f"torch threads: {torch.get_num_threads()}; written {out / (args.tag + '.csv')}")


if __name__ == "__main__":
    main()
