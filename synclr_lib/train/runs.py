"""Training runs as config variants of one base config: the overrides of a row, the same row
at the ablation budget, and its cached train artifact. The rows themselves (which runs each
paper table trains) live with their studies (synclr_lib/studies/).

    path = train_variant(cfg, ablation(["train.method=simclr"], cfg))   # cached train artifact

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import copy

from ..config import apply_override, parse_overrides


def variant(cfg, overrides):
    """A copy of cfg with overrides ("section.field=value" strings) applied."""
    out = copy.deepcopy(cfg)
    for key, value in parse_overrides(overrides).items():
        apply_override(out, key, value)
    return out


def ablation(overrides, cfg) -> list[str]:
    """Overrides of a comparison row: its own settings at the ablation budget."""
    t, steps = cfg.train, cfg.study.ablation_steps
    return list(overrides) + [f"train.steps={steps}", f"train.warmup={min(t.warmup, steps // 10)}",
                              f"train.teacher_temp_warmup={min(t.teacher_temp_warmup, steps // 3)}"]


def train_variant(cfg, overrides):
    """The cached train artifact of cfg + overrides (built if needed)."""
    from ..stages import run_stage

    return run_stage("train", variant(cfg, overrides))
