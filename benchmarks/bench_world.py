"""Rendering speed of the mini world: scenes/s per layout and size, and the pool speed-up.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
        .venv/bin/python benchmarks/bench_world.py [--n 4000]

Prints measured numbers and ratios from this one run (machine load changes absolute speed).
The mini-web stage must build 50k scenes in under 2 minutes at `mini` (issue 3).
"""
from __future__ import annotations

import argparse
import time

import synclr_lib  # noqa: F401  (offline env first)
from synclr_lib.world import alt_text, render, sample_scene
from synclr_lib.world.sprites import load_fashion_mnist
from synclr_lib.world.web import render_many


def rate(fn, n):
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="scenes per measurement")
    args = parser.parse_args()
    n = args.n
    load_fashion_mnist("train"), load_fashion_mnist("test")  # loading is not rendering
    for layout in ("single", "relation", "count"):  # warm the texture and mask caches
        [render(sample_scene(s, layout=layout), 32) for s in range(50)]
    print(f"{'what':44s} {'scenes/s':>9s}")
    per_layout = {}
    for layout in ("single", "relation", "count"):
        specs = [sample_scene(s, layout=layout) for s in range(n)]
        per_layout[layout] = rate(lambda: [render(s, 32) for s in specs], n)
        print(f"{'render 32 px, 1 process, ' + layout:44s} {per_layout[layout]:9.0f}")
    specs = [sample_scene(s) for s in range(n)]
    sample = rate(lambda: [alt_text(sample_scene(s)) for s in range(n)], n)
    print(f"{'sample spec + alt-text':44s} {sample:9.0f}")
    for size in (64, 128):
        [render(s, size) for s in specs[:20]]
        r = rate(lambda: [render(s, size) for s in specs[: n // 4]], n // 4)
        print(f"{f'render {size} px, 1 process, web mix':44s} {r:9.0f}")
    serial = rate(lambda: render_many(specs, 32, workers=1), n)
    pooled = rate(lambda: render_many(specs, 32, workers=2), n)
    print(f"{'render_many 32 px, web mix, 1 process':44s} {serial:9.0f}")
    print(f"{'render_many 32 px, web mix, pool of 2':44s} {pooled:9.0f}")
    print(f"pool-of-2 speed-up: {pooled / serial:.2f}x;  relation scenes cost {per_layout['single'] / per_layout['relation']:.2f}x "
          f"a single-object scene")
    est = 50_000 / pooled + 50_000 / sample
    print(f"estimated mini-web build (50k scenes, pool of 2): {est:.0f} s (budget 120 s)")


if __name__ == "__main__":
    main()
