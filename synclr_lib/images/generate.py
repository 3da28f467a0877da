"""Generation: K images per caption with g2, written as resumable shards of whole captions.

    python -m synclr_lib images --profile mini              # the whole "images" stage
    python -m synclr_lib.images --profile mini --shard 0 --num-shards 2   # one part of it
    ds = load_images(cfg)                                    # SyntheticImages (shards.py)

Image j of caption i starts from noise seeded by `image_seed(base, i, j)` (pipeline.py) and is
denoised in batches of whole captions, so a shard's bytes depend only on its captions, never
on which process, batch or run produced it. The dataset directory is filled shard by shard
(each finished atomically, see shards.py); a killed run resumes by skipping finished shards,
and index.json is written only when every shard is there. `num_workers` processes with one
torch thread each split the shards (shard s goes to worker s mod N, as `--shard k --num-shards N`).

Introduced in notebooks/03_images_cfg.py; read by training (notebooks/04_training.py).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue as queue_mod
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from ..progress import tqdm

from ..runtime import bf16_enabled
from ..stages import stage
from .pipeline import (G2Error, check_guidance, decode_latents, initial_latents, latent_shape, load_pipeline,
                       sample_latents)
from .shards import (ShardError, load_synthetic_images, shard_is_complete, shard_ranges, verify_image_dirs,
                     write_captions, write_index, write_shard)

SETTINGS_FILE = "generation.json"


@dataclass(frozen=True)
class GenerationSettings:
    """Everything an image's bytes depend on (plus batch_size/device, which they do not).

    Batch size: with the mini g2 on CPU, batches of 64, 128 and 256 images gave identical
    bytes; 32 differed in 0.016 % of the bytes, by one level (bf16 kernels pick another
    blocking for small batches). Keep batches of 64 or more for byte-identical reruns."""
    images_per_caption: int = 4  # K images per caption, different seeds
    cfg_scale: float = 2.5  # classifier-free guidance scale (1 = none)
    steps: int = 10  # DPM-Solver++ steps (mini default, config.ImageConfig)
    base_seed: int = 0  # image (i, j) uses image_seed(base_seed, i, j)
    image_size: int = 32  # stored side (antialiased resize when g2 draws larger)
    captions_per_shard: int = 256  # whole captions per shard
    bf16: bool = True  # UNet under bf16 autocast (CPU)
    batch_size: int = 256  # images per denoising call (rounded down to whole captions)
    device: str = "cpu"

    def check(self) -> "GenerationSettings":
        if self.images_per_caption < 1:
            raise G2Error(f"images_per_caption must be >= 1, got {self.images_per_caption}")
        check_guidance(self.cfg_scale)
        if self.steps < 1:
            raise G2Error(f"steps must be >= 1, got {self.steps}")
        if self.captions_per_shard < 1 or self.batch_size < 1:
            raise G2Error("captions_per_shard and batch_size must be >= 1")
        return self

    def content_key(self) -> dict:
        """The settings that determine the bytes (batch size and device do not)."""
        d = asdict(self)
        d.pop("batch_size")
        d.pop("device")
        return d


def settings_from_config(cfg, **changes) -> GenerationSettings:
    im = cfg.images
    settings = GenerationSettings(images_per_caption=im.images_per_caption, cfg_scale=im.cfg_scale,
                                  steps=im.steps, base_seed=cfg.run.seed, image_size=cfg.world.image_size,
                                  captions_per_shard=max(1, im.shard_size // max(1, im.images_per_caption)),
                                  bf16=bf16_enabled(cfg), batch_size=im.batch_size, device=cfg.run.device)
    return GenerationSettings(**{**asdict(settings), **changes}).check()


def caption_texts(rows: list[dict]) -> list[str]:
    """The caption strings of caption rows; one clear error for an empty or malformed list."""
    if not rows:
        raise G2Error("the caption file is empty: nothing to generate")
    texts = []
    for i, row in enumerate(rows):
        text = row.get("caption") if isinstance(row, dict) else None
        if not isinstance(text, str):
            raise G2Error(f"caption row {i} has no 'caption' string: {row!r}")
        texts.append(text)
    return texts


# --------------------------------------------------------------------------------------
# Drawing images
# --------------------------------------------------------------------------------------
def generate_for_captions(pipe, captions: list[str], caption_ids, settings: GenerationSettings,
                          progress=None) -> np.ndarray:
    """uint8 [len(captions), K, S, S, 3]: K images per caption, in batches of whole captions."""
    settings.check()
    K = settings.images_per_caption
    per_batch = max(1, settings.batch_size // K)
    shape = latent_shape(pipe)
    out = []
    for b in range(0, len(captions), per_batch):
        ids = list(caption_ids[b:b + per_batch])
        noise = initial_latents(settings.base_seed, np.repeat(ids, K), np.tile(np.arange(K), len(ids)), shape)
        clean = sample_latents(pipe, captions[b:b + per_batch], noise, cfg_scale=settings.cfg_scale,
                               steps=settings.steps, images_per_caption=K, bf16=settings.bf16)
        images = decode_latents(pipe, clean, settings.image_size)
        out.append(images.reshape(len(ids), K, *images.shape[1:]))
        if progress is not None:
            progress(len(ids) * K)
    return np.concatenate(out)


def _prepare_root(root: Path, rows: list[dict], settings: GenerationSettings, model_dir: Path) -> None:
    """captions.jsonl and generation.json; refuses to mix settings inside one directory."""
    root.mkdir(parents=True, exist_ok=True)
    record = {"settings": settings.content_key(), "model": str(model_dir), "num_captions": len(rows)}
    path = root / SETTINGS_FILE
    if path.is_file():
        old = json.loads(path.read_text())
        if old["settings"] != record["settings"] or old["num_captions"] != record["num_captions"]:
            raise G2Error(f"{root} holds images drawn with other settings ({old}); use a new directory")
    else:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(record, indent=2))
        tmp.replace(path)
    write_captions(root, rows)


def missing_shards(root: Path, num_captions: int, captions_per_shard: int) -> list[int]:
    return [k for k in range(len(shard_ranges(num_captions, captions_per_shard)))
            if not shard_is_complete(Path(root) / "shards", k)]


def generate_part(pipe, root: Path, rows: list[dict], settings: GenerationSettings, *, shard: int = 0,
                  num_shards: int = 1, progress=None) -> list[int]:
    """Draw the unfinished shards s with s % num_shards == shard into root/shards; returns them.

    Finished shards are skipped, so calling it again after a kill resumes where it stopped."""
    if not 0 <= shard < num_shards:
        raise G2Error(f"--shard must be in [0, {num_shards}), got {shard}")
    texts = caption_texts(rows)
    done = []
    for k, (start, stop) in enumerate(shard_ranges(len(texts), settings.captions_per_shard)):
        if k % num_shards != shard:
            continue
        if shard_is_complete(root / "shards", k):
            continue
        images = generate_for_captions(pipe, texts[start:stop], list(range(start, stop)), settings, progress)
        write_shard(root / "shards", k, start, images)
        done.append(k)
    return done


def finish_dataset(root: Path, num_captions: int, settings: GenerationSettings, extra: dict | None = None) -> Path:
    """Write index.json once every shard is finished (else a ShardError naming the missing)."""
    missing = missing_shards(root, num_captions, settings.captions_per_shard)
    if missing:
        raise ShardError(f"{root}: shards {missing} are not finished yet; run the missing parts")
    return write_index(root, num_captions=num_captions, images_per_caption=settings.images_per_caption,
                       image_size=settings.image_size, captions_per_shard=settings.captions_per_shard,
                       extra={"generation": settings.content_key(), **(extra or {})})


def _worker(model_dir: str, root: str, rows: list[dict], settings: dict, shard: int, num_shards: int, q,
            parent_pid: int) -> None:
    """One generation process: one torch thread, its share of the shards; it exits with its parent."""
    import synclr_lib  # noqa: F401  (offline HF before any HF import)
    from ..runtime import die_with_parent

    die_with_parent(parent_pid)
    torch.set_num_threads(1)
    s = GenerationSettings(**settings)
    pipe = load_pipeline(model_dir, s.device)
    generate_part(pipe, Path(root), rows, s, shard=shard, num_shards=num_shards, progress=q.put)


def generate_dataset(root: Path, rows: list[dict], model_dir: Path, settings: GenerationSettings, *,
                     num_workers: int = 1, pipe=None, desc: str = "images") -> Path:
    """Fill `root` with the whole dataset (resuming whatever is finished) and index it.

    num_workers > 1 starts that many processes (spawned, one thread each); otherwise the
    shards are drawn here with `pipe` (loaded from model_dir when not given)."""
    root = Path(root)
    settings.check()
    caption_texts(rows)
    model_dir = Path(model_dir)
    _prepare_root(root, rows, settings, model_dir)
    todo = missing_shards(root, len(rows), settings.captions_per_shard)
    ranges = shard_ranges(len(rows), settings.captions_per_shard)
    total = sum((ranges[k][1] - ranges[k][0]) * settings.images_per_caption for k in todo)
    with tqdm(total=total, desc=f"g2: {desc}", unit="img", disable=total == 0, mininterval=2) as bar:
        if total and num_workers > 1:
            _run_workers(root, rows, model_dir, settings, num_workers, bar)
        elif total:
            pipe = pipe if pipe is not None else load_pipeline(model_dir, settings.device)
            generate_part(pipe, root, rows, settings, progress=bar.update)
    return finish_dataset(root, len(rows), settings, {"model": str(model_dir)})


def _run_workers(root, rows, model_dir, settings, num_workers, bar) -> None:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(model_dir), str(root), rows, asdict(settings), k, num_workers, q,
                                               os.getpid()), daemon=True) for k in range(num_workers)]
    for p in procs:
        p.start()
    try:
        while any(p.is_alive() for p in procs) or not q.empty():
            try:
                bar.update(q.get(timeout=0.5))
            except queue_mod.Empty:
                pass
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    failed = [k for k, p in enumerate(procs) if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"generation workers {failed} failed (exit codes "
                           f"{[procs[k].exitcode for k in failed]}); finished shards are kept, rerun to resume")


# --------------------------------------------------------------------------------------
# The cached stage
# --------------------------------------------------------------------------------------
def _images_payload(cfg) -> dict:
    return {"generation": settings_from_config(cfg).content_key()}


def _images_requires(cfg) -> dict:
    from ..stages import Upstream
    from .pipeline import g2_input

    return {"captions": Upstream("captions", cfg), "g2": g2_input(cfg)}


@stage("images", payload=_images_payload, requires=_images_requires, resumable=True, verify=verify_image_dirs)
def build_images(cfg, out: Path, inputs: dict) -> dict:
    """K images per caption with g2 (sharded, resumable; see this module's docstring)."""
    import time

    from ..captions import read_captions

    rows = read_captions(inputs["captions"])
    settings = settings_from_config(cfg)
    start = time.time()
    resumed = (len(shard_ranges(len(rows), settings.captions_per_shard))
               - len(missing_shards(out, len(rows), settings.captions_per_shard)))
    generate_dataset(out, rows, inputs["g2"], settings, num_workers=cfg.images.num_workers)
    return {"images": len(rows) * settings.images_per_caption, "captions": len(rows),
            "generation_s": round(time.time() - start, 1), "shards_found_finished": resumed,
            "num_workers": cfg.images.num_workers}


def images_work_dir(cfg) -> Path:
    """The stable work directory of the images stage (where `--shard k` parts write)."""
    from ..cache import partial_path
    from ..stages import artifact_path

    return partial_path(artifact_path("images", cfg))


def generate_shard_part(cfg, shard: int, num_shards: int) -> list[int]:
    """`--shard k --num-shards N`: draw this part of the images stage into its work dir.

    Run the N parts anywhere (one per process or machine sharing the directory), then
    `run_stage("images", cfg)` finds every shard finished and only writes the index."""
    from ..captions import load_captions
    from .pipeline import g2_model_dir

    rows = load_captions(cfg)
    model_dir = g2_model_dir(cfg)
    settings = settings_from_config(cfg)
    root = images_work_dir(cfg)
    _prepare_root(root, rows, settings, model_dir)
    pipe = load_pipeline(model_dir, settings.device)
    ranges = shard_ranges(len(rows), settings.captions_per_shard)
    mine = [k for k in range(len(ranges)) if k % num_shards == shard]
    total = sum((ranges[k][1] - ranges[k][0]) * settings.images_per_caption for k in mine
                if not shard_is_complete(root / "shards", k))
    with tqdm(total=total, desc=f"g2: images part {shard}/{num_shards}", unit="img") as bar:
        return generate_part(pipe, root, rows, settings, shard=shard, num_shards=num_shards, progress=bar.update)


def load_images(cfg):
    """The synthetic image dataset of this config (SyntheticImages), generating it if needed."""
    from ..stages import run_stage

    return load_synthetic_images(run_stage("images", cfg))
