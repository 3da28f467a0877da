"""The dense probe (the ADE20k analogue) and its per-patch labels."""
import numpy as np
import pytest

from synclr_lib.evaluate import dense_probe, miou, patch_labels


def test_patch_labels_take_the_majority():
    mask = np.zeros((1, 4, 4), dtype=np.int16)
    mask[0, :2, :2] = [[3, 3], [3, 1]]  # top-left patch: three 3s and one 1
    mask[0, 2:, 2:] = [[-1, -1], [-1, 2]]  # bottom-right: only one labelled pixel
    mask[0, :2, 2:] = -1  # top-right: nothing labelled
    assert patch_labels(mask, 2).tolist() == [[[3, -1], [0, 2]]]


def random_scenes(n, grid=4, patch=4, n_classes=3, seed=0):
    """Masks made of patch-aligned blocks, and patch features that reveal each block's label."""
    rng = np.random.default_rng(seed)
    block = rng.integers(0, n_classes, (n, grid, grid))
    masks = block.repeat(patch, 1).repeat(patch, 2).astype(np.int16)
    feats = np.eye(n_classes)[block.reshape(n, -1)] * 3 + 0.1 * rng.normal(size=(n, grid * grid, n_classes))
    return feats.astype(np.float32), masks


def test_perfect_prediction_is_100():
    feats, masks = random_scenes(40)
    feats_t, masks_t = random_scenes(10, seed=1)
    result = dense_probe(feats, masks, feats_t, masks_t, n_classes=3, lrs=(0.1, 1.0), epochs=10,
                         batch_size=64)
    assert result.score == pytest.approx(100.0)
    assert result.extra["patch_miou"] == pytest.approx(100.0)
    assert miou(masks_t, masks_t) == 100.0


def test_bad_input_gives_one_clear_error():
    feats, masks = random_scenes(10)
    with pytest.raises(ValueError, match="has 10 images but masks_train has 9"):
        dense_probe(feats, masks[:9], feats, masks)
    feats_nan = feats.copy()
    feats_nan[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        dense_probe(feats_nan, masks, feats, masks)
    with pytest.raises(ValueError, match="single class"):
        dense_probe(feats, np.zeros_like(masks), feats, masks)
