"""PCA of patch features (paper Fig. 5, after DINOv2 Fig. 1): what the patch tokens encode.

1. a PCA over the patch tokens of all the given images (one concept) - the first component
   separates the object from the background in a good encoder;
2. patches on the foreground side of a threshold on the (min-max scaled) first component are
   kept; the side whose patches touch the image border less often counts as foreground;
3. a second PCA over the foreground patches only; its first 3 components, min-max scaled,
   are shown as RGB (background black). Matching parts of different images get matching
   colours when the encoder has learned parts.

    from synclr_lib.evaluate.pca import patch_pca, pca_figure
    maps = patch_pca(features.patch)          # PatchPCA(rgb [N, g, g, 3], foreground [N, g, g], ...)
    fig = pca_figure(images, {"SynCLR": maps, "random init": maps_random})

Introduced in notebooks/06_pca_patches.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import metrics


@dataclass
class PatchPCA:
    rgb: np.ndarray  # [N, g, g, 3] in [0, 1]: first 3 foreground components, background black
    foreground: np.ndarray  # [N, g, g] bool: patches kept by the threshold on the first component
    first: np.ndarray  # [N, g, g] first component over all patches, min-max scaled to [0, 1]
    explained: np.ndarray  # explained-variance ratios of the foreground PCA's components


def _pca(X: np.ndarray, k: int):
    """Components of the centred rows of X: (projections [N, k], explained-variance ratios [k])."""
    X = X - X.mean(0, keepdims=True)
    _, s, vt = np.linalg.svd(X.astype(np.float64), full_matrices=False)
    k = min(k, vt.shape[0])
    var = s ** 2
    proj = X @ vt[:k].T
    # a deterministic sign: the largest-magnitude loading of each component is positive
    signs = np.sign(vt[np.arange(k), np.abs(vt[:k]).argmax(1)])
    signs[signs == 0] = 1
    return proj * signs, var[:k] / max(var.sum(), 1e-12)


def _minmax(x: np.ndarray, axis=None) -> np.ndarray:
    lo, hi = x.min(axis=axis, keepdims=True), x.max(axis=axis, keepdims=True)
    return (x - lo) / np.maximum(hi - lo, 1e-12)


def patch_pca(patch_features, threshold: float = 0.5, foreground: str = "auto") -> PatchPCA:
    """PCA maps of patch tokens [N, P, D] (P a square number). `threshold` is applied to the
    first component scaled to [0, 1]; `foreground` = "auto" (the side touching the border
    less), "high", "low" or "all" (no thresholding)."""
    feats = metrics.check_features(patch_features, "patch_features")
    if feats.ndim != 3:
        raise ValueError(f"patch_features must be [N, P, D], got shape {feats.shape}")
    n, p, d = feats.shape
    g = int(round(p ** 0.5))
    if g * g != p:
        raise ValueError(f"{p} patch tokens do not form a square grid")
    if foreground not in ("auto", "high", "low", "all"):
        raise ValueError(f"foreground must be auto | high | low | all, got {foreground!r}")
    flat = feats.reshape(n * p, d)
    first, _ = _pca(flat, 1)
    first = _minmax(first[:, 0]).reshape(n, g, g)
    high = first > threshold
    if foreground == "all":
        fg = np.ones_like(high)
    elif foreground == "high":
        fg = high
    elif foreground == "low":
        fg = ~high
    else:
        border = np.zeros((g, g), bool)
        border[0, :] = border[-1, :] = border[:, 0] = border[:, -1] = True
        # fraction of each side's patches that lie on the border: the object sits inside
        frac_high = high[:, border].sum() / max(high.sum(), 1)
        frac_low = (~high)[:, border].sum() / max((~high).sum(), 1)
        fg = high if frac_high <= frac_low else ~high
    if fg.sum() < 3:  # too few patches for a 3-component PCA: keep everything
        fg = np.ones_like(high)
    comps, explained = _pca(flat[fg.reshape(-1)], 3)
    comps = _minmax(comps, axis=0)
    if comps.shape[1] < 3:
        comps = np.pad(comps, ((0, 0), (0, 3 - comps.shape[1])))
    rgb = np.zeros((n * p, 3))
    rgb[fg.reshape(-1)] = comps
    return PatchPCA(rgb=rgb.reshape(n, g, g, 3), foreground=fg, first=first, explained=explained)


def pca_figure(images, maps_by_encoder: dict, max_images: int = 8, size: float = 1.2, title: str | None = None):
    """Images in the first row, then one row of PCA maps per encoder; returns the figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)[:max_images]
    n = len(images)
    rows = 1 + len(maps_by_encoder)
    fig, axes = plt.subplots(rows, n, figsize=(n * size + 1.2, rows * size), squeeze=False)
    for j in range(n):
        axes[0, j].imshow(images[j], interpolation="nearest")
    axes[0, 0].set_ylabel("images", fontsize=7)
    for i, (name, maps) in enumerate(maps_by_encoder.items(), start=1):
        for j in range(n):
            axes[i, j].imshow(maps.rgb[j], interpolation="nearest")
        axes[i, 0].set_ylabel(name, fontsize=7)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def foreground_iou(foreground, object_masks) -> float:
    """IoU (percent) between PCA foreground patches [N, g, g] and the true object patches:
    a patch is object when most of its pixels are in `object_masks` (bool [N, H, W])."""
    from .dense import patch_labels

    foreground = np.asarray(foreground, bool)
    truth = patch_labels(np.asarray(object_masks).astype(np.int16), foreground.shape[1]) == 1
    union = (foreground | truth).sum()
    return float(100.0 * (foreground & truth).sum() / union) if union else float("nan")
