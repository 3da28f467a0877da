"""The CFG study (paper Sec. 3.2, Table 3): the same captions and the same noise drawn at every
guidance scale of `study.cfg_scales`, scored by the judge.

    path = run_stage("cfg_study", cfg)
    table = cfg_study_table(cfg)      # scale, fidelity_object/colour/background/all, diversity
    grid = cfg_study_images(cfg, 2.5) # SyntheticImages of one scale
    scores = per_caption_scores(cfg)  # the same, per caption: paired comparisons of scales
    steps = trend_table(scores)       # per measure: each CFG step and first -> last, with intervals
    trends(steps)                     # {"fidelity_object": "rises", "diversity": "falls"}

Each scale is a resumable generation directory (generate.py) inside the stage's work
directory, so a killed study resumes at the shard it stopped in. Image j of caption i has
the same seed at every scale (and in the `images` stage), so the grids differ only by CFG.
Reference rows: the judge on held-out mini-web renders and on their VAE reconstructions
(the best g2 could do through its autoencoder).

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..stages import Upstream, run_stage, stage
from ..stats import paired_changes, trend_verdict
from .generate import generate_dataset, settings_from_config
from .judge import (accuracy, caption_labels, concept_named_rate, fidelity_diversity, judge_images, judge_input,
                    load_judge, pairwise_distance_per_group, read_judge, spec_labels)
from .shards import load_synthetic_images, verify_image_dirs

TREND_MEASURES = ("fidelity_object", "diversity")  # the two sides of the paper's CFG trade-off


def _scale_dir(root: Path, scale: float) -> Path:
    return Path(root) / f"cfg-{float(scale):g}"


def _payload(cfg) -> dict:
    if not cfg.study.cfg_scales:  # fails here, before any upstream stage runs
        raise ValueError("study.cfg_scales is empty: give at least one CFG scale")
    settings = settings_from_config(cfg)
    key = settings.content_key()
    key.pop("cfg_scale")
    return {"scales": [float(s) for s in cfg.study.cfg_scales], "captions": cfg.study.cfg_captions,
            "generation": key}


def _requires(cfg) -> dict:
    from .pipeline import g2_input
    from .pretrain import WEB_STAGE

    return {"captions": Upstream("captions", cfg), "g2": g2_input(cfg), "judge": judge_input(cfg),
            "world": Upstream(WEB_STAGE, cfg)}  # the world's held-out renders: the reference rows


@stage("cfg_study", payload=_payload, requires=_requires, resumable=True, verify=verify_image_dirs)
def build_cfg_study(cfg, out: Path, inputs: dict) -> dict:
    """Images of the first `cfg_study_captions` captions at every CFG scale, and their scores."""
    from ..captions import read_captions
    from ..world import read_mini_web
    from .pipeline import load_pipeline

    rows = read_captions(inputs["captions"])[:cfg.study.cfg_captions]
    model_dir = inputs["g2"]
    judge = read_judge(inputs["judge"])
    pipe = load_pipeline(model_dir, cfg.run.device) if cfg.images.num_workers <= 1 else None
    records = []
    for scale in cfg.study.cfg_scales:
        settings = settings_from_config(cfg, cfg_scale=float(scale))
        root = generate_dataset(_scale_dir(out, scale), rows, model_dir, settings, pipe=pipe,
                                num_workers=cfg.images.num_workers, desc=f"CFG {scale:g}").parent
        ds = load_synthetic_images(root)
        records.append({"source": "generated", "cfg_scale": float(scale),
                        **fidelity_diversity(judge, ds.images, ds.caption_ids, ds.captions)})
    records += reference_rows(read_mini_web(inputs["world"]), judge, model_dir if is_mini_g2(cfg) else None)
    table = pd.DataFrame(records)
    table.to_csv(out / "scores.csv", index=False)
    return {"captions": len(rows), "scales": list(cfg.study.cfg_scales),
            "captions_naming_their_concept": concept_named_rate(rows),
            "fidelity_object_at_default_cfg": _at(table, cfg.images.cfg_scale, "fidelity_object")}


def _at(table: pd.DataFrame, scale: float, column: str) -> float | None:
    hit = table[(table["source"] == "generated") & np.isclose(table["cfg_scale"], scale)]
    return float(hit[column].iloc[0]) if len(hit) else None


def is_mini_g2(cfg) -> bool:
    """Whether cfg's g2 is a mini g2 pretrained on the mini-web (here, or shipped with its record)."""
    from ..config import TRAIN_HERE
    from .pretrain import g2_training_files

    return cfg.images.g2 == TRAIN_HERE or g2_training_files(cfg) is not None


def reference_rows(web, judge, g2_dir: Path | None, n: int = 1000) -> list[dict]:
    """The judge on the last held-out renders of the mini-web `web` (seen by neither the judge
    nor the VAE) and, given a mini g2 pretrained on them (`g2_dir`), on their reconstructions
    by its VAE: the ceiling of fidelity at this VAE."""
    from diffusers import AutoencoderKL

    from .pretrain import reconstruct, vae_held_out

    held = vae_held_out(len(web.images), cap=n)
    images = web.images[-held:]
    labels = spec_labels(list(web.specs[-held:]))
    rows = []
    _, preds = judge_images(judge, images)
    rows.append({"source": "real renders (held out)", **{f"fidelity_{k}": v for k, v in accuracy(preds, labels).items()}})
    if g2_dir is not None:
        vae = AutoencoderKL.from_pretrained(Path(g2_dir) / "vae").eval()
        _, preds = judge_images(judge, reconstruct(vae, images))
        rows.append({"source": "VAE reconstructions", **{f"fidelity_{k}": v for k, v in accuracy(preds, labels).items()}})
    return rows


def cfg_study_table(cfg) -> pd.DataFrame:
    """Fidelity and diversity per CFG scale, plus the reference rows (cached stage)."""
    return pd.read_csv(run_stage("cfg_study", cfg) / "scores.csv")


def cfg_study_images(cfg, scale: float):
    """SyntheticImages drawn at one scale of the study."""
    return load_synthetic_images(cfg_study_dir(cfg, scale))


def cfg_study_dir(cfg, scale: float, *, build: bool = True) -> Path:
    """The synthetic-image directory of one scale (`train.data_dir` for the Table 3 runs);
    build=False only names it (it may not exist yet)."""
    from ..stages import artifact_path

    if float(scale) not in [float(s) for s in cfg.study.cfg_scales]:
        raise ValueError(f"CFG {scale:g} is not in study.cfg_scales={list(cfg.study.cfg_scales)}")
    return _scale_dir(run_stage("cfg_study", cfg) if build else artifact_path("cfg_study", cfg), scale)


def study_summary(cfg) -> dict:
    return json.loads((run_stage("cfg_study", cfg) / "meta.json").read_text())["info"]


# --------------------------------------------------------------------------------------
# Is a change between two scales real? Paired over captions (every scale draws the same
# captions from the same noise), bootstrapped over captions (synclr_lib.stats).
# --------------------------------------------------------------------------------------
def per_caption_scores(cfg) -> pd.DataFrame:
    """One row per (CFG scale, study caption): the fraction of its images judged to show the
    object it names (NaN when it names none) and its diversity. The judge is re-run on the
    stored images of the cached stage, so nothing is sampled again."""
    judge = load_judge(cfg)
    frames = []
    for scale in cfg.study.cfg_scales:
        ds = cfg_study_images(cfg, scale)
        feats, preds = judge_images(judge, ds.images)
        wanted = caption_labels(ds.captions)["object"][ds.caption_ids]
        right = np.where(wanted >= 0, preds["object"] == wanted, np.nan)
        fidelity = pd.Series(right).groupby(ds.caption_ids).mean()
        diversity = pairwise_distance_per_group(feats, ds.caption_ids)
        frames.append(pd.DataFrame({"cfg_scale": float(scale), "caption_id": fidelity.index,
                                    "fidelity_object": fidelity.to_numpy(),
                                    "diversity": [diversity.get(c, np.nan) for c in fidelity.index]}))
    return pd.concat(frames, ignore_index=True)


def trend_table(scores: pd.DataFrame, measures=TREND_MEASURES, **boot) -> pd.DataFrame:
    """Per measure, each CFG step ("step" rows) and the first -> last scale ("overall"), with
    bootstrap intervals over captions. Columns: measure, kind, from, to, captions, change,
    low, high (the CSV notebook 03 saves and the REPORT judges)."""
    scales = sorted(scores["cfg_scale"].unique())
    frames = []
    for m in measures:
        frames.append(paired_changes(scores, m, **boot).assign(measure=m, kind="step"))
        frames.append(paired_changes(scores, m, [(scales[0], scales[-1])], **boot).assign(measure=m, kind="overall"))
    table = pd.concat(frames, ignore_index=True).rename(columns={"items": "captions"})
    return table[["measure", "kind", "from", "to", "captions", "change", "low", "high"]]


def trends(table: pd.DataFrame) -> dict[str, str]:
    """{measure: rises | falls | no clear trend | not measured} of a `trend_table`."""
    return {m: trend_verdict(g[g["kind"] == "step"], g[g["kind"] == "overall"].iloc[0])
            for m, g in table.groupby("measure", sort=False)}
