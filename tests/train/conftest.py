"""Tiny synthetic-image datasets for the training tests, written with images/shards.py."""
import numpy as np
import pytest
import torch

from synclr_lib.images.shards import write_captions, write_index, write_shard

CONCEPTS = ["circle", "square", "star", "dress"]


def write_tiny_shards(root, n_captions=16, per_caption=4, size=32, captions_per_shard=8, seed=0):
    """Random-noise images with a coloured square per concept, so that losses can fall."""
    rng = np.random.default_rng(seed)
    rows = [{"caption": f"a {CONCEPTS[i % 4]} number {i}", "concept": CONCEPTS[i % 4],
             "background": ["grass", "sky"][i % 2]} for i in range(n_captions)]
    write_captions(root, rows)
    k = 0
    for start in range(0, n_captions, captions_per_shard):
        stop = min(start + captions_per_shard, n_captions)
        imgs = rng.integers(0, 255, (stop - start, per_caption, size, size, 3), dtype=np.uint8)
        for c in range(start, stop):
            imgs[c - start, :, 8:20, 8:20, c % 3] = 255
        write_shard(root / "shards", k, start, imgs)
        k += 1
    write_index(root, num_captions=n_captions, images_per_caption=per_caption, image_size=size,
                captions_per_shard=captions_per_shard)
    return root


@pytest.fixture
def tiny_data_dir(tmp_path):
    return write_tiny_shards(tmp_path / "tiny")


@pytest.fixture
def make_shards(tmp_path):
    """write_tiny_shards(name, **kwargs) under tmp_path."""
    return lambda name, **kwargs: write_tiny_shards(tmp_path / name, **kwargs)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models on a shared 2-core machine: one thread is 2x faster than two under load."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
