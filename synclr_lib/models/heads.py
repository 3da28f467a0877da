"""Heads on the encoder's tokens (trained with it, discarded after training).

- ProjectionHead: the contrastive MLP (MoCo-v3 / StableRep style: 3 layers, hidden 4096 ->
  256 in the paper). LayerNorm instead of BatchNorm (an option of the official code), so
  a sample's embedding never depends on which rank or batch it sits in.
- DINOHead: iBOT's DINO-style head: a 3-layer GELU MLP to a bottleneck, l2-normalised, then
  cosine scores against K l2-normalised prototypes (DINO's weight-normalised last layer
  with the gain fixed to 1), so scores lie in [-1, 1] before the temperatures.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _mlp(in_dim: int, hidden: int, out_dim: int, layers: int, norm: bool) -> nn.Sequential:
    mods, d = [], in_dim
    for _ in range(layers - 1):
        mods += [nn.Linear(d, hidden)] + ([nn.LayerNorm(hidden)] if norm else []) + [nn.GELU()]
        d = hidden
    mods.append(nn.Linear(d, out_dim))
    return nn.Sequential(*mods)


class ProjectionHead(nn.Module):
    """MLP: in_dim -> hidden (LayerNorm, GELU) x (layers - 1) -> out_dim."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int, layers: int = 3):
        super().__init__()
        self.mlp = _mlp(in_dim, hidden, out_dim, layers, norm=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)


class DINOHead(nn.Module):
    """MLP to a bottleneck, then cosine scores against `prototypes` learned prototypes."""

    def __init__(self, in_dim: int, hidden: int, bottleneck: int, prototypes: int, layers: int = 3):
        super().__init__()
        self.mlp = _mlp(in_dim, hidden, bottleneck, layers, norm=False)
        self.prototypes = nn.Parameter(torch.empty(prototypes, bottleneck))
        nn.init.trunc_normal_(self.prototypes, std=0.02)
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = F.normalize(self.mlp(x).float(), dim=-1)
        return z @ F.normalize(self.prototypes.float(), dim=-1).T
