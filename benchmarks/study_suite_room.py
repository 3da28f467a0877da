"""Room left above the floor on every fine-grained suite: what an untrained encoder scores.

A suite on which a randomly initialised encoder (or the raw pixels) already scores near 100 %
measures nothing about training, yet it weighs one ninth of the fine-grained mean. This study
probes the random-init encoders of named encoder configs (2 seeds each) and the raw-pixel
baseline on every fine-grained suite with the project's own protocol
(`synclr_lib.evaluate.suites.evaluate_encoder`: the logistic probe, C chosen on val, the
suite's metric), and shows the textures and scenes suites both before and after their
backgrounds got camera and light variation (`SceneSpec.background_variation`, strength
`SUITE_BACKGROUND_VARIATION`; "before" renders the same specs at strength 0: the images the
suites had before the variation came). The rendered suites are built in memory from the suites stage's own
specs and seeds (`rendered_split`), so the suites stage cache is not touched.

    OMP_NUM_THREADS=1 SYNCLR_ARTIFACTS=/tmp/suite-room-artifacts \\
        .venv/bin/python benchmarks/study_suite_room.py --profile mini --seeds 0,1 --sweep 0.25,0.5,0.75

Prints a markdown report (command, date, machine, tables) on stdout; progress goes to stderr.
`--sweep` adds the textures and scenes scores at other variation strengths; `--learnability N`
adds a small CNN trained with labels on N extra renders per class (seeds disjoint from the
suites' splits), scored on the same test split: a check that the varied classes stay learnable.
Feature and result caches go to the artifacts directory (set SYNCLR_ARTIFACTS to keep them
out of the repository's).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import replace

import synclr_lib  # noqa: F401  (offline HF first)
import numpy as np
import pandas as pd
import torch

from synclr_lib.config import resolve
from synclr_lib.evaluate.features import PixelEncoder, random_init_encoder
from synclr_lib.evaluate.suites import evaluate_encoder
from synclr_lib.world.suites import (SUITE_BACKGROUND_VARIATION, SUITES, Suite, _seed_base, rendered_split,
                                     suite_names)
from synclr_lib.world.web import render_many

VARIED_SUITES = ("textures", "scenes")
# encoder configs: vit-p4 = the mini default before the conv-trunk change, trunk-p8 = the new one
ENCODER_CONFIGS = {
    "vit-p4": "train.patch_size=4 train.stem_channels=32,64 train.width=128 train.depth=4 train.heads=4 "
              "train.stem_norm_groups=1",
    "trunk-p8": "train.patch_size=8 train.stem_channels=32,64,128,256 train.width=256 train.depth=2 train.heads=4",
}
FLOOR_LIMIT = 90.0  # a suite counted in the fine-grained mean must leave room above an untrained encoder


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class SuiteRenderer:
    """`load_suite`-compatible loader rendering suites in memory; textures and scenes at a given
    background variation strength (None: as the suites stage renders them now)."""

    def __init__(self):
        self.memo: dict = {}

    def loader(self, strength: float | None):
        def load(name, cfg, split):
            varied = name in VARIED_SUITES and strength is not None
            key = (name, split, strength if varied else None)
            if key not in self.memo:
                specs, labels = rendered_split(name, split, cfg)
                if varied:
                    specs = [replace(s, background_variation=strength) for s in specs]
                images = render_many(specs, cfg.world.image_size, workers=1)
                kind, classes, metric, description = SUITES[name]
                self.memo[key] = Suite(name, split, images, labels, [str(c) for c in classes], metric,
                                       description, kind)
            return self.memo[key]
        return load


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return model


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def scores(model, cfg, suites, loader) -> dict[str, float]:
    table = evaluate_encoder(model, cfg, suites, loader=loader, progress=False)
    return dict(zip(table["suite"], table["score"]))


def learnability(cfg, renderer: SuiteRenderer, per_class: int, epochs: int, seed: int) -> dict[str, float]:
    """Test score of a small CNN trained with labels on `per_class` extra renders per class."""
    from torch import nn

    from synclr_lib.pixels import to_tensor
    from synclr_lib.world.suites import _class_spec

    out = {}
    for name in VARIED_SUITES:
        classes = SUITES[name][1]
        base = _seed_base(cfg, name, "train") + 5_000_000  # a block no split uses (splits: 0-2 M)
        specs = [_class_spec(name, cls, base + c * per_class + j, cfg.world.web_prior)
                 for c, cls in enumerate(classes) for j in range(per_class)]
        specs = [replace(s, background_variation=SUITE_BACKGROUND_VARIATION) for s in specs]
        x = to_tensor(render_many(specs, cfg.world.image_size, workers=1))
        y = torch.arange(len(classes)).repeat_interleave(per_class)
        test = renderer.loader(None)(name, cfg, "test")
        x_test, y_test = to_tensor(test.images), torch.as_tensor(test.labels)
        torch.manual_seed(seed)

        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
        net = nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128), nn.AdaptiveAvgPool2d(1),
                            nn.Flatten(), nn.Linear(128, len(classes)))
        opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=epochs * ((len(x) + 63) // 64))
        start = time.time()
        for _ in range(epochs):
            net.train()
            for idx in torch.randperm(len(x)).split(64):
                flip = torch.rand(len(idx)) < 0.5  # horizontal flips: every class is left-right symmetric
                xb = torch.where(flip[:, None, None, None], x[idx].flip(-1), x[idx])
                loss = nn.functional.cross_entropy(net(xb), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        with torch.no_grad():
            pred = net(x_test).argmax(1)
        out[name] = 100 * float((pred == y_test).float().mean())
        log(f"learnability {name}: {out[name]:.1f} % in {time.time() - start:.0f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--set", dest="overrides", default="", help="overrides for every config")
    ap.add_argument("--seeds", default="0,1", help="random-init seeds per encoder config")
    ap.add_argument("--configs", default=",".join(ENCODER_CONFIGS), help="names of ENCODER_CONFIGS to probe")
    ap.add_argument("--sweep", default="", help="extra background variation strengths for textures and scenes")
    ap.add_argument("--learnability", type=int, default=0, metavar="N",
                    help="also train a small CNN on N renders per class (0: skip)")
    ap.add_argument("--epochs", type=int, default=30, help="epochs of the learnability CNN")
    args = ap.parse_args()
    started = time.time()
    base = args.overrides.split()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    sweep = [float(s) for s in args.sweep.split(",") if s]
    fine = suite_names("fine_grained")
    renderer = SuiteRenderer()
    cfg = resolve(args.profile, base)
    rows, sweep_rows = [], []

    def probe(label, config_name, seed, model, cfg):
        log(f"probing {label} ...")
        after = scores(model, cfg, fine, renderer.loader(None))
        before = scores(model, cfg, list(VARIED_SUITES), renderer.loader(0.0))
        rows.append({"encoder": label, "config": config_name, "seed": seed, "after": after, "before": before})
        for strength in sweep:
            sweep_rows.append({"config": config_name, "seed": seed, "strength": strength,
                               **scores(model, cfg, list(VARIED_SUITES), renderer.loader(strength))})

    probe("raw pixels", "raw pixels", None, PixelEncoder(patch_size=cfg.train.patch_size, cls_size=16), cfg)
    for config_name in [c for c in args.configs.split(",") if c]:
        ccfg = resolve(args.profile, base + ENCODER_CONFIGS[config_name].split())
        for seed in seeds:
            probe(f"random init, {config_name}, seed {seed}", config_name, seed, random_init_encoder(ccfg, seed),
                  ccfg)

    long = []
    for r in rows:
        for when in ("before", "after"):
            full = {**r["after"], **(r["before"] if when == "before" else {})}
            long.append({"config": r["config"], "encoder": r["encoder"], "when": when, **full,
                         "fine-grained mean": float(np.mean([full[s] for s in fine]))})
    long = pd.DataFrame(long)

    columns = fine + ["fine-grained mean"]
    command = [f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}", "SYNCLR_ARTIFACTS=...",
               ".venv/bin/python", *sys.argv]
    threads = torch.get_num_threads()
    lines = ["# Room above the untrained floor on the fine-grained suites", "",
             f"- command: `{' '.join(shlex.quote(a) for a in command)}`",
             f"- date: {datetime.date.today().isoformat()}; commit {commit()} plus the working tree",
             f"- machine: {machine()} (shared, {threads} thread{'s' if threads != 1 else ''})",
             f"- profile `{args.profile}`: {cfg.world.suite_train_per_class}/{cfg.world.suite_val_per_class}/"
             f"{cfg.world.suite_test_per_class} train/val/test images per class, logistic probe on the CLS "
             f"feature (`eval.feature={cfg.eval.feature}`), {cfg.eval.probe_c_values} C values",
             f"- before: textures and scenes with `background_variation=0` (their images before SUITES_VERSION 1); "
             f"after: `background_variation={SUITE_BACKGROUND_VARIATION}` (SUITES_VERSION 1); the other suites "
             f"are the same in both",
             *[f"- `{name}`: `{ENCODER_CONFIGS[name]}`" for name in args.configs.split(",") if name],
             "- raw pixels: the CLS feature is the image downsampled to 16 x 16 (notebook 05's baseline)", ""]
    header = "| encoder | when | " + " | ".join(columns) + " |"
    lines += ["## Scores (%), per encoder", "", header, "|" + "---|" * (len(columns) + 2)]
    for _, r in long.iterrows():
        lines.append(f"| {r['encoder']} | {r['when']} | " + " | ".join(f"{r[c]:.1f}" for c in columns) + " |")
    means = long.groupby(["config", "when"], sort=False)[columns].mean().reset_index()
    lines += ["", f"## Mean over seeds; suites at or above {FLOOR_LIMIT:.0f} % in bold", "",
              "| encoder | when | " + " | ".join(columns) + " |", "|" + "---|" * (len(columns) + 2)]
    flagged = []
    for _, r in means.iterrows():
        cells = []
        for c in columns:
            hit = c != "fine-grained mean" and r[c] >= FLOOR_LIMIT
            cells.append(f"**{r[c]:.1f}**" if hit else f"{r[c]:.1f}")
            if hit and r["when"] == "after":
                flagged.append(f"{c} ({r['config']}: {r[c]:.1f})")
        lines.append(f"| {r['config']} | {r['when']} | " + " | ".join(cells) + " |")
    lines += ["", "Suites still at or above the limit after the change: " + (", ".join(flagged) or "none") + "."]
    if sweep_rows:
        configs = list(long["config"].unique())
        points = [(c, 0.0, long[(long["config"] == c) & (long["when"] == "before")]) for c in configs]
        points += [(c, SUITE_BACKGROUND_VARIATION, long[(long["config"] == c) & (long["when"] == "after")])
                   for c in configs]
        points += [(c, s, g) for (c, s), g in pd.DataFrame(sweep_rows).groupby(["config", "strength"])]
        lines += ["", "## Textures and scenes against the variation strength (mean over seeds)", "",
                  "| encoder | strength | textures | scenes |", "|---|---|---|---|"]
        for c, s, g in sorted(points, key=lambda p: (configs.index(p[0]), p[1])):
            lines.append(f"| {c} | {s:g} | {g['textures'].mean():.1f} | {g['scenes'].mean():.1f} |")
    if args.learnability:
        learned = learnability(cfg, renderer, args.learnability, args.epochs, seed=0)
        lines += ["", f"## Learnability: a small CNN trained with labels on {args.learnability} extra renders "
                  f"per class ({args.epochs} epochs), scored on the same test split", "",
                  "| suite | test top-1 (%) |", "|---|---|"]
        lines += [f"| {name} | {score:.1f} |" for name, score in learned.items()]
    lines += ["", f"Wall time: {(time.time() - started) / 60:.1f} min."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
