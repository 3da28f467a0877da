# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Scaling: more captions, bigger encoders (Sec. 5; Figs. 6-7)
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# The paper trains SynCLR on 1M, 3M, 10M, 40M and 150M captions (4 images each) with a
# ViT-B/16 and a ViT-L/14 and probes ImageNet (Fig. 6) and the fine-grained average
# (Fig. 7). Accuracy climbs steeply from 1M to 10M captions and then flattens; the larger
# encoder gains more from more captions.
#
# Here: SynCLR with every component, trained on the **first N captions** of the images
# stage (all their images) for N of about 1x, 3x and 10x a base count, with the profile's
# ViT and a smaller one (half the width and half the depth). Every run uses the comparison
# budget of notebook 04 (`study.ablation_steps`), so a point differs from its neighbours
# only in how many captions it drew its batches from. The run on all captions with the
# profile's ViT is the Table 4 "SynCLR" row of notebook 04 (the same cached artifact).
#
# The caption counts and sizes are the parameters below (0 = derived from the config).

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)
caption_multiples = "1,3,10"  # caption counts as multiples of the base count, comma-separated
base_captions = 0  # base caption count; 0 means the images stage's captions over the largest multiple
small_width = 0  # width of the smaller ViT; 0 means half of train.width
small_depth = 0  # depth of the smaller ViT; 0 means half of train.depth

# %%
import matplotlib.pyplot as plt
import pandas as pd

from synclr_lib.evaluate import evaluate_encoders
from synclr_lib.evaluate.suites import comparison_suites
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.session import start
from synclr_lib.studies.scaling import (caption_counts, encoder_sizes, images_stage_captions, paper_scaling,
                                        scaling_runs, scaling_table)
from synclr_lib.train import load_curves
from synclr_lib.train.runs import train_variant

cfg = start(profile, overrides)
multiples = [float(m) for m in str(caption_multiples).split(",") if m.strip()]
total = images_stage_captions(cfg)
counts = caption_counts(cfg, multiples, base=int(base_captions), total=total)
sizes = encoder_sizes(cfg, int(small_width), int(small_depth))
print(f"images stage: {total} captions x {cfg.images.images_per_caption} images")
print(f"caption counts: {counts}   sizes: {list(sizes)}   steps per run: {cfg.study.ablation_steps}")

# %% [markdown]
# ## 1. The runs
# Each (size, captions) pair is one cached `train` artifact; a subset of the images stage
# is itself cached under `artifacts/caption_subset/`.

# %%
runs = scaling_runs(cfg, counts, sizes, total=total)
paths = {key: train_variant(cfg, o) for key, o in runs.items()}
pd.DataFrame([{"size": s, "captions": n, "images": n * cfg.images.images_per_caption,
               "minutes": load_curves(p)["seconds"].iloc[-1] / 60, "artifact": p.name}
              for (s, n), p in paths.items()]).round(2)

# %% [markdown]
# ## 2. Probing every run
# The same probes as notebook 04: the `objects` suite (the ImageNet analogue, linear probe)
# and the fine-grained suites (logistic probe), whose mean stands for the paper's
# fine-grained average.

# %%
suites = comparison_suites(cfg)
names = {key: f"{key[0]}, {key[1]} captions" for key in paths}
long = evaluate_encoders([(names[k], p / "encoder") for k, p in paths.items()], cfg, suites=suites)
scaling = scaling_table(long, {key: (names[key], p) for key, p in paths.items()}, cfg.images.images_per_caption)
save_table(scaling, "07_scaling")
scaling.round(1)

# %% [markdown]
# ## 3. Figs. 6-7 analogue beside the paper's curves
# Left two panels: measured here (log x, one line per encoder size). Right: the paper's
# points from `paper_numbers.py` (ViT-B/16 ImageNet and fine-grained, ViT-L/14 ImageNet).
# Compare the shapes of the curves, not their values: the paper's x axis is in millions.

# %%
paper_points = paper_scaling()
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for ax, metric in zip(axes[:2], ("objects", "fine-grained mean")):
    for size, rows in scaling.groupby("size", sort=False):
        ax.plot(rows["captions"], rows[metric], "o-", label=size)
    ax.set(xscale="log", xlabel="captions (4 images each)", ylabel=f"{metric} (%)",
           title=f"measured ({cfg.profile}): {metric}")
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.set_xticks([], minor=True)
    ax.legend(fontsize=7)
for curve, rows in paper_points.groupby("curve", sort=False):
    axes[2].plot(rows["captions"], rows["value"], "o-", label=curve)
axes[2].set(xscale="log", xlabel="captions", ylabel="accuracy (%)", title="paper, Figs. 6-7")
axes[2].legend(fontsize=7)
fig.tight_layout()
save_figure(fig, "07_scaling")

# %% [markdown]
# The REPORT's verdicts for these curves, by its rule: a change counts only when it exceeds
# the seed-to-seed spread of notebook 04's main SynCLR run.

# %%
from synclr_lib.reporting import read_tables
from synclr_lib.studies import scaling as scaling_study
from synclr_lib.studies.verdicts import seed_spreads

seed_tables = read_tables(["04_seeds_all", "04_main_comparison"])
for finding in scaling_study.findings({"07_scaling": scaling}, seed_spreads(seed_tables)[0]):
    print(finding.line())
