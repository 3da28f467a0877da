"""clip_loss: the symmetric CLIP loss; with one image per text it is CLIP's cross-entropy."""
import pytest
import torch
import torch.nn.functional as F

from synclr_lib.losses import clip_loss


@pytest.mark.parametrize("n, tau", [(5, 0.07), (12, 0.2)])
def test_one_image_per_text_is_clip(n, tau):
    g = torch.Generator().manual_seed(n)
    img, txt = torch.randn(n, 8, generator=g), torch.randn(n, 8, generator=g)
    logits = F.normalize(img, dim=1) @ F.normalize(txt, dim=1).T / tau
    expected = (F.cross_entropy(logits, torch.arange(n)) + F.cross_entropy(logits.T, torch.arange(n))) / 2
    got = clip_loss(img, txt, torch.arange(n), torch.arange(n), tau)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_several_images_per_text_text_side_is_multi_positive():
    g = torch.Generator().manual_seed(0)
    img, txt = torch.randn(6, 4, generator=g), torch.randn(3, 4, generator=g)
    img_ids, txt_ids = torch.tensor([0, 0, 1, 1, 2, 2]), torch.arange(3)
    logits = F.normalize(img, dim=1) @ F.normalize(txt, dim=1).T / 0.1
    i2t = F.cross_entropy(logits, img_ids)
    p = (txt_ids[:, None] == img_ids[None]).float() / 2
    t2i = -(p * F.log_softmax(logits.T, 1)).sum(1).mean()
    got = clip_loss(img, txt, img_ids, txt_ids, 0.1)
    assert got.item() == pytest.approx(((i2t + t2i) / 2).item(), rel=1e-5)


def test_duplicate_text_ids_rejected():
    with pytest.raises(ValueError, match="unique"):
        clip_loss(torch.randn(2, 3), torch.randn(2, 3), torch.tensor([0, 0]), torch.tensor([0, 0]), 0.1)
