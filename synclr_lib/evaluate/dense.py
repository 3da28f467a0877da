"""The dense probe (the ADE20k analogue, paper Table 7): a linear classifier on frozen patch
tokens predicting per-patch labels of the `segmentation` suite, scored by mIoU.

Each patch's target is the majority label of the mask pixels under it. The classifier is
the parallel-head SGD linear probe of linear.py applied to every patch token (one row per
patch), the learning rate chosen on the validation split. For scoring, each patch's predicted
label is painted over its pixels (`upsample="nearest"`, the default: a perfect per-patch
prediction of patch-aligned masks scores exactly 100) or the patch logits are upsampled
bilinearly first (`upsample="bilinear"`, as DINOv2's linear segmentation head does), and
compared with the mask pixel by pixel: `.score` (pixel mIoU) and `.extra["patch_miou"]`.

    from synclr_lib.evaluate.dense import dense_probe
    result = dense_probe(patch_train, masks_train, patch_test, masks_test, n_classes=...)
    result.score  # pixel mIoU, percent

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from . import metrics
from .linear import head_logits, train_parallel_heads
from .logistic import ProbeResult


def patch_labels(masks, grid: int, ignore_index: int = -1) -> np.ndarray:
    """Majority label of the mask pixels under each patch: masks [N, H, W] -> [N, grid, grid].
    Pixels with a negative label are ignored; a patch with no labelled pixel gets `ignore_index`."""
    masks = np.asarray(masks)
    if masks.ndim != 3:
        raise ValueError(f"masks must be [N, H, W], got shape {masks.shape}")
    n, h, w = masks.shape
    if h % grid or w % grid:
        raise ValueError(f"a {h}x{w} mask does not split into a {grid}x{grid} patch grid")
    blocks = masks.reshape(n, grid, h // grid, grid, w // grid).transpose(0, 1, 3, 2, 4).reshape(n, grid, grid, -1)
    classes = np.unique(masks[masks >= 0])
    if classes.size == 0:
        return np.full((n, grid, grid), ignore_index, dtype=np.int64)
    counts = np.stack([(blocks == c).sum(-1) for c in classes], axis=-1)  # [N, g, g, K]
    labels = classes[counts.argmax(-1)].astype(np.int64)  # ties: the smaller label
    labels[counts.sum(-1) == 0] = ignore_index
    return labels


def _check_dense(patch, masks, name):
    patch = metrics.check_features(patch, f"patch_{name}")
    masks = np.asarray(masks)
    if patch.ndim != 3:
        raise ValueError(f"patch_{name} must be patch tokens [N, P, D], got shape {patch.shape}")
    if len(masks) != len(patch):
        raise ValueError(f"patch_{name} has {len(patch)} images but masks_{name} has {len(masks)}; "
                         f"features and masks must come from the same images")
    grid = int(round(patch.shape[1] ** 0.5))
    if grid * grid != patch.shape[1]:
        raise ValueError(f"{patch.shape[1]} patch tokens do not form a square grid")
    return patch, masks, grid


@torch.no_grad()
def pixel_predictions(logits: np.ndarray, grid: int, size: tuple[int, int],
                      upsample: str = "nearest") -> np.ndarray:
    """Patch logits [N, P, C] -> per-pixel labels [N, H, W]: each patch's argmax painted over
    its pixels ("nearest") or the argmax of bilinearly upsampled logits ("bilinear")."""
    t = torch.as_tensor(logits).float()
    t = t.transpose(1, 2).reshape(len(t), t.shape[-1], grid, grid)
    if upsample == "nearest":
        return F.interpolate(t.argmax(1, keepdim=True).float(), size=size, mode="nearest")[:, 0].long().numpy()
    if upsample == "bilinear":
        return F.interpolate(t, size=size, mode="bilinear", align_corners=False).argmax(1).numpy()
    raise ValueError(f"upsample must be nearest or bilinear, got {upsample!r}")


def dense_probe(patch_train, masks_train, patch_test, masks_test, n_classes: int | None = None,
                patch_val=None, masks_val=None, lrs=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0), epochs: int = 30,
                batch_size: int = 1024, batchnorm: bool = True, *, upsample: str = "nearest",
                val_fraction: float = 0.2, seed: int = 0, progress: bool = False) -> ProbeResult:
    """Linear per-patch classifier on frozen patch tokens; `.score` = pixel mIoU (percent) of the
    best-on-val learning rate; `.extra["patch_miou"]` = the same at patch level."""
    start = time.time()
    patch_train, masks_train, grid = _check_dense(patch_train, masks_train, "train")
    patch_test, masks_test, grid_test = _check_dense(patch_test, masks_test, "test")
    if grid_test != grid:
        raise ValueError(f"train and test patch grids differ: {grid} vs {grid_test}")
    if patch_val is None:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(patch_train))
        n_val = max(1, int(round(val_fraction * len(order))))
        val_idx, fit_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        patch_val, masks_val = patch_train[val_idx], masks_train[val_idx]
        patch_train, masks_train = patch_train[fit_idx], masks_train[fit_idx]
    else:
        patch_val, masks_val, _ = _check_dense(patch_val, masks_val, "val")
    y_train = patch_labels(masks_train, grid).reshape(-1)
    X_train = patch_train.reshape(-1, patch_train.shape[-1])
    keep = y_train >= 0
    X_train, y_train = X_train[keep], y_train[keep]
    metrics.check_train_labels(y_train, "top1")
    if n_classes is None:
        n_classes = int(max(y_train.max(), np.max(masks_val), np.max(masks_test))) + 1
    heads = train_parallel_heads(X_train, y_train, n_classes, lrs, epochs=epochs,
                                 batch_size=batch_size, batchnorm=batchnorm, seed=seed, progress=progress)

    def evaluate(patch, masks):
        logits = head_logits(heads, patch.reshape(-1, patch.shape[-1]))  # [H, N*P, C]
        logits = logits.reshape(len(lrs), len(patch), patch.shape[1], -1)
        pixel = [metrics.miou(masks, pixel_predictions(l, grid, masks.shape[1:], upsample), n_classes) for l in logits]
        plabels = patch_labels(masks, grid)
        patch_level = [metrics.miou(plabels, l.argmax(-1).reshape(plabels.shape), n_classes) for l in logits]
        return pixel, patch_level

    val_pixel, _ = evaluate(patch_val, masks_val)
    test_pixel, test_patch = evaluate(patch_test, masks_test)
    best = int(np.argmax(val_pixel))
    curve = pd.DataFrame({"lr": [float(v) for v in lrs], "val_miou": val_pixel})
    return ProbeResult(score=test_pixel[best], metric="miou", hparam=f"lr={lrs[best]:g}", val_curve=curve,
                       n_train=len(patch_train), n_test=len(patch_test), seconds=time.time() - start,
                       extra={"patch_miou": test_patch[best], "lr": float(lrs[best]), "grid": grid,
                              "n_classes": n_classes})
