"""The training recipes the studies share: SynCLR with every component, SimCLR with BYOL's
augmentations, and SynCLR trained on one image directory. Each study module lists its own
rows from these.

    overrides = synclr_on(data_dir, cfg)        # SynCLR at the ablation budget on those images
    path = train_variant(cfg, overrides)        # synclr_lib.train.runs: the cached train artifact

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from ..config import BYOL_AUGMENT
from ..train.runs import ablation

SYNCLR = ["train.method=synclr", "train.components=ema,ibot,multicrop"]  # every component (Table 4's last row)
# SimCLR has only augmentations to make its two views differ: it keeps BYOL's at every profile
SIMCLR_AUGMENT = [f"{k}={','.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in BYOL_AUGMENT.items()]
SIMCLR = ["train.method=simclr", "train.components=", *SIMCLR_AUGMENT]


def at_ablation_budget(rows: dict[str, list[str]], cfg) -> dict[str, list[str]]:
    """{row name: overrides} of rows trained at the ablation budget (`study.ablation_steps`)."""
    return {name: ablation(o, cfg) for name, o in rows.items()}


def synclr_on(data_dir, cfg) -> list[str]:
    """Overrides of SynCLR at the ablation budget trained on one synthetic-image directory."""
    return ablation(SYNCLR + [f"train.data_dir={data_dir}"], cfg)
