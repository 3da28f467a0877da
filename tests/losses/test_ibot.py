"""Sinkhorn-Knopp and the iBOT patch loss against plain references."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from synclr_lib.losses import ibot_patch_loss, sinkhorn_knopp


def sinkhorn_reference(scores, temp, iters=3):
    """The SwAV / DINOv2 algorithm in numpy, written out step by step."""
    q = np.exp(scores.astype(np.float64) / temp).T  # K x B
    k, b = q.shape
    q /= q.sum()
    for _ in range(iters):
        q /= q.sum(axis=1, keepdims=True)
        q /= k
        q /= q.sum(axis=0, keepdims=True)
        q /= b
    return (q * b).T


@pytest.mark.parametrize("b, k, temp", [(10, 4, 0.04), (32, 16, 0.07), (7, 50, 0.1)])
def test_sinkhorn_matches_reference(b, k, temp):
    scores = torch.rand(b, k, generator=torch.Generator().manual_seed(b)) * 2 - 1
    got = sinkhorn_knopp(scores, temp).double().numpy()
    np.testing.assert_allclose(got, sinkhorn_reference(scores.numpy(), temp), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(got.sum(1), 1.0, rtol=1e-5)  # each sample is an assignment


def test_sinkhorn_balances_prototypes():
    # all samples prefer prototype 0; the targets spread them over the prototypes anyway
    scores = torch.zeros(64, 8)
    scores[:, 0] = 1.0
    scores += 0.01 * torch.randn(64, 8, generator=torch.Generator().manual_seed(0))
    q = sinkhorn_knopp(scores, 0.04, n_iterations=20)
    assert q.sum(0).max() / q.sum(0).min() < 1.1
    plain = F.softmax(scores / 0.04, 1)
    assert plain.sum(0)[0] > 60  # what a plain softmax would have done: collapse


def test_ibot_patch_loss_reference():
    g = torch.Generator().manual_seed(3)
    s, t = torch.randn(7, 5, generator=g), F.softmax(torch.randn(7, 5, generator=g), 1)
    crop = torch.tensor([0, 0, 0, 1, 2, 2, 2])
    got = ibot_patch_loss(s, t, crop, n_crops=3, student_temp=0.1)
    per_patch = [-(t[i] * F.log_softmax(s[i] / 0.1, 0)).sum() for i in range(7)]
    per_crop = [np.mean([float(per_patch[i]) for i in range(7) if crop[i] == c]) for c in range(3)]
    assert got.item() == pytest.approx(np.mean(per_crop), rel=1e-5)


def test_ibot_patch_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        ibot_patch_loss(torch.randn(3, 4), torch.randn(3, 5), torch.zeros(3, dtype=torch.long), 1)
