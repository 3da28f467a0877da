import numpy as np
import pytest
import torch

from synclr_lib.config import resolve
from synclr_lib.images.judge import (ATTRIBUTES, Judge, accuracy, caption_labels, concept_named_rate,
                                     fidelity_diversity, judge_images, mean_pairwise_distance,
                                     pairwise_distance_per_group, spec_labels, train_judge)
from synclr_lib.world import BACKGROUNDS, COLOURS, OBJECTS


def test_mean_pairwise_distance_matches_a_hand_written_loop():
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(9, 5))
    groups = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3])
    per_group = []
    for g in (0, 1, 3):  # group 2 has one member: no pair
        members = [f for f, k in zip(feats, groups) if k == g]
        pairs = [np.linalg.norm(a - b) for i, a in enumerate(members) for b in members[i + 1:]]
        per_group.append(sum(pairs) / len(pairs))
    assert mean_pairwise_distance(feats, groups) == pytest.approx(np.mean(per_group))
    assert list(pairwise_distance_per_group(feats, groups)) == [0, 1, 3]
    assert list(pairwise_distance_per_group(feats, groups).values()) == pytest.approx(per_group)
    assert mean_pairwise_distance(np.ones((4, 3)), np.array([0, 0, 1, 1])) == 0.0


def test_accuracy_ignores_unlabelled_items():
    preds = {"object": np.array([1, 2, 3]), "colour": np.array([0, 0, 0]), "background": np.array([5, 5, 5])}
    labels = {"object": np.array([1, 0, 3]), "colour": np.array([-1, -1, 0]), "background": np.array([5, -1, 4])}
    acc = accuracy(preds, labels)
    assert acc["object"] == pytest.approx(2 / 3)
    assert acc["colour"] == 1.0 and acc["background"] == 0.5
    assert acc["all"] == pytest.approx(1 / 3)  # item 0 only: item 1 object wrong, item 2 background wrong


def test_accuracy_all_is_nan_when_a_part_is_unmeasured():
    preds = {"object": np.array([1, 2]), "colour": np.array([0, 0]), "background": np.array([5, 5])}
    nothing = {a: np.array([-1, -1]) for a in preds}
    acc = accuracy(preds, nothing)
    assert all(np.isnan(acc[a]) for a in ("object", "colour", "background", "all"))
    no_background = {"object": np.array([1, 2]), "colour": np.array([0, 0]), "background": np.array([-1, -1])}
    acc = accuracy(preds, no_background)
    assert acc["object"] == 1.0 and acc["colour"] == 1.0 and np.isnan(acc["background"])
    assert np.isnan(acc["all"])  # "all three" cannot be judged without the background


def test_caption_labels_from_rows_and_mentions():
    rows = [{"caption": "A crimson tee resting on the lawn", "concept": "t-shirt", "background": None},
            {"caption": "a blue star next to a red heart on the beach", "concept": "star", "background": "sand"},
            {"caption": "something unrelated", "concept": "star", "background": "snow"},
            {"caption": "a red heart next to a pink star", "concept": "star", "background": "snow"},
            {"caption": "a navy ellipse on wood", "concept": "sneaker", "background": None}]
    lab = caption_labels(rows)
    assert lab["object"].tolist() == [OBJECTS.index(o) for o in ("t-shirt", "star")] + [-1] + \
        [OBJECTS.index("star"), OBJECTS.index("oval")]  # the concept when named, else what is named
    assert lab["colour"].tolist() == [COLOURS.index("red"), COLOURS.index("blue"), -1, COLOURS.index("red"),
                                      COLOURS.index("navy")]
    assert lab["background"].tolist() == [BACKGROUNDS.index("grass"), BACKGROUNDS.index("sand"), -1, -1,
                                          BACKGROUNDS.index("wood")]
    assert concept_named_rate(rows) == pytest.approx(3 / 5)


def test_spec_labels_background_only_scene():
    specs = [{"object": "star", "colour": "pink", "background": "snow"},
             {"object": None, "colour": "red", "background": "sky"}]
    lab = spec_labels(specs)
    assert lab["object"].tolist() == [OBJECTS.index("star"), -1]
    assert lab["colour"].tolist() == [COLOURS.index("pink"), -1]
    assert lab["background"].tolist() == [BACKGROUNDS.index("snow"), BACKGROUNDS.index("sky")]


def _toy_scenes(n, rng):
    """Flat-colour images: the colour is the label; object/background unlabelled."""
    colours = rng.integers(0, 3, n)
    rgb = np.array([[220, 30, 30], [30, 220, 30], [30, 30, 220]], np.uint8)
    images = np.repeat(np.repeat(rgb[colours][:, None, None], 32, 1), 32, 2)
    images = np.clip(images + rng.integers(-20, 20, images.shape), 0, 255).astype(np.uint8)
    labels = {"object": np.full(n, -1), "colour": colours, "background": np.full(n, -1)}
    return images, labels


def test_a_tiny_judge_learns_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    images, labels = _toy_scenes(256, rng)
    judge, losses = train_judge(images, labels, resolve("smoke").judge, seed=0, progress=False)
    assert losses["loss"].iloc[-5:].mean() < losses["loss"].iloc[:5].mean()
    test_images, test_labels = _toy_scenes(64, rng)
    _, preds = judge_images(judge, test_images)
    assert accuracy(preds, test_labels)["colour"] > 0.9
    judge.save_pretrained(tmp_path / "judge")
    again = Judge.from_pretrained(tmp_path / "judge").eval()
    f1, _ = judge_images(judge, test_images)
    f2, _ = judge_images(again, test_images)
    np.testing.assert_allclose(f1, f2, rtol=1e-5, atol=1e-5)


def test_fidelity_diversity_keys_and_ranges():
    judge = Judge(width=4).eval()
    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
    rows = [{"caption": "a red star on snow", "concept": "star", "background": "snow"}] * 3
    scores = fidelity_diversity(judge, images, np.array([0, 0, 1, 1, 2, 2]), rows)
    assert set(scores) == {f"fidelity_{a}" for a in (*ATTRIBUTES, "all")} | {"diversity"}
    assert all(0 <= scores[f"fidelity_{a}"] <= 1 for a in ATTRIBUTES) and scores["diversity"] >= 0
