"""The paper's ImageNet protocol (Sec. 4): a linear classifier trained by SGD on frozen features,
with a grid of learning rates trained as parallel heads in ONE pass.

All heads see the same mini-batches: the logits of every head come from one batched matmul
`[H, B, D] x [H, D, C]`, the loss is the sum of the heads' cross-entropies (so each head gets
exactly its own gradient), and SGD with momentum 0.9, no weight decay and a cosine schedule
updates head h with its own learning rate lr_h. An optional non-affine BatchNorm (no
parameters, shared by all heads) normalises the features first, as in MAE / SynCLR. The head
with the best validation score is reported on test.

    from synclr_lib.evaluate.linear import linear_probe
    result = linear_probe(X_train, y_train, X_test, y_test, lrs=(0.01, 0.1, 1.0), epochs=90)
    result.score, result.hparam, result.val_curve

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from . import metrics
from .logistic import ProbeResult, probe_splits
from ..runtime import generator


class ParallelLinearHeads(torch.nn.Module):
    """H independent linear classifiers over the same (optionally batch-normalised) features."""

    def __init__(self, n_heads: int, dim: int, n_classes: int, batchnorm: bool = True, seed: int = 0):
        super().__init__()
        g = generator(seed)
        # nn.Linear's default init (uniform +-1/sqrt(dim)), one weight matrix per head
        bound = 1.0 / math.sqrt(dim)
        self.weight = torch.nn.Parameter((torch.rand(n_heads, dim, n_classes, generator=g) * 2 - 1) * bound)
        self.bias = torch.nn.Parameter(torch.zeros(n_heads, 1, n_classes))
        self.norm = torch.nn.BatchNorm1d(dim, affine=False) if batchnorm else torch.nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, D] -> logits [H, B, C] (one batched matmul for all heads)."""
        x = self.norm(x)
        return torch.baddbmm(self.bias, x.unsqueeze(0).expand(self.weight.shape[0], -1, -1), self.weight)


def train_parallel_heads(X, y, n_classes: int, lrs, *, epochs: int = 90, batch_size: int = 1024,
                         momentum: float = 0.9, batchnorm: bool = True, seed: int = 0,
                         progress: bool = False) -> ParallelLinearHeads:
    """SGD (momentum, no weight decay, cosine lr per step) of len(lrs) heads in one pass."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    y = torch.as_tensor(np.asarray(y, dtype=np.int64))
    heads = ParallelLinearHeads(len(lrs), X.shape[1], n_classes, batchnorm, seed)
    lrs = torch.tensor([float(v) for v in lrs]).view(-1, 1, 1)
    velocity = [torch.zeros_like(p) for p in heads.parameters()]
    steps_per_epoch = max(1, math.ceil(len(X) / batch_size))
    total = epochs * steps_per_epoch
    g = generator(seed + 1)
    step = 0
    heads.train()
    iterator = range(epochs)
    if progress:
        from ..progress import tqdm
        iterator = tqdm(iterator, desc="linear probe", leave=False)
    for _ in iterator:
        order = torch.randperm(len(X), generator=g)
        for b in range(steps_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            if len(idx) < 2 and batchnorm:  # BatchNorm needs two rows; drop a last batch of one
                continue
            logits = heads(X[idx])  # [H, B, C]
            # sum over heads of each head's mean cross-entropy: head h's gradient is its own
            loss = F.cross_entropy(logits.flatten(0, 1), y[idx].repeat(logits.shape[0]),
                                   reduction="sum") / len(idx)
            grads = torch.autograd.grad(loss, list(heads.parameters()))
            scale = 0.5 * (1 + math.cos(math.pi * step / total))  # cosine to 0
            with torch.no_grad():
                for p, v, gr in zip(heads.parameters(), velocity, grads):
                    v.mul_(momentum).add_(gr)  # torch.optim.SGD's momentum (dampening 0)
                    p.sub_(lrs * scale * v)
            step += 1
    heads.eval()
    return heads


@torch.no_grad()
def head_logits(heads: ParallelLinearHeads, X) -> np.ndarray:
    """[H, N, C] logits of every head (BatchNorm in eval mode: running statistics)."""
    heads.eval()
    return heads(torch.as_tensor(np.asarray(X, dtype=np.float32))).numpy()


def linear_probe(X_train, y_train, X_test, y_test, metric: str = "top1", X_val=None, y_val=None,
                 lrs=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0), epochs: int = 90, batch_size: int = 1024,
                 batchnorm: bool = True, *, val_fraction: float = 0.2, seed: int = 0,
                 progress: bool = False) -> ProbeResult:
    """Train one head per learning rate in one pass; report the best-on-val head on test.

    Without a validation split, `val_fraction` of train is held out (stratified, seeded) and
    the heads are trained on the rest. Returns a `ProbeResult` (`.hparam` like "lr=0.3",
    `.val_curve` lr -> val score, `.extra["test_by_lr"]`).
    """
    start = time.time()
    if metric not in ("top1", "mean_per_class"):
        raise ValueError(f"linear_probe supports metrics top1 and mean_per_class, got {metric!r}")
    if not len(lrs):
        raise ValueError("linear_probe needs at least one learning rate")
    X_fit, y_fit, X_val, y_val, X_test, y_test = probe_splits(
        X_train, y_train, X_val, y_val, X_test, y_test, metric, val_fraction, seed)
    n_classes = int(max(y_fit.max(), y_val.max(), y_test.max())) + 1
    heads = train_parallel_heads(X_fit, y_fit, n_classes, lrs, epochs=epochs, batch_size=batch_size,
                                 batchnorm=batchnorm, seed=seed, progress=progress)
    val_pred = head_logits(heads, X_val).argmax(-1)
    test_pred = head_logits(heads, X_test).argmax(-1)
    val_scores = [metrics.score(metric, y_val, p) for p in val_pred]
    test_scores = [metrics.score(metric, y_test, p) for p in test_pred]
    best = int(np.argmax(val_scores))
    curve = pd.DataFrame({"lr": [float(v) for v in lrs], f"val_{metric}": val_scores})
    return ProbeResult(score=test_scores[best], metric=metric, hparam=f"lr={lrs[best]:g}",
                       val_curve=curve, n_train=len(X_fit), n_test=len(X_test),
                       seconds=time.time() - start,
                       extra={"best_head": best, "lr": float(lrs[best]), "test_by_lr": test_scores})
