import numpy as np
import pytest

from synclr_lib.images.shards import (ShardError, load_synthetic_images, shard_is_complete, shard_ranges,
                                      write_captions, write_index, write_shard)


def _dataset(root, n_caps=5, per=3, cps=2):
    write_captions(root, [{"caption": f"c{i}", "concept": "x"} for i in range(n_caps)])
    rng = np.random.default_rng(0)
    for k, (s, e) in enumerate(shard_ranges(n_caps, cps)):
        write_shard(root / "shards", k, s, rng.integers(0, 255, (e - s, per, 4, 4, 3), dtype=np.uint8))
    write_index(root, num_captions=n_caps, images_per_caption=per, image_size=4, captions_per_shard=cps)


def test_round_trip_layout(tmp_path):
    _dataset(tmp_path)
    ds = load_synthetic_images(tmp_path)
    assert ds.images.shape == (15, 4, 4, 3)
    assert list(ds.caption_ids[:6]) == [0, 0, 0, 1, 1, 1] and list(ds.image_index[:4]) == [0, 1, 2, 0]
    assert [c["caption_id"] for c in ds.captions] == list(range(5))


def test_shard_ranges_cover_every_caption_once():
    ranges = shard_ranges(10, 3)
    assert ranges == [(0, 3), (3, 6), (6, 9), (9, 10)]


def test_truncated_shard_is_named(tmp_path):
    _dataset(tmp_path)
    npy = tmp_path / "shards" / "shard-00001.npy"
    npy.write_bytes(npy.read_bytes()[:-7])
    assert not shard_is_complete(tmp_path / "shards", 1)
    with pytest.raises(ShardError, match="shard-00001.npy is truncated"):
        load_synthetic_images(tmp_path)


def test_corrupt_shard_is_named(tmp_path):
    _dataset(tmp_path)
    npy = tmp_path / "shards" / "shard-00002.npy"
    data = bytearray(npy.read_bytes())
    data[-1] ^= 0xFF
    npy.write_bytes(bytes(data))
    with pytest.raises(ShardError, match="shard-00002.npy is corrupt"):
        load_synthetic_images(tmp_path)


def test_missing_directory_and_index(tmp_path):
    with pytest.raises(ShardError, match="does not exist"):
        load_synthetic_images(tmp_path / "nope")
    with pytest.raises(ShardError, match="no index.json"):
        load_synthetic_images(tmp_path)
