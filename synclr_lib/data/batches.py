"""Which images go into training step s: P captions x K images, or B random images.

Every batch is a pure function of (seed, step): epoch e = step // batches_per_epoch visits
the captions (or images) in the order of a permutation seeded by (seed, e). A resumed run
therefore sees exactly the batches an uninterrupted run would have seen, and
torch.distributed ranks agree on the global batch without talking (each then takes its
slice, see `shard`).

- `CaptionBatches` (multi-positive / SynCLR, CLIP on synthetic data): P captions, K of each
  caption's images (a random K when it has more). With `groups` (one key per caption, e.g.
  the concept), captions arrive in runs of `per_group` captions sharing a key, so that a
  batch holds several captions of one concept ("family" batches).
- `ImageBatches` (SimCLR, SupCE, learning-from-data baselines): B random images.

    batches = CaptionBatches(image_ids_by_caption, captions_per_batch=64, images_per_caption=4, seed=0)
    images, captions = batches(step)    # image indices [P*K], caption id of each [P*K]

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import numpy as np

from ..config import ConfigError


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([int(k) for k in keys])


class CaptionBatches:
    """P captions x K images per step (see module docstring)."""

    def __init__(self, image_ids_by_caption: np.ndarray, captions_per_batch: int, images_per_caption: int,
                 seed: int, groups: np.ndarray | None = None, per_group: int = 1):
        self.table = np.asarray(image_ids_by_caption)  # [n_captions, images per caption]
        n_captions, available = self.table.shape
        if images_per_caption > available:
            raise ConfigError(f"train.images_per_caption={images_per_caption} but the data has only "
                              f"{available} images per caption")
        if captions_per_batch > n_captions:
            raise ConfigError(f"train.captions_per_batch={captions_per_batch} exceeds the {n_captions} "
                              f"captions of the data")
        self.p, self.k, self.seed = captions_per_batch, images_per_caption, seed
        self.groups = None if groups is None else np.asarray(groups)
        self.per_group = max(1, per_group)
        self.per_epoch = n_captions // captions_per_batch

    def caption_order(self, epoch: int) -> np.ndarray:
        """The captions of one epoch in visiting order."""
        rng = _rng(self.seed, epoch, 1)
        n = len(self.table)
        if self.groups is None or self.per_group == 1:
            return rng.permutation(n)
        runs = []
        for key in np.unique(self.groups):
            members = rng.permutation(np.flatnonzero(self.groups == key))
            runs += [members[i:i + self.per_group] for i in range(0, len(members), self.per_group)]
        return np.concatenate([runs[i] for i in rng.permutation(len(runs))])

    def __call__(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        epoch, pos = divmod(int(step), self.per_epoch)
        captions = self.caption_order(epoch)[pos * self.p:(pos + 1) * self.p]
        rng = _rng(self.seed, step, 2)
        pick = np.argsort(rng.random((len(captions), self.table.shape[1])), axis=1)[:, :self.k]
        images = np.take_along_axis(self.table[captions], pick, axis=1)
        return images.reshape(-1), np.repeat(captions, self.k)


class ImageBatches:
    """B random images per step, every image once per epoch."""

    def __init__(self, n_images: int, batch_size: int, seed: int):
        if batch_size > n_images:
            raise ConfigError(f"a batch of {batch_size} images exceeds the {n_images} images of the data")
        self.n, self.b, self.seed = n_images, batch_size, seed
        self.per_epoch = n_images // batch_size

    def __call__(self, step: int) -> np.ndarray:
        epoch, pos = divmod(int(step), self.per_epoch)
        return _rng(self.seed, epoch, 3).permutation(self.n)[pos * self.b:(pos + 1) * self.b]


def shard(n: int, rank: int, world_size: int) -> slice:
    """This rank's contiguous slice of a global batch of n items (n divisible by world_size)."""
    if n % world_size:
        raise ConfigError(f"a global batch of {n} does not split evenly over {world_size} processes")
    per = n // world_size
    return slice(rank * per, (rank + 1) * per)
