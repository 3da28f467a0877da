"""The caption-strategy study (paper Table 2): g2's images of the first
`study.strategy_captions` captions of every caption strategy, one directory each.

    dirs = strategy_study_dirs(cfg)     # {strategy: synthetic-image directory}
    scores = strategy_study_table(cfg)  # judged fidelity and diversity per strategy

The strategies are `study.strategies`: `captions.strategy` names (their caption sets,
notebooks/02_captions.py) and "alt-text", the mini-web's own noisy alt-text, the stand-in
for the paper's real-caption (cc12m) row: real captions drawn by the same g2. Every
strategy is drawn with the same generation settings as the `images` stage, so only the
captions differ. Each strategy is a resumable generation directory (generate.py), as in
the CFG study. SynCLR runs on them: `studies.strategies.strategy_runs`.

Introduced in notebooks/05_evaluation.py (section 6).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..stages import Upstream, run_stage, stage
from .generate import generate_dataset, settings_from_config
from .judge import concept_named_rate, fidelity_diversity, judge_input, read_judge
from .shards import load_synthetic_images, verify_image_dirs

ALT_TEXT = "alt-text"  # the mini-web's alt-text, not a g1 strategy


def alt_text_rows(web, n: int) -> list[dict]:
    """The first n distinct alt-texts of the mini-web `web` as caption rows (concept = the scene's object)."""
    from ..captions.sets import normalise

    seen, rows = set(), []
    for text, spec in zip(web.texts, web.specs):
        key = normalise(text)
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append({"id": len(rows), "caption": text, "concept": spec.get("object"), "strategy": ALT_TEXT})
        if len(rows) == n:
            break
    return rows


def strategy_caption_rows(source: Path, strategy: str, n: int) -> list[dict]:
    """The first n caption rows of one strategy, from its input (a world or captions artifact)."""
    if strategy == ALT_TEXT:
        from ..world import read_mini_web

        return alt_text_rows(read_mini_web(source), n)
    from ..captions import read_captions

    return read_captions(source)[:n]


def _source(strategy: str) -> str:
    return f"captions:{strategy}"  # its input's name in the stage's requires


def _requires(cfg) -> dict:
    from ..captions import with_strategy
    from .pipeline import g2_input

    sources = {_source(s): Upstream("world", cfg) if s == ALT_TEXT else Upstream("captions", with_strategy(cfg, s))
               for s in cfg.study.strategies}  # with_strategy fails here on an unknown strategy
    return {**sources, "g2": g2_input(cfg), "judge": judge_input(cfg)}


def _payload(cfg) -> dict:
    if not cfg.study.strategies:  # bad settings fail here, before any upstream stage runs
        raise ValueError("study.strategies is empty: give at least one caption strategy")
    if cfg.study.strategy_captions < 1:
        raise ValueError(f"study.strategy_captions must be >= 1, got {cfg.study.strategy_captions}")
    return {"strategies": list(cfg.study.strategies), "captions": cfg.study.strategy_captions,
            "generation": settings_from_config(cfg).content_key()}


def _strategy_dir(root: Path, strategy: str) -> Path:
    return Path(root) / strategy


@stage("strategy_study", payload=_payload, requires=_requires, resumable=True, verify=verify_image_dirs)
def build_strategy_study(cfg, out: Path, inputs: dict) -> dict:
    """Images of the first `strategy_study_captions` captions of each strategy, and their scores."""
    from .pipeline import load_pipeline

    model_dir = inputs["g2"]
    settings = settings_from_config(cfg)
    judge = read_judge(inputs["judge"])
    pipe = load_pipeline(model_dir, cfg.run.device) if cfg.images.num_workers <= 1 else None
    records = []
    for strategy in cfg.study.strategies:
        rows = strategy_caption_rows(inputs[_source(strategy)], strategy, cfg.study.strategy_captions)
        root = generate_dataset(_strategy_dir(out, strategy), rows, model_dir, settings, pipe=pipe,
                                num_workers=cfg.images.num_workers, desc=f"strategy {strategy}").parent
        ds = load_synthetic_images(root)
        records.append({"strategy": strategy, "captions": len(rows),
                        "captions_naming_their_concept": concept_named_rate(rows),
                        **fidelity_diversity(judge, ds.images, ds.caption_ids, ds.captions)})
    table = pd.DataFrame(records)
    table.to_csv(out / "scores.csv", index=False)
    return {"strategies": list(cfg.study.strategies), "captions": int(table["captions"].min()),
            "images": int(table["captions"].sum()) * settings.images_per_caption}


def strategy_study_table(cfg) -> pd.DataFrame:
    """Per strategy: captions drawn, how many name their concept, judged fidelity, diversity."""
    return pd.read_csv(run_stage("strategy_study", cfg) / "scores.csv")


def strategy_study_dirs(cfg, *, build: bool = True) -> dict[str, Path]:
    """{strategy: synthetic-image directory} (`train.data_dir` of the Table 2 runs);
    build=False only names them (they may not exist yet)."""
    from ..stages import artifact_path

    root = run_stage("strategy_study", cfg) if build else artifact_path("strategy_study", cfg)
    return {s: _strategy_dir(root, s) for s in cfg.study.strategies}
