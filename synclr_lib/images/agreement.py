"""Agreement of a caption's images: how often two images of one caption show the same object,
colour or background (as the judge sees them), split by whether the caption names it.

SynCLR's multi-positive loss pulls the K images of a caption together, so whatever they
share can solve it. What a caption names should agree (that is fidelity); what it leaves
open should vary, as Stable Diffusion varies what a prompt leaves open. If the images of a
caption agree on its colour although the caption leaves colour open, the loss can be
solved by colour instead of the object's shape.

    table = caption_agreement(judge, ds.images, ds.caption_ids, ds.captions)
    table = study_agreement(cfg)   # the CFG study's images at the default scale
    # attribute | caption (named | open) | captions | pairs | agreement | chance

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .judge import ATTRIBUTES, judge_images

NAMED, OPEN = "named", "open"  # whether a caption names the attribute or leaves it to g2
_MENTION_KIND = {"object": "objects", "colour": "colours", "background": "backgrounds"}


def names_attribute(text: str, attribute: str) -> bool:
    """Whether a caption text names any object / colour / background of the world's vocabulary."""
    from ..world import mentions

    if attribute not in _MENTION_KIND:
        raise ValueError(f"unknown attribute {attribute!r}; valid: {', '.join(ATTRIBUTES)}")
    return bool(mentions(text)[_MENTION_KIND[attribute]])


def _pair_counts(values: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Per group: its image pairs and the pairs whose two values are equal."""
    frame = pd.DataFrame({"group": groups, "value": values})
    per_value = frame.groupby(["group", "value"]).size()
    same = (per_value * (per_value - 1) // 2).groupby(level="group").sum()
    size = frame.groupby("group").size()
    return pd.DataFrame({"pairs": size * (size - 1) // 2, "same": same})


def agreement_table(preds: dict[str, np.ndarray], caption_ids: np.ndarray, rows: list[dict]) -> pd.DataFrame:
    """Agreement of judged values within captions, per attribute and named / open.

    preds: {attribute: judged value per image}; caption_ids [N] index `rows` (the caption
    rows). Columns: attribute, caption (named | open), captions (with at least one pair),
    pairs, agreement (share of pairs with equal values; NaN without pairs) and chance (the
    same share for two images of any captions of that split: the sum of squared value shares).
    """
    caption_ids = np.asarray(caption_ids)
    records = []
    for attr in ATTRIBUTES:
        named = np.array([names_attribute(r.get("caption", ""), attr) for r in rows], dtype=bool)
        counts = _pair_counts(preds[attr], caption_ids)
        counts = counts[counts["pairs"] > 0]
        for split, wanted in ((NAMED, True), (OPEN, False)):
            part = counts[named[counts.index.to_numpy()] == wanted]
            pairs = int(part["pairs"].sum())
            in_split = named[caption_ids] == wanted
            shares = np.unique(preds[attr][in_split], return_counts=True)[1] / max(in_split.sum(), 1)
            records.append({"attribute": attr, "caption": split, "captions": len(part), "pairs": pairs,
                            "agreement": float(part["same"].sum() / pairs) if pairs else float("nan"),
                            "chance": float((shares ** 2).sum()) if in_split.any() else float("nan")})
    return pd.DataFrame(records)


def caption_agreement(judge, images: np.ndarray, caption_ids: np.ndarray, rows: list[dict]) -> pd.DataFrame:
    """`agreement_table` of the judge's object / colour / background on uint8 images [N, H, W, 3]
    (K per caption; caption_ids [N] index `rows`)."""
    _, preds = judge_images(judge, images)
    return agreement_table(preds, caption_ids, rows)


def study_agreement(cfg, scale: float | None = None) -> pd.DataFrame:
    """`caption_agreement` of the CFG study's images at `scale` (default: images.cfg_scale, the
    scale SynCLR's images are drawn at; the study's captions are the first of the caption set)."""
    from .cfg_study import cfg_study_images
    from .judge import load_judge

    ds = cfg_study_images(cfg, cfg.images.cfg_scale if scale is None else scale)
    return caption_agreement(load_judge(cfg), ds.images, ds.caption_ids, ds.captions)
