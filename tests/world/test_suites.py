"""Evaluation suites: documented classes and split sizes, held out from the mini-web."""
import hashlib

import numpy as np
import pytest

from synclr_lib.config import resolve
from synclr_lib.world import MASK_CLASSES, OBJECTS, WorldError, load_mini_web, load_suite, suite_names
from synclr_lib.world.suites import SPLITS, SUITE_BACKGROUND_VARIATION, SUITES, proportional_split, suite_specs

CFG = resolve("smoke")


@pytest.fixture(scope="module")
def suites():
    return {(n, s): load_suite(n, CFG, s) for n in suite_names() for s in SPLITS}


def test_suite_names_by_kind():
    assert suite_names("objects") == ["objects"]
    assert len(suite_names("fine_grained")) == 9
    assert suite_names("dense") == ["segmentation"]
    assert suite_names("real") == ["fashion_mnist", "digits", "real_textures", "faces"]
    assert suite_names() == suite_names("objects") + suite_names("fine_grained") + suite_names("dense") + \
        suite_names("real")
    with pytest.raises(WorldError, match="unknown suite kind"):
        suite_names("rare")


def test_every_suite_has_its_classes_sizes_and_metric(suites):
    w = CFG.world
    per_class = {"train": w.suite_train_per_class, "val": w.suite_val_per_class, "test": w.suite_test_per_class}
    for (name, split), s in suites.items():
        kind, classes, metric, _ = SUITES[name]
        size = w.image_size
        assert s.images.dtype == np.uint8 and s.images.shape[1:] == (size, size, 3), name
        assert s.class_names == [str(c) for c in classes] and s.metric == metric and s.description
        assert s.labels.dtype == np.int64 and len(s.labels) == len(s.images)
        if kind in ("objects", "fine_grained") and name != "multilabel":
            assert np.bincount(s.labels, minlength=len(classes)).tolist() == [per_class[split]] * len(classes)
        if name == "multilabel":
            assert s.labels.shape == (per_class[split] * 20, 20)
            assert set(s.labels.sum(1).tolist()) <= {2, 3}
        if name == "segmentation":
            assert len(s) == proportional_split(w.segmentation_images, CFG)[split]
            assert s.masks.shape == s.images.shape[:3] and s.masks.dtype == np.int16
            assert s.masks.max() < len(s.class_names) == 34  # backgrounds + C: no glyph in these scenes
        else:
            assert s.masks is None
        if kind == "real":
            assert 0 < len(s) <= w.real_max_per_split and s.labels.max() < len(classes)
    assert len(suites[("objects", "test")].class_names) == len(OBJECTS)


def test_segmentation_masks_match_the_rendered_specs(suites):
    s = suites[("segmentation", "train")]
    specs = suite_specs("segmentation", CFG, "train")
    for mask, spec in zip(s.masks, specs):
        present = {MASK_CLASSES[v] for v in np.unique(mask)}
        assert spec["background"] in present
        assert present <= {spec["background"], spec["object"], spec["other"], *[e[0] for e in spec["extras"]]}


def test_no_evaluation_image_is_a_mini_web_image(suites):
    web = load_mini_web(CFG)
    web_hashes = {hashlib.sha1(im.tobytes()).hexdigest() for im in web.images}
    assert len(web_hashes) == len(web.images)
    for (name, split), s in suites.items():
        assert not any(hashlib.sha1(im.tobytes()).hexdigest() in web_hashes for im in s.images), name
    # garments come from disjoint Fashion-MNIST splits, seeds from disjoint ranges
    web_seeds = {sp["seed"] for sp in web.specs}
    assert all(sp["source"] == "web" for sp in web.specs)
    for name in ("objects", "garments", "relations"):
        specs = suite_specs(name, CFG, "test")
        assert all(sp["source"] == "eval" for sp in specs)
        assert not web_seeds & {sp["seed"] for sp in specs}


def test_only_textures_and_scenes_vary_their_backgrounds(suites):
    for name in suite_names():
        if SUITES[name][0] == "real":
            continue
        expected = SUITE_BACKGROUND_VARIATION if name in ("textures", "scenes") else 0.0
        assert {sp["background_variation"] for sp in suite_specs(name, CFG, "test")} == {expected}, name


def test_splits_do_not_share_images(suites):
    for name in suite_names():
        hashes = [{hashlib.sha1(im.tobytes()).hexdigest() for im in suites[(name, s)].images} for s in SPLITS]
        assert not (hashes[0] & hashes[2]) and not (hashes[1] & hashes[2]), name


def test_bad_names_raise():
    with pytest.raises(WorldError, match="unknown suite 'imagenet'"):
        load_suite("imagenet", CFG, "test")
    with pytest.raises(WorldError, match="unknown split 'dev'"):
        load_suite("objects", CFG, "dev")


def test_as_tensors():
    images, labels = load_suite("counts", CFG, "val").as_tensors()
    assert images.shape[1] == 3 and images.min() >= -1 and images.max() <= 1 and len(labels) == len(images)
