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


# --------------------------------------------------------------------------------------
# Figures of notebooks 03-05: labels that never overprint, legends that never cover data
# --------------------------------------------------------------------------------------
def scale_axis(ax, scales, label="CFG scale"):
    """A log x axis ticked at exactly `scales`, labelled plainly (1.5, 2, 2.5 ...): a log
    axis' own minor labels print over those ticks."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(list(scales)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(label)
    return ax


def cfg_fidelity_diversity(gen, scales, fidelity=(("fidelity_object", "object"), ("fidelity_colour", "colour"),
                                                  ("fidelity_background", "background"),
                                                  ("fidelity_all", "all three"))):
    """Notebook 03's trade-off: judge fidelity per attribute and diversity against the CFG
    scale (`gen`: the generated rows of the CFG-study table); returns the figure."""
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.4))
    for col, label in fidelity:
        ax[0].plot(gen["cfg_scale"], gen[col], marker="o", label=label)
    ax[0].set(ylabel="judge agrees with caption", title="fidelity")
    ax[0].legend(fontsize=7)
    ax[1].plot(gen["cfg_scale"], gen["diversity"], marker="o", color="C4")
    ax[1].set(ylabel="mean pairwise judge-feature distance", title="diversity")
    for a in ax:
        scale_axis(a, scales)
        a.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def grouped_barh(table, *, xlabel="score (%)", title=None, width=8.0):
    """One horizontal bar per (row, column) of `table` (rows: encoders, read top to bottom),
    the legend right of the axes so it covers no bar; returns the figure."""
    n_rows, n_cols = table.shape
    fig, ax = plt.subplots(figsize=(width, max(2.5, 0.16 * n_rows * max(2, n_cols) + 1.2)))
    table.plot.barh(ax=ax, width=0.8)
    ax.invert_yaxis()  # the first row on top, as in the table
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def training_curves(curves, terms, schedules=(), ncols=4):
    """Notebook 04's main run: one panel per loss term, each on its own y scale (drawn on one
    axis, a term close to the total hid behind it), then a row of schedule panels."""
    terms, schedules = list(terms), list(schedules)
    term_rows = int(np.ceil(len(terms) / ncols))
    nrows = max(1, term_rows + int(np.ceil(len(schedules) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.5 * nrows), squeeze=False)
    slots = [(k // ncols, k % ncols) for k in range(len(terms))]
    slots += [(term_rows + k // ncols, k % ncols) for k in range(len(schedules))]
    used = set(slots)
    for (r, c), name in zip(slots, terms + schedules):
        ax = axes[r, c]
        is_term = name in terms
        ax.plot(curves["step"], curves[name], color=f"C{terms.index(name)}" if is_term else "k", lw=1)
        ax.set_title(f"loss: {name}" if is_term else name, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        if is_term and c == 0:
            ax.set_ylabel("nats", fontsize=8)
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) not in used:
                axes[r, c].axis("off")
    fig.tight_layout()
    return fig


def loss_matrices(p, q, per_anchor, names, tau: float, loss: float):
    """Notebook 04's toy batch: the targets p, the softmax q (values written in each cell)
    and H(p, q) per anchor."""
    n = len(names)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, m, title in ((axes[0], p, "p: uniform over positives"), (axes[1], q, f"q: softmax(a.b / {tau})")):
        ax.imshow(m, vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(n), names, rotation=90, fontsize=7)
        ax.set_yticks(range(n), names, fontsize=7)
        ax.set(title=title, xlabel="candidate", ylabel="anchor")
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="w" if m[i, j] < 0.5 else "k")
    axes[2].bar(range(n), per_anchor)
    axes[2].set_xticks(range(n), names, rotation=90, fontsize=7)
    axes[2].set(title=f"H(p, q) per anchor; mean = {loss:.3f}", ylabel="nats")
    fig.tight_layout()
    return fig


def views_grid(columns: dict, captions, images_per_caption: int):
    """Notebook 04's batch: one row per image, one column per view (`columns`: {title: uint8
    images [N, H, W, 3]}, N = len(captions) x images_per_caption); each caption's text above
    its first image."""
    views = list(columns.values())
    panel = np.stack(views, axis=1).reshape(-1, *views[0].shape[1:])
    titles = []
    for text in captions:
        for j in range(images_per_caption):
            titles += [text[:28] if j == 0 else "", *list(columns)[1:]]
    return image_grid(panel, titles=titles, ncols=len(columns) * images_per_caption, size=1.1, fontsize=5)


def draw_loss_curve(ax, df, title: str) -> None:
    """A pretraining loss curve (DataFrame with step, loss) on `ax`: the raw loss, faint, and
    its running mean over 2 % of the steps, log y."""
    ax.plot(df["step"], df["loss"], alpha=0.3, lw=0.7, label="loss")
    ax.plot(df["step"], df["loss"].rolling(max(1, len(df) // 50), min_periods=1).mean(), label="running mean")
    ax.set(yscale="log", xlabel="step", ylabel="loss", title=title)


def loss_panels(curves: dict, title_prefix: str = ""):
    """One panel per loss curve ({name: DataFrame with step, loss}), drawn by draw_loss_curve."""
    fig, axes = plt.subplots(1, len(curves), figsize=(4.5 * len(curves), 3), squeeze=False)
    for ax, (name, df) in zip(axes[0], curves.items()):
        draw_loss_curve(ax, df, f"{title_prefix}{name}")
    fig.tight_layout()
    return fig


def validation_curves(panels: dict):
    """Probe hyper-parameter choice: one panel per probe ({title: (x label, y label,
    [(label, x values, validation scores)])}), log x."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.4), squeeze=False)
    for ax, (title, (xlabel, ylabel, lines)) in zip(axes[0], panels.items()):
        for label, x, y in lines:
            ax.semilogx(x, y, "o-", label=label)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def seed_comparison(seeds_all, references: dict, metrics=("objects", "fine-grained mean"),
                    method="method"):
    """Notebook 04's main comparison: one panel per metric, one column per method, a dot per
    seed and a bar at the mean; `references` ({label: {metric: value}}) as dashed lines."""
    methods = list(dict.fromkeys(seeds_all[method]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1.8, 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for x, name in enumerate(methods):
            values = seeds_all.loc[seeds_all[method] == name, metric].to_numpy(float)
            ax.scatter(np.full(len(values), x), values, s=22, color=f"C{x}", zorder=3,
                       label="one seed" if x == 0 else None)
            ax.hlines(values.mean(), x - 0.25, x + 0.25, color="k", lw=2, zorder=4,
                      label="mean over seeds" if x == 0 else None)
        for k, (label, values) in enumerate(references.items()):
            if metric in values:
                ax.axhline(values[metric], color=f"C{len(methods) + k}", ls="--", lw=1, label=label)
        ax.set_xticks(range(len(methods)), methods)
        ax.set_xlim(-0.6, len(methods) - 0.4)
        ax.set(title=metric, ylabel="accuracy (%)")
    axes[0, -1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.tight_layout()
    return fig
