"""The multi-positive contrastive loss of StableRep / SynCLR (paper Sec. 3.3, Eq. 1-3).

An anchor a is compared with candidates b_1..b_M (all l2-normalised, temperature tau):

    q_j = exp(a.b_j / tau) / sum_k exp(a.b_k / tau)        the model's distribution
    p_j = match(a, b_j) / sum_k match(a, b_k)              uniform over the positives
    L(a) = H(p, q) = - sum_j p_j log q_j

`match` means "drawn from the same caption" (equal caption ids). An optional boolean
`exclude[i, j]` removes candidate j from anchor i's distributions altogether (from both p and
q), e.g. the anchor's own view or the teacher's embedding of the same image.

With one image per caption and two views (each image's other view its only positive) this is
SimCLR's InfoNCE (NT-Xent); with one caption per class it is supervised contrastive.

Rule for an anchor with no positive (no candidate shares its id once `exclude` is applied):
it is left out of the mean (its p is undefined); if no anchor has a positive, `ValueError`.

    loss = multi_positive_loss(student_emb, teacher_emb, caption_ids, caption_ids, 0.1,
                               exclude=same_image)

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _check(anchors, candidates, anchor_ids, candidate_ids, temperature, exclude):
    if anchors.ndim != 2 or candidates.ndim != 2 or anchors.shape[1] != candidates.shape[1]:
        raise ValueError(f"anchors [N, D] and candidates [M, D] must share D, got "
                         f"{tuple(anchors.shape)} and {tuple(candidates.shape)}")
    if anchor_ids.shape != (anchors.shape[0],) or candidate_ids.shape != (candidates.shape[0],):
        raise ValueError(f"ids must be [N] and [M]: got {tuple(anchor_ids.shape)} for {anchors.shape[0]} anchors "
                         f"and {tuple(candidate_ids.shape)} for {candidates.shape[0]} candidates")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if exclude is not None and exclude.shape != (anchors.shape[0], candidates.shape[0]):
        raise ValueError(f"exclude must be [N, M] = {(anchors.shape[0], candidates.shape[0])}, "
                         f"got {tuple(exclude.shape)}")


def multi_positive_targets(anchor_ids: torch.Tensor, candidate_ids: torch.Tensor,
                           exclude: torch.Tensor | None = None) -> torch.Tensor:
    """p: [N, M], row i uniform over the candidates matching anchor i (rows without one are 0)."""
    match = anchor_ids.view(-1, 1) == candidate_ids.view(1, -1)
    if exclude is not None:
        match = match & ~exclude
    match = match.float()
    return match / match.sum(1, keepdim=True).clamp(min=1.0)


def multi_positive_loss(anchors: torch.Tensor, candidates: torch.Tensor, anchor_ids: torch.Tensor,
                        candidate_ids: torch.Tensor, temperature: float,
                        exclude: torch.Tensor | None = None) -> torch.Tensor:
    """Mean over anchors (with at least one positive) of H(p, q); see the module docstring.

    anchors [N, D], candidates [M, D] (normalised here; computed in float32 even under
    autocast), anchor_ids [N] and candidate_ids [M] integer caption ids, temperature tau > 0,
    exclude optional bool [N, M]. Returns a scalar tensor.
    """
    _check(anchors, candidates, anchor_ids, candidate_ids, temperature, exclude)
    a = F.normalize(anchors.float(), dim=1)
    b = F.normalize(candidates.float(), dim=1)
    logits = a @ b.T / temperature
    p = multi_positive_targets(anchor_ids, candidate_ids, exclude)
    has_positive = p.sum(1) > 0
    if not bool(has_positive.any()):
        raise ValueError("no anchor has a positive candidate (no candidate shares its id once "
                         "`exclude` is applied): each caption needs at least 2 images/views in the batch")
    if exclude is not None:
        logits = logits.masked_fill(exclude, float("-inf"))
        # a row with every candidate excluded has no positive and is dropped below; give it
        # finite logits so that no NaN reaches the gradient
        logits = logits.masked_fill(exclude.all(1, keepdim=True), 0.0)
    log_q = F.log_softmax(logits, dim=1)
    per_anchor = -torch.where(p > 0, p * log_q, torch.zeros_like(log_q)).sum(1)
    return per_anchor[has_positive].mean()
