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
# # 05 · Evaluation: probing frozen encoders (Sec. 4; Tables 2, 6, 7, 9)
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# The paper judges a representation by what a *linear* classifier can read from it, with the
# encoder frozen. Three protocols, all implemented in `synclr_lib.evaluate`:
#
# | paper | protocol | here |
# |---|---|---|
# | ImageNet linear probe | CLS token of the last block; SGD, momentum 0.9, no weight decay, cosine schedule, optional non-affine BatchNorm; a grid of learning rates trained **as parallel heads in one pass**, the best head by validation | `objects` suite, `linear_probe` |
# | 9 fine-grained datasets | features standardised; multinomial **logistic regression** (L-BFGS); the l2 strength C chosen on a validation split among log-spaced values in [1e-6, 1e5] (45 in the paper, `eval.probe_c_values` here), then refit on train+val; mean per-class accuracy, top-1 or 11-point mAP per dataset | 9 fine-grained suites, `logistic_probe` |
# | ADE20k (UperNet) | semantic segmentation | `segmentation` suite: a **linear** classifier on frozen patch tokens, mIoU (`dense_probe`) |
# | "unseen concepts" (Table 9) | same logistic probe | 4 real packaged datasets |
#
# The three metrics: **top-1** counts right answers; **mean per-class accuracy** averages
# each class's accuracy, so rare classes count as much as frequent ones; **11-point mAP**
# (VOC2007) ranks the test images by each class's score, reads the best precision reached
# at recall >= 0, 0.1, ..., 1, averages those 11 values and then averages over classes.
# A weighted kNN probe (k in {10, 20, 100, 200}, T = 0.07) is reported beside: it needs no
# training at all.
#
# The rows: the two baselines every paper has — **raw pixels** and a **random-init** ViT of
# the profile's size — then the encoders trained by notebook 04 (SynCLR, its baselines on
# the same synthetic data, and the learning-from-data baselines).

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import pandas as pd

from synclr_lib.evaluate import (PixelEncoder, evaluate_encoders, linear_probe, logistic_probe,
                                 random_init_encoder)
from synclr_lib.evaluate import paper_numbers as paper
from synclr_lib.evaluate.suites import suite_features, suite_kinds
from synclr_lib.plots import grouped_barh, validation_curves
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.session import start
from synclr_lib.studies.catalog import comparison_runs
from synclr_lib.studies.comparisons import knn_vs_probe, label, seed_runs, table6, table9
from synclr_lib.train.runs import train_variant
from synclr_lib.world import load_suite

cfg = start(profile, overrides)
print(f"C values: {cfg.eval.probe_c_values}   "
      f"linear epochs: {cfg.eval.linear_epochs}   feature: {cfg.eval.feature}")

# %% [markdown]
# ## 1. The suites and the paper datasets they stand for
# Every suite has train / val / test splits; its metric is the paper dataset's metric.

# %%
kinds = suite_kinds(cfg)
suite_rows = []
for name, kind in kinds.items():
    splits = {s: load_suite(name, cfg, s) for s in ("train", "val", "test")}
    suite_rows.append({"suite": name, "kind": kind, "stands for": paper.ANALOGUE.get(name, ""),
                       "metric": splits["test"].metric, "classes": len(splits["test"].class_names),
                       **{s: len(v.images) for s, v in splits.items()}})
suites_table = pd.DataFrame(suite_rows)
save_table(suites_table, "05_suites")
suites_table

# %% [markdown]
# ## 2. The encoders
# **Raw pixels**: the CLS "feature" is the image itself, flattened (downsampled to 16 x 16 to
# keep the probes cheap at 768 dimensions); its patch tokens are the raw 4 x 4 pixel blocks.
# **Random init**: the profile's ViT with random weights: what the architecture alone gives.

# %%
encoders = [
    ("raw pixels", PixelEncoder(patch_size=cfg.train.patch_size, cls_size=16)),
    ("random init", random_init_encoder(cfg)),
]

# %% [markdown]
# ### Trained encoders (notebook 04's runs, `synclr_lib.train.runs`)
# Every trained encoder is a cached `train` artifact (built by notebook 04; built here if
# missing). The Table 6 rows are trained at the same comparison budget
# (`study.ablation_steps`) on the same synthetic images: SynCLR, StableRep, SimCLR, SupCE and
# CLIP, plus the learning-from-data baselines SimCLR (web) and CLIP (web) trained on mini-web
# renders and alt-text. The main SynCLR run (`train.steps`, first seed) is one more row.
# Features and results are cached per encoder weights, so a row costs only itself.

# %%
runs = comparison_runs(cfg)
table6_rows = ["SynCLR", "StableRep", "SimCLR", "SupCE", "CLIP", "SimCLR (web)", "CLIP (web)"]
main_name, main_overrides = next(iter(seed_runs(cfg, "SynCLR").items()))
trained_rows = [(name, train_variant(cfg, runs[name]) / "encoder") for name in table6_rows]
trained_rows.append((f"{main_name}, main budget", train_variant(cfg, main_overrides) / "encoder"))
encoders += trained_rows

# %% [markdown]
# ## 3. One probe, step by step
# Before the big tables: what choosing the hyper-parameter on validation looks like.
# Left: the logistic probe's validation score against C on one fine-grained suite (strong
# regularisation at the left predicts the majority class; the right end is nearly
# unregularised). Right: the linear probe's parallel heads on `objects`, one per learning
# rate, all trained in the same pass.

# %%
demo_suite = "colours" if "colours" in kinds else next(n for n, k in kinds.items() if k == "fine_grained")
demo = {s: load_suite(demo_suite, cfg, s) for s in ("train", "val", "test")}
obj = {s: load_suite("objects", cfg, s) for s in ("train", "val", "test")}
logistic_lines, linear_lines = [], []
for row_name, encoder in encoders[:2]:
    f = suite_features(encoder, demo_suite, demo, cfg)
    r = logistic_probe(f["train"].cls, demo["train"].labels, f["test"].cls, demo["test"].labels,
                       metric=demo["test"].metric, X_val=f["val"].cls, y_val=demo["val"].labels,
                       n_c=cfg.eval.probe_c_values, max_iter=cfg.eval.probe_max_iter)
    logistic_lines.append((f"{row_name}: C={r.C:.2g}, test {r.score:.1f}", r.val_curve["C"], r.val_curve.iloc[:, 1]))
    f = suite_features(encoder, "objects", obj, cfg)
    r = linear_probe(f["train"].cls, obj["train"].labels, f["test"].cls, obj["test"].labels,
                     X_val=f["val"].cls, y_val=obj["val"].labels, lrs=cfg.eval.linear_lrs,
                     epochs=cfg.eval.linear_epochs, batch_size=cfg.eval.linear_batch)
    linear_lines.append((f"{row_name}: {r.hparam}, test {r.score:.1f}", r.val_curve["lr"], r.val_curve.iloc[:, 1]))
save_figure(validation_curves({
    f"logistic probe on {label(demo_suite)}": ("C (inverse l2 strength)", f"val {demo['test'].metric}", logistic_lines),
    "parallel-head linear probe on objects": ("learning rate (one head each)", "val top1", linear_lines)}),
    "05_probe_curves")

# %% [markdown]
# ## 4. Every encoder on every suite
# `evaluate_encoders` extracts features once per (encoder, suite) and caches them; each
# probe's result is cached too, so re-running this notebook re-probes nothing.

# %%
long = evaluate_encoders(encoders, cfg, knn=True)
save_table(long, "05_all_results", floatfmt=".2f")
long[long.probe != "kNN"].pivot_table(index="suite", columns="encoder", values="score", sort=False).round(1)

# %% [markdown]
# ## 5. Table 6 (and Table 7's ADE20k column) analogue
# Rows: our encoders (measured; every trained row at the same budget except the last,
# the main SynCLR run), then the paper's (ImageNet / fine-grained average of Table
# 6; SynCLR B/16 per dataset; ADE20k mIoU of Table 7 for the models it lists). Each column is
# a world suite labelled with the paper dataset it stands for. The paper's numbers come
# from 600M generated images and ViT-B/L; ours from a 32-pixel world on a CPU: compare
# *orderings* between rows, not values across the two blocks.

# %%
t6 = table6(long, cfg.profile)
save_table(t6, "05_table6")
t6.round(1)

# %%
measured = t6[t6.source != "paper"].set_index("encoder")
cols = [c for c in measured.columns if c.startswith("objects") or c == "fine-grained mean" or c.startswith("segmentation")]
fig = grouped_barh(measured[cols], title="objects (linear), fine-grained mean (logistic), dense mIoU")
save_figure(fig, "05_table6_bars")

# %% [markdown]
# The REPORT's verdicts for Table 6, by its rule: SynCLR beats a row only by more than the
# seed-to-seed spread of notebook 04's main SynCLR run.

# %%
from synclr_lib.reporting import read_tables
from synclr_lib.studies.comparisons import table6_findings
from synclr_lib.studies.verdicts import seed_spreads

seed_tables = read_tables(["04_seeds_all", "04_main_comparison"])
for finding in table6_findings({"05_table6": t6}, seed_spreads(seed_tables)[0]):
    print(finding.line())

# %% [markdown]
# ## 6. Table 2 analogue: caption strategies
# The paper trains one SynCLR (and one StableRep) per caption strategy and finds the final
# mix of the three templates best on the fine-grained average, with plausible (GPT-4)
# backgrounds beating random ones. Here each strategy of `study.strategies` gets its
# own images and one SynCLR run at the ablation budget of notebook 04:
#
# 1. the first `study.strategy_captions` captions of the strategy's caption set
#    (notebook 02) are drawn by g2 with the `images` stage's settings (4 images each, the
#    same seeds), so only the captions differ between rows;
# 2. the "alt-text" row stands in for the paper's real-caption (cc12m) row: the mini-web's
#    own noisy alt-text, drawn by the same g2 (which was pretrained on it);
# 3. SynCLR trains on each directory (`caption_strategy_runs`) and is probed like every
#    other encoder here: `objects` (linear) and the 9 fine-grained suites (logistic).
#
# One seed per row: the REPORT compares the differences with the seed spread of notebook
# 04's main comparison. The image columns say how often the judge of notebook 03 sees the
# caption's object in each strategy's images.

# %%
from synclr_lib.evaluate.suites import comparison_suites
from synclr_lib.images.strategy_study import strategy_study_table
from synclr_lib.studies.strategies import strategy_runs, table2

strategy_images = strategy_study_table(cfg)
strategy_rows = [(s, train_variant(cfg, o) / "encoder") for s, o in strategy_runs(cfg).items()]
by_strategy = evaluate_encoders(strategy_rows, cfg, suites=comparison_suites(cfg))
t2 = table2(by_strategy, cfg.profile, image_scores=strategy_images)
save_table(t2, "05_table2")
print(f"{cfg.study.strategy_captions} captions x {cfg.images.images_per_caption} images per strategy, "
      f"SynCLR {cfg.study.ablation_steps} steps each")
strategy_images.round(3)

# %%
t2.round(1)

# %% [markdown]
# The REPORT's verdicts for this table, by the REPORT's rule on the same tables: a direction
# counts as reproduced only when its difference exceeds the seed spread of notebook 04's main
# SynCLR run. Compare them with the image column: a strategy can change how often g2 draws
# the caption's object without changing what SynCLR learns beyond the seed-to-seed noise.

# %%
from synclr_lib.studies import strategies

report_inputs = read_tables(strategies.TABLES)
for finding in strategies.findings(report_inputs, seed_spreads(seed_tables)[0]):
    print(finding.line())

# %% [markdown]
# ## 7. Table 9 analogue: real datasets the world never drew
# Fashion-MNIST images as they are (grey, untinted), scikit-learn's handwritten digits,
# crops of real photographs from scikit-image, and faces: concepts or domains no caption
# mentions. The paper's per-dataset Table 9 numbers are not in our notes, so only measured
# rows appear.

# %%
t9 = table9(long, cfg.profile)
save_table(t9, "05_table9")
t9.round(1)

# %% [markdown]
# ## 8. kNN beside the trained probes
# kNN needs no optimisation; a large gap to the linear / logistic probe says the
# information is there but not in the feature space's cosine geometry.

# %%
knn_table = knn_vs_probe(long)
save_table(knn_table, "05_knn_vs_probe")
knn_table.pivot_table(index="suite", columns="encoder", values=["probe score", "kNN score"], sort=False).round(1)
