"""What training reads: images, which caption drew each, caption texts and concept labels.

    data = load_train_data(cfg)     # from the images stage, a directory, the proxy or the mini-web

Sources (`train.data`): `synthetic` (g2's images, the images stage; or `train.data_dir`),
`proxy` (renders of scene specs, images/proxy.py) and `web` (mini-web renders, each with its
own alt-text: the learning-from-data baselines). All go through public loaders
(`load_synthetic_images`, `load_mini_web`). Bad data gives one `TrainDataError` naming it.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import ConfigError

SOURCES = ("synthetic", "proxy", "web")


class TrainDataError(ConfigError):
    """Training data that is missing, empty, corrupt or unfit for the chosen method."""


@dataclass
class TrainData:
    images: np.ndarray  # uint8 [N, H, W, 3]
    caption_of_image: np.ndarray  # [N] caption id (the positives of the multi-positive loss)
    image_ids_by_caption: np.ndarray  # [n_captions, K] image indices of each caption
    texts: list[str]  # caption text per caption id
    concepts: list  # concept name per caption id (None where unknown)
    rows: list[dict]  # the caption rows as loaded
    source: str  # synthetic | proxy | web
    root: Path | None = None

    @property
    def n_captions(self) -> int:
        return len(self.texts)

    @property
    def images_per_caption(self) -> int:
        return int(self.image_ids_by_caption.shape[1])

    def concept_labels(self) -> tuple[np.ndarray, list[str]]:
        """Integer concept label per image and the sorted concept names (SupCE)."""
        if any(c is None for c in self.concepts):
            raise TrainDataError(f"method supce needs a 'concept' in every caption row of {self.root}")
        names = sorted(set(self.concepts))
        index = {c: i for i, c in enumerate(names)}
        per_caption = np.array([index[c] for c in self.concepts])
        return per_caption[self.caption_of_image], names

    def group_keys(self, fields: str) -> np.ndarray:
        """Integer key per caption from caption-row fields (`train.group_by`, comma-separated).

        A field a row lacks (or holds as null) is read from the caption text with the world's
        `mentions()` (first colour / background / object mentioned), so that g2 data whose rows
        carry only the concept can still be grouped by colour or background.
        """
        names = [f.strip() for f in fields.split(",") if f.strip()]
        plural = {"colour": "colours", "background": "backgrounds", "object": "objects", "relation": "relations"}
        missing = [f for f in names if f not in plural and any(r.get(f) is None for r in self.rows)]
        if missing:
            have = sorted(set().union(*(r.keys() for r in self.rows)))
            raise TrainDataError(f"train.group_by field(s) {missing} are not in every caption row and cannot be "
                                 f"read from the text; row fields: {', '.join(have)}; text fields: {', '.join(plural)}")
        values = []
        for r in self.rows:
            key = []
            for f in names:
                v = r.get(f)
                if v is None:
                    from ..world import mentions

                    found = mentions(str(r.get("caption", ""))).get(plural[f], [])
                    v = found[0] if found else ""
                key.append(str(v))
            values.append("|".join(key))
        index = {v: i for i, v in enumerate(sorted(set(values)))}
        return np.array([index[v] for v in values])


def from_synthetic(root, source: str = "synthetic") -> TrainData:
    """Read a synthetic-image directory (images/shards.py format) as training data."""
    from ..images.shards import ShardError, load_synthetic_images

    try:
        ds = load_synthetic_images(root)
    except (ShardError, OSError, ValueError, KeyError) as err:
        raise TrainDataError(f"cannot train on {root}: {err}") from None
    n_caps, per = len(ds.captions), ds.images_per_caption
    if len(ds) == 0 or n_caps == 0:
        raise TrainDataError(f"cannot train on {root}: it holds no images")
    return TrainData(images=ds.images, caption_of_image=np.asarray(ds.caption_ids),
                     image_ids_by_caption=np.arange(n_caps * per).reshape(n_caps, per),
                     texts=[str(r.get("caption", "")) for r in ds.captions],
                     concepts=[r.get("concept") for r in ds.captions], rows=ds.captions,
                     source=source, root=Path(root))


def from_web(web) -> TrainData:
    """The mini-web: every image its own caption (its alt-text)."""
    n = len(web)
    if n == 0:
        raise TrainDataError("the mini-web holds no images")
    concepts = [s.get("object") for s in web.specs]
    return TrainData(images=web.images, caption_of_image=np.arange(n),
                     image_ids_by_caption=np.arange(n).reshape(n, 1), texts=list(web.texts),
                     concepts=concepts, rows=[{"caption": t, "concept": c} for t, c in zip(web.texts, concepts)],
                     source="web", root=web.path)


DATA_STAGES = {"synthetic": "images", "proxy": "world_proxy", "web": "world"}  # train.data -> its stage


def data_requires(cfg) -> dict:
    """The train stage's requires: {"data_dir": folder} (train.data_dir, keyed by content or
    its place under the artifacts folder), else {stage: Upstream} of `train.data`."""
    from ..stages import Upstream

    t = cfg.train
    if t.data not in SOURCES:
        raise ConfigError(f"unknown train.data {t.data!r}; valid: {', '.join(SOURCES)}")
    if t.data_dir:
        return {"data_dir": Path(t.data_dir)}
    return {DATA_STAGES[t.data]: Upstream(DATA_STAGES[t.data], cfg)}


def read_train_data(cfg, inputs: dict) -> TrainData:
    """The training data in the train stage's inputs ({name: folder}, see data_requires)."""
    ((name, folder),) = inputs.items()
    if name == DATA_STAGES["web"]:
        from ..world import read_mini_web

        return from_web(read_mini_web(folder))
    return from_synthetic(folder, "proxy" if cfg.train.data == "proxy" else "synthetic")


def load_train_data(cfg) -> TrainData:
    """The training data `cfg.train` asks for (building upstream stages when needed)."""
    from ..stages import input_dir

    return read_train_data(cfg, {name: input_dir(source) for name, source in data_requires(cfg).items()})
