"""The named training runs behind the paper's training tables, as config variants of one
base config (notebooks/04_training.py; notebook 05 lists them as trained rows).

    runs = comparison_runs(cfg)                    # {row name: [overrides]}
    path = train_variant(cfg, runs["SimCLR"])      # cached train artifact of that row

- Table 4 (components, ablation budget `train.ablation_steps`): StableRep, +EMA, +EMA+iBOT,
  +EMA+multi-crop, SynCLR (all);
- Table 5 (objective on the same synthetic data): SupCE, SimCLR, SynCLR;
- Table 10 (CLIP on the same synthetic data) and learning from data (mini-web renders with
  alt-text): CLIP, SimCLR (web), CLIP (web);
- the main comparison (`train.steps`, `train.compare_seeds` seeds): SynCLR vs SimCLR;
- the shortcut lesson (not in the paper): the multi-positive loss at the ablation budget on world-proxy images
  whose captions pin colour and background (every image of a caption shares them) against
  captions that leave them open (each image redraws them, as Stable Diffusion does);
- Table 3 (notebooks/03_images_cfg.py): SynCLR at the ablation budget on the CFG study's
  images of each scale in `TABLE3_SCALES` (`cfg_scale_runs`);
- Table 2 (notebooks/05_evaluation.py): SynCLR at the ablation budget on each caption
  strategy's images (images/strategy_study.py, `caption_strategy_runs`).
"""
from __future__ import annotations

import copy

from ..config import BYOL_AUGMENT, apply_override, parse_overrides, train_seed

# SimCLR has only augmentations to make its two views differ: it keeps BYOL's at every profile
SIMCLR_AUGMENT = [f"{k}={','.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in BYOL_AUGMENT.items()]

TABLE4 = {
    "StableRep": ["train.method=synclr", "train.components="],
    "+EMA": ["train.method=synclr", "train.components=ema"],
    "+EMA+iBOT": ["train.method=synclr", "train.components=ema,ibot"],
    "+EMA+multi-crop": ["train.method=synclr", "train.components=ema,multicrop"],
    "SynCLR": ["train.method=synclr", "train.components=ema,ibot,multicrop"],
}
TABLE5 = {
    "SupCE": ["train.method=supce", "train.components="],
    "SimCLR": ["train.method=simclr", "train.components=", *SIMCLR_AUGMENT],
    "SynCLR": TABLE4["SynCLR"],
}
TABLE10 = {
    "CLIP": ["train.method=clip", "train.components="],
    "SynCLR": TABLE4["SynCLR"],
    "SimCLR (web)": ["train.method=simclr", "train.components=", "train.data=web", *SIMCLR_AUGMENT],
    "CLIP (web)": ["train.method=clip", "train.components=", "train.data=web"],
}

SHORTCUT = {  # the multi-positive loss alone (StableRep), where the shortcut lives
    "caption pins colour + background": ["train.method=synclr", "train.components=", "train.data=proxy",
                                         "train.proxy_open="],
    "caption leaves them open": ["train.method=synclr", "train.components=", "train.data=proxy",
                                 "train.proxy_open=colour,background"],
}


def variant(cfg, overrides):
    """A copy of cfg with overrides ("section.field=value" strings) applied."""
    out = copy.deepcopy(cfg)
    for key, value in parse_overrides(overrides).items():
        apply_override(out, key, value)
    return out


def ablation(overrides, cfg) -> list[str]:
    """Overrides of a comparison row: its own settings at the ablation budget."""
    t = cfg.train
    return list(overrides) + [f"train.steps={t.ablation_steps}",
                              f"train.warmup={min(t.warmup, t.ablation_steps // 10)}",
                              f"train.teacher_temp_warmup={min(t.teacher_temp_warmup, t.ablation_steps // 3)}"]


TABLE3_SCALES = (2.0, 3.0, 4.0)  # the paper's Table 3 columns


def table3_scales(cfg) -> list[float]:
    """The Table 3 scales the CFG study draws (all of its scales when it draws none of them)."""
    study = [float(s) for s in cfg.images.cfg_study_scales]
    return [s for s in TABLE3_SCALES if s in study] or study


def synclr_on(data_dir, cfg) -> list[str]:
    """Overrides of SynCLR at the ablation budget trained on one synthetic-image directory."""
    return ablation(TABLE4["SynCLR"] + [f"train.data_dir={data_dir}"], cfg)


def cfg_scale_runs(cfg, scale_dirs: dict) -> dict[str, list[str]]:
    """Table 3: SynCLR at the ablation budget trained on each CFG scale's images,
    `scale_dirs` = {scale: synthetic-image directory} -> {"CFG s": overrides}."""
    return {f"CFG {float(s):g}": synclr_on(d, cfg) for s, d in scale_dirs.items()}


def caption_strategy_runs(cfg, strategy_dirs: dict) -> dict[str, list[str]]:
    """Table 2: SynCLR at the ablation budget trained on each caption strategy's images,
    `strategy_dirs` = {strategy: synthetic-image directory} (images.strategy_study) ->
    {strategy: overrides}."""
    return {s: synclr_on(d, cfg) for s, d in strategy_dirs.items()}


def comparison_runs(cfg) -> dict[str, list[str]]:
    """Every comparison row (Tables 4, 5, 10) at the ablation budget: {row name: overrides}."""
    return {name: ablation(o, cfg) for table in (TABLE4, TABLE5, TABLE10) for name, o in table.items()}


def shortcut_runs(cfg) -> dict[str, list[str]]:
    """The shortcut lesson at the ablation budget: {row name: overrides} (see SHORTCUT)."""
    return {name: ablation(o, cfg) for name, o in SHORTCUT.items()}


def seed_runs(cfg, method: str = "SynCLR") -> dict[str, list[str]]:
    """The main comparison: `method` at the full budget, one row per training seed (`train.seed`:
    the data, g1 and g2 stay those of `run.seed`)."""
    base = {"SynCLR": TABLE4["SynCLR"], "SimCLR": TABLE5["SimCLR"]}[method]
    first = train_seed(cfg)
    return {f"{method} (seed {first + s})": base + [f"train.seed={first + s}"]
            for s in range(cfg.train.compare_seeds)}


def study_runs(cfg, *, build: bool = True) -> dict[str, list[str]]:
    """The runs on the studies' image directories: Table 3 ("CFG s") and Table 2 ("Table 2:
    strategy"). build=False names the directories without drawing them (for cost listings)."""
    from ..images.cfg_study import cfg_study_dir
    from ..images.strategy_study import strategy_study_dirs

    runs = cfg_scale_runs(cfg, {s: cfg_study_dir(cfg, s, build=build) for s in table3_scales(cfg)})
    strategies = caption_strategy_runs(cfg, strategy_study_dirs(cfg, build=build))
    return {**runs, **{f"Table 2: {s}": o for s, o in strategies.items()}}


def train_variant(cfg, overrides):
    """The cached train artifact of cfg + overrides (built if needed)."""
    from ..stages import run_stage

    return run_stage("train", variant(cfg, overrides))

