"""Shared plotting helpers for the notebooks (matplotlib only).

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

PIPELINE = [
    ("concepts C", "world: objects,\ncolours, places,\nrelations"),
    ("g1: language model", "writes captions\n(3 in-context\ntemplates)"),
    ("g2: text-to-image", "draws 4 images\nper caption\n(CFG 2.5)"),
    ("SynCLR encoder f", "multi-positive\ncontrastive + EMA\n+ iBOT + multi-crop"),
    ("evaluation", "linear / logistic\nprobes on held-out\nreal renders"),
]


def pipeline_diagram(stages=PIPELINE, title="SynCLR: learning vision from models"):
    """The pipeline as boxes and arrows; returns the figure."""
    fig, ax = plt.subplots(figsize=(2.4 * len(stages), 2.2))
    for i, (head, body) in enumerate(stages):
        x = i * 2.4
        ax.add_patch(plt.Rectangle((x, 0), 1.9, 1.6, facecolor=plt.cm.Pastel1(i), edgecolor="k"))
        ax.text(x + 0.95, 1.35, head, ha="center", va="center", fontsize=8, weight="bold")
        ax.text(x + 0.95, 0.6, body, ha="center", va="center", fontsize=8)
        if i < len(stages) - 1:
            ax.annotate("", xy=(x + 2.35, 0.8), xytext=(x + 1.95, 0.8),
                        arrowprops=dict(arrowstyle="->", lw=1.5))
    ax.set_xlim(-0.1, 2.4 * len(stages))
    ax.set_ylim(-0.1, 1.8)
    ax.axis("off")
    ax.set_title(title)
    return fig


def image_grid(images, titles=None, ncols=8, size=1.3, fontsize=6, suptitle=None):
    """Show a list/array of HxWx3 images (uint8 or float in [0,1]) in a grid; returns the figure."""
    images = list(images)
    nrows = max(1, int(np.ceil(len(images) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * (1.25 if titles else 1)))
    for k, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[k], fontsize=fontsize, wrap=True)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
