"""The mini-web stage: N rendered scenes with noisy alt-text, the "internet" of the mini profile.

The paper's g1 and g2 learned from the web before SynCLR ever ran; here the later issues
pretrain a tiny g1 (captions) and g2 (text-to-image) on this corpus. SynCLR itself never
sees these images. Scene i uses seed `world.web_seed + i`; the evaluation suites use seeds
from `world.eval_seed` on, garments from the Fashion-MNIST *test* split and the other half
of each texture, so no evaluation image is a mini-web image.

    python -m synclr_lib stage world --profile smoke     # or, in Python:
    web = load_mini_web(cfg)   # MiniWeb(images uint8 [N, H, W, 3], texts, specs)

Artifact files: images.npy (uint8 [N, H, W, 3]) and web.jsonl (one {"id", "text", "spec"}
per line). Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ..progress import tqdm

from ..config import Config
from ..runtime import die_with_parent
from ..stages import run_stage, stage
from .alttext import alt_text, sample_scene
from .concepts import WorldError
from .render import SceneSpec, render
from .sprites import load_fashion_mnist

WORLD_VERSION = 4  # bump when rendering, sampling or alt-text changes, so cached worlds are rebuilt (4: terser alt-text)
CHUNK = 1024  # scenes per rendering task


@dataclass
class MiniWeb:
    """The mini-web corpus: images[i] was rendered from specs[i] and captioned texts[i]."""
    images: np.ndarray  # uint8 [N, H, W, 3]
    texts: list[str]  # noisy alt-text
    specs: list[dict]  # SceneSpec.to_dict() of each scene
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def spec(self, i: int) -> SceneSpec:
        return SceneSpec.from_dict(self.specs[i])


def check_seed_ranges(cfg: Config) -> None:
    """The mini-web's seeds [web_seed, web_seed + n_web) must end before eval_seed."""
    w = cfg.world
    if w.web_seed < 0 or w.web_seed + w.n_web > w.eval_seed:
        raise WorldError(f"mini-web seeds [{w.web_seed}, {w.web_seed + w.n_web}) overlap the evaluation "
                         f"seeds starting at world.eval_seed={w.eval_seed}; keep them disjoint")


def render_many(specs: list[SceneSpec], size: int, workers: int = 1, desc: str | None = None,
                masks: bool = False):
    """Render specs in order (optionally in a pool of `workers` processes): uint8 [N, H, W, 3]
    (and int16 masks [N, H, W] when `masks`). The result does not depend on `workers`."""
    images = np.empty((len(specs), size, size, 3), np.uint8)
    mask_arr = np.empty((len(specs), size, size), np.int16) if masks else None
    chunks = [(i, specs[i:i + CHUNK], size) for i in range(0, len(specs), CHUNK)]
    bar = tqdm(total=len(specs), desc=desc or "render", unit="scene", disable=desc is None, mininterval=2)
    workers = max(1, min(workers, len(chunks)))
    if workers > 1 and "fork" in mp.get_all_start_methods():
        # forked workers inherit the loaded sprites and texture tiles
        load_fashion_mnist("train"), load_fashion_mnist("test")
        # initializer: the workers exit when this process is killed (they would wait forever)
        with mp.get_context("fork").Pool(workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            for start, ims, ms in pool.imap_unordered(_render_chunk, chunks):
                images[start:start + len(ims)] = ims
                if masks:
                    mask_arr[start:start + len(ims)] = ms
                bar.update(len(ims))
    else:
        for chunk in chunks:
            start, ims, ms = _render_chunk(chunk)
            images[start:start + len(ims)] = ims
            if masks:
                mask_arr[start:start + len(ims)] = ms
            bar.update(len(ims))
    bar.close()
    return (images, mask_arr) if masks else images


def _render_chunk(args):
    start, specs, size = args
    out = [render(s, size) for s in specs]
    return start, np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


def web_specs(cfg: Config) -> list[SceneSpec]:
    """The mini-web's scene specs (cheap: no rendering)."""
    check_seed_ranges(cfg)
    w = cfg.world
    return [sample_scene(w.web_seed + i, source="web", prior=w.web_prior) for i in range(w.n_web)]


@stage("world", payload=lambda cfg: {"world": {k: getattr(cfg.world, k) for k in
                                               ("image_size", "n_web", "web_seed", "eval_seed", "web_prior")},
                                     "version": WORLD_VERSION})
def build_mini_web(cfg: Config, out: Path, inputs: dict) -> dict:
    """Render the mini-web: images.npy + web.jsonl (alt-text and spec per scene)."""
    start = time.time()
    specs = web_specs(cfg)
    texts = [alt_text(s) for s in specs]
    t_specs = time.time() - start
    t0 = time.time()
    images = render_many(specs, cfg.world.image_size, cfg.world.render_workers, desc="mini-web")
    t_render = time.time() - t0
    np.save(out / "images.npy", images)
    with open(out / "web.jsonl", "w") as f:
        for i, (text, spec) in enumerate(zip(texts, specs)):
            f.write(json.dumps({"id": i, "text": text, "spec": spec.to_dict()}) + "\n")
    return {"n": len(specs), "sample_s": round(t_specs, 2), "render_s": round(t_render, 2),
            "scenes_per_s": round(len(specs) / max(t_render, 1e-9), 1),
            "workers": cfg.world.render_workers, "cpus": os.cpu_count()}


def load_mini_web(cfg: Config) -> MiniWeb:
    """The mini-web for this config (built and cached on first use)."""
    return read_mini_web(run_stage("world", cfg))


def read_mini_web(path: Path) -> MiniWeb:
    """The mini-web in a `world` artifact (a stage build gets the directory as an input)."""
    path = Path(path)
    images = np.load(path / "images.npy")
    texts, specs = [], []
    with open(path / "web.jsonl") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            specs.append(row["spec"])
    return MiniWeb(images, texts, specs, path)
