"""The notebooks' figures stay readable (issue 26): tick labels that never overprint, legends
that cover no bar, every loss term visible on its own scale, on the profiles' real sizes."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from synclr_lib import plots

ENCODERS = ["random init", "StableRep", "StableRep + EMA", "StableRep + EMA + iBOT", "StableRep + EMA + multi-crop",
            "SynCLR", "SupCE", "SimCLR", "CLIP", "CLIP (web)", "SynCLR (web)", "SynCLR (main run)"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _visible_xtick_labels(ax):
    """(text, window extent) of every drawn x tick label, major and minor."""
    ax.figure.canvas.draw()
    lo, hi = sorted(ax.get_xlim())
    ticks = list(zip(ax.xaxis.get_majorticklabels(), ax.xaxis.get_majorticklocs()))
    ticks += list(zip(ax.xaxis.get_minorticklabels(), ax.xaxis.get_minorticklocs()))
    return [(t.get_text(), t.get_window_extent()) for t, x in ticks if t.get_text() and t.get_visible() and lo <= x <= hi]


def _overlaps(extents):
    return [(a, b) for i, (a, ea) in enumerate(extents) for b, eb in extents[i + 1:] if ea.overlaps(eb)]


def test_the_label_check_catches_a_log_axis_with_its_own_minor_labels():
    """What notebook 03 drew before: set_xticks on a log axis over less than a decade keeps the
    minor labels (2x10^0 ...) printed over the scales."""
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.plot([1, 2.5, 8], [0.1, 0.5, 0.9])
    ax.set_xscale("log")
    ax.set_xticks([1, 2.5, 8], ["1", "2.5", "8"])
    assert _overlaps(_visible_xtick_labels(ax))


@pytest.mark.parametrize("scales", [(1.0, 2.5, 8.0), (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0)])
def test_cfg_figure_labels_each_scale_once_without_overprint(scales):
    rng = np.random.default_rng(0)
    gen = pd.DataFrame({"cfg_scale": scales, "diversity": rng.uniform(15, 25, len(scales)),
                        **{c: rng.uniform(0, 1, len(scales)) for c in
                           ("fidelity_object", "fidelity_colour", "fidelity_background", "fidelity_all")}})
    fig = plots.cfg_fidelity_diversity(gen, list(scales))
    for ax in fig.axes:
        labels = _visible_xtick_labels(ax)
        assert [t for t, _ in labels] == [f"{s:g}" for s in scales]
        assert not _overlaps(labels)


def _legend_clear_of_bars(fig):
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    bars = [p.get_window_extent() for p in ax.patches]
    return not legend.overlaps(ax.get_window_extent()) and not any(legend.overlaps(b) for b in bars)


def test_the_legend_check_catches_a_legend_inside_the_bars():
    """What notebook 04 drew before: pandas' default legend, inside the axes over the bars."""
    table = pd.DataFrame({"objects": np.full(12, 60.0), "fine-grained mean": np.full(12, 55.0)}, index=ENCODERS)
    ax = table.plot.barh(figsize=(7, 0.35 * len(table) + 1))
    assert not _legend_clear_of_bars(ax.figure)


@pytest.mark.parametrize("columns, rows", [(["objects", "fine-grained mean"], 12),
                                           (["objects (ImageNet)", "fine-grained mean", "segmentation (ADE20k)"], 10)])
def test_bar_charts_keep_legend_outside_and_labels_apart(columns, rows):
    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.uniform(50, 70, (rows, len(columns))), index=ENCODERS[:rows], columns=columns)
    fig = plots.grouped_barh(table, title="t")
    assert _legend_clear_of_bars(fig)
    ax = fig.axes[0]
    labels = [(t.get_text(), t.get_window_extent()) for t in ax.get_yticklabels() if t.get_text()]
    assert [t for t, _ in labels] == ENCODERS[:rows]  # every encoder named, first row on top
    assert not _overlaps(labels)
    assert ax.get_yticklabels()[0].get_window_extent().y0 > ax.get_yticklabels()[-1].get_window_extent().y0


def test_every_loss_term_has_its_own_panel_and_scale():
    """The contrastive term, within a few percent of the total, was hidden behind it on one axis."""
    steps = np.arange(0, 200, 5)
    curves = pd.DataFrame({"step": steps, "loss": 6 - np.log1p(steps) / 3, "contrastive": 5.9 - np.log1p(steps) / 3,
                           "local": 0.1 * np.exp(-steps / 50), "lr": np.linspace(0, 1e-3, len(steps))})
    fig = plots.training_curves(curves, ["loss", "contrastive", "local"], ["lr"])
    drawn = {ax.get_title(): ax for ax in fig.axes if ax.lines}
    assert set(drawn) == {"loss: loss", "loss: contrastive", "loss: local", "lr"}
    for title, ax in drawn.items():
        assert len(ax.lines) == 1
        y = ax.lines[0].get_ydata()
        lo, hi = ax.get_ylim()
        assert lo <= y.min() and y.max() <= hi and (y.max() - y.min()) > 0.5 * (hi - lo)  # fills its own axis


def test_the_notebook_helpers_draw_one_panel_per_input():
    """The figures moved out of notebook cells (04's toy loss and views, 03's g2 losses, 05's
    probe curves) draw what they are given, with the values written where the notebook did."""
    p = np.eye(3)
    fig = plots.loss_matrices(p, p * 0.5, [0.1, 0.2, 0.3], ["a", "b", "c"], tau=0.5, loss=0.2)
    assert [ax.get_title() for ax in fig.axes][:2] == ["p: uniform over positives", "q: softmax(a.b / 0.5)"]
    assert {t.get_text() for t in fig.axes[1].texts} == {"0.50", "0.00"}
    images = np.zeros((4, 8, 8, 3), np.uint8)
    fig = plots.views_grid({"image": images, "global": images, "local": images}, ["a red star", "a hat"], 2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[:3] == ["a red star", "global", "local"] and "a hat" in titles
    curve = pd.DataFrame({"step": np.arange(1, 101), "loss": np.linspace(2, 1, 100)})
    fig = plots.loss_panels({"VAE": curve, "UNet": curve}, "g2 ")
    assert [ax.get_title() for ax in fig.axes] == ["g2 VAE", "g2 UNet"] and fig.axes[0].get_yscale() == "log"
    fig = plots.validation_curves({"logistic": ("C", "val", [("enc", [1e-2, 1, 1e2], [10, 50, 40])])})
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_legend().get_texts()[0].get_text() == "enc"


def test_the_main_comparison_shows_every_seed_its_mean_and_the_references():
    seeds = pd.DataFrame({"method": ["SynCLR"] * 3 + ["SimCLR"] * 3,
                          "objects": [70, 72, 74, 30, 31, 32], "fine-grained mean": [40, 41, 42, 35, 36, 37]})
    fig = plots.seed_comparison(seeds, {"random init": {"objects": 13, "fine-grained mean": 20}})
    objects, fine = fig.axes
    assert [t.get_text() for t in objects.get_xticklabels()] == ["SynCLR", "SimCLR"]
    dots = [c for c in objects.collections if type(c).__name__ == "PathCollection"]
    assert [len(c.get_offsets()) for c in dots] == [3, 3]
    means = [seg[0][1] for c in objects.collections if type(c).__name__ == "LineCollection" for seg in c.get_segments()]
    assert means == [72, 31]
    assert [line.get_ydata()[0] for line in objects.get_lines()] == [13]
    legend = [t.get_text() for t in fine.get_legend().get_texts()]
    assert legend == ["one seed", "mean over seeds", "random init"]
