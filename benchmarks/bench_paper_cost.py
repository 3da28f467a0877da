"""The paper's scale priced on this CPU: an SD-1.5-shaped image generator and a ViT-B/16
SynCLR training step, both full size with random weights, timed and extrapolated to the
paper's 600M images and 500k steps of 8192 captions x 4 images (Table 12).

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 HF_HUB_OFFLINE=1 \\
        timeout 900 .venv/bin/python benchmarks/bench_paper_cost.py [--threads 2] [--steps 3] [--parts gen,train]

Parts:
- gen: a `diffusers.StableDiffusionPipeline` built from SD-1.5's published component configs
  (UNet 320/640/1280/1280, VAE with 4 latent channels, CLIP-text-shaped encoder, DDIM with
  SD-1.5's betas); random weights, and a CLIP tokenizer from a tiny vocabulary written to a
  temporary folder (only so that the pipeline can tokenize; cost does not depend on it).
  Times denoising steps at 512 px with CFG 2.5 (batch 2: cond + uncond, one image) after a
  warm-up step, the prompt encoding, and the VAE decode of one 512 px image.
- train: one full SynCLR training step (`benchmarks/bench_train.py`'s stepper) at the
  `paper` profile's settings with only the batch shrunk (`train.captions_per_batch`), on CPU
  in fp32, timed after a warm-up step.

Prints results as they come and writes a markdown table to benchmarks/results/paper_cost.md
(rewritten after each part, so a killed run keeps what it measured). Run it alone: the
numbers are wall times on a shared machine.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import synclr_lib  # noqa: F401  (offline flags first)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "paper_cost.md"
YEAR_S = 365.25 * 86400
# the paper's scale (arXiv 2312.17742, Sec. 3 and Table 12)
PAPER_IMAGES = 600e6  # 150M captions x 4 images
PAPER_STEPS, PAPER_CAPTIONS, IMAGES_PER_CAPTION = 500_000, 8192, 4  # final ViT-B/16 run
ABLATION_STEPS, ABLATION_CAPTIONS = 85_000, 2048  # the ablation schedule (the `paper` profile)
GEN_STEPS, CFG_SCALE, GEN_SIZE = 50, 2.5, 512  # DDIM 50 steps, 512 px
NO_GPU = "not measured (no GPU was lent to this task)"


def say(*args) -> None:
    print(*args, flush=True)


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "capability": torch.backends.cpu.get_cpu_capability(),
            "torch": torch.__version__, "commit": commit or "unknown"}


# --------------------------------------------------------------------------------------
# SD-1.5-shaped generator
# --------------------------------------------------------------------------------------
def tiny_clip_tokenizer(folder: Path):
    """A CLIPTokenizer over single letters (SD-1.5's real 49408-token vocabulary is not here)."""
    from transformers import CLIPTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = {tok: i for i, tok in enumerate(letters + [c + "</w>" for c in letters]
                                              + ["<|startoftext|>", "<|endoftext|>"])}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")  # no merges: every letter is a token
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)


def sd15_pipeline(folder: Path):
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    unet = UNet2DConditionModel(
        sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768, attention_head_dim=8,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"))
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, sample_size=512,
        block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4)
    text = CLIPTextModel(CLIPTextConfig(
        vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768))
    scheduler = DDIMScheduler(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
                              beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False,
                              steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tiny_clip_tokenizer(folder), unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    counts = {name: sum(p.numel() for p in m.parameters()) for name, m in
              (("unet", unet), ("vae", vae), ("text", text))}
    return pipe, counts


@torch.inference_mode()
def measure_generation(steps: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pipe, counts = sd15_pipeline(Path(tmp))
        say(f"[gen] built in {time.perf_counter() - start:.0f} s; parameters (M): "
            + ", ".join(f"{k} {v / 1e6:.0f}" for k, v in counts.items()))
    prompt = "a photo of a golden retriever on a beach"
    ends = []

    def on_step_end(pipeline, i, t, kwargs):
        ends.append(time.perf_counter())
        return kwargs

    start = time.perf_counter()
    latents = pipe(prompt, height=GEN_SIZE, width=GEN_SIZE, num_inference_steps=1 + steps,
                   guidance_scale=CFG_SCALE, output_type="latent", callback_on_step_end=on_step_end).images
    # step 0 is the warm-up; later steps are timed between consecutive step ends
    per_step = [b - a for a, b in zip(ends, ends[1:])]
    say(f"[gen] denoising steps at {GEN_SIZE} px, CFG {CFG_SCALE} (batch 2): "
        + ", ".join(f"{s:.2f}" for s in per_step) + f" s (warm-up {ends[0] - start:.2f} s incl. prompt)")
    t0 = time.perf_counter()
    pipe.encode_prompt(prompt, "cpu", 1, True, "")
    prompt_s = time.perf_counter() - t0
    say(f"[gen] prompt encoding (cond + uncond): {prompt_s:.3f} s")
    vae = pipe.vae
    z = latents / vae.config.scaling_factor
    vae.decode(z[:, :, :16, :16])  # warm-up at 128 px: the full size would double this part
    t0 = time.perf_counter()
    image = vae.decode(z).sample
    decode_s = time.perf_counter() - t0
    assert image.shape == (1, 3, GEN_SIZE, GEN_SIZE), image.shape
    say(f"[gen] VAE decode of one {GEN_SIZE} px image: {decode_s:.2f} s")
    del pipe, vae, latents, z, image
    gc.collect()
    step_s = statistics.median(per_step)
    per_image = prompt_s + GEN_STEPS * step_s + decode_s
    return {"step_s": step_s, "steps": per_step, "prompt_s": prompt_s, "decode_s": decode_s,
            "per_image_s": per_image, "counts": counts}


# --------------------------------------------------------------------------------------
# ViT-B/16 SynCLR training step
# --------------------------------------------------------------------------------------
def measure_training(steps: int, captions: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_train import stepper  # the same step as the training loop, on fake data

    from synclr_lib.config import resolve
    from synclr_lib.train import distributed

    overrides = ["run.device=cpu", "run.bf16=false", f"train.captions_per_batch={captions}"]
    cfg = resolve("paper", overrides)
    t = cfg.train
    start = time.perf_counter()
    step, objective, _, _ = stepper(cfg, distributed.DistInfo())
    enc = objective.encoder.config
    n_params = sum(p.numel() for p in objective.student_parameters())
    say(f"[train] built in {time.perf_counter() - start:.0f} s: ViT depth {enc.num_hidden_layers}, width "
        f"{enc.hidden_size}, patch {enc.patch_size}, {enc.image_size} px; student parameters "
        f"{n_params / 1e6:.0f} M; components {t.components}; {t.captions_per_batch} captions x "
        f"{t.images_per_caption} images, {t.n_local} local crops of {t.local_size} px")
    t0 = time.perf_counter()
    step()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    say("[train] steps: " + ", ".join(f"{s:.2f}" for s in times) + f" s (warm-up {warm:.2f} s)")
    del step, objective
    gc.collect()
    return {"step_s": statistics.median(times), "steps": times, "images": captions * t.images_per_caption,
            "captions": captions, "overrides": overrides, "components": t.components, "n_local": t.n_local,
            "params": n_params}


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------
def fmt_years(seconds: float) -> str:
    return f"{seconds / YEAR_S:,.0f}" if seconds >= 10 * YEAR_S else f"{seconds / YEAR_S:,.2f}"


def table(m: dict, gen: dict | None, tr: dict | None, command: str, threads: int, wall: dict) -> str:
    lines = [
        "# The paper's scale, priced on this machine",
        "",
        f"- date: {m['date']}",
        f"- machine: {m['cpu']}, {m['cores']} cores (torch uses {threads} threads), "
        f"torch.backends.cpu.get_cpu_capability() = {m['capability']}, torch {m['torch']}, fp32",
        f"- commit: {m['commit']}",
        f"- command: `{command}`",
        "- GPU: " + NO_GPU,
        "- models: full-size architectures with random weights (nothing can be downloaded here); "
        "speed does not depend on the weights' values. CPU-years = years of wall time of this "
        f"machine at {threads} threads.",
        "",
        "| quantity | CPU (measured / extrapolated) | GPU |",
        "|---|---|---|",
    ]
    row = lambda name, value: lines.append(f"| {name} | {value} | {NO_GPU} |")  # noqa: E731
    if gen is not None:
        c = gen["counts"]
        row("SD-1.5-shaped pipeline: parameters (UNet / VAE / CLIP text)",
            f"{c['unet'] / 1e6:.0f}M / {c['vae'] / 1e6:.0f}M / {c['text'] / 1e6:.0f}M")
        row(f"denoising step, {GEN_SIZE} px, CFG {CFG_SCALE} (batch 2 = cond + uncond, 1 image), measured",
            f"{gen['step_s']:.2f} s (median of " + ", ".join(f"{s:.2f}" for s in gen["steps"]) + ")")
        row("prompt encoding (cond + uncond), measured", f"{gen['prompt_s']:.3f} s")
        row(f"VAE decode, 1 image at {GEN_SIZE} px, measured", f"{gen['decode_s']:.2f} s")
        row(f"one image, DDIM {GEN_STEPS} steps (prompt + {GEN_STEPS} x step + decode), extrapolated",
            f"{gen['per_image_s']:.0f} s = {1 / gen['per_image_s']:.4f} images/s")
        row(f"paper's {PAPER_IMAGES / 1e6:.0f}M images, extrapolated",
            f"{fmt_years(PAPER_IMAGES * gen['per_image_s'])} CPU-years")
    if tr is not None:
        per_image = tr["step_s"] / tr["images"]
        row(f"ViT-B/16 SynCLR step, `paper` profile, {tr['captions']} captions x {IMAGES_PER_CAPTION} images "
            f"(224 px, {tr['components']}, {tr['n_local']} local crops), measured",
            f"{tr['step_s']:.2f} s (median of " + ", ".join(f"{s:.2f}" for s in tr["steps"]) + ")")
        row("per image of the batch (linear scaling assumed)", f"{per_image:.3f} s")
        for name, captions, steps in (("final run", PAPER_CAPTIONS, PAPER_STEPS),
                                      ("ablation schedule", ABLATION_CAPTIONS, ABLATION_STEPS)):
            step_s = per_image * captions * IMAGES_PER_CAPTION
            row(f"paper {name}: one step of {captions} captions x {IMAGES_PER_CAPTION} images, extrapolated",
                f"{step_s:,.0f} s")
            row(f"paper {name}: {steps // 1000}k steps, extrapolated", f"{fmt_years(step_s * steps)} CPU-years")
    lines += ["", "Notes:",
              "- generation per image = prompt encoding + 50 x (one CFG denoising step) + one VAE decode; "
              "one image per call (batching many images per call, as a GPU run would, changes the "
              "per-image cost; not measured).",
              "- the tokenizer is a CLIPTokenizer over a tiny letter vocabulary written to a temporary "
              "folder, only so that the pipeline can tokenize; the text encoder has SD-1.5's shape "
              "(49408-token vocabulary, 77 positions, 12 layers of 768).",
              "- training: scaling a step's time linearly in the batch (from "
              f"{tr['images'] if tr else '-'} images to 8192 x 4 = 32768) is an assumption, not a "
              "measurement: bigger batches usually use the hardware better per image, while the "
              "contrastive loss's image-by-image similarity matrix grows quadratically (a small share "
              "of the step's arithmetic beside the ViT passes).",
              "- training settings: `resolve(\"paper\", [...])` with only "
              + (", ".join(f"`{o}`" for o in tr["overrides"]) if tr else "-")
              + " (ViT-B/16, all other settings the profile's).",
              "- wall time of each part of this run: "
              + (", ".join(f"{k} {v:.0f} s" for k, v in wall.items()) or "-") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=3, help="timed steps of each part (after one warm-up)")
    p.add_argument("--captions", type=int, default=2, help="captions per training batch (x 4 images)")
    p.add_argument("--parts", default="gen,train")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    parts = args.parts.split(",")
    m = machine()
    m["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/bench_paper_cost.py " + " ".join(sys.argv[1:])
    say(f"{m['cpu']}, {m['cores']} cores, {m['capability']}, threads {args.threads}, commit {m['commit']}")
    gen = tr = None
    wall: dict[str, float] = {}

    def write() -> None:
        OUT.write_text(table(m, gen, tr, command.strip(), args.threads, wall))

    if "gen" in parts:
        start = time.perf_counter()
        gen = measure_generation(args.steps)
        wall["generation"] = time.perf_counter() - start
        write()
    if "train" in parts:
        start = time.perf_counter()
        tr = measure_training(args.steps, args.captions)
        wall["training"] = time.perf_counter() - start
        write()
    say("")
    say(table(m, gen, tr, command.strip(), args.threads, wall))
    say(f"written: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
