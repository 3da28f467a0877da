"""Tables and figures that describe the world (used by notebooks/01_world.py).

Everything here only reads the public pieces of the world package: concepts, render(),
load_mini_web() and load_suite().
"""
from __future__ import annotations

import collections

import numpy as np
import pandas as pd

from ..config import Config
from ..plots import image_grid
from .concepts import (BACKGROUNDS, COLOUR_RGB, COLOURS, GLYPHS, OBJECT_GROUPS, OBJECTS, PLAUSIBLE_BACKGROUNDS,
                       RELATIONS, VOCABULARY, mask_label, mentions)
from .render import SceneSpec, render
from .suites import PAPER_ANALOGUE, SPLITS, SUITES, load_suite, suite_names
from .web import MiniWeb


def strip_figure(rows, title=None, scale=0.55):
    """Rows of equally sized images, one axes per row (fast even with hundreds of images).

    `rows` is a list of (row_label, images uint8 [n, H, W, 3], captions list[str])."""
    import matplotlib.pyplot as plt

    ncols = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), 1, figsize=(ncols * scale + 1.5, len(rows) * (scale + 0.45)), squeeze=False)
    for ax, (label, images, captions) in zip(axes[:, 0], rows):
        h, w = images.shape[1:3]
        pad = max(1, w // 16)
        strip = np.full((h, len(images) * (w + pad), 3), 255, np.uint8)
        for k, im in enumerate(images):
            strip[:, k * (w + pad):k * (w + pad) + w] = im
        ax.imshow(strip, interpolation="nearest")
        ax.set_xticks([k * (w + pad) + w / 2 for k in range(len(images))])
        ax.set_xticklabels(captions, fontsize=5, rotation=35, ha="right")
        ax.set_yticks([])
        ax.set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
        ax.set_xlim(-0.5, ncols * (w + pad))
        for side in ax.spines.values():
            side.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def concept_table() -> pd.DataFrame:
    """Every concept with its group and the synonyms the alt-text may use."""
    rows = []
    for kind in ("objects", "colours", "backgrounds", "relations", "sizes", "counts"):
        for concept, phrases in VOCABULARY[kind].items():
            group = OBJECT_GROUPS.get(concept, kind[:-1]) if kind == "objects" else kind[:-1]
            rows.append({"kind": kind, "group": group, "concept": str(concept),
                         "synonyms": ", ".join(str(p) for p in phrases[1:])})
    return pd.DataFrame(rows)


def prior_table() -> pd.DataFrame:
    """The world prior: plausible backgrounds per object (x = plausible)."""
    return pd.DataFrame([{"object": o, **{b: "x" if b in PLAUSIBLE_BACKGROUNDS[o] else "" for b in BACKGROUNDS}}
                         for o in OBJECTS])


def objects_figure(size: int = 32):
    """One render of every object (colours cycle, backgrounds from the prior)."""
    ims = [render(SceneSpec(o, COLOURS[i % len(COLOURS)], PLAUSIBLE_BACKGROUNDS[o][0], size="large",
                            source="web", seed=i), size)[0] for i, o in enumerate(OBJECTS)]
    ims = np.stack(ims)
    glyphs = [render(SceneSpec(g, COLOURS[i % len(COLOURS)], PLAUSIBLE_BACKGROUNDS[g][0], size="large",
                               source="web", seed=i), size)[0] for i, g in enumerate(GLYPHS)]
    rows = [("garments", ims[:10], OBJECTS[:10]), ("shapes", ims[10:], OBJECTS[10:]),
            ("glyphs (outside C)", np.stack(glyphs), GLYPHS)]
    return strip_figure(rows, "the 22 objects of C (10 garments, 12 shapes) and the 10 evaluation-only glyphs",
                        scale=0.8)


def attributes_figure(size: int = 32):
    """Colour swatches, the 12 backgrounds, and the 7 relations."""
    swatches = [np.tile(np.array(COLOUR_RGB[c], np.uint8), (size, size, 1)) for c in COLOURS]
    bgs = [render(SceneSpec(None, background=b, seed=i), size)[0] for i, b in enumerate(BACKGROUNDS)]
    rels = [render(SceneSpec("star", "red", "snow", relation=r, other="square", other_colour="blue", seed=i),
                   size)[0] for i, r in enumerate(RELATIONS)]
    counts = [render(SceneSpec("heart", "magenta", "sand", count=k, size="small", seed=k), size)[0] for k in (2, 3, 4)]
    sizes = [render(SceneSpec("pentagon", "navy", "wood", size=s, seed=1), size)[0] for s in ("small", "medium", "large")]
    rows = [("colours", np.stack(swatches), COLOURS), ("backgrounds", np.stack(bgs), BACKGROUNDS),
            ("relations", np.stack(rels), [f"star {r} square" for r in RELATIONS]),
            ("counts, sizes", np.stack(counts + sizes), ["count 2", "count 3", "count 4", "small", "medium", "large"])]
    return strip_figure(rows, "attributes: colours, backgrounds, relations, counts, sizes", scale=0.8)


def mask_figure(spec: SceneSpec, size: int = 32):
    """A scene beside its per-pixel concept mask."""
    import matplotlib.pyplot as plt

    image, mask = render(spec, size)
    fig, axes = plt.subplots(1, 2, figsize=(5, 2.6))
    axes[0].imshow(image, interpolation="nearest")
    axes[0].set_title("image", fontsize=8)
    axes[1].imshow(mask, cmap="tab20", interpolation="nearest")
    names = {v: n for v, n in ((mask_label(c), c) for c in [spec.background, *spec.concepts()])}
    axes[1].set_title("mask: " + ", ".join(names[v] for v in np.unique(mask)), fontsize=8)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig


def web_figure(web: MiniWeb, n: int = 18, seed: int = 0):
    """Random mini-web images with their alt-text."""
    import textwrap

    idx = np.random.default_rng(seed).choice(len(web), size=min(n, len(web)), replace=False)
    titles = ["\n".join(textwrap.wrap(web.texts[i], 22)) for i in idx]
    return image_grid(web.images[idx], titles, ncols=6, size=1.9, fontsize=6, suptitle="the mini-web: images and alt-text")


def web_statistics(web: MiniWeb) -> pd.DataFrame:
    """What the mini-web holds, and how often its alt-text names each part of its scene."""
    n = len(web)
    layouts = collections.Counter("relation" if s["relation"] else "count" if s["count"] > 1 else "single"
                                  for s in web.specs)
    hits = collections.Counter()
    plausible = 0
    for text, s in zip(web.texts, web.specs):
        m = mentions(text)
        hits["object"] += s["object"] in m["objects"]
        hits["colour"] += s["colour"] in m["colours"]
        hits["background"] += s["background"] in m["backgrounds"]
        plausible += s["background"] in PLAUSIBLE_BACKGROUNDS[s["object"]]
        if s["relation"]:
            hits["relation"] += s["relation"] in m["relations"]
        if s["count"] > 1:
            hits["count"] += s["count"] in m["counts"]
    rows = [("scenes", n), ("unique alt-texts", len(set(web.texts))),
            *[(f"layout: {k}", f"{v / n:.1%}") for k, v in sorted(layouts.items())],
            ("background from the prior", f"{plausible / n:.1%}"),
            ("alt-text names the object", f"{hits['object'] / n:.1%}"),
            ("alt-text names the colour", f"{hits['colour'] / n:.1%}"),
            ("alt-text names the background", f"{hits['background'] / n:.1%}"),
            ("alt-text names the relation (relation scenes)", f"{hits['relation'] / max(layouts['relation'], 1):.1%}"),
            ("alt-text names the count (count scenes)", f"{hits['count'] / max(layouts['count'], 1):.1%}")]
    return pd.DataFrame(rows, columns=["statistic", "value"])


def suite_table(cfg: Config) -> pd.DataFrame:
    """One row per suite: kind, paper analogue, classes, metric and split sizes."""
    rows = []
    for name in suite_names():
        kind, classes, metric, _ = SUITES[name]
        sizes = {s: len(load_suite(name, cfg, s)) for s in SPLITS}
        rows.append({"suite": name, "kind": kind, "stands for": PAPER_ANALOGUE[name], "classes": len(classes),
                     "metric": metric, **sizes})
    return pd.DataFrame(rows)


def class_count_table(cfg: Config) -> pd.DataFrame:
    """Images per class and split of every suite (positives per class for multilabel)."""
    rows = []
    for name in suite_names():
        if name == "segmentation":
            continue
        counts = {}
        for split in SPLITS:
            s = load_suite(name, cfg, split)
            per = s.labels.sum(0) if s.labels.ndim == 2 else np.bincount(s.labels, minlength=len(s.class_names))
            counts[split] = per
        for c, cls in enumerate(SUITES[name][1]):
            rows.append({"suite": name, "class": str(cls), **{sp: int(counts[sp][c]) for sp in SPLITS}})
    return pd.DataFrame(rows)


def segmentation_class_table(cfg: Config) -> pd.DataFrame:
    """Pixel share of every mask class in the segmentation suite (train split)."""
    s = load_suite("segmentation", cfg, "train")
    share = np.bincount(s.masks.ravel(), minlength=len(s.class_names)) / s.masks.size
    return pd.DataFrame({"class": s.class_names, "pixel share %": 100 * share})


def suites_figure(cfg: Config, names=None, split: str = "test", n: int = 12):
    """One row of examples per suite, captioned with their classes (masks shown for segmentation)."""
    import matplotlib.cm as cm

    rows = []
    for name in names or suite_names():
        s = load_suite(name, cfg, split)
        if name == "segmentation":
            idx = np.arange(min(n // 2, len(s)))
            colour = (cm.tab20(s.masks[idx] % 20)[..., :3] * 255).astype(np.uint8)
            ims = np.stack([im for i in range(len(idx)) for im in (s.images[idx[i]], colour[i])])
            captions = [t for i in idx for t in (s.class_names[s.labels[i]], "mask")]
        elif s.labels.ndim == 2:
            idx = np.arange(min(n, len(s)))
            ims = s.images[idx]
            captions = ["+".join(s.class_names[j] for j in np.flatnonzero(s.labels[i])) for i in idx]
        else:
            order = np.argsort(s.labels, kind="stable")
            idx = order[np.linspace(0, len(s) - 1, min(n, len(s))).astype(int)]
            ims = s.images[idx]
            captions = [s.class_names[s.labels[i]] for i in idx]
        rows.append((f"{name}\n({PAPER_ANALOGUE[name]})", ims, captions))
    return strip_figure(rows, f"evaluation suites ({split} split)")


def suite_figure(name: str, cfg: Config, split: str = "test", per_class: int = 1, max_images: int = 20):
    """Examples of a suite with their class names."""
    s = load_suite(name, cfg, split)
    if s.labels.ndim == 2:
        idx = np.arange(min(max_images, len(s)))
        titles = [", ".join(s.class_names[j] for j in np.flatnonzero(s.labels[i])) for i in idx]
    elif name == "segmentation":
        idx = np.arange(min(max_images // 2, len(s)))
        import matplotlib.cm as cm

        colour = (cm.tab20(s.masks[idx] % 20)[..., :3] * 255).astype(np.uint8)
        ims = [im for i in range(len(idx)) for im in (s.images[idx[i]], colour[i])]
        titles = [t for i in idx for t in (s.class_names[s.labels[i]], "mask")]
        return image_grid(ims, titles, ncols=10, suptitle=f"{name} ({PAPER_ANALOGUE[name]}), {split}")
    else:
        idx = np.concatenate([np.flatnonzero(s.labels == c)[:per_class] for c in range(len(s.class_names))])[:max_images]
        titles = [s.class_names[s.labels[i]] for i in idx]
    return image_grid(s.images[idx], titles, ncols=10, suptitle=f"{name} ({PAPER_ANALOGUE[name]}), {split}")


def colour_histogram_features(images: np.ndarray, bins: int = 4) -> np.ndarray:
    """Normalised RGB histograms (bins^3 cells) of uint8 images [N, H, W, 3]: colour, no shape."""
    q = (images // (256 // bins)).reshape(len(images), -1, 3).astype(np.int64)
    cells = (q[..., 0] * bins + q[..., 1]) * bins + q[..., 2]
    feats = np.stack([np.bincount(c, minlength=bins ** 3) for c in cells]).astype(np.float64)
    return feats / feats.sum(1, keepdims=True)


def colour_shortcut_table(cfg: Config, names=None) -> pd.DataFrame:
    """Test top-1 of a logistic regression on colour histograms alone, per rendered suite.

    The shortcut check of the world's design (from an early feasibility study): colour and background
    suites should be easy from colour alone, object suites should not.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rows = []
    for name in names or [n for n in suite_names() if SUITES[n][0] in ("objects", "fine_grained")
                          and n != "multilabel"]:
        train, test = load_suite(name, cfg, "train"), load_suite(name, cfg, "test")
        scaler = StandardScaler().fit(colour_histogram_features(train.images))
        clf = LogisticRegression(C=0.1, max_iter=500)
        clf.fit(scaler.transform(colour_histogram_features(train.images)), train.labels)
        acc = float((clf.predict(scaler.transform(colour_histogram_features(test.images))) == test.labels).mean())
        rows.append({"suite": name, "classes": len(train.class_names), "chance %": 100 / len(train.class_names),
                     "colour histogram top-1 %": 100 * acc})
    return pd.DataFrame(rows)
