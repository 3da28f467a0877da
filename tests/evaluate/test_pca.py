"""PCA of patch features (Fig. 5): foreground found by the first component, RGB maps."""
import matplotlib
import numpy as np
import pytest

from synclr_lib.evaluate import patch_pca, pca_figure

matplotlib.use("Agg")


def object_in_the_middle(n=6, grid=6, dim=12, seed=0):
    """Background patches near one direction, object patches (the centre 2x2) near another,
    with per-image variation inside the object so the second PCA has something to show."""
    rng = np.random.default_rng(seed)
    feats = 0.1 * rng.normal(size=(n, grid, grid, dim))
    feats[..., 0] += 1.0
    feats[:, 2:4, 2:4, 0] -= 1.0
    feats[:, 2:4, 2:4, 1] += 2.0
    feats[:, 2:4, 2:4, 2:5] += rng.normal(size=(n, 2, 2, 3))
    truth = np.zeros((n, grid, grid), bool)
    truth[:, 2:4, 2:4] = True
    return feats.reshape(n, grid * grid, dim), truth


def test_foreground_is_the_object():
    feats, truth = object_in_the_middle()
    maps = patch_pca(feats)
    assert maps.rgb.shape == (6, 6, 6, 3) and maps.foreground.shape == (6, 6, 6)
    assert (maps.foreground == truth).all()
    assert (maps.rgb[~truth] == 0).all() and maps.rgb[truth].max() == pytest.approx(1.0)
    assert 0 <= maps.rgb.min() and len(maps.explained) == 3


def test_figure_has_a_row_per_encoder():
    feats, _ = object_in_the_middle()
    images = np.zeros((6, 24, 24, 3), np.uint8)
    fig = pca_figure(images, {"a": patch_pca(feats), "b": patch_pca(feats, foreground="all")}, max_images=4)
    assert len(fig.axes) == 3 * 4


def test_bad_input():
    with pytest.raises(ValueError, match="square grid"):
        patch_pca(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        patch_pca(np.full((2, 4, 3), np.nan))


def test_foreground_iou_by_hand():
    from synclr_lib.evaluate.pca import foreground_iou

    masks = np.zeros((1, 4, 4), bool)
    masks[0, :2, :2] = True  # the top-left patch of a 2x2 grid
    masks[0, 2, 2] = True  # one pixel of the bottom-right patch: not a majority
    predicted = np.array([[[True, True], [False, False]]])
    assert foreground_iou(predicted, masks) == pytest.approx(50.0)  # 1 shared / 2 in the union
