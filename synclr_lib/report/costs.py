"""What the pipeline cost and what it ran with, read from the artifacts' meta.json: wall time
per stage, the git commits and the package versions the artifacts were built with.

The artifacts counted are those the current config uses: every registered stage at the
config (`stages.artifact_path`), every training run the studies name (`synclr_lib.studies.catalog`:
comparison rows, seeds, and the Table 3 and Table 2 runs on the studies' images), and any extra train
artifacts named by hash (the scaling runs, listed in notebook 07's table). Artifacts not
built yet are listed as such; nothing is built here.

    costs = stage_costs(cfg, extra_train=["27bd425309bf"])   # DataFrame, one row per artifact
    per_stage(costs)                                          # wall and own time summed per stage

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import paths
from ..cache import is_complete, read_meta


def _row(stage: str, what: str, path: Path | None) -> dict:
    row = {"stage": stage, "what": what, "artifact": path.name if path is not None else "",
           "built": False, "wall_s": float("nan"), "own_s": float("nan"), "created": "", "git_commit": "",
           "packages": {}}
    if path is not None and is_complete(path):
        meta = read_meta(path)
        wall = float(meta.get("wall_s", float("nan")))
        row.update(built=True, wall_s=wall, own_s=float(meta.get("own_s", wall)), created=meta.get("created", ""),
                   git_commit=meta.get("git_commit", ""), packages=meta.get("packages", {}))
    return row


def _artifact_path(stage: str, cfg) -> Path | None:
    from ..stages import artifact_path

    try:
        return artifact_path(stage, cfg)
    except Exception:  # noqa: BLE001 - a stage whose key cannot be computed here is listed as not built
        return None


def stage_costs(cfg, extra_train=(), *, root: Path | None = None) -> pd.DataFrame:
    """One row per artifact the config uses: stage, what, artifact hash, built, wall_s,
    created, git_commit, packages (dict)."""
    from ..stages import registry
    from ..studies.catalog import every_run_config

    rows = [_row(name, "current config", _artifact_path(name, cfg)) for name in registry()]
    seen = {r["artifact"] for r in rows if r["stage"] == "train"}
    for what, run_cfg in every_run_config(cfg).items():
        path = _artifact_path("train", run_cfg)
        if path is not None and path.name not in seen:
            seen.add(path.name)
            rows.append(_row("train", what, path))
    train_root = (root or paths.artifacts_dir()) / "train"
    for h in extra_train:
        if h and h not in seen:
            seen.add(h)
            rows.append(_row("train", "scaling run", train_root / h))
    return pd.DataFrame(rows)


def per_stage(costs: pd.DataFrame) -> pd.DataFrame:
    """Wall time per stage, summed over its built artifacts, with counts: `wall_s` as measured
    around each build, `own_s` without the upstream stages built inside it (what the stage
    itself cost; artifacts built before own_s was recorded count their whole wall time)."""
    built = costs[costs["built"]]
    out = built.groupby("stage", sort=False).agg(artifacts=("artifact", "count"), wall_s=("wall_s", "sum"),
                                                 own_s=("own_s", "sum"))
    out["own_min"] = out["own_s"] / 60
    missing = costs[~costs["built"]].groupby("stage", sort=False).size()
    out["not built"] = missing.reindex(out.index).fillna(0).astype(int)
    for stage, n in missing.items():
        if stage not in out.index:
            out.loc[stage] = {"artifacts": 0, "wall_s": 0.0, "own_s": 0.0, "own_min": 0.0, "not built": int(n)}
    return out.reset_index()


def package_table(costs: pd.DataFrame) -> pd.DataFrame:
    """Package -> the version(s) recorded in the built artifacts' meta.json."""
    versions: dict[str, set] = {}
    for pk in costs.loc[costs["built"], "packages"]:
        for name, v in (pk or {}).items():
            versions.setdefault(name, set()).add(str(v))
    return pd.DataFrame([{"package": k, "version": ", ".join(sorted(v))} for k, v in versions.items()])


def commits(costs: pd.DataFrame) -> list[str]:
    """Distinct git commits the built artifacts were made at (most frequent first)."""
    built = costs.loc[costs["built"], "git_commit"]
    return built.value_counts().index.tolist()
