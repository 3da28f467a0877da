"""The world proxy: synthetic-image data from a *perfect* g2. Each "caption" is a scene spec
sampled from the world prior; its K "images" are K renders of that spec, varying what a
caption does not pin down (position, texture window, garment sprite, rotation, size jitter,
noise) and, with `train.proxy_open`, the attributes a caption leaves open (colour, background),
as Stable Diffusion redraws them per noise seed. Written in the synthetic-image shard format
(images/shards.py), so training reads it exactly like g2's output (`train.data=proxy`).

It is the oracle row of the training study (what SynCLR learns when g2 is flawless) and
the data the training recipe was tuned on before g2 existed (an early feasibility study).

    root = run_stage("world_proxy", cfg)          # cached; or write_world_proxy(dir, ...)
    data = load_synthetic_images(root)

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .shards import shard_ranges, verify_image_dirs, write_captions, write_index, write_shard
from ..stages import stage

SPEC_SEED = 500_000_000  # spec i uses seed SPEC_SEED + i: disjoint from the mini-web and eval seeds
RENDER_SEED = 600_000_000  # render k of spec i uses RENDER_SEED + i * K + k
CAPTIONS_PER_SHARD = 1024


def proxy_rows(n_captions: int, seed: int = 0) -> list[dict]:
    """Caption rows: alt-text caption, concept (= the main object) and the spec's attributes."""
    from ..world import alt_text, sample_scene

    rows = []
    for i in range(n_captions):
        spec = sample_scene(SPEC_SEED + seed * 10_000_000 + i, source="web")
        rows.append({"caption": alt_text(spec), "concept": spec.object, "colour": spec.colour,
                     "background": spec.background, "size": spec.size, "relation": spec.relation,
                     "count": spec.count, "spec": spec.to_dict()})
    return rows


OPEN_ATTRIBUTES = ("colour", "background")  # what a caption may leave open for g2 to redraw per image


def parse_open(text: str) -> tuple[str, ...]:
    """'colour,background' -> ('colour', 'background'); one clear error naming the valid ones."""
    from ..config import ConfigError

    parts = tuple(p.strip() for p in str(text).split(",") if p.strip())
    unknown = [p for p in parts if p not in OPEN_ATTRIBUTES]
    if unknown:
        raise ConfigError(f"unknown train.proxy_open {', '.join(map(repr, unknown))}; valid: "
                          f"{', '.join(OPEN_ATTRIBUTES)} (comma-separated; empty = the caption pins both)")
    return parts


def redraw_open(spec, seed: int, open_attributes=OPEN_ATTRIBUTES, prior: float = 0.95):
    """The spec with its open attributes drawn anew from the world prior, as a text-to-image
    model fills in what its caption does not say: a colour (of the main and the second object),
    a background (plausible for the object with probability `prior`)."""
    from ..world.concepts import BACKGROUNDS, COLOURS, PLAUSIBLE_BACKGROUNDS

    rng = np.random.default_rng([int(seed), 23])
    changes = {}
    if "colour" in open_attributes:
        changes["colour"] = COLOURS[rng.integers(len(COLOURS))]
        if spec.other_colour is not None:
            changes["other_colour"] = COLOURS[rng.integers(len(COLOURS))]
    if "background" in open_attributes:
        pool = PLAUSIBLE_BACKGROUNDS[spec.object] if rng.random() < prior else BACKGROUNDS
        changes["background"] = pool[rng.integers(len(pool))]
    return replace(spec, **changes)


def render_variations(spec_dict: dict, first_seed: int, k: int, open_attributes=()) -> list:
    """K SceneSpecs of one caption: new seed, rotation and size jitter each, and the open
    attributes redrawn (`redraw_open`)."""
    from ..world import OBJECT_GROUPS, SceneSpec
    from ..world.alttext import SCALE_JITTER
    from ..world.render import ROTATION_RANGE

    spec = SceneSpec.from_dict(spec_dict)
    out = []
    for j in range(k):
        rng = np.random.default_rng([first_seed + j, 7])
        r = ROTATION_RANGE[OBJECT_GROUPS[spec.object]]
        variation = replace(spec, seed=first_seed + j, rotation=round(float(rng.uniform(-r, r)), 2),
                            scale=round(float(rng.uniform(*SCALE_JITTER)), 3))
        out.append(redraw_open(variation, first_seed + j, open_attributes) if open_attributes else variation)
    return out


def write_world_proxy(root, n_captions: int, images_per_caption: int, size: int, seed: int = 0,
                      workers: int = 1, progress: bool = True, open_attributes=()) -> Path:
    """Render the proxy into `root` (shards, captions.jsonl, index.json); skips finished shards.
    `open_attributes` are redrawn for every render; a caption row's text and attribute fields
    stay those of its base spec, and its `open` field lists what its images do not share."""
    from .shards import shard_is_complete
    from ..world.web import render_many

    root = Path(root)
    rows = proxy_rows(n_captions, seed)
    write_captions(root, [{**r, "open": list(open_attributes)} for r in rows])
    for k, (start, stop) in enumerate(shard_ranges(n_captions, CAPTIONS_PER_SHARD)):
        if shard_is_complete(root / "shards", k):
            continue
        specs = [s for i in range(start, stop)
                 for s in render_variations(rows[i]["spec"], RENDER_SEED + seed * 100_000_000 + i * images_per_caption,
                                            images_per_caption, open_attributes)]
        images = render_many(specs, size, workers, desc=f"proxy shard {k}" if progress else None)
        write_shard(root / "shards", k, start, images.reshape(stop - start, images_per_caption, size, size, 3))
    write_index(root, num_captions=n_captions, images_per_caption=images_per_caption, image_size=size,
                captions_per_shard=CAPTIONS_PER_SHARD,
                extra={"source": "world_proxy", "seed": seed, "open": list(open_attributes)})
    return root


def _payload(cfg) -> dict:
    from ..world.web import WORLD_VERSION

    return {"n_captions": cfg.train.proxy_captions, "images_per_caption": cfg.images.images_per_caption,
            "image_size": cfg.world.image_size, "seed": cfg.run.seed, "world_version": WORLD_VERSION,
            **({"open": list(parse_open(cfg.train.proxy_open))} if cfg.train.proxy_open else {})}


@stage("world_proxy", payload=_payload, resumable=True, verify=verify_image_dirs)
def build_world_proxy(cfg, out: Path, inputs: dict) -> dict:
    """Scene specs rendered K times each, in the synthetic-image format (a perfect g2)."""
    p = _payload(cfg)
    write_world_proxy(out, p["n_captions"], p["images_per_caption"], p["image_size"], p["seed"],
                      workers=cfg.world.render_workers, open_attributes=p.get("open", ()))
    return {"captions": p["n_captions"], "images": p["n_captions"] * p["images_per_caption"]}
