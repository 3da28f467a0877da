"""The renderer: determinism, masks that agree with pixels, and clear errors for bad specs."""
from dataclasses import replace

import numpy as np
import pytest
from scipy.ndimage import binary_erosion

from synclr_lib.world import (BACKGROUNDS, COLOURS, DRAWABLE, GLYPHS, MASK_CLASSES, OBJECTS, RELATIONS, SceneSpec,
                              WorldError, mask_label, render)


def test_same_spec_same_bytes_and_seed_matters():
    spec = SceneSpec("sneaker", "red", "grass", relation="next to", other="star", seed=7)
    a, ma = render(spec, 32)
    b, mb = render(spec, 32)
    assert a.tobytes() == b.tobytes() and ma.tobytes() == mb.tobytes()
    c, _ = render(SceneSpec("sneaker", "red", "grass", relation="next to", other="star", seed=8), 32)
    assert a.tobytes() != c.tobytes()


@pytest.mark.parametrize("size", [32, 64, 128])
def test_shapes_and_dtypes_at_any_size(size):
    image, mask = render(SceneSpec("letter A", "blue", "sand", count=2, seed=1), size)
    assert image.shape == (size, size, 3) and image.dtype == np.uint8
    assert mask.shape == (size, size) and mask.dtype == np.int16
    assert set(np.unique(mask)) == {mask_label("sand"), mask_label("letter A")}


def test_every_concept_draws_and_appears_in_the_mask():
    for i, obj in enumerate(DRAWABLE):
        spec = SceneSpec(obj, COLOURS[i % len(COLOURS)], BACKGROUNDS[i % len(BACKGROUNDS)], seed=i)
        _, mask = render(spec, 32)
        assert (mask == mask_label(obj)).sum() >= 20, obj  # a visible object, not a speck
    for i, rel in enumerate(RELATIONS):
        _, mask = render(SceneSpec("circle", "red", "wood", relation=rel, other="square", seed=i), 32)
        assert {mask_label("circle"), mask_label("square")} <= set(np.unique(mask)), rel


def test_mask_agrees_with_pixels():
    """Background-labelled pixels are the background's own pixels (except anti-aliased edges);
    object-labelled pixels carry the object's colour."""
    for seed in range(5):
        spec = SceneSpec("hexagon", "magenta", "checkerboard", size="large", seed=seed)
        image, mask = render(spec, 32)
        plain, plain_mask = render(SceneSpec(None, background="checkerboard", seed=seed), 32)
        assert (plain_mask == mask_label("checkerboard")).all()
        bg = mask == mask_label("checkerboard")
        same = (image == plain).all(-1)
        assert same[bg].mean() > 0.9  # only edge pixels with alpha < 0.5 differ
        obj = mask == mask_label("hexagon")
        magenta = np.array([220, 40, 190])
        dist = np.abs(image[obj].astype(int) - magenta).max(-1)
        assert np.median(dist) < 40 and not same[obj].any()


@pytest.mark.parametrize("bad, message", [
    (dict(object="unicorn"), "unknown object 'unicorn'"),
    (dict(colour="mauve"), "unknown colour 'mauve'"),
    (dict(background="moon"), "unknown background 'moon'"),
    (dict(count=0), "count must be one of"),
    (dict(count=5), "count must be one of"),
    (dict(relation="near", other="star"), "unknown relation 'near'"),
    (dict(relation="above"), "needs both"),
    (dict(scale=1.6, size="large"), "object larger than the canvas"),
])
def test_bad_specs_raise_clear_errors(bad, message):
    spec = dict(object="circle", colour="red", background="grass") | bad
    with pytest.raises(WorldError, match=message):
        render(SceneSpec(**spec), 32)


def test_mask_classes_cover_backgrounds_then_objects():
    assert MASK_CLASSES == BACKGROUNDS + OBJECTS + GLYPHS
    with pytest.raises(WorldError):
        mask_label("unicorn")


def test_missing_fashion_mnist_names_the_install_command(monkeypatch, tmp_path):
    from synclr_lib.world import FashionMNISTMissing, sprites

    sprites.load_fashion_mnist.cache_clear()
    sprites.garment_index.cache_clear()
    monkeypatch.setattr(sprites, "FASHION_MNIST_DIR", tmp_path)
    try:
        with pytest.raises(FashionMNISTMissing, match="sudo apt-get install dataset-fashion-mnist"):
            render(SceneSpec("sneaker", "red", "grass", seed=1), 32)
    finally:
        sprites.load_fashion_mnist.cache_clear()
        sprites.garment_index.cache_clear()


def test_fashion_mnist_splits_feed_web_and_eval_separately():
    from synclr_lib.world import load_fashion_mnist

    train, train_labels = load_fashion_mnist("train")
    test, test_labels = load_fashion_mnist("test")
    assert train.shape == (60000, 28, 28) and test.shape == (10000, 28, 28)
    with pytest.raises(WorldError, match="is not a 'sneaker' of the Fashion-MNIST test split"):
        render(SceneSpec("sneaker", "red", "grass", sprite=int((train_labels == 0).nonzero()[0][0]),
                         source="eval"), 32)


def _luma(image):
    return image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def _hue_degrees(image):
    """Hue angle of the image's mean colour in the YIQ chroma plane."""
    r, g, b = image.reshape(-1, 3).mean(0)
    return np.degrees(np.arctan2(0.211 * r - 0.523 * g + 0.312 * b, 0.596 * r - 0.274 * g - 0.322 * b))


def _orientation_degrees(image):
    """Dominant gradient orientation (structure tensor), in [0, 180)."""
    gy, gx = np.gradient(_luma(image))
    return np.degrees(0.5 * np.arctan2(2 * (gx * gy).sum(), (gx ** 2 - gy ** 2).sum())) % 180


def test_background_variation_varies_light_colour_and_orientation():
    """Renders of one texture class differ in brightness, hue and stripe orientation far more
    with background_variation=1 (the textures and scenes suites) than without (the mini-web)."""
    def renders(background, variation):
        return [render(SceneSpec(None, background=background, source="eval", seed=s,
                                 background_variation=variation), 32)[0] for s in range(24)]

    plain, varied = renders("grass", 0.0), renders("grass", 1.0)
    brightness_spread = [np.std([_luma(im).mean() for im in ims]) for ims in (plain, varied)]
    assert brightness_spread[1] > 2 * brightness_spread[0] and brightness_spread[1] > 15
    hue_spread = [np.ptp([_hue_degrees(im) for im in ims]) for ims in (plain, varied)]
    assert hue_spread[1] > 3 * hue_spread[0] and hue_spread[1] > 30
    turns = [np.ptp([_orientation_degrees(im) for im in renders("stripes", v)]) for v in (0.0, 1.0)]
    assert turns[0] < 10 and turns[1] > 90


def test_background_variation_leaves_objects_and_masks_alone():
    for seed in range(3):
        spec = SceneSpec("hexagon", "magenta", "wood", size="large", source="eval", seed=seed)
        plain, plain_mask = render(spec, 32)
        varied, varied_mask = render(replace(spec, background_variation=1.0), 32)
        assert (plain_mask == varied_mask).all()
        inside = binary_erosion(plain_mask == mask_label("hexagon"), iterations=1)  # alpha 1, no edge blend
        assert inside.sum() > 20 and np.abs(plain[inside].astype(int) - varied[inside]).max() <= 1
        assert not (plain[~inside] == varied[~inside]).all()
    with pytest.raises(WorldError, match="background_variation must be in"):
        render(SceneSpec(None, background="sky", background_variation=1.5), 32)
