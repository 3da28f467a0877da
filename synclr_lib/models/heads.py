"""Heads on the encoder's tokens (trained with it, discarded after training).

- ProjectionHead: the contrastive MLP (MoCo-v3 / StableRep style: 3 layers, hidden 4096 ->
  256 in the paper), with BatchNorm in its hidden layers (`norm="batch"`, MoCo v3's choice) or
  LayerNorm (`norm="layer"`, an option of the official code). With LayerNorm the mini encoder
  collapsed: every image mapped to one embedding, the loss stuck at ln(batch - 1)
  (benchmarks/results/study_encoder_proxy.md); centring and scaling each hidden feature over
  the batch keeps the images apart. (MoCo v3 also standardises the output; here that stopped
  the EMA-teacher runs from learning at all, so the output layer is a plain linear one.) The
  statistics are always those of the current *global* batch (gathered over torchrun ranks, so
  1 or N processes compute the same thing; no running averages: the head is discarded after
  training).
- DINOHead: iBOT's DINO-style head: a 3-layer GELU MLP to a bottleneck, l2-normalised, then
  cosine scores against K l2-normalised prototypes (DINO's weight-normalised last layer
  with the gain fixed to 1), so scores lie in [-1, 1] before the temperatures.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..runtime import gather_with_grad


NORMS = ("batch", "layer")  # train.proj_norm


class GlobalBatchNorm(nn.Module):
    """BatchNorm1d over the global batch (all torchrun ranks), always with batch statistics."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stats = gather_with_grad(x.float())
        mean, var = stats.mean(0), stats.var(0, unbiased=False)
        return ((x.float() - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias).to(x.dtype)


def _mlp(in_dim: int, hidden: int, out_dim: int, layers: int, norm: str | None) -> nn.Sequential:
    mods, d = [], in_dim
    for _ in range(layers - 1):
        norm_layer = {"batch": GlobalBatchNorm, "layer": nn.LayerNorm}[norm](hidden) if norm else None
        mods += [nn.Linear(d, hidden)] + ([norm_layer] if norm_layer is not None else []) + [nn.GELU()]
        d = hidden
    mods.append(nn.Linear(d, out_dim))
    return nn.Sequential(*mods)


class ProjectionHead(nn.Module):
    """MLP: in_dim -> hidden (BatchNorm or LayerNorm, GELU) x (layers - 1) -> out_dim."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int, layers: int = 3, norm: str = "batch"):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"unknown projection-head norm {norm!r}; valid: {', '.join(NORMS)}")
        self.mlp = _mlp(in_dim, hidden, out_dim, layers, norm=norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)


class DINOHead(nn.Module):
    """MLP to a bottleneck, then cosine scores against `prototypes` learned prototypes."""

    def __init__(self, in_dim: int, hidden: int, bottleneck: int, prototypes: int, layers: int = 3):
        super().__init__()
        self.mlp = _mlp(in_dim, hidden, bottleneck, layers, norm=None)
        self.prototypes = nn.Parameter(torch.empty(prototypes, bottleneck))
        nn.init.trunc_normal_(self.prototypes, std=0.02)
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = F.normalize(self.mlp(x).float(), dim=-1)
        return z @ F.normalize(self.prototypes.float(), dim=-1).T
