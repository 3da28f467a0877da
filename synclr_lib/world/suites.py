"""Evaluation suites: held-out renders of the world and real packaged datasets.

The paper probes its frozen encoder on ImageNet, nine fine-grained datasets, ADE20k and
"unseen concept" datasets (Sec. 4, Tables 6, 7, 9). Here each of those has an analogue:

    kind          suites                                              paper
    objects       objects (22 classes)                                ImageNet-1k
    fine_grained  garments, glyphs, shapes, colours, textures,        Aircraft, Cars, Caltech-101,
                  scenes, counts, relations, multilabel               Flowers, DTD, SUN397, Food/Pets
                                                                      slots, VOC2007
    dense         segmentation (per-pixel labels)                     ADE20k
    real          fashion_mnist, digits, real_textures, faces         Table 9 (unseen concepts)

Rendered suites use seeds from `world.eval_seed` on (the mini-web's end before it),
Fashion-MNIST *test* sprites and the evaluation half of every texture, so no evaluation
image is a mini-web image. textures and scenes show each background through a random camera
and light (`SceneSpec.background_variation`), as photos of one DTD or SUN397 class vary; the
mini-web and the other suites show the tiles as they are. Class-balanced splits have
`suite_{train,val,test}_per_class` images per class; multilabel has that many x 20 images;
segmentation and the real datasets split in the same train:val:test proportions (real ones
capped at `real_max_per_split`).

    suite = load_suite("objects", cfg, "test")   # Suite(images, labels, class_names, metric, ...)

Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..config import Config
from ..stages import run_stage, stage
from .alttext import sample_scene
from .concepts import (BACKGROUNDS, COLOURS, COUNTS, GARMENTS, GLYPHS, MASK_CLASSES, OBJECTS, RELATIONS,
                       SHAPES, WorldError)
from .render import SceneSpec
from .web import WORLD_VERSION, check_seed_ranges, render_many

SPLITS = ("train", "val", "test")
SUITES_VERSION = 1  # bump when a suite's specs or rendering change, so cached suites are rebuilt
# (1: textures and scenes vary the background's camera and light)
# camera and light variation of the background in the textures and scenes suites: without it an
# untrained encoder already told the 12 backgrounds apart (benchmarks/results/suite_room.md)
SUITE_BACKGROUND_VARIATION = 1.0
METRICS = ("top1", "mean_per_class", "map11", "miou")
MULTILABEL_CLASSES = GARMENTS + SHAPES[:10]  # 20 labels, as VOC2007 has 20
SEGMENTATION_CLASSES = MASK_CLASSES[:len(BACKGROUNDS) + len(OBJECTS)]  # no glyph is drawn in these scenes
SEGMENTATION_LAYOUTS = {"single": 0.3, "relation": 0.35, "count": 0.15, "extras": 0.2}
REAL_TEXTURES = {  # class name -> scikit-image image never used by the renderer
    "lunar surface": "moon", "cells": "cell", "deep space": "hubble_deep_field",
    "stained tissue": "immunohistochemistry", "coins": "coins", "printed text": "page",
}

# name: (kind, classes, metric, description)
SUITES: dict[str, tuple[str, list, str, str]] = {
    "objects": ("objects", OBJECTS, "top1",
                "Main-object classification over the 22 objects of C, one object on a background from the "
                "world prior; garments are unseen Fashion-MNIST test sprites. Stands for ImageNet-1k."),
    "garments": ("fine_grained", GARMENTS, "mean_per_class",
                 "The 10 garment classes from unseen Fashion-MNIST test sprites: fine-grained within one "
                 "super-category. Stands for FGVC-Aircraft (mean per-class accuracy)."),
    "glyphs": ("fine_grained", GLYPHS, "top1",
               "10 letters with close pairs such as E/F: fine-grained within one super-category, and "
               "outside C (no caption, mini-web or g2 image shows a letter). Stands for Stanford Cars (top-1)."),
    "shapes": ("fine_grained", SHAPES, "mean_per_class",
               "12 geometric shapes, many everyday categories. Stands for Caltech-101 (mean per-class)."),
    "colours": ("fine_grained", COLOURS, "mean_per_class",
                "Colour of the main object, 12 colours with close hue pairs (blue/navy, teal/cyan, ...). "
                "Stands for Flowers-102, where colour is a key cue (mean per-class)."),
    "textures": ("fine_grained", BACKGROUNDS, "top1",
                 "The 12 backgrounds with no object, each seen at a random zoom, rotation and blur in a "
                 "random light (contrast, brightness, saturation, hue, white balance). Stands for DTD (top-1)."),
    "scenes": ("fine_grained", BACKGROUNDS, "top1",
               "The 12 places, each with an unrelated object in front, the place varied as in textures. "
               "Stands for SUN397 (top-1)."),
    "counts": ("fine_grained", COUNTS, "top1",
               "How many copies of an object, 1-4. Fills the Food-101 slot of the nine; the paper has no "
               "counting task (top-1)."),
    "relations": ("fine_grained", RELATIONS, "mean_per_class",
                  "Which of the 7 drawable relations (the c,rel template's words) holds between two objects. "
                  "Fills the Oxford-Pets slot of the nine; no paper counterpart (mean per-class)."),
    "multilabel": ("fine_grained", MULTILABEL_CLASSES, "map11",
                   "Which of 20 objects (10 garments, 10 shapes) appear, 2-3 per image; labels are 0/1 "
                   "[N, 20]. Stands for PASCAL VOC2007 (11-point mAP)."),
    "segmentation": ("dense", SEGMENTATION_CLASSES, "miou",
                     "Per-pixel labels over 34 classes (12 backgrounds, 22 objects) from the renderer's masks; "
                     "scenes with 1-4 objects. Stands for ADE20k (mIoU). labels = main object (MASK_CLASSES index)."),
    "fashion_mnist": ("real", GARMENTS, "top1",
                      "Fashion-MNIST test images as they are: grey garments on black, never tinted or composed "
                      "by the renderer. Unseen-domain column of the Table 9 analogue (top-1)."),
    "digits": ("real", [str(d) for d in range(10)], "top1",
               "scikit-learn's 8x8 handwritten digits, upsampled; digits are no concept of the world. "
               "Stands for MNIST in Table 9 (top-1)."),
    "real_textures": ("real", list(REAL_TEXTURES), "top1",
                      "Crops of 6 real scikit-image photographs the renderer never uses (moon, cells, Hubble deep "
                      "field, stained tissue, coins, printed page), split by image region. Stands for the "
                      "EuroSAT / RESISC45 columns of Table 9 (top-1)."),
    "faces": ("real", ["face", "non-face"], "top1",
              "scikit-image's LFW subset: 25x25 faces vs background crops, upsampled; faces are no concept "
              "of the world. An unseen-concept task of the Table 9 analogue (top-1)."),
}
KINDS = ("objects", "fine_grained", "dense", "real")
# the paper dataset each suite stands for (or the slot it fills) -- used in tables
PAPER_ANALOGUE = {
    "objects": "ImageNet-1k", "garments": "FGVC-Aircraft", "glyphs": "Stanford Cars", "shapes": "Caltech-101",
    "colours": "Flowers-102", "textures": "DTD", "scenes": "SUN397", "counts": "Food-101 slot (counting)",
    "relations": "Oxford-Pets slot (relations)", "multilabel": "PASCAL VOC2007", "segmentation": "ADE20k",
    "fashion_mnist": "Table 9: unseen domain", "digits": "Table 9: MNIST", "real_textures": "Table 9: EuroSAT/RESISC45",
    "faces": "Table 9: unseen concept",
}


@dataclass
class Suite:
    """One split of an evaluation suite."""
    name: str
    split: str
    images: np.ndarray  # uint8 [N, H, W, 3] at world.image_size
    labels: np.ndarray  # int64 [N], or 0/1 int64 [N, C] for multilabel
    class_names: list[str]
    metric: str  # top1 | mean_per_class | map11 | miou (segmentation)
    description: str  # which paper dataset it stands for
    kind: str  # objects | fine_grained | dense | real
    masks: np.ndarray | None = None  # int16 [N, H, W] indices into class_names (segmentation only)

    def __len__(self) -> int:
        return len(self.images)

    def as_tensors(self):
        """(float images [N, 3, H, W] in [-1, 1], labels tensor[, masks tensor])."""
        import torch

        from ..pixels import to_tensor

        out = (to_tensor(self.images), torch.as_tensor(self.labels))
        return out + (torch.as_tensor(self.masks.astype(np.int64)),) if self.masks is not None else out


def suite_names(kind: str = "all") -> list[str]:
    """Suite names of a kind: all | objects | fine_grained | dense | real."""
    if kind == "all":
        return list(SUITES)
    if kind not in KINDS:
        raise WorldError(f"unknown suite kind {kind!r}; valid: all, {', '.join(KINDS)}")
    return [n for n, s in SUITES.items() if s[0] == kind]


def split_sizes(cfg: Config) -> dict[str, int]:
    w = cfg.world
    return {"train": w.suite_train_per_class, "val": w.suite_val_per_class, "test": w.suite_test_per_class}


def proportional_split(n: int, cfg: Config, cap: int | None = None) -> dict[str, int]:
    """Split n items in the train:val:test proportions of the per-class sizes (test gets the rest)."""
    sizes = split_sizes(cfg)
    total = sum(sizes.values())
    train = n * sizes["train"] // total
    val = n * sizes["val"] // total
    out = {"train": train, "val": val, "test": n - train - val}
    return {k: min(v, cap) if cap else v for k, v in out.items()}


def _seed_base(cfg, name, split):
    # 10M seeds per suite, 1M per split: disjoint blocks above eval_seed
    return cfg.world.eval_seed + list(SUITES).index(name) * 10_000_000 + SPLITS.index(split) * 1_000_000


def _class_spec(name, cls, seed, prior):
    common = dict(source="eval", prior=prior)
    if name in ("objects", "garments", "glyphs", "shapes"):
        return sample_scene(seed, layout="single", obj=cls, **common)
    if name == "colours":
        return sample_scene(seed, layout="single", colour=cls, **common)
    if name == "textures":
        return SceneSpec(None, background=cls, source="eval", seed=seed,
                         background_variation=SUITE_BACKGROUND_VARIATION)
    if name == "scenes":
        return replace(sample_scene(seed, layout="single", background=cls, **common),
                       background_variation=SUITE_BACKGROUND_VARIATION)
    if name == "counts":
        return sample_scene(seed, layout="single" if cls == 1 else "count", count=cls, **common)
    if name == "relations":
        return sample_scene(seed, layout="relation", relation=cls, **common)
    raise WorldError(f"{name} is not a class-balanced rendered suite")


def _multilabel_spec(seed, prior):
    rng = np.random.default_rng([seed, 5])
    k = int(rng.integers(2, 4))
    picks = [MULTILABEL_CLASSES[i] for i in rng.choice(len(MULTILABEL_CLASSES), k, replace=False)]
    colours = [COLOURS[i] for i in rng.integers(len(COLOURS), size=k)]
    base = sample_scene(seed, layout="single", obj=picks[0], colour=colours[0], source="eval", prior=prior)
    return SceneSpec(**{**base.to_dict(), "extras": tuple(zip(picks[1:], colours[1:]))})


def _segmentation_spec(seed, prior):
    rng = np.random.default_rng([seed, 6])
    layout = rng.choice(list(SEGMENTATION_LAYOUTS), p=list(SEGMENTATION_LAYOUTS.values()))
    if layout != "extras":
        return sample_scene(seed, layout=layout, source="eval", prior=prior)
    k = int(rng.integers(1, 4))
    extras = tuple((OBJECTS[rng.integers(len(OBJECTS))], COLOURS[rng.integers(len(COLOURS))]) for _ in range(k))
    base = sample_scene(seed, layout="single", source="eval", prior=prior)
    return SceneSpec(**{**base.to_dict(), "extras": extras})


def rendered_split(name: str, split: str, cfg: Config):
    """(specs, labels) of a rendered suite split (no pixels yet)."""
    base = _seed_base(cfg, name, split)
    prior = cfg.world.web_prior
    classes = SUITES[name][1]
    if name == "multilabel":
        n = split_sizes(cfg)[split] * len(classes)
        specs = [_multilabel_spec(base + i, prior) for i in range(n)]
        labels = np.zeros((n, len(classes)), np.int64)
        for i, s in enumerate(specs):
            for obj in s.concepts():
                labels[i, classes.index(obj)] = 1
        return specs, labels
    if name == "segmentation":
        n = proportional_split(cfg.world.segmentation_images, cfg)[split]
        specs = [_segmentation_spec(base + i, prior) for i in range(n)]
        return specs, np.array([MASK_CLASSES.index(s.object) for s in specs], np.int64)
    per_class = split_sizes(cfg)[split]
    specs, labels = [], []
    for c, cls in enumerate(classes):
        for j in range(per_class):
            specs.append(_class_spec(name, cls, base + c * per_class + j, prior))
            labels.append(c)
    return specs, np.array(labels, np.int64)


# ---------------------------------------------------------------------------------- real
def _resize_grey(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 grey [N, h, w] -> uint8 RGB [N, size, size, 3] (bilinear; grey copied to 3 channels)."""
    from PIL import Image

    out = np.empty((len(images), size, size, 3), np.uint8)
    for i, im in enumerate(images):
        out[i] = np.asarray(Image.fromarray(im).resize((size, size), Image.BILINEAR))[..., None]
    return out


def _split_indices(n_items, labels, cfg, seed, cap):
    """Shuffle (seeded) and cut into train/val/test in the suite proportions, capped per split."""
    order = np.random.default_rng(seed).permutation(n_items)
    sizes = proportional_split(n_items, cfg)
    out, start = {}, 0
    for split in SPLITS:
        out[split] = order[start:start + sizes[split]][:cap]
        start += sizes[split]
    return out


def real_suite(name: str, cfg: Config) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{split: (images, labels)} of a real packaged dataset, resized to world.image_size."""
    size, cap, seed = cfg.world.image_size, cfg.world.real_max_per_split, cfg.world.eval_seed
    if name == "fashion_mnist":
        from .sprites import load_fashion_mnist

        images, labels = load_fashion_mnist("test")
    elif name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        images = np.clip(d.images * (255 / 16), 0, 255).astype(np.uint8)
        labels = d.target.astype(np.int64)
    elif name == "faces":
        from skimage.data import lfw_subset

        images = np.clip(lfw_subset() * 255, 0, 255).astype(np.uint8)
        labels = np.repeat(np.arange(2), 100).astype(np.int64)  # first 100 faces, then 100 non-faces
    elif name == "real_textures":
        return _real_textures(cfg)
    else:
        raise WorldError(f"{name} is not a real suite")
    parts = _split_indices(len(images), labels, cfg, seed, cap)
    return {s: (_resize_grey(images[idx], size), labels[idx]) for s, idx in parts.items()}


def _real_textures(cfg):
    """Random crops per class; train, val and test crops come from disjoint vertical strips."""
    from PIL import Image
    from skimage import data
    from skimage.color import rgb2gray

    size = cfg.world.image_size
    sizes = split_sizes(cfg)
    cap = max(1, cfg.world.real_max_per_split // len(REAL_TEXTURES))
    total = sum(sizes.values())
    rng = np.random.default_rng([cfg.world.eval_seed, 7])
    out = {s: ([], []) for s in SPLITS}
    for c, loader in enumerate(REAL_TEXTURES.values()):
        img = getattr(data, loader)()
        if img.ndim == 3:
            img = (rgb2gray(img[..., :3]) * 255).astype(np.uint8)
        h, w = img.shape
        # one crop side per class (the narrowest strip allows it), large enough to show structure
        crop = min(160, h, min(w * sizes[s] // total for s in SPLITS))
        x0 = 0
        for split in SPLITS:
            strip_w = w * sizes[split] // total
            for _ in range(min(sizes[split], cap)):
                y = int(rng.integers(0, h - crop + 1))
                x = x0 + int(rng.integers(0, strip_w - crop + 1))
                patch = Image.fromarray(img[y:y + crop, x:x + crop]).resize((size, size), Image.BILINEAR)
                out[split][0].append(np.repeat(np.asarray(patch)[..., None], 3, -1))
                out[split][1].append(c)
            x0 += strip_w
    return {s: (np.stack(ims).astype(np.uint8), np.array(lab, np.int64)) for s, (ims, lab) in out.items()}


# ---------------------------------------------------------------------------------- stage
SUITE_KEYS = ("image_size", "eval_seed", "suite_train_per_class", "suite_val_per_class",
              "suite_test_per_class", "segmentation_images", "real_max_per_split", "web_prior")


@stage("suites", payload=lambda cfg: {"world": {k: getattr(cfg.world, k) for k in SUITE_KEYS},
                                      "version": WORLD_VERSION, "suites_version": SUITES_VERSION})
def build_suites(cfg: Config, out: Path, inputs: dict) -> dict:
    """Render every evaluation suite and resize the real ones: <name>_<split>.npz + suites.json."""
    check_seed_ranges(cfg)
    info, meta = {}, {}
    start = time.time()
    for name, (kind, classes, metric, description) in SUITES.items():
        sizes = {}
        if kind == "real":
            parts = real_suite(name, cfg)
            for split, (images, labels) in parts.items():
                np.savez(out / f"{name}_{split}.npz", images=images, labels=labels)
                sizes[split] = len(images)
        else:
            for split in SPLITS:
                specs, labels = rendered_split(name, split, cfg)
                images, masks = render_many(specs, cfg.world.image_size, cfg.world.render_workers,
                                            desc=f"{name}/{split}", masks=True)
                arrays = dict(images=images, labels=labels)
                if name == "segmentation":
                    arrays["masks"] = masks
                np.savez(out / f"{name}_{split}.npz", **arrays)
                with open(out / f"{name}_{split}.jsonl", "w") as f:
                    for s in specs:
                        f.write(json.dumps(s.to_dict()) + "\n")
                sizes[split] = len(images)
        meta[name] = {"kind": kind, "class_names": [str(c) for c in classes], "metric": metric,
                      "description": description, "sizes": sizes}
    (out / "suites.json").write_text(json.dumps(meta, indent=2))
    info["images"] = sum(sum(m["sizes"].values()) for m in meta.values())
    info["build_s"] = round(time.time() - start, 2)
    return info


def load_suite(name: str, cfg: Config, split: str = "test") -> Suite:
    """One split of an evaluation suite (the suites stage is built and cached on first use)."""
    if name not in SUITES:
        raise WorldError(f"unknown suite {name!r}; valid: {', '.join(SUITES)}")
    if split not in SPLITS:
        raise WorldError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
    check_seed_ranges(cfg)
    path = run_stage("suites", cfg)
    meta = json.loads((path / "suites.json").read_text())[name]
    with np.load(path / f"{name}_{split}.npz") as z:
        arrays = {k: z[k] for k in z.files}
    return Suite(name=name, split=split, images=arrays["images"], labels=arrays["labels"],
                 class_names=meta["class_names"], metric=meta["metric"], description=meta["description"],
                 kind=meta["kind"], masks=arrays.get("masks"))


def suite_specs(name: str, cfg: Config, split: str = "test") -> list[dict]:
    """The scene specs behind a rendered suite split (for analysis, e.g. accuracy per colour)."""
    if SUITES[name][0] == "real":
        raise WorldError(f"{name} is a real dataset: it has no scene specs")
    path = run_stage("suites", cfg)
    with open(path / f"{name}_{split}.jsonl") as f:
        return [json.loads(line) for line in f]
