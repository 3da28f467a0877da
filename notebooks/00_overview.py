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
# # 00 · Overview: learning vision from models
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# SynCLR (Tian et al., *Learning Vision from Models Rivals Learning Vision from Data*,
# arXiv 2312.17742) trains a visual encoder **without any real image or real caption**:
#
# 1. a language model **g1** writes captions for a list of visual concepts **C**
#    (Sec. 3.1: three in-context templates);
# 2. a text-to-image model **g2** draws 4 images per caption (Sec. 3.2, CFG scale 2.5);
# 3. an encoder **f** learns from them with a multi-positive contrastive loss — images drawn
#    from the same caption are positives — plus an EMA teacher, iBOT masked-image modelling
#    and multi-crop (Sec. 3.3);
# 4. the frozen encoder is probed on real datasets (Sec. 4).
#
# This replication runs the whole story at four scales (*profiles*). At `mini`, a small
# **mini-web** of rendered scenes with noisy alt-text plays the internet: we pretrain our own
# tiny g1 and g2 on it, then SynCLR learns only from what g1 and g2 produce, and is probed
# on held-out renders and on real packaged datasets.
#
# | notebook | paper |
# |---|---|
# | 01_world | the concept list C; the internet and the evaluation datasets, in miniature |
# | 02_captions | Sec. 3.1, Table 1, Table 11 (caption synthesis) |
# | 03_images_cfg | Sec. 3.2, Table 3 (image synthesis, CFG) |
# | 04_training | Sec. 3.3, Tables 4, 5, 10 (the loss, components, baselines) |
# | 05_evaluation | Sec. 4, Tables 2, 6, 7, 9 |
# | 06_pca_patches | Fig. 5 |
# | 07_scaling | Figs. 6-7 |
# | 08_report | every table beside the paper's numbers |
#
# The library `synclr_lib` holds the logic; the notebooks hold parameters, calls and plots.

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import pandas as pd

from synclr_lib.config import profile_summary
from synclr_lib.plots import pipeline_diagram
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.runtime import environment_report
from synclr_lib.session import start

cfg = start(profile, overrides)

# %% [markdown]
# ## The pipeline

# %%
fig = pipeline_diagram()
save_figure(fig, "00_pipeline")

# %% [markdown]
# ## The four profiles
# One code path; the profiles only change sizes and where the models come from.
# `smoke` checks every code path in seconds (CI); `mini` is the default and runs the whole
# paper on a 2-core CPU; `gpu` uses real Stable Diffusion 1.5 and an LLM from local
# directories on one GPU; `paper` holds the paper's hyper-parameters for `torchrun`.

# %%
profiles = profile_summary()
save_table(profiles, "00_profiles")
profiles

# %% [markdown]
# ## The environment
# Versions, cores and threads, recorded beside every artifact too (`meta.json`).

# %%
env = pd.DataFrame(sorted(environment_report().items()), columns=["item", "value"])
save_table(env, "00_environment")
env
