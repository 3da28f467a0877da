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
# # 01 · The world: concepts, a mini-web, and held-out evaluation suites
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# SynCLR needs three resources (Sec. 3): a **concept list C**, a language model **g1** and a
# text-to-image model **g2**. In the paper, C comes from dataset class names (ImageNet,
# Aircraft, DTD, SUN397, ...), and g1 (Llama-2) and g2 (Stable Diffusion) were pretrained on
# the internet. The encoder is then probed on *real* datasets it never saw.
#
# None of those can be downloaded here, so at the `mini` profile a small **world** replays the
# whole story:
#
# | piece of this notebook | stands in for |
# |---|---|
# | 22 objects, 12 colours, 3 sizes, 12 backgrounds, 7 relations, counts 1-4 | the concept list C |
# | plausible backgrounds per object (the *world prior*) | GPT-4's background lists (Sec. 3.1) |
# | the **mini-web**: rendered scenes with noisy alt-text | the internet g1 and g2 were pretrained on |
# | `objects` suite (22-way) | ImageNet-1k linear probe |
# | nine fine-grained suites | Aircraft, Cars, DTD, Flowers, Pets, SUN397, Caltech-101, Food-101, VOC2007 |
# | `segmentation` suite | ADE20k |
# | four real packaged datasets | Table 9's "unseen concepts" datasets |
#
# Later notebooks pretrain a tiny g1 and g2 on the mini-web (02, 03); SynCLR itself never
# sees a mini-web image. The suites are rendered from a disjoint seed range, from the
# Fashion-MNIST **test** sprites (the mini-web uses the train split) and from the other half
# of every texture, so no evaluation image is a mini-web image (tests/world prove it).

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import json
import time

from synclr_lib.reporting import save_figure, save_table
from synclr_lib.session import start
from synclr_lib.world import SceneSpec, load_mini_web, mentions, suite_names
from synclr_lib.world import summary

cfg = start(profile, overrides)
size = cfg.world.image_size
print(f"image size: {size}   mini-web scenes: {cfg.world.n_web}")

# %% [markdown]
# ## 1. The concept list C
# **Objects** (22): the 10 Fashion-MNIST classes drawn from the *real* 28x28 sprites (tinted,
# keeping their folds and light) and 12 geometric shapes chosen to stay tellable apart at
# 14-24 pixels. Ten **letters** (glyphs, drawn from a bundled font) are drawable too but lie
# outside C: no alt-text, caption or generated image shows one, so the `glyphs` suite asks
# how well a representation transfers to concepts it never saw. (An earlier world had 40
# objects, the letters and 8 more shapes among them; a mini g2 trained on it drew the caption's
# object far less often than with these 22, in the same training time:
# `benchmarks/results/study_g2_recipe.md` has the numbers.) **Attributes**: 12 colours with close pairs
# (blue/navy, teal/cyan, purple/magenta, ...), 3 sizes, a small rotation. **Backgrounds**
# ("places"): three real textures shipped with scikit-image (brick, grass, gravel) and nine
# procedural ones. **Relations**: the paper's ten words (in, on, next to, behind, in front of,
# over, under, above, below, besides) collapse onto 7 drawable layouts. **Counts** 1-4.
#
# Every concept has synonyms; the alt-text writer draws from them and `mentions()` parses
# free text with the *same* table, so the caption team can measure how often a caption names
# its concept.

# %%
concepts = summary.concept_table()
save_table(concepts, "01_concepts")
concepts.groupby("kind").size().rename("concepts").to_frame().T

# %%
fig = summary.objects_figure(size)
save_figure(fig, "01_objects")

# %%
fig = summary.attributes_figure(size)
save_figure(fig, "01_attributes")

# %%
mentions("Two crimson tees next to a hex, on the beach")

# %% [markdown]
# ## 2. The world prior
# The paper pairs each concept with *plausible* backgrounds written by GPT-4; pairing it
# with random places did worse, because the captions fall outside what g2 can draw (Sec. 3.1).
# Here each object has 6-7 plausible backgrounds of 12 (garments almost never on water or in
# the sky). The mini-web follows the prior for 95 % of its scenes, so g2 rarely sees the
# rest: exactly the situation behind the paper's finding.

# %%
prior = summary.prior_table()
save_table(prior, "01_world_prior")
prior.head(12)

# %% [markdown]
# ## 3. The renderer
# A `SceneSpec` names everything in a scene; its seed fixes the rest (texture window,
# position, lighting, noise). `render(spec, size)` returns the image and a per-pixel concept
# mask, byte-identical for the same spec, at any size (32 px for `mini`, 64-128 for `gpu`).

# %%
spec = SceneSpec("sneaker", "red", "grass", relation="in front of", other="oval", other_colour="yellow",
                 size="large", seed=3)
fig = summary.mask_figure(spec, max(size, 64))
save_figure(fig, "01_renderer_mask")

# %% [markdown]
# ## 4. The mini-web: the "internet" of the mini profile
# N scenes sampled from the prior (60 % one object, 25 % two objects in a relation, 15 %
# 2-4 copies), each with *alt-text* written like the web's: synonyms, varied word order,
# details left out, irrelevant words ("free shipping", "IMG_4821"). Built once and cached
# (`artifacts/world/<hash>/images.npy` + `web.jsonl`).

# %%
start = time.time()
web = load_mini_web(cfg)
info = json.loads((web.path / "meta.json").read_text())["info"]
print(f"{len(web)} scenes, loaded in {time.time() - start:.1f} s; "
      f"built at {info['scenes_per_s']:.0f} scenes/s ({info['workers']} render processes)")

# %%
fig = summary.web_figure(web)
save_figure(fig, "01_mini_web")

# %%
stats = summary.web_statistics(web)
save_table(stats, "01_mini_web_stats")
stats

# %% [markdown]
# ## 5. The evaluation suites
# Each suite has train / val / test splits (val picks the probe's regularisation, as in the
# paper's fine-grained protocol) and a metric matching its paper counterpart: top-1,
# mean per-class accuracy, 11-point mAP (multi-label) or mIoU (segmentation).
# `load_suite(name, cfg, split)` returns any of them.

# %%
suites = summary.suite_table(cfg)
save_table(suites, "01_suites")
suites

# %%
fig = summary.suites_figure(cfg, suite_names("objects") + suite_names("fine_grained"))
save_figure(fig, "01_suites_rendered")

# %%
fig = summary.suites_figure(cfg, suite_names("dense") + suite_names("real"))
save_figure(fig, "01_suites_dense_real")

# %% [markdown]
# Images per class and split (for `multilabel`: images where the class is present).

# %%
counts = summary.class_count_table(cfg)
save_table(counts, "01_suite_class_counts")
counts.groupby("suite")[["train", "val", "test"]].agg(["min", "max"])

# %% [markdown]
# The segmentation suite's classes: pixel shares over backgrounds and objects (ADE20k is
# similarly dominated by "stuff" classes such as wall, floor and sky).

# %%
seg = summary.segmentation_class_table(cfg)
save_table(seg, "01_segmentation_classes")
seg.sort_values("pixel share %", ascending=False).head(10)

# %% [markdown]
# ## 6. Can colour alone solve the suites?
# A contrastive encoder in a small world happily learns colour and background and little
# else (an early feasibility study). So the world keeps colour independent of the object; this
# check fits a logistic regression on colour histograms only (no shape at all). Colour and
# texture suites should be easy from colour; object suites should stay near chance (what
# remains above chance comes from the world prior: garments and shapes favour different
# backgrounds, as ImageNet classes favour different scenes).

# %%
shortcut = summary.colour_shortcut_table(cfg)
save_table(shortcut, "01_colour_shortcut")
shortcut

# %% [markdown]
# ## What this world cannot show
# It is small: 22 objects against ImageNet's 1,000 classes and 32-pixel images. An early feasibility
# study found that contrastive learning in such a world readily
# latches onto colour and background, so the objects are drawn large (14-24 px), colour is
# independent of the object, and every object has dozens of instances (Fashion-MNIST sprites,
# rotations, sizes, lighting). Whether an encoder learns object identity is measured, not
# assumed, by the `objects`, `garments`, `glyphs` and `shapes` suites.
