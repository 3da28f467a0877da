"""The cached stage "train": data -> a trained encoder (notebooks/04_training.py).

    path = run_stage("train", cfg)        # artifacts/train/<hash>/
    enc = load_encoder(path)              # transformers.ViTModel (or its conv-stem subclass), eval mode
    curves = load_curves(path)            # pandas DataFrame

The cache key holds the whole `train` section, the run seed, bf16, and the key of the data it
reads (its requires: the images, world_proxy or world stage; or the data_dir, by its place
under the artifacts folder or its content: `cache.path_key`, so a moved folder keeps the key). The
stage is resumable: a killed run keeps its work directory and checkpoint and resumes.

Under `torchrun`, rank 0 writes the artifact; the other ranks train alongside it and then
leave the process with status 0 before the cache's finishing step (which must run once).

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from pathlib import Path

from ..stages import stage
from .data import data_requires, read_train_data


def train_payload(cfg) -> dict:
    from .loop import checkpoint_key
    from .objectives import check_train_config

    check_train_config(cfg)  # bad settings fail here, before any upstream stage runs
    return checkpoint_key(cfg)


@stage("train", payload=train_payload, requires=data_requires, resumable=True)
def build_train(cfg, out: Path, inputs: dict) -> dict:
    """Train an encoder (method, components and data from cfg.train); encoder/, curves.csv, config.json."""
    import os

    from .loop import train

    info = train(cfg, read_train_data(cfg, inputs), out)
    if int(os.environ.get("RANK", "0")) != 0:
        raise SystemExit(0)  # rank 0 finishes the artifact (meta.json, DONE, rename) alone
    return info


def load_curves(path):
    """The training curves of a train artifact (DataFrame)."""
    import pandas as pd

    return pd.read_csv(Path(path) / "curves.csv")
