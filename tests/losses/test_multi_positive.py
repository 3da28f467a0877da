"""multi_positive_loss against a plain loop-based reference (lightly style)."""
import math

import pytest
import torch
import torch.nn.functional as F

from synclr_lib.losses import multi_positive_loss


def reference_loss(anchors, candidates, anchor_ids, candidate_ids, tau, exclude=None):
    """Eq. 1-3 written out with python loops over anchors and candidates."""
    losses = []
    for i in range(len(anchors)):
        a = anchors[i] / anchors[i].norm()
        allowed = [j for j in range(len(candidates)) if exclude is None or not exclude[i][j]]
        positives = [j for j in allowed if int(anchor_ids[i]) == int(candidate_ids[j])]
        if not positives:
            continue  # documented rule: an anchor without a positive is left out of the mean
        sims = {j: float(a @ (candidates[j] / candidates[j].norm())) / tau for j in allowed}
        log_z = math.log(sum(math.exp(s) for s in sims.values()))
        losses.append(-sum((1.0 / len(positives)) * (sims[j] - log_z) for j in positives))
    return sum(losses) / len(losses)


@pytest.mark.parametrize("n_captions, per_caption, dim", [(3, 2, 4), (5, 4, 8), (8, 3, 16)])
@pytest.mark.parametrize("tau", [0.05, 0.1, 0.5, 1.0])
def test_matches_loop_reference_self_contrast(n_captions, per_caption, dim, tau):
    g = torch.Generator().manual_seed(n_captions * 100 + per_caption)
    z = torch.randn(n_captions * per_caption, dim, generator=g, dtype=torch.float64)
    ids = torch.arange(n_captions).repeat_interleave(per_caption)
    eye = torch.eye(len(z), dtype=torch.bool)
    got = multi_positive_loss(z, z, ids, ids, tau, exclude=eye)
    assert got.item() == pytest.approx(reference_loss(z, z, ids, ids, tau, eye), rel=1e-5)


@pytest.mark.parametrize("n_anchor, n_cand, n_ids", [(6, 10, 3), (12, 7, 4), (4, 20, 2)])
@pytest.mark.parametrize("tau", [0.07, 0.2])
def test_matches_loop_reference_anchor_candidate(n_anchor, n_cand, n_ids, tau):
    g = torch.Generator().manual_seed(n_anchor * 7 + n_cand)
    a = torch.randn(n_anchor, 5, generator=g, dtype=torch.float64)
    b = torch.randn(n_cand, 5, generator=g, dtype=torch.float64)
    a_ids = torch.randint(0, n_ids, (n_anchor,), generator=g)
    b_ids = torch.arange(n_cand) % n_ids
    exclude = torch.rand(n_anchor, n_cand, generator=g) < 0.2
    got = multi_positive_loss(a, b, a_ids, b_ids, tau, exclude=exclude)
    assert got.item() == pytest.approx(reference_loss(a, b, a_ids, b_ids, tau, exclude), rel=1e-5)


def nt_xent(z1, z2, tau):
    """SimCLR's NT-Xent written directly: 2N views, the other view is the one positive."""
    z = F.normalize(torch.cat([z1, z2]).double(), dim=1)
    n = len(z1)
    sim = z @ z.T / tau
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return F.cross_entropy(sim, target)


@pytest.mark.parametrize("n, tau", [(4, 0.1), (16, 0.5), (9, 0.07)])
def test_equals_simclr_info_nce_with_one_image_per_caption(n, tau):
    g = torch.Generator().manual_seed(n)
    z1, z2 = torch.randn(n, 8, generator=g), torch.randn(n, 8, generator=g)
    z = torch.cat([z1, z2])
    ids = torch.arange(n).repeat(2)  # each image its own "caption", two views
    got = multi_positive_loss(z, z, ids, ids, tau, exclude=torch.eye(2 * n, dtype=torch.bool))
    assert got.item() == pytest.approx(nt_xent(z1, z2, tau).item(), rel=1e-5)


def test_gradients_match_reference_autograd():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(8, 6, generator=g, dtype=torch.float64, requires_grad=True)
    ids = torch.arange(4).repeat_interleave(2)
    eye = torch.eye(8, dtype=torch.bool)
    multi_positive_loss(z, z, ids, ids, 0.1, exclude=eye).backward()
    ours = z.grad.clone()
    z.grad = None
    zn = F.normalize(z, dim=1)
    logits = (zn @ zn.T / 0.1).masked_fill(eye, float("-inf"))
    p = ((ids[:, None] == ids[None]) & ~eye).double()
    p = p / p.sum(1, keepdim=True)
    loss = -(p * F.log_softmax(logits, 1).masked_fill(eye, 0)).sum(1).mean()
    loss.backward()
    assert torch.allclose(ours, z.grad, atol=1e-10)


def test_anchor_without_positive_is_left_out_of_the_mean():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(3, 4, generator=g), torch.randn(4, 4, generator=g)
    a_ids, b_ids = torch.tensor([0, 1, 9]), torch.tensor([0, 0, 1, 2])  # anchor 2 has no match
    full = multi_positive_loss(a, b, a_ids, b_ids, 0.1)
    first_two = multi_positive_loss(a[:2], b, a_ids[:2], b_ids, 0.1)
    assert full.item() == pytest.approx(first_two.item(), rel=1e-6)


def test_excluded_rows_give_finite_gradients():
    z = torch.randn(4, 3, requires_grad=True)
    ids = torch.tensor([0, 0, 1, 1])
    exclude = torch.eye(4, dtype=torch.bool)
    exclude[3] = True  # anchor 3 sees no candidate at all
    multi_positive_loss(z, z, ids, ids, 0.1, exclude=exclude).backward()
    assert torch.isfinite(z.grad).all()


def test_no_positive_anywhere_is_one_clear_error():
    z = torch.randn(4, 3)
    ids = torch.arange(4)  # one image per caption, self excluded: nobody has a positive
    with pytest.raises(ValueError, match="at least 2 images"):
        multi_positive_loss(z, z, ids, ids, 0.1, exclude=torch.eye(4, dtype=torch.bool))


@pytest.mark.parametrize("bad", ["shape", "ids", "tau", "exclude"])
def test_bad_shapes_are_rejected(bad):
    a, b = torch.randn(3, 4), torch.randn(5, 4)
    a_ids, b_ids, tau, ex = torch.zeros(3, dtype=torch.long), torch.zeros(5, dtype=torch.long), 0.1, None
    if bad == "shape":
        b = torch.randn(5, 3)
    elif bad == "ids":
        a_ids = torch.zeros(4, dtype=torch.long)
    elif bad == "tau":
        tau = 0.0
    else:
        ex = torch.zeros(3, 3, dtype=torch.bool)
    with pytest.raises(ValueError):
        multi_positive_loss(a, b, a_ids, b_ids, tau, exclude=ex)


def test_float32_under_bf16_inputs():
    z = torch.randn(6, 8).bfloat16()
    ids = torch.arange(3).repeat_interleave(2)
    out = multi_positive_loss(z, z, ids, ids, 0.1, exclude=torch.eye(6, dtype=torch.bool))
    assert out.dtype == torch.float32
