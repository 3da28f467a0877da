"""A g2 recipe study (issue 5): train one mini g2 variant on the mini-web and let the judge say
how often its images show the caption's object, colour and background. No cached g2 stage is
read or written, so variants can be compared side by side (one thread each, two at once).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
        python benchmarks/study_g2_recipe.py --tag base --unet-steps 4000
    # 16x16x4 latents (two VAE blocks), attention at the coarser UNet levels:
    python benchmarks/study_g2_recipe.py --tag f2 --unet-steps 3000 --set \
        "images.vae_channels=32,64 images.unet_channels=32,64,128 images.unet_attention_levels=1,2"
    # diagnostics: descriptive recaptions ("a small red star on sand", world/recaption.py),
    # the mix the g2 stage trains on, and/or single unrotated objects
    python benchmarks/study_g2_recipe.py --tag clean --captions recaption --world single-unrotated
    python benchmarks/study_g2_recipe.py --tag mix --captions mixed --set images.recaption_fraction=0.5

Printed (and written to <out>/<tag>.json): the judge on unseen real renders, on their VAE
reconstructions (the ceiling of this autoencoder) and on generated images at each CFG scale,
per attribute and per object group (garment, shape); train seconds of VAE and UNet.
Evaluation scenes are drawn with the seeds right after the mini-web's, so no image or
alt-text of them was seen in pretraining. The VAE of a given (channels, steps, world) is
saved under <out> and reused by later variants. Uses the cached `world`, `judge` and
`g2_text` stages of the profile (built on first use).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import synclr_lib  # noqa: F401  (offline HF first)
import numpy as np
import torch

from synclr_lib.config import resolve
from synclr_lib.images import pipeline as g2
from synclr_lib.images.generate import generate_for_captions, settings_from_config
from synclr_lib.images.judge import ATTRIBUTES, accuracy, judge_images, load_judge, spec_labels
from synclr_lib.images.pretrain import (encode_images, load_recaption_ids, load_text_states, reconstruct,
                                        reconstruction_psnr, text_states, train_unet, train_vae, vae_held_out)
from synclr_lib.runtime import bf16_enabled
from synclr_lib.world import OBJECT_GROUPS, SceneSpec, load_mini_web
from synclr_lib.world.alttext import alt_text, sample_scene
from synclr_lib.world.recaption import recaption
from synclr_lib.world.web import render_many


def scenes(cfg, world: str, first_seed: int, n: int) -> list[SceneSpec]:
    if world == "web":
        return [sample_scene(first_seed + i, prior=cfg.world.web_prior) for i in range(n)]
    return [dataclasses.replace(sample_scene(first_seed + i, prior=cfg.world.web_prior, layout="single"), rotation=0.0)
            for i in range(n)]


def judged(judge, images: np.ndarray, labels: dict, groups: np.ndarray) -> dict:
    _, preds = judge_images(judge, images)
    out = accuracy(preds, labels)
    right = preds["object"] == labels["object"]
    out.update({f"object_{g}": float(right[groups == g].mean()) for g in sorted(set(groups))})
    return {k: round(v, 4) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tag", required=True, help="name of this variant (output file <out>/<tag>.json)")
    ap.add_argument("--profile", default="mini")
    ap.add_argument("--set", default="", help='config overrides, e.g. "images.vae_channels=32,64"')
    ap.add_argument("--vae-steps", type=int, default=None, help="default: images.vae_steps")
    ap.add_argument("--unet-steps", type=int, default=None, help="default: images.unet_steps")
    ap.add_argument("--captions", choices=("alt-text", "recaption", "mixed"), default="alt-text",
                    help="pretraining text: alt-text, recaptions, or the g2 stage's mix "
                         "(images.recaption_fraction); evaluation prompts are alt-text unless 'recaption'")
    ap.add_argument("--world", choices=("web", "single-unrotated"), default="web")
    ap.add_argument("--scales", default="2.5,4", help="CFG scales to sample at")
    ap.add_argument("--n-eval", type=int, default=512, help="unseen scenes judged (one image each)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="artifacts/studies/g2_recipe")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = resolve(args.profile, args.set)
    ic = dataclasses.replace(cfg.images, vae_steps=args.vae_steps or cfg.images.vae_steps,
                             unet_steps=args.unet_steps or cfg.images.unet_steps)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict = {"tag": args.tag, "set": args.set, "captions": args.captions, "world": args.world,
                    "vae_steps": ic.vae_steps, "unet_steps": ic.unet_steps, "threads": args.threads}

    # pretraining pairs: the mini-web itself, or the same seeds redrawn as single unrotated objects
    web = load_mini_web(cfg)
    specs = [web.spec(i) for i in range(len(web))] if args.world == "web" else \
        scenes(cfg, args.world, cfg.world.web_seed, cfg.world.n_web)
    images = web.images if args.world == "web" else render_many(specs, cfg.world.image_size, 2, desc="render")
    caption = recaption if args.captions == "recaption" else alt_text
    recaption_ids = None
    if args.world == "web" and args.captions != "recaption":
        states, _, text_ids, _ = load_text_states(cfg)  # the g2_text stage: alt-texts and recaptions
        recaption_ids = load_recaption_ids(cfg) if args.captions == "mixed" else None
    elif args.captions == "mixed":
        _, states, _, ids = text_states([alt_text(s) for s in specs] + [recaption(s) for s in specs])
        text_ids, recaption_ids = ids[:len(specs)], ids[len(specs):]
    else:
        _, states, _, text_ids = text_states([caption(s) for s in specs])

    # unseen evaluation scenes: seeds right after the mini-web's
    eval_specs = scenes(cfg, args.world, cfg.world.web_seed + cfg.world.n_web, args.n_eval)
    eval_texts = [caption(s) for s in eval_specs]
    real = render_many(eval_specs, cfg.world.image_size)
    labels = spec_labels([s.to_dict() for s in eval_specs])
    groups = np.array([OBJECT_GROUPS[s.object] for s in eval_specs])
    judge = load_judge(cfg)
    result["judge_real"] = judged(judge, real, labels, groups)

    held_out = vae_held_out(len(images))  # the g2_vae stage's rule
    vae_dir = out_dir / f"vae-{'-'.join(map(str, ic.vae_channels))}-{ic.vae_steps}-{args.world}"
    start = time.time()
    if (vae_dir / "config.json").is_file():
        from diffusers import AutoencoderKL
        vae = AutoencoderKL.from_pretrained(vae_dir).eval().requires_grad_(False)
    else:
        vae, _ = train_vae(images[:-held_out], ic, seed=cfg.run.seed, bf16=bf16_enabled(cfg))
        vae.save_pretrained(vae_dir)
        result["vae_train_s"] = round(time.time() - start, 1)
    result["vae_psnr_db"] = round(reconstruction_psnr(vae, images[-held_out:]), 2)
    result["judge_vae_reconstructions"] = judged(judge, reconstruct(vae, real), labels, groups)
    print(json.dumps(result), flush=True)

    latents = encode_images(vae, images)
    scaling = float(1.0 / latents.std())
    vae.register_to_config(scaling_factor=scaling)
    start = time.time()
    unet, losses = train_unet(latents * scaling, states, text_ids, ic, seed=cfg.run.seed, bf16=bf16_enabled(cfg),
                              recaption_ids=recaption_ids)
    result["unet_train_s"] = round(time.time() - start, 1)
    result["unet_params_m"] = round(sum(p.numel() for p in unet.parameters()) / 1e6, 2)
    result["unet_loss_last_10pct"] = round(float(losses["loss"].iloc[-max(1, len(losses) // 10):].mean()), 4)
    tokenizer, text_encoder = g2.minilm_text_encoder()
    pipe = g2.assemble_pipeline(vae, unet, g2.sampling_scheduler(g2.train_scheduler(ic)), tokenizer, text_encoder)
    for scale in (float(s) for s in args.scales.split(",")):
        settings = settings_from_config(cfg, images_per_caption=1, cfg_scale=scale)
        drawn = generate_for_captions(pipe, eval_texts, list(range(args.n_eval)), settings)[:, 0]
        np.save(out_dir / f"{args.tag}-cfg{scale:g}.npy", drawn)
        result[f"judge_generated_cfg{scale:g}"] = judged(judge, drawn, labels, groups)
    (out_dir / f"{args.tag}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result), flush=True)
    print(f"\n{'images':<28}" + "".join(f"{a:>12}" for a in ATTRIBUTES))
    for key in [k for k in result if k.startswith("judge_")]:
        print(f"{key[6:]:<28}" + "".join(f"{result[key][a]:>12.3f}" for a in ATTRIBUTES))


if __name__ == "__main__":
    main()
