"""Objectives: components (Table 4 rows), the EMA update, iBOT masking, schedules."""
import math

import pytest
import torch

from synclr_lib.config import ConfigError, resolve
from synclr_lib.train import parse_components
from synclr_lib.train.data import from_synthetic
from synclr_lib.train.objectives import Objective, Schedules, StepBatch
from synclr_lib.train import schedules


def test_parse_components():
    assert parse_components("ema, ibot") == ("ema", "ibot")
    assert parse_components("") == ()
    with pytest.raises(ConfigError, match="valid: ema, ibot, multicrop"):
        parse_components("ema,koleo")


def batch_of(data, n=8, seed=0):
    from synclr_lib.pixels import to_tensor

    idx = torch.arange(n)
    return StepBatch(pixels=to_tensor(data.images[:n]), ids=torch.as_tensor(data.caption_of_image[:n]),
                     labels=None, start=0, n_global=n, seed=seed)


@pytest.mark.parametrize("components, terms, teacher", [
    ("", {"contrastive"}, False),
    ("ema", {"contrastive"}, True),
    ("ema,ibot", {"contrastive", "ibot"}, True),
    ("ema,multicrop", {"contrastive", "local"}, True),
    ("ema,ibot,multicrop", {"contrastive", "local", "ibot"}, True),
    ("ibot", {"contrastive", "ibot"}, False),
])
def test_table4_rows(tiny_data_dir, components, terms, teacher):
    cfg = resolve("smoke", [f"train.components={components}"])
    data = from_synthetic(tiny_data_dir)
    obj = Objective(cfg, data).train()
    loss, parts = obj(batch_of(data), Schedules(0.04))
    assert set(parts) == terms | {"embedding_cosine"} and (obj.teacher is not None) == teacher
    assert torch.isfinite(loss)
    loss.backward()
    assert obj.encoder.embeddings.cls_token.grad is not None
    if "ibot" in components:
        assert obj.encoder.embeddings.mask_token.grad.abs().sum() > 0  # masked patches were used
    if teacher:
        assert all(p.grad is None for p in obj.teacher.parameters())


def test_ema_update_is_the_momentum_average(tiny_data_dir):
    cfg = resolve("smoke", ["train.components=ema,ibot"])
    obj = Objective(cfg, from_synthetic(tiny_data_dir))
    with torch.no_grad():
        for p in obj.encoder.parameters():
            p.add_(1.0)
    before_t = [p.clone() for p in obj.teacher.parameters()]
    student = [p.clone() for name in ("encoder", "proj", "ibot_head") for p in getattr(obj, name).parameters()]
    obj.update_teacher(0.9)
    for t0, s, t1 in zip(before_t, student, obj.teacher.parameters()):
        assert torch.allclose(t1, 0.9 * t0 + 0.1 * s, atol=1e-6)
    assert not any(p.requires_grad for p in obj.teacher.parameters())
    teacher_ids = {id(p) for p in obj.teacher.parameters()}
    assert not any(id(p) in teacher_ids for p in obj.student_parameters())  # the optimiser never sees it


def test_ema_candidates_exclude_own_image_and_stablerep_self(tiny_data_dir, monkeypatch):
    import synclr_lib.train.objectives as ob

    seen = []
    real = ob.multi_positive_loss

    def spy(a, c, ai, ci, tau, exclude=None):
        seen.append((a.shape, c.shape, exclude.clone()))
        return real(a, c, ai, ci, tau, exclude)

    monkeypatch.setattr(ob, "multi_positive_loss", spy)
    data = from_synthetic(tiny_data_dir)
    cfg = resolve("smoke", ["train.components=ema,multicrop", "train.n_local=2"])
    Objective(cfg, data).train()(batch_of(data), Schedules())
    (g_a, g_c, g_ex), (l_a, l_c, l_ex) = seen
    assert g_a[0] == 8 and l_a[0] == 16 and g_c[0] == l_c[0] == 8  # locals contrast with the globals
    assert torch.equal(g_ex, torch.eye(8, dtype=torch.bool))
    assert torch.equal(l_ex, torch.eye(8, dtype=torch.bool).repeat(2, 1))  # own image's global crop


def test_schedules():
    t = resolve("smoke", ["train.steps=100", "train.warmup=10", "train.teacher_temp_warmup=50"]).train
    assert schedules.learning_rate(0, t) == pytest.approx(t.lr / 10)
    assert schedules.learning_rate(9, t) == pytest.approx(t.lr)
    assert schedules.learning_rate(100, t) == pytest.approx(t.min_lr)
    assert schedules.weight_decay(0, t) == pytest.approx(0.04) and schedules.weight_decay(100, t) == pytest.approx(0.2)
    assert schedules.ema_momentum(0, t) == pytest.approx(t.ema_start) and schedules.ema_momentum(100, t) == pytest.approx(1.0)
    assert schedules.teacher_temperature(25, t) == pytest.approx(0.055)
    assert schedules.teacher_temperature(80, t) == pytest.approx(0.07)
    assert schedules.cosine(50, 100, 1.0, 0.0) == pytest.approx(0.5)


def test_mean_pairwise_cosine_and_pixel_masks():
    from synclr_lib.train.objectives import mask_pixels, mean_pairwise_cosine

    z = torch.randn(16, 8)
    normed = torch.nn.functional.normalize(z, dim=-1)
    want = (normed @ normed.T)[~torch.eye(16, dtype=torch.bool)].mean()
    assert torch.allclose(mean_pairwise_cosine(z), want, atol=1e-6)
    assert torch.allclose(mean_pairwise_cosine(torch.ones(4, 8)), torch.tensor(1.0))
    crops = torch.ones(2, 3, 8, 8)
    masks = torch.zeros(2, 4, dtype=torch.bool)
    masks[0, 3] = True  # the bottom-right 4x4 patch of a 2x2 grid
    out = mask_pixels(crops, masks)
    assert out[0, :, 4:, 4:].abs().sum() == 0 and out[0, :, :4].eq(1).all() and out[1].eq(1).all()
    assert mask_pixels(crops, None) is crops


def test_ibot_masked_pixels_are_invisible_to_the_student(tiny_data_dir, monkeypatch):
    """With `train.ibot_mask_pixels` and a conv trunk, the student sees a masked patch's pixels
    blanked (its neighbours' tokens would otherwise carry them), besides the mask token."""
    cfg = resolve("smoke", ["train.components=ibot", "train.ibot_mask_prob=1.0", "train.ibot_mask_ratio=0.5",
                            "train.ibot_mask_pixels=true"])
    obj = Objective(cfg, from_synthetic(tiny_data_dir)).eval()
    seen = []
    monkeypatch.setattr(obj, "_encode", lambda x, batch, **kw: seen.append((x, kw["bool_masked_pos"])) or
                        Objective._encode(obj, x, batch, **kw))
    obj(batch_of(from_synthetic(tiny_data_dir)), Schedules(0.04))
    pixels, masks = seen[0]
    grid = int(masks.shape[1] ** 0.5)
    step = pixels.shape[-1] // grid
    assert masks[0].any()
    for j in masks[0].nonzero()[:, 0].tolist():
        r, c = divmod(j, grid)
        assert pixels[0, :, r * step:(r + 1) * step, c * step:(c + 1) * step].abs().sum() == 0
