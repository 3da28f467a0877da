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
# # 06 · What the patch tokens encode: PCA of patch features (Fig. 5)
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# Fig. 5 of the paper (after DINOv2's Fig. 1) looks inside the frozen encoder without any
# probe: take the patch tokens of a handful of images of **one concept**, run a PCA over all
# their patches, and
#
# 1. threshold the **first component**: in a good encoder it separates the object from the
#    background, so the object's patches are kept (the side of the threshold that touches
#    the image border less is taken as the object);
# 2. run a second PCA over the kept patches only and show its **first three components as
#    RGB** (background black). When the encoder has learned *parts*, matching parts of
#    different images get matching colours (the paper: SynCLR's and DINOv2's maps agree
#    across instances, e.g. heads vs wheels).
#
# Our images come from the held-out `objects` suite; the renderer knows where the object is,
# so beside the pictures we measure how well step 1 finds it: the **foreground IoU** between
# the thresholded first component and the true object patches (a patch is object when most
# of its pixels are). Rows: raw pixels (the patch tokens are the pixel blocks themselves),
# a random-init ViT, the main SynCLR encoder and two learning-from-data baselines.

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import numpy as np
import pandas as pd

from synclr_lib.evaluate import (PixelEncoder, extract_features, load_encoder, patch_pca, pca_figure,
                                 random_init_encoder)
from synclr_lib.evaluate.pca import foreground_iou
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.runtime import bf16_enabled
from synclr_lib.session import start
from synclr_lib.studies.catalog import comparison_runs
from synclr_lib.studies.comparisons import seed_runs
from synclr_lib.train.runs import train_variant
from synclr_lib.world import BACKGROUNDS, SceneSpec, load_suite, render, suite_specs

cfg = start(profile, overrides)
print(f"image size: {cfg.world.image_size}   "
      f"patch: {cfg.train.patch_size}")

# %% [markdown]
# ## The encoders
# The raw-pixel "encoder" uses the ViT's patch size, so all rows share one patch grid.

# %%
encoders = [
    ("raw pixels", PixelEncoder(patch_size=cfg.train.patch_size)),
    ("random init", random_init_encoder(cfg)),
]

# %% [markdown]
# ### Trained encoders
# The main SynCLR run (first seed, full budget) and the learning-from-data baselines trained
# on mini-web renders with alt-text, SimCLR (web) and CLIP (web) — our stand-ins for the
# paper's DINOv2 column. Cached `train` artifacts of notebook 04 (built here if missing).

# %%
runs = comparison_runs(cfg)
main_name, main_overrides = next(iter(seed_runs(cfg, "SynCLR").items()))
trained_rows = [(main_name, train_variant(cfg, main_overrides) / "encoder")]
trained_rows += [(name, train_variant(cfg, runs[name]) / "encoder") for name in ("SimCLR (web)", "CLIP (web)")]
encoders += [(row_name, load_encoder(path, cfg.run.device)) for row_name, path in trained_rows]

# %% [markdown]
# ## Images of one concept, and where their objects are
# One garment and two shapes, up to 8 test images each. Re-rendering a suite
# image from its scene spec gives its pixel mask (the renderer is deterministic).

# %%
test = load_suite("objects", cfg, "test")
specs = suite_specs("objects", cfg, "test")
concepts = [c for c in ("ankle boot", "crescent", "star") if c in test.class_names]
n_show = 8
chosen = {}
for concept in concepts:
    idx = np.flatnonzero(test.labels == test.class_names.index(concept))[:n_show]
    masks = []
    for i in idx:
        image, mask = render(SceneSpec.from_dict(specs[i]), cfg.world.image_size)
        if not np.array_equal(image, test.images[i]):
            raise RuntimeError(f"re-rendering suite image {i} did not reproduce it")
        masks.append(mask >= len(BACKGROUNDS))  # mask labels: backgrounds first, then objects
    chosen[concept] = (test.images[idx], np.stack(masks))
pd.DataFrame({"concept": list(chosen), "images": [len(v[0]) for v in chosen.values()]})

# %% [markdown]
# ## Fig. 5 analogue
# One figure per concept: the images, then one row of PCA maps per encoder.

# %%
iou_rows = []
for concept, (images, object_masks) in chosen.items():
    maps = {}
    for row_name, encoder in encoders:
        feats = extract_features(encoder, images, cfg.eval.feature_batch, bf16_enabled(cfg), patches=True,
                                 cache_name=f"pca-{concept}", device=cfg.run.device)
        maps[row_name] = patch_pca(feats.patch)
        iou_rows.append({"concept": concept, "encoder": row_name,
                         "foreground IoU": foreground_iou(maps[row_name].foreground, object_masks),
                         "fg patches %": 100 * maps[row_name].foreground.mean(),
                         "var. explained (3 comps) %": 100 * maps[row_name].explained.sum()})
    fig = pca_figure(images, maps, max_images=n_show, title=f"PCA of patch features: {concept}")
    save_figure(fig, f"06_pca_{concept.replace(' ', '_')}")

# %% [markdown]
# ## How well does the first component find the object?
# Foreground IoU between the thresholded first component and the renderer's object patches
# (100 = exact). An encoder whose first patch component is colour or texture splits the
# image along those instead.

# %%
iou = pd.DataFrame(iou_rows)
save_table(iou, "06_foreground_iou")
iou.pivot_table(index="encoder", columns="concept", values="foreground IoU", sort=False).round(1)

# %% [markdown]
# The REPORT's verdicts, by its rule: SynCLR's first component must beat the other encoder's
# by more than two standard errors of the per-concept difference.

# %%
from synclr_lib.studies import patches as patch_study

for finding in patch_study.findings({"06_foreground_iou": iou}):
    print(finding.line())
