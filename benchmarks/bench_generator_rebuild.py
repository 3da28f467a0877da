"""Does a rebuilt mini g2 match the shipped one? `make generators` again, from an empty
artifact cache, into a scratch folder; then the rebuilt g2's judged fidelity at the default
CFG beside the shipped model card's (generators/<profile>/generators.json), and both g2s
judged on the same captions and seeds by the same judge (the shipped one).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        .venv/bin/python benchmarks/bench_generator_rebuild.py --profile mini [--scratch /tmp/rebuild]

Costs what `make generators` costs (about two hours on 2 cores at mini; `--profile smoke`
checks the script in a minute). Prints each number as it is measured and writes
benchmarks/results/generator_rebuild[_<profile>].md at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--scratch", type=Path, default=Path("/tmp/synclr-generator-rebuild"))
    p.add_argument("--shipped", type=Path, default=None, help="default: generators/<profile>/")
    args = p.parse_args(argv)
    from synclr_lib.paths import generators_dir

    shipped = (args.shipped or generators_dir(args.profile)).resolve()
    if not (shipped / "generators.json").is_file():
        print(f"error: no shipped generators in {shipped} (run `make generators PROFILE={args.profile}` first)",
              file=sys.stderr)
        return 2
    os.environ["SYNCLR_ARTIFACTS"] = str(args.scratch / "artifacts")  # an empty cache: everything is retrained
    os.environ["SYNCLR_REPORTS"] = str(args.scratch / "reports")

    import synclr_lib  # noqa: F401  (offline flags first)
    from synclr_lib.config import resolve
    from synclr_lib.generators import fidelity_at_default_cfg, ship
    from synclr_lib.runtime import cpu_model, set_threads

    cfg = resolve(args.profile)
    set_threads(cfg.run.threads)
    start = time.time()
    rebuilt = ship(cfg, args.scratch / "generators" / args.profile)
    hours = (time.time() - start) / 3600
    print(f"rebuilt in {hours:.2f} h -> {rebuilt}", flush=True)

    first = json.loads((shipped / "generators.json").read_text())["fidelity_at_default_cfg"]
    again = json.loads((rebuilt / "generators.json").read_text())["fidelity_at_default_cfg"]
    cross = {}
    for name, g2 in (("shipped", shipped / "g2"), ("rebuilt", rebuilt / "g2")):
        # both g2s judged by the shipped judge on the shipped g1's captions: only g2 differs
        one = resolve(args.profile, [f"images.g2={g2}", f"judge.model={shipped / 'judge'}",
                                     f"captions.g1={shipped / 'g1'}"])
        cross[name] = fidelity_at_default_cfg(one)
        print(f"{name} g2, shipped judge and g1: {cross[name]}", flush=True)

    keys = ("object", "colour", "background", "all")
    rows = ["| shipped model card (own judge) | " + " | ".join(f"{first[k]:.3f}" for k in keys) + " |",
            "| rebuilt, own judge | " + " | ".join(f"{again[k]:.3f}" for k in keys) + " |",
            "| shipped g2, shipped judge | " + " | ".join(f"{cross['shipped'][k]:.3f}" for k in keys) + " |",
            "| rebuilt g2, shipped judge | " + " | ".join(f"{cross['rebuilt'][k]:.3f}" for k in keys) + " |"]
    gap = {k: cross["rebuilt"][k] - cross["shipped"][k] for k in keys}
    text = "\n".join([
        f"# A rebuilt `{args.profile}` g2 against the shipped one", "",
        f"- date: {time.strftime('%Y-%m-%d')}; machine: {cpu_model()} ({os.cpu_count()} cores, {platform.machine()})",
        f"- `benchmarks/bench_generator_rebuild.py --profile {args.profile}`: `make generators` from an empty cache "
        f"took {hours:.2f} h", f"- judged fidelity at CFG {cfg.images.cfg_scale:g}, {first['captions']} captions x "
        f"{cfg.images.images_per_caption} images", "",
        "| g2 | object | colour | background | all three |", "|---|---|---|---|---|", *rows, "",
        "Rebuilt minus shipped, same judge and captions: " + ", ".join(f"{k} {v:+.3f}" for k, v in gap.items()), ""])
    out = ROOT / "benchmarks" / "results" / f"generator_rebuild{'' if args.profile == 'mini' else '_' + args.profile}.md"
    out.write_text(text)
    print(text)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
