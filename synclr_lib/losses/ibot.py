"""iBOT's masked patch loss with Sinkhorn-Knopp teacher targets (SynCLR Sec. 3.3; iBOT,
DINOv2).

The teacher sees the unmasked global crop; its patch tokens at the positions the student
had masked go through the teacher's DINO-style head, giving scores over K prototypes.
Sinkhorn-Knopp (3 iterations, temperature 0.04 -> 0.07) turns them into soft assignments
that use every prototype equally over the batch (this replaces DINO's centering and
prevents collapse). The student predicts them from its masked input:

    L_iBOT = mean over masked crops of  mean over its masked patches of
             - sum_k t_k log softmax(s / student_temp)_k

    targets = sinkhorn_knopp(teacher_scores, teacher_temp=0.04)
    loss = ibot_patch_loss(student_scores, targets, crop_of_patch, n_crops)

Under torch.distributed the Sinkhorn sums are all-reduced (the prototypes are balanced over
the global batch), as in the official code.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F


def _all_reduce(t: torch.Tensor, op=dist.ReduceOp.SUM) -> torch.Tensor:
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(t, op=op)
    return t


@torch.no_grad()
def sinkhorn_knopp(scores: torch.Tensor, teacher_temp: float, n_iterations: int = 3) -> torch.Tensor:
    """Soft assignments [B, K] (rows sum to 1) of B samples to K prototypes.

    scores [B, K] are the teacher head's outputs. With Q = exp(scores / T)^T [K, B], each
    iteration rescales prototypes (rows of Q) to equal total mass 1/K, then samples (columns)
    to 1/B, as in the official code. Q stays diag(a) E^T diag(c) throughout, so only the
    scale vectors a [K] and c [B] are updated (two matrix-vector products per iteration)
    and the matrix is written once at the end: about 2x faster than rescaling Q in place, with
    the same result (tests/losses/test_ibot.py checks it against the in-place reference).
    """
    e = scores.float()
    top = _all_reduce(e.max().clone(), dist.ReduceOp.MAX)  # one shift for every rank
    e = (e - top).div_(teacher_temp).exp_()  # [B, K]; the shift cancels in the rescaling
    n_samples = _all_reduce(torch.tensor(float(e.shape[0]), device=e.device))
    n_protos = e.shape[1]
    c = torch.ones(e.shape[0], dtype=e.dtype, device=e.device)
    for _ in range(n_iterations):
        # prototype k's mass is a_k * sum_b E_bk c_b over the global batch: make it 1/K
        a = 1.0 / (_all_reduce(e.T @ c) * n_protos)
        # sample b's mass is c_b * sum_k E_bk a_k: make it 1/B
        c = 1.0 / ((e @ a) * n_samples)
    return e.mul_(a).mul_((c * n_samples).unsqueeze(1))  # rows of Q^T, each summing to 1


def ibot_patch_loss(student_scores: torch.Tensor, teacher_targets: torch.Tensor,
                    crop_index: torch.Tensor, n_crops: int, student_temp: float = 0.1) -> torch.Tensor:
    """Cross-entropy of the student's masked-patch predictions with the teacher's targets.

    student_scores [P, K] and teacher_targets [P, K] for P masked patches; crop_index [P] says
    which masked crop (0..n_crops-1) each patch belongs to. Every masked crop weighs the same:
    the per-patch losses are averaged within a crop, then summed and divided by `n_crops`
    (pass the global number of masked crops under torch.distributed).
    """
    if student_scores.shape != teacher_targets.shape or student_scores.ndim != 2:
        raise ValueError(f"student and teacher scores must both be [P, K], got "
                         f"{tuple(student_scores.shape)} and {tuple(teacher_targets.shape)}")
    per_patch = -(teacher_targets * F.log_softmax(student_scores.float() / student_temp, dim=-1)).sum(-1)
    counts = torch.bincount(crop_index, minlength=n_crops).clamp(min=1).float()
    return (per_patch / counts[crop_index]).sum() / max(n_crops, 1)
