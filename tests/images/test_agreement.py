import numpy as np
import pytest
import torch

from synclr_lib.config import resolve
from synclr_lib.images.agreement import (NAMED, OPEN, agreement_table, caption_agreement,
                                         names_attribute)
from synclr_lib.images.judge import ATTRIBUTES, Judge, judge_images
from synclr_lib.world import BACKGROUNDS, COLOURS, OBJECTS


@pytest.mark.parametrize("text,named", [
    ("A crimson tee resting on the lawn", {"object": True, "colour": True, "background": True}),
    ("photo of a tee 4k wallpaper", {"object": True, "colour": False, "background": False}),
    ("a star against blue sky", {"object": True, "colour": False, "background": True}),  # blue sky is a place
    ("a golden star", {"object": True, "colour": True, "background": False}),
    ("IMG_1234 buy now", {"object": False, "colour": False, "background": False}),
])
def test_names_attribute_reads_the_world_vocabulary(text, named):
    assert {a: names_attribute(text, a) for a in ATTRIBUTES} == named


def test_names_attribute_refuses_an_unknown_attribute():
    with pytest.raises(ValueError, match="unknown attribute 'size'"):
        names_attribute("a small star", "size")


def _hand_agreement(values, caption_ids, keep):
    """Pairs and equal pairs over the captions in `keep`, by a plain loop."""
    pairs = same = 0
    for c in keep:
        v = [x for x, k in zip(values, caption_ids) if k == c]
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                pairs += 1
                same += v[i] == v[j]
    return pairs, same


def test_agreement_table_matches_a_hand_written_loop():
    rng = np.random.default_rng(0)
    rows = [{"caption": "a red star on the beach"}, {"caption": "a star"}, {"caption": "a navy coat"},
            {"caption": "a dress on the lawn"}, {"caption": "a lone heart"}]
    caption_ids = np.repeat(np.arange(5), 4)[:-3]  # the last caption has one image: no pair
    preds = {a: rng.integers(0, 3, len(caption_ids)) for a in ATTRIBUTES}
    table = agreement_table(preds, caption_ids, rows)
    assert list(table.columns) == ["attribute", "caption", "captions", "pairs", "agreement", "chance"]
    assert table[["attribute", "caption"]].values.tolist() == [[a, s] for a in ATTRIBUTES for s in (NAMED, OPEN)]
    split_of = {"object": ([0, 1, 2, 3, 4], []), "colour": ([0, 2], [1, 3, 4]), "background": ([0, 3], [1, 2, 4])}
    for attr, (named, open_) in split_of.items():
        for split, keep in ((NAMED, named), (OPEN, open_)):
            row = table[(table.attribute == attr) & (table.caption == split)].iloc[0]
            pairs, same = _hand_agreement(preds[attr], caption_ids, keep)
            assert row.pairs == pairs and row.captions == len([c for c in keep if c != 4])
            assert row.agreement == pytest.approx(same / pairs) if pairs else np.isnan(row.agreement)
            if keep:
                values = preds[attr][np.isin(caption_ids, keep)]
                shares = np.bincount(values) / len(values)
                assert row.chance == pytest.approx((shares ** 2).sum())
            else:
                assert np.isnan(row.chance)


@pytest.fixture(scope="module")
def tiny_judge():
    """An untrained judge sized by the smoke config (seeded): its judgements are arbitrary
    but fixed, and identical images are judged identically."""
    torch.manual_seed(0)
    return Judge(len(OBJECTS), len(COLOURS), len(BACKGROUNDS), width=resolve("smoke").judge.width).eval()


def test_caption_agreement_with_a_tiny_judge(tiny_judge):
    rng = np.random.default_rng(1)
    copies = np.repeat(rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8), 4, axis=0)
    noise = rng.integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    images = np.concatenate([copies, noise])
    caption_ids = np.repeat([0, 1, 2], 4)
    rows = [{"caption": "a red star on the beach"}, {"caption": "a star"}, {"caption": "a coat"}]
    table = caption_agreement(tiny_judge, images, caption_ids, rows).set_index(["attribute", "caption"])
    for attr in ("colour", "background"):
        assert table.loc[(attr, NAMED), "pairs"] == 6
        assert table.loc[(attr, NAMED), "agreement"] == 1.0  # four copies of one image
        _, preds = judge_images(tiny_judge, noise)
        _, same = _hand_agreement(preds[attr], caption_ids[4:], [1, 2])
        assert table.loc[(attr, OPEN), "pairs"] == 12
        assert table.loc[(attr, OPEN), "agreement"] == pytest.approx(same / 12)
    assert table.loc[("object", NAMED), "pairs"] == 18 and table.loc[("object", OPEN), "pairs"] == 0
