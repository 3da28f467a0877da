"""The projection head's norms: BatchNorm over the global batch (batch statistics always) or
LayerNorm, checked against torch's own layers."""
import pytest
import torch
from torch import nn

from synclr_lib.models import ProjectionHead
from synclr_lib.models.heads import GlobalBatchNorm


def test_global_batchnorm_in_one_process_is_torch_batchnorm_in_training_mode():
    torch.manual_seed(0)
    x = torch.randn(32, 16, requires_grad=True)
    ours, ref = GlobalBatchNorm(16), nn.BatchNorm1d(16, track_running_stats=False)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2)
        ours.bias.uniform_(-1, 1)
        ref.weight.copy_(ours.weight)
        ref.bias.copy_(ours.bias)
    y_ours, y_ref = ours(x), ref(x)
    torch.testing.assert_close(y_ours, y_ref, atol=1e-5, rtol=1e-5)
    g_ours, = torch.autograd.grad(y_ours.square().sum(), x)
    g_ref, = torch.autograd.grad(y_ref.square().sum(), x)
    torch.testing.assert_close(g_ours, g_ref, atol=1e-4, rtol=1e-4)
    ours.eval()  # no running averages: eval mode uses the batch too (the head is discarded after training)
    torch.testing.assert_close(ours(x), y_ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("norm, layer", [("batch", GlobalBatchNorm), ("layer", nn.LayerNorm)])
def test_projection_head_norm_choice(norm, layer):
    head = ProjectionHead(8, 32, 4, norm=norm)
    assert sum(isinstance(m, layer) for m in head.modules()) == 2  # one per hidden layer
    assert isinstance(head.mlp[-1], nn.Linear)  # a plain linear output
    assert head(torch.randn(5, 8)).shape == (5, 4)


def test_batchnorm_head_keeps_a_collapsed_batch_apart():
    """Features that barely differ between images still give well spread embeddings: what
    stops the collapse a LayerNorm head allowed."""
    torch.manual_seed(0)
    x = torch.randn(1, 8).repeat(64, 1) + 1e-3 * torch.randn(64, 8)
    cos = {}
    for norm in ("batch", "layer"):
        z = nn.functional.normalize(ProjectionHead(8, 32, 16, norm=norm)(x), dim=-1)
        cos[norm] = float((z @ z.T)[~torch.eye(64, dtype=torch.bool)].mean().detach())
    assert cos["layer"] > 0.99 and cos["batch"] < 0.5


def test_unknown_norm_is_an_error():
    with pytest.raises(ValueError, match="norm"):
        ProjectionHead(8, 32, 4, norm="group")
