"""Not in the paper: why "caption = class" needs a g2 that fills in the rest. The
multi-positive loss alone (StableRep), at the ablation budget, on world-proxy images whose
captions pin colour and background (every image of a caption shares them) against captions
that leave them open (each image redraws them, as Stable Diffusion does).

    runs = shortcut_runs(cfg)                     # {row: overrides}

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from .runs import at_ablation_budget

RUNS = {  # the multi-positive loss alone (StableRep), where the shortcut lives
    "caption pins colour + background": ["train.method=synclr", "train.components=", "train.data=proxy",
                                         "train.proxy_open="],
    "caption leaves them open": ["train.method=synclr", "train.components=", "train.data=proxy",
                                 "train.proxy_open=colour,background"],
}


def shortcut_runs(cfg) -> dict[str, list[str]]:
    return at_ablation_budget(RUNS, cfg)
