"""The training loop: AdamW with cosine schedules, bf16 autocast, EMA, atomic checkpoints,
exact resume, torch.distributed, and the outputs of the train stage.

    from synclr_lib.train import train, load_train_data
    info = train(cfg, load_train_data(cfg), out_dir)   # usually via run_stage("train", cfg)

Writes into out_dir: `encoder/` (transformers save_pretrained; `AutoModel.from_pretrained`
loads it), `curves.csv` (loss terms and schedules every `train.log_every` steps),
`config.json` (the resolved config) and `checkpoint.pt`. The checkpoint is rewritten
atomically every `run.checkpoint_every` steps and at the end; a killed run started again
on the same directory resumes from it and, since every random draw depends only on (seed,
step), reaches the same final weights as an uninterrupted run (CPU, same thread count).

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import json
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch

from ..config import ConfigError, train_seed
from ..atomic import atomic_write
from ..data.batches import CaptionBatches, ImageBatches, shard
from ..pixels import to_tensor
from ..runtime import bf16_enabled
from . import distributed, schedules
from .objectives import Objective, Schedules, StepBatch, check_config, step_seed

CHECKPOINT = "checkpoint.pt"
CURVES = "curves.csv"

# bump when the step's numerics change without a config change, so cached runs are redone
# (2: fused AdamW, Sinkhorn-Knopp by scale vectors)
LOOP_VERSION = 2


def checkpoint_key(cfg) -> dict:
    """What a run's result depends on: a checkpoint must agree with it to be resumed, and it
    is the train stage's own cache key. The whole `train` section, with its seed resolved
    (-1 means run.seed, so both spellings of one seed key alike)."""
    from ..cache import path_key

    train = {**cfg.section("train"), "seed": train_seed(cfg)}
    if train.get("data_dir"):  # keyed by place in artifacts/ or content, so a moved folder matches
        train["data_dir"] = path_key(train["data_dir"])
    return {"train": train, "bf16": bf16_enabled(cfg), "loop_version": LOOP_VERSION}


def save_checkpoint(path: Path, objective, optimizer, step: int, history: list, cfg) -> None:
    state = {"step": step, "model": objective.state_dict(), "optimizer": optimizer.state_dict(),
             "history": history, "key": checkpoint_key(cfg)}
    atomic_write(path, lambda p: torch.save(state, p))


def load_checkpoint(path: Path, cfg) -> dict | None:
    if not path.is_file():
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    if json.dumps(state.get("key"), sort_keys=True, default=list) != json.dumps(checkpoint_key(cfg), sort_keys=True, default=list):
        raise ConfigError(f"{path} was written by a different training config; delete it or use another directory")
    return state


def param_groups(objective, weight_decay: float):
    """AdamW groups: weights decay; biases, norms, tokens and position embeddings do not."""
    decay, no_decay = [], []
    for name, p in objective.named_parameters():
        if not p.requires_grad or name.startswith("teacher."):
            continue
        skip = p.ndim < 2 or any(k in name for k in ("cls_token", "position_embeddings", "mask_token", "log_scale"))
        (no_decay if skip else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def make_sampler(cfg, data, world_size: int):
    t = cfg.train
    if t.method in ("synclr",) or (t.method == "clip" and data.source != "web"):
        if t.captions_per_batch % world_size:
            raise ConfigError(f"train.captions_per_batch={t.captions_per_batch} must divide over {world_size} processes")
        groups = data.group_keys(t.group_by) if t.group_by else None
        batches = CaptionBatches(data.image_ids_by_caption, t.captions_per_batch, t.images_per_caption,
                                 train_seed(cfg), groups=groups, per_group=t.captions_per_group)
        return lambda step: batches(step)
    # image batches: as many images per step as P x K (SimCLR: half as many, two views each)
    n = t.captions_per_batch * t.images_per_caption // (2 if t.method == "simclr" else 1)
    batches = ImageBatches(len(data.images), n, train_seed(cfg))

    def sample(step):
        idx = batches(step)
        ids = idx if t.method == "simclr" else data.caption_of_image[idx]
        return idx, ids
    return sample


def write_curves(path: Path, history: list) -> None:
    import pandas as pd

    atomic_write(path, lambda p: pd.DataFrame(history).to_csv(p, index=False))


def make_batch(cfg, objective, sampler, images: torch.Tensor, step: int, info) -> StepBatch:
    """This rank's slice of step `step`'s global batch (pixels, ids, labels, draw seed)."""
    idx, ids = sampler(step)
    sl = shard(len(idx), info.rank, info.world_size)
    local_idx = torch.as_tensor(idx[sl])
    device = torch.device(info.device)
    labels = objective.concept_of_image[local_idx].to(device) if cfg.train.method == "supce" else None
    return StepBatch(pixels=to_tensor(images[local_idx]).to(device), ids=torch.as_tensor(ids[sl]).to(device),
                     labels=labels, start=sl.start, n_global=len(idx), seed=step_seed(train_seed(cfg), step))


def training_step(objective, optimizer, params, batch: StepBatch, step: int, t, bf16: bool):
    """One optimisation step: schedules, loss, backward, gradient averaging over ranks,
    clipping, AdamW, EMA. Returns (loss, loss terms, grad norm, schedules, EMA momentum)."""
    lr, wd = schedules.learning_rate(step, t), schedules.weight_decay(step, t)
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.param_groups[0]["weight_decay"] = wd
    sched = Schedules(teacher_temp=schedules.teacher_temperature(step, t))
    device_type = batch.pixels.device.type
    with torch.autocast(device_type, dtype=torch.bfloat16) if bf16 else nullcontext():
        loss, parts = objective(batch, sched)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    distributed.average_gradients(params)
    grad_norm = torch.nn.utils.clip_grad_norm_(params, t.grad_clip if t.grad_clip > 0 else float("inf"))
    optimizer.step()
    momentum = schedules.ema_momentum(step, t)
    objective.update_teacher(momentum)
    return loss, parts, grad_norm, sched, momentum


def build(cfg, data, info):
    """(objective, optimizer, student parameters, sampler) for a run."""
    objective = Objective(cfg, data).to(torch.device(info.device))
    params = objective.student_parameters()
    # fused: one kernel per parameter group instead of several foreach passes (the optimizer
    # step alone: 3.2x faster on CPU in a micro-benchmark; the whole training step ~2 %)
    optimizer = torch.optim.AdamW(param_groups(objective, cfg.train.weight_decay), lr=cfg.train.lr,
                                  betas=(0.9, 0.999), fused=True)
    return objective, optimizer, params, make_sampler(cfg, data, info.world_size)


def train(cfg, data, out_dir, *, on_step=None, progress: bool = True) -> dict:
    """Train `cfg.train.method` on `data`, writing into out_dir (see module docstring).

    `on_step(step)` is called after every finished step (tests use it to interrupt a run).
    Returns a summary dict (steps, wall time, seconds per step, last losses).
    """
    from ..progress import tqdm

    from ..models import save_encoder

    t = cfg.train
    check_config(cfg, data)
    info = distributed.setup(cfg.run.device, cfg.run.threads)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    objective, optimizer, params, sampler = build(cfg, data, info)
    start_step, history, elapsed = 0, [], 0.0
    state = load_checkpoint(out_dir / CHECKPOINT, cfg)
    if state is not None:
        objective.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_step, history = state["step"], state["history"]
        elapsed = history[-1]["seconds"] if history else 0.0
    images = torch.from_numpy(np.ascontiguousarray(data.images))  # uint8, indexed per step
    objective.train()
    bar = tqdm(range(start_step, t.steps), initial=start_step, total=t.steps, desc=f"train {t.method}",
               disable=not (progress and info.is_main), mininterval=2, unit="step")
    window: dict[str, list] = {}
    last_time = time.time()
    for step in bar:
        lr, wd = schedules.learning_rate(step, t), schedules.weight_decay(step, t)
        loss, parts, grad_norm, sched, momentum = training_step(
            objective, optimizer, params, make_batch(cfg, objective, sampler, images, step, info), step, t,
            bf16_enabled(cfg))
        logged = {"loss": loss.detach().float(), **{k: v.float() for k, v in parts.items()}}
        for k, v in logged.items():
            window.setdefault(k, []).append(distributed.mean_over_ranks(v).item())
        if not np.isfinite(window["loss"][-1]):
            raise FloatingPointError(f"training diverged at step {step}: loss {window['loss'][-1]}")
        if (step + 1) % t.log_every == 0 or step + 1 == t.steps:
            now = time.time()
            elapsed += now - last_time
            last_time = now
            row = {"step": step + 1, **{k: float(np.mean(v)) for k, v in window.items()}, "lr": lr,
                   "weight_decay": wd, "grad_norm": float(grad_norm), "seconds": round(elapsed, 3)}
            if objective.teacher is not None:
                row["ema_momentum"] = momentum
            if "ibot" in objective.components:
                row["teacher_temp"] = sched.teacher_temp
            history.append(row)
            window = {}
            bar.set_postfix(loss=f"{row['loss']:.3f}")
        if (step + 1) % cfg.run.checkpoint_every == 0 or step + 1 == t.steps:
            if info.is_main:
                save_checkpoint(out_dir / CHECKPOINT, objective, optimizer, step + 1, history, cfg)
                write_curves(out_dir / CURVES, history)
            distributed.barrier()
        if on_step is not None:
            on_step(step)
    bar.close()
    if info.is_main:
        if state is not None and state["step"] >= t.steps:  # finished earlier: outputs may be missing
            write_curves(out_dir / CURVES, history)
        save_encoder(objective.encoder, out_dir / "encoder")
        (out_dir / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2, default=list))
    distributed.barrier()
    run_steps = t.steps - start_step
    summary = {"steps": t.steps, "resumed_from": start_step, "world_size": info.world_size,
               "wall_s": round(elapsed, 2), "s_per_step": round(elapsed / max(t.steps, 1), 4),
               "final": {k: v for k, v in (history[-1] if history else {}).items()},
               "threads": torch.get_num_threads(), "steps_this_run": run_steps}
    distributed.teardown(info)
    return summary
