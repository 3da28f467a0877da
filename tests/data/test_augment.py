"""Batched view augmentations: shapes, exact identities, per-slice equality, determinism."""
import math

import pytest
import torch

from synclr_lib.config import resolve
from synclr_lib.data.augment import (ViewAugmenter, color_jitter, gaussian_blur, random_masks,
                                     resized_crop, sample_boxes)
from synclr_lib.runtime import generator


@pytest.fixture
def t():
    return resolve("smoke").train


def images(n, seed=0, size=32):
    return torch.rand(n, 3, size, size, generator=generator(seed)) * 2 - 1


@pytest.mark.parametrize("kind, size", [("global", 32), ("local", 16)])
def test_view_shapes_and_range(t, kind, size):
    aug = ViewAugmenter(t)
    p = aug.draw(generator(0), 6, kind)
    v = aug.apply(images(6), p)
    assert v.shape == (6, 3, size, size) and v.min() >= -1 and v.max() <= 1


def test_full_box_is_identity_and_flip_mirrors():
    x = images(2)
    full = torch.tensor([[0.5, 0.5, 1.0, 1.0]] * 2)
    assert torch.allclose(resized_crop(x, full, 32), x, atol=1e-5)
    flipped = resized_crop(x, full, 32, flip=torch.tensor([True, False]))
    assert torch.allclose(flipped[0], x[0].flip(-1), atol=1e-5) and torch.allclose(flipped[1], x[1], atol=1e-5)


def test_boxes_respect_scale_and_stay_inside():
    b = sample_boxes(generator(1), 1000, (0.08, 0.32))
    area = b[:, 2] * b[:, 3]
    assert area.min() >= 0.08 - 1e-6 and area.max() <= 0.32 + 1e-6
    assert (b[:, 0] - b[:, 2] / 2 >= -1e-6).all() and (b[:, 0] + b[:, 2] / 2 <= 1 + 1e-6).all()


def test_a_slice_gets_the_views_the_whole_batch_gets(t):
    aug = ViewAugmenter(resolve("smoke", ["train.downsample_prob=0.5"]).train)
    x = images(8)
    for kind in ("global", "local"):
        p = aug.draw(generator(7), 8, kind)
        whole = aug.apply(x, p)
        assert torch.allclose(torch.cat([aug.apply(x[:4], p[:4]), aug.apply(x[4:], p[4:])]), whole, atol=1e-6)


def test_same_generator_same_views(t):
    aug = ViewAugmenter(t)
    x = images(4)
    assert torch.equal(aug.apply(x, aug.draw(generator(3), 4)), aug.apply(x, aug.draw(generator(3), 4)))
    assert not torch.equal(aug.apply(x, aug.draw(generator(3), 4)), aug.apply(x, aug.draw(generator(4), 4)))


def test_color_ops():
    x = (images(2) + 1) / 2
    ident = torch.tensor([[1.0, 1.0, 1.0, 0.0]] * 2)
    assert torch.allclose(color_jitter(x, ident), x, atol=1e-6)
    red = torch.zeros(1, 3, 4, 4)
    red[:, 0] = 1.0
    cyan = color_jitter(red, torch.tensor([[1.0, 1.0, 1.0, 0.5]]))  # half a turn of hue
    assert torch.allclose(cyan[0, :, 0, 0], torch.tensor([0.0, 1.0, 1.0]), atol=1e-4)
    desat = color_jitter(x, torch.tensor([[1.0, 1.0, 0.0, 0.0]] * 2))  # saturation 0 = grayscale
    assert torch.allclose(desat[:, 0], desat[:, 1], atol=1e-6)


def test_grayscale_and_solarize_fire(t):
    aug = ViewAugmenter(resolve("smoke", ["train.grayscale_prob=1.0", "train.jitter_prob=0"]).train)
    p = aug.draw(generator(0), 4)
    v = aug.apply(images(4), p)
    assert torch.allclose(v[:, 0], v[:, 1], atol=1e-6)
    aug2 = ViewAugmenter(resolve("smoke", ["train.solarize_prob=1.0"]).train)
    p2 = aug2.draw(generator(0), 64)
    assert 10 < int(p2.solarize.sum()) < 54  # only the "second view" half solarizes


def test_blur_keeps_constants_and_sigma_zero():
    x = images(3)
    assert torch.allclose(gaussian_blur(x, torch.zeros(3), max_sigma=1.0), x, atol=1e-6)
    const = torch.full((1, 3, 8, 8), 0.3)
    assert torch.allclose(gaussian_blur(const, torch.tensor([1.5])), const, atol=1e-6)
    blurred = gaussian_blur(x, torch.full((3,), 1.0))
    assert blurred.std() < x.std()


@pytest.mark.parametrize("n, prob, ratio", [(10, 0.5, 0.5), (7, 1.0, 0.25), (4, 0.0, 0.5)])
def test_random_masks_counts(n, prob, ratio):
    m = random_masks(generator(0), n, 64, prob, ratio)
    masked = m.any(1)
    assert int(masked.sum()) == round(n * prob)
    assert (m[masked].sum(1) == max(1, round(ratio * 64))).all()


def test_bad_kind_rejected(t):
    with pytest.raises(ValueError, match="valid"):
        ViewAugmenter(t).draw(generator(0), 2, "medium")
