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
# # 04 · Training: learning an encoder from synthetic images (Sec. 3.3; Tables 4, 5, 10)
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# g1 wrote captions, g2 drew 4 images per caption. Now an encoder learns from those images
# alone. SynCLR's idea is in its loss: **images drawn from the same caption are positives of
# each other**, whatever they look like, and images of other captions are negatives. The
# encoder must map four different drawings of "a navy dress next to a lime star on
# sand" close together, and away from every other caption in the batch.
#
# SynCLR (the paper's Sec. 3.3, on top of StableRep) adds three parts, each switchable
# here (`train.components`) so that Table 4 can be re-run:
#
# | part | what it does |
# |---|---|
# | multi-positive contrastive loss | P captions x K images per batch; cross-entropy between the uniform distribution over an anchor's positives and the softmax over all candidates |
# | EMA teacher | the candidates come from a moving average of the encoder (momentum cosine to 1; the paper starts at 0.994 for 85k+ steps, `mini` at 0.9 for a few hundred) |
# | iBOT | half of the global crops have some patches masked (the paper: half of them, loss weight 1; `mini`: a quarter, weight 0.1); the student predicts the teacher's prototype assignment of each masked patch (Sinkhorn-Knopp targets) |
# | multi-crop | small local crops join as anchors; they only get the contrastive loss |
#
# The encoder is a Hugging Face `ViTModel` (saved with `save_pretrained`). At `smoke` and
# `mini` its linear patchify is replaced by a **conv trunk** (`train.stem_channels`,
# `synclr_lib.models.conv_stem_vit`): four 3x3 conv layers down to a 4x4 token grid, then
# two transformer blocks with a CLS token. A plain ViT learns object shape far too slowly for a
# CPU budget; the transformer blocks keep the CLS and patch tokens that iBOT, the dense probe
# and the patch PCA need. `paper` keeps the plain ViT-B/16. The heads are an MLP with
# BatchNorm (contrastive) and a DINO-style head (iBOT); AdamW with cosine schedules. At `mini`
# the multi-positive runs use crops and no colour augmentation (g2 already varies what a caption
# leaves open); SimCLR keeps BYOL's colour jitter and grayscale at every profile, since
# augmentation is all that makes its two views differ. The baselines of Tables 5
# and 10 train the same encoder on the same images: **SimCLR** (each image its own class, two
# views), **SupCE** (cross-entropy on the concept of each caption) and **CLIP** (images
# against their caption through the frozen MiniLM text tower and a trained projection), and,
# learning from *data* instead of models, SimCLR and CLIP on the mini-web's renders and
# alt-text.

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import pandas as pd
import torch
import torch.nn.functional as F

from synclr_lib.data.augment import ViewAugmenter, random_masks
from synclr_lib.pixels import to_tensor, to_uint8
from synclr_lib.evaluate import evaluate_encoders, random_init_encoder, wide_table
from synclr_lib.evaluate.suites import comparison_suites
from synclr_lib.losses import multi_positive_loss, multi_positive_targets
from synclr_lib.plots import grouped_barh, loss_matrices, seed_comparison, training_curves, views_grid
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.runtime import generator
from synclr_lib.session import start
from synclr_lib.stages import run_stage
from synclr_lib.studies import comparisons, components, objective
from synclr_lib.studies.catalog import comparison_runs
from synclr_lib.studies.comparisons import main_comparison, main_findings, seed_runs, seed_scores, table10
from synclr_lib.studies.components import component_table
from synclr_lib.studies.objective import objective_table
from synclr_lib.studies.shortcut import shortcut_runs
from synclr_lib.studies.verdicts import seed_spreads
from synclr_lib.train import load_curves, load_train_data
from synclr_lib.train.objectives import mask_pixels
from synclr_lib.train.runs import train_variant

cfg = start(profile, overrides)
t = cfg.train
print(f"data: {t.data}   ViT: {t.width} wide, {t.depth} layers, "
      f"patch {t.patch_size} on {t.image_size} px   batch: {t.captions_per_batch} captions x {t.images_per_caption} images   "
      f"steps: {t.steps} (comparison rows {cfg.study.ablation_steps})")

# %% [markdown]
# ## 1. The loss on a toy batch
# Three captions, two images each: six embeddings. For anchor *a* and candidates *b_j*
# (all l2-normalised, temperature tau):
#
# $$q_j = \frac{\exp(a \cdot b_j/\tau)}{\sum_k \exp(a \cdot b_k/\tau)}, \qquad
#   p_j = \frac{\mathbb{1}[\text{same caption}(a, b_j)]}{\sum_k \mathbb{1}[\text{same caption}(a, b_k)]}, \qquad
#   \mathcal{L}(a) = H(p, q) = -\sum_j p_j \log q_j .$$
#
# Each anchor is left out of its own candidates (`exclude`). The loss is small when each row
# of q puts its mass where p does.

# %%
toy_ids = torch.tensor([0, 0, 1, 1, 2, 2])
g = generator(cfg.run.seed)
centres = F.normalize(torch.randn(3, 8, generator=g), dim=1)
toy = centres[toy_ids] + 0.35 * torch.randn(6, 8, generator=g)  # two noisy draws per caption
self_mask = torch.eye(6, dtype=torch.bool)
tau = 0.5
p = multi_positive_targets(toy_ids, toy_ids, exclude=self_mask)
logits = (F.normalize(toy, dim=1) @ F.normalize(toy, dim=1).T / tau).masked_fill(self_mask, float("-inf"))
q = logits.softmax(1)
per_anchor = -(p * q.clamp_min(1e-12).log()).sum(1)
toy_loss = multi_positive_loss(toy, toy, toy_ids, toy_ids, tau, exclude=self_mask)
assert torch.isclose(per_anchor.mean(), toy_loss, atol=1e-5)  # the library's loss is this mean
names = [f"c{c}/img{i % 2}" for i, c in enumerate(toy_ids.tolist())]
save_figure(loss_matrices(p, q, per_anchor, names, tau, float(toy_loss)), "04_loss_toy")

# %% [markdown]
# With **one image per caption** and two augmented views of it, the only positive of a view
# is the other view: p is one-hot and H(p, q) is SimCLR's InfoNCE. With one "caption" per
# class it would be supervised contrastive learning. The same function serves all three.

# %%
views = torch.randn(8, 8, generator=g)
ids = torch.arange(4).repeat(2)  # 4 images x 2 views
mask = torch.eye(8, dtype=torch.bool)
z = F.normalize(views, dim=1)
sim = (z @ z.T / tau).masked_fill(mask, float("-inf"))
info_nce = F.cross_entropy(sim, torch.cat([torch.arange(4, 8), torch.arange(4)]))
print(f"multi-positive with 1 image per caption: {multi_positive_loss(views, views, ids, ids, tau, exclude=mask):.5f}"
      f"   SimCLR InfoNCE: {info_nce:.5f}")

# %% [markdown]
# ## 2. A batch: P captions x K images, and the views the encoder sees
# Every row below is one caption's K images, then the global crop of each (colour jitter
# with hue, grayscale, blur, solarize), the iBOT mask (grey patches are replaced by the
# mask token) and two local crops. Hue jitter and grayscale matter here: the K images of a
# caption share the object's colour, so without them colour alone would match positives.

# %%
data = load_train_data(cfg)
print(f"{data.source} data: {data.n_captions} captions x {data.images_per_caption} images = {len(data.images)} images")
show_captions = min(4, data.n_captions)
idx = data.image_ids_by_caption[:show_captions, : min(4, data.images_per_caption)].reshape(-1)
pixels = to_tensor(data.images[idx])
aug = ViewAugmenter(t)
g = generator(cfg.run.seed)
global_views = aug.apply(pixels, aug.draw(g, len(idx), "global"))
masks = random_masks(g, len(idx), (t.image_size // t.patch_size) ** 2, t.ibot_mask_prob, t.ibot_mask_ratio)
local_views = aug.apply(pixels, aug.draw(g, len(idx), "local"))
views = {"image": pixels, "global": global_views, "iBOT mask": mask_pixels(global_views, masks),
         "local": F.interpolate(local_views, size=t.image_size, mode="nearest")}
fig = views_grid({k: to_uint8(v) for k, v in views.items()}, data.texts[:show_captions], len(idx) // show_captions)
save_figure(fig, "04_views")

# %% [markdown]
# ## 3. The main run: SynCLR with every component
# `run_stage("train", cfg)` trains (or reuses from the cache) the encoder; a killed run
# resumes from its last checkpoint. The curves show each loss term, the mean cosine between
# the embeddings of a batch's images (near 1 means collapse: every image mapped to one vector,
# which the BatchNorm in the projection head prevents) and the schedules (learning rate
# warm-up then cosine; weight decay 0.04 -> 0.2; EMA momentum; iBOT teacher temperature
# 0.04 -> 0.07).

# %%
main_path = run_stage("train", cfg)
curves = load_curves(main_path)
terms = [c for c in ("loss", "contrastive", "local", "ibot", "cross_entropy", "clip") if c in curves]
sched_cols = [c for c in ("embedding_cosine", "lr", "weight_decay", "ema_momentum", "teacher_temp") if c in curves]
fig = training_curves(curves, terms, sched_cols)
save_figure(fig, "04_curves")
print(f"main run: {curves['step'].iloc[-1]} steps in {curves['seconds'].iloc[-1] / 60:.1f} min "
      f"({curves['seconds'].iloc[-1] / curves['step'].iloc[-1]:.2f} s/step on this machine, shared)")

# %% [markdown]
# ## 4. Every comparison run, probed the same way
# Each row of Tables 4, 5 and 10 is one training run at the comparison budget
# (`study.ablation_steps`), identical except for what the row changes. Each encoder is then
# frozen and probed on the world's suites exactly as in notebook 05: the **objects** suite
# (the ImageNet analogue: 22 classes, linear probe) and the nine **fine-grained** suites
# (logistic probe), whose mean stands for the paper's fine-grained average. The random-init
# ViT is the floor.

# %%
runs = comparison_runs(cfg)
paths = {name: train_variant(cfg, o) for name, o in runs.items()}
probe_suites = comparison_suites(cfg)
encoders = [("random init", random_init_encoder(cfg))] + [(n, p / "encoder") for n, p in paths.items()]
long = evaluate_encoders(encoders, cfg, suites=probe_suites)
scores = wide_table(long, kinds=("objects", "fine_grained"))
save_table(long, "04_all_results", floatfmt=".2f")
scores.round(1)

# %% [markdown]
# ## 5. Table 4 analogue: what each component adds
# From the multi-positive loss alone (StableRep) to every component: the EMA teacher, iBOT
# (masked patch prediction) and local crops, each row beside the paper's two numbers
# (`paper ...` columns). The paper trains 85k steps; here a few hundred, where a component
# that needs long schedules (the EMA teacher, iBOT) may cost more than it brings: the proxy
# study that measured this on flawless images, with seeds, is
# `benchmarks/results/study_encoder_proxy.md`. The REPORT judges each step against the seed
# spread of section 8.

# %%
t4 = component_table(scores)
save_table(t4, "04_table4")
t4.round(1)

# %% [markdown]
# ## 6. Table 5 analogue: the objective, on the same synthetic images
# SupCE learns only what the concept labels name; SimCLR ignores that four images share a
# caption; SynCLR uses it. The paper's order is SynCLR > SupCE > SimCLR (`paper ...` columns).

# %%
t5 = objective_table(scores)
save_table(t5, "04_table5")
t5.round(1)

# %% [markdown]
# ## 7. Table 10 analogue: CLIP on the same data, and learning from data
# The paper compares SynCLR with CLIP trained on the same synthetic captions and images
# (`paper ...` columns). The "(web)" rows learn from the mini-web itself, the data g1 and
# g2 were trained on: renders and their noisy alt-text, one image per text.

# %%
t10 = table10(scores)
save_table(t10, "04_table10")
t10.round(1)

# %%
bars = scores.set_index("encoder")[["objects", "fine-grained mean"]]
fig = grouped_barh(bars, title="objects (linear probe) and fine-grained mean (logistic)")
save_figure(fig, "04_comparison_bars")

# %% [markdown]
# ### Not in the paper: why "caption = class" needs a g2 that fills in the rest
# The multi-positive loss treats the images of one caption as one class. If every image of a
# caption also shares its colour and background, matching them needs no object at all: the
# loss is solved by colour and texture. Stable Diffusion redraws what a caption does not say,
# so in the paper the images of "a zebra on the savannah" share the zebra and little else.
# Two runs of the multi-positive loss on flawless renders of the same scene specs (the world
# proxy) differ only in that: the images of a caption either share its colour and background,
# or redraw them.

# %%
shortcut_paths = {n: train_variant(cfg, o) for n, o in shortcut_runs(cfg).items()}
shortcut_suites = [s for s in ("objects", "colours", "scenes") if s in probe_suites]
shortcut_long = evaluate_encoders([("random init", random_init_encoder(cfg))] +
                                  [(n, p / "encoder") for n, p in shortcut_paths.items()], cfg,
                                  suites=shortcut_suites)
shortcut = shortcut_long.pivot_table(index="encoder", columns="suite", values="score", sort=False)
save_table(shortcut.reset_index(), "04_shortcut")
shortcut.round(1)

# %% [markdown]
# ## 8. The main comparison: SynCLR against SimCLR, several seeds, full budget
# Both objectives train for `train.steps` steps on the same images, with the same ViT,
# views and optimiser, `study.compare_seeds` seeds each (the seed changes the initial
# weights, the batches and the views). Mean and spread (max - min) over seeds.
#
# What to expect: `benchmarks/results/study_encoder_proxy.md` records the same comparison on
# flawless proxy images (renders of scene specs whose open attributes are redrawn per image),
# with 3 seeds, random init and SupCE beside them, and the study that chose this encoder.

# %%
seed_paths = {**{n: train_variant(cfg, o) for n, o in seed_runs(cfg, "SynCLR").items()},
              **{n: train_variant(cfg, o) for n, o in seed_runs(cfg, "SimCLR").items()}}
seed_long = evaluate_encoders([(n, p / "encoder") for n, p in seed_paths.items()], cfg, suites=probe_suites)
seeds_all = seed_scores(seed_long)
main_table = main_comparison(seeds_all, scores.set_index("encoder").loc["random init", "objects"])
save_table(seeds_all, "04_seeds_all")
save_table(main_table, "04_main_comparison")
main_table.round(1)

# %%
random_init = scores.set_index("encoder").loc["random init", ["objects", "fine-grained mean"]].to_dict()
save_figure(seed_comparison(seeds_all, {"random init": random_init}), "04_main_comparison")

# %% [markdown]
# The seed spread of SynCLR (max - min over its seeds) is the noise threshold of every
# accuracy finding in the REPORT; the same rule judges the main comparison here.

# %%
tables = {"04_seeds_all": seeds_all, "04_main_comparison": main_table}
spreads, _ = seed_spreads(tables)
for finding in main_findings(tables, spreads):
    print(finding.line())

# %% [markdown]
# The same spread judges the comparison tables of sections 5-7, as the REPORT does: a row
# beats another only by more than the seed-to-seed noise.

# %%
tables |= {"04_table4": t4, "04_table5": t5, "04_table10": t10}
for finding in [*components.findings(tables, spreads), *objective.findings(tables, spreads),
                *comparisons.table10_findings(tables, spreads)]:
    print(finding.line())

# %% [markdown]
# ## 9. What the training runs cost
# Wall time of every run on this machine, from its curves. `benchmarks/bench_train.py`
# compares one full step with a bare forward/backward of the same encoder on the same crops
# and projects every comparison row (`--rows`); `benchmarks/bench_bf16.py` shows why bf16
# autocast is off on CPUs without native bf16 (`run.bf16=auto` measures it once per machine).

# %%
cost = pd.DataFrame([{"run": n, "steps": int(load_curves(p)["step"].iloc[-1]),
                      "minutes": load_curves(p)["seconds"].iloc[-1] / 60}
                     for n, p in {"main": main_path, **paths, **seed_paths}.items()])
save_table(cost, "04_run_times", floatfmt=".2f")
cost.round(2)
