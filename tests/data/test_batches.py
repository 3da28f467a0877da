"""Batch sampling: P x K structure, epochs, groups, determinism."""
import numpy as np
import pytest

from synclr_lib.config import ConfigError
from synclr_lib.data.batches import CaptionBatches, ImageBatches, shard


def table(n_captions, per):
    return np.arange(n_captions * per).reshape(n_captions, per)


def test_p_captions_times_k_images():
    b = CaptionBatches(table(20, 4), captions_per_batch=5, images_per_caption=3, seed=0)
    images, caps = b(0)
    assert images.shape == (15,) and len(set(caps)) == 5
    assert all(img // 4 == c for img, c in zip(images, caps))  # each image belongs to its caption
    assert all(len(set(images[caps == c])) == 3 for c in set(caps))


def test_epoch_visits_every_caption_once_and_is_deterministic():
    b = CaptionBatches(table(20, 4), 5, 2, seed=1)
    seen = np.concatenate([b(s)[1][::2] for s in range(4)])
    assert sorted(seen) == list(range(20))
    assert np.array_equal(b(7)[0], CaptionBatches(table(20, 4), 5, 2, seed=1)(7)[0])
    assert not np.array_equal(b(0)[0], CaptionBatches(table(20, 4), 5, 2, seed=2)(0)[0])


def test_groups_put_runs_of_one_key_together():
    groups = np.repeat(np.arange(5), 8)  # 5 concepts x 8 captions
    b = CaptionBatches(table(40, 2), 8, 2, seed=0, groups=groups, per_group=4)
    for step in range(5):
        caps = b(step)[1][::2]
        keys = groups[caps]
        assert all(len(set(keys[i:i + 4])) == 1 for i in range(0, 8, 4))


def test_images_batches_cover_epoch():
    b = ImageBatches(12, 4, seed=0)
    assert sorted(np.concatenate([b(s) for s in range(3)])) == list(range(12))


def test_bad_sizes_are_clear_errors():
    with pytest.raises(ConfigError, match="images per caption"):
        CaptionBatches(table(10, 2), 2, 4, seed=0)
    with pytest.raises(ConfigError, match="exceeds"):
        CaptionBatches(table(3, 4), 8, 2, seed=0)
    with pytest.raises(ConfigError, match="evenly"):
        shard(10, 0, 3)
    assert shard(8, 1, 2) == slice(4, 8)
