"""torch.distributed for training: one process per rank under `torchrun`, gloo on CPU, nccl
on GPU. Without torchrun everything here is a no-op on a world of size 1.

    torchrun --nproc_per_node 2 -m synclr_lib train --profile smoke

Each rank takes a contiguous slice of the global batch (`synclr_lib.data.batches.shard`);
contrastive candidates are all-gathered (with gradient where they come from the student);
gradients are averaged over ranks after backward, which with the losses normalised as in
objectives.py gives exactly the single-process gradient of the global batch.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from ..config import ConfigError
from ..runtime import gather_with_grad


@dataclass
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: str = "cpu"
    owns_group: bool = False  # this process created the process group (and destroys it)

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup(device: str = "cpu", threads: int = 0) -> DistInfo:
    """Join the torchrun process group if WORLD_SIZE > 1; returns this process's place.

    On CPU with threads == 0 each rank gets cores // local ranks threads (no oversubscription).
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError("run.device=cuda but no CUDA device is available (use --set run.device=cpu)")
        torch.cuda.set_device(local_rank)
        device = f"cuda:{local_rank}"
    elif threads == 0 and world > 1:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // local_world))
    owns = False
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
        owns = True
    if dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
    return DistInfo(rank, world, local_rank, device, owns)


def teardown(info: DistInfo) -> None:
    if info.owns_group and dist.is_initialized():
        dist.destroy_process_group()


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def gather(x: torch.Tensor, with_grad: bool = False) -> torch.Tensor:
    """Concatenate x from every rank along dim 0 (rank order); differentiable if with_grad."""
    if not active():
        return x
    if with_grad:
        return gather_with_grad(x)
    parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts, 0)


def mean_over_ranks(x: torch.Tensor) -> torch.Tensor:
    """The mean of a (detached) tensor over ranks."""
    x = x.detach().clone()
    if active():
        dist.all_reduce(x)
        x /= dist.get_world_size()
    return x


def average_gradients(params) -> None:
    """Average .grad over ranks (one flat all-reduce)."""
    if not active():
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def barrier() -> None:
    if active():
        dist.barrier()
