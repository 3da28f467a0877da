"""Evaluate a frozen encoder on the world's evaluation suites: one call, one table.

For each suite (`synclr_lib.world.load_suite(name, cfg, split)`, splits train / val / test):
- `objects` (the ImageNet analogue): the paper's ImageNet protocol, the parallel-head SGD
  linear probe (linear.py);
- the fine-grained analogues and the real packaged datasets (Tables 6 and 9): the paper's
  logistic probe (logistic.py), with each suite's metric (top1 / mean_per_class / map11);
- `segmentation` (the ADE20k analogue): the dense probe on patch tokens (dense.py), mIoU.
Features come from features.py (cached per encoder and suite); each suite's result is cached
too, under artifacts/evaluation/<hash>/, keyed by the encoder's weights, the suite's pixels
and labels, and the `eval` config, so re-running a notebook re-probes nothing.

    from synclr_lib.evaluate import evaluate_encoder
    table = evaluate_encoder("artifacts/train/<hash>/encoder", cfg)   # or a model object
    table[["suite", "metric", "score", "C"]]

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..cache import cached
from ..runtime import bf16_enabled
from ..stages import run_facts
from .dense import dense_probe
from .features import encoder_fingerprint, extract_features, images_hash, load_encoder
from .knn import knn_probe
from .linear import linear_probe
from .logistic import logistic_probe

KINDS = ("objects", "fine_grained", "dense", "real")
COLUMNS = ["suite", "kind", "probe", "metric", "score", "C", "hparam", "n_train", "n_test", "seconds"]


def _world():
    from .. import world  # imported lazily: the evaluation library itself does not need it
    return world


def suite_kinds(cfg=None, names_fn=None) -> dict[str, str]:
    """{suite name: kind} for every suite of the world (kind: objects | fine_grained | dense | real)."""
    names_fn = names_fn or _world().suite_names
    kinds = {}
    for kind in KINDS:
        for name in names_fn(kind):
            kinds.setdefault(name, kind)
    return kinds


def comparison_suites(cfg) -> list[str]:
    """Suites probed for the training comparisons (notebooks 04 and 07): `study.compare_suites`,
    else `objects` and the fine-grained suites."""
    chosen = [s.strip() for s in cfg.study.compare_suites.split(",") if s.strip()]
    return chosen or [s for s, k in suite_kinds(cfg).items() if k in ("objects", "fine_grained")]


def _load_splits(name, cfg, loader):
    splits = {}
    for split in ("train", "val", "test"):
        try:
            splits[split] = loader(name, cfg, split)
        except (KeyError, ValueError, FileNotFoundError):
            if split != "val":
                raise
            splits[split] = None  # no validation split: the probe holds out 20 % of train
        if splits[split] is not None and len(splits[split].images) == 0 and split == "val":
            splits[split] = None
    return splits


def _labels_hash(suite) -> str:
    h = hashlib.sha256(np.ascontiguousarray(suite.labels).tobytes())
    if getattr(suite, "masks", None) is not None:
        h.update(np.ascontiguousarray(suite.masks).tobytes())
    return h.hexdigest()[:12]


def _select(feats, feature: str) -> np.ndarray:
    if feature == "cls":
        return feats.cls
    if feature == "mean_patch":
        return feats.mean_patch
    if feature == "cls+mean_patch":
        return np.concatenate([feats.cls, feats.mean_patch], axis=1)
    raise ValueError(f"unknown eval.feature {feature!r}; valid: cls | mean_patch | cls+mean_patch")


@contextmanager
def probe_threads(n: int):
    """Run the probes' small solves with `n` BLAS / OpenMP / torch threads (0: unchanged).

    The probes' matrices are small: on a shared 2-core machine, 2 spin-waiting threads made a
    0.45 s logistic probe take 11 s (measured); one thread is never much slower here."""
    if n <= 0:
        yield
        return
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield
    finally:
        torch.set_num_threads(before)


def suite_features(model, name: str, splits: dict, cfg, *, patches: bool = False, progress: bool = True):
    """{split: Features} of one suite's splits (cached per encoder and suite)."""
    e = cfg.eval
    return {split: extract_features(model, suite.images, e.feature_batch, bf16_enabled(cfg), patches=patches,
                                    cache_name=f"{name}-{split}", device=cfg.run.device, progress=progress)
            for split, suite in splits.items() if suite is not None}


def probe_suite(model, name: str, kind: str, splits: dict, cfg, *, progress: bool = True) -> dict:
    """Extract features of one suite's splits and run its probe; returns one result row (dict)."""
    dense = kind == "dense"
    feats = suite_features(model, name, splits, cfg, patches=dense, progress=progress)
    with probe_threads(cfg.eval.probe_threads):
        try:
            return _probe(feats, name, kind, splits, cfg)
        except ValueError as err:  # e.g. NaN features of a diverged encoder: say where
            raise ValueError(f"suite {name!r}: {err}") from err


def _probe(feats, name, kind, splits, cfg) -> dict:
    e = cfg.eval
    dense = kind == "dense"
    train, val, test = splits["train"], splits.get("val"), splits["test"]
    metric = getattr(test, "metric", "top1")
    seed = cfg.run.seed
    if dense:
        n_classes = len(test.class_names) if getattr(test, "class_names", None) else None
        r = dense_probe(feats["train"].patch, train.masks, feats["test"].patch, test.masks,
                        n_classes=n_classes,
                        patch_val=feats["val"].patch if val is not None else None,
                        masks_val=val.masks if val is not None else None,
                        lrs=e.linear_lrs, epochs=e.dense_epochs, batch_size=e.linear_batch,
                        batchnorm=e.linear_batchnorm, seed=seed)
        probe, metric = "dense linear", "miou"
    else:
        X = {s: _select(f, e.feature) for s, f in feats.items()}
        y_val = val.labels if val is not None else None
        if kind == "objects" and metric != "map11":
            r = linear_probe(X["train"], train.labels, X["test"], test.labels, metric=metric,
                             X_val=X.get("val"), y_val=y_val, lrs=e.linear_lrs, epochs=e.linear_epochs,
                             batch_size=e.linear_batch, batchnorm=e.linear_batchnorm, seed=seed)
            probe = "linear SGD"
        else:
            r = logistic_probe(X["train"], train.labels, X["test"], test.labels, metric=metric,
                               X_val=X.get("val"), y_val=y_val, n_c=e.probe_c_values,
                               max_iter=e.probe_max_iter, c_min=e.probe_c_min, c_max=e.probe_c_max,
                               seed=seed)
            probe = "logistic"
    return {"suite": name, "kind": kind, "probe": probe, "metric": metric, "score": r.score,
            "C": r.C, "hparam": r.hparam, "n_train": r.n_train, "n_test": r.n_test,
            "seconds": round(r.seconds, 2)}


def knn_suite(model, name: str, splits: dict, cfg, *, progress: bool = True) -> dict:
    """The weighted kNN probe on one single-label suite (an extra row; `evaluate_encoder(knn=True)`)."""
    e = cfg.eval
    X = {s: _select(f, e.feature) for s, f in suite_features(model, name, splits, cfg, progress=progress).items()}
    val = splits.get("val")
    with probe_threads(e.probe_threads):
        r = knn_probe(X["train"], splits["train"].labels, X["test"], splits["test"].labels,
                      metric=splits["test"].metric, X_val=X.get("val"),
                      y_val=val.labels if val is not None else None, ks=e.knn_ks,
                      temperature=e.knn_temperature, seed=cfg.run.seed)
    return {"suite": name, "kind": "knn", "probe": "kNN", "metric": r.metric, "score": r.score,
            "C": float("nan"), "hparam": r.hparam, "n_train": r.n_train, "n_test": r.n_test,
            "seconds": round(r.seconds, 2)}


def evaluate_encoder(model, cfg, suites=None, *, knn: bool = False, loader=None, names_fn=None,
                     use_cache: bool = True, progress: bool = True) -> pd.DataFrame:
    """One row per suite (suite, kind, probe, metric, score, C, hparam, n_train, n_test, seconds).

    `model`: an encoder object or the directory of one saved with `save_pretrained`.
    `suites`: suite names (default: every suite of the world; unknown names raise ValueError).
    `knn=True` adds a kNN row for every single-label classification suite.
    """
    if isinstance(model, (str, Path)):
        model = load_encoder(model, cfg.run.device)
    kinds = suite_kinds(cfg, names_fn)
    if suites is None:
        suites = list(kinds)
    unknown = [s for s in suites if s not in kinds]
    if unknown:
        raise ValueError(f"unknown suite(s) {unknown}; valid suites: {', '.join(kinds)}")
    loader = loader or _world().load_suite
    fingerprint = encoder_fingerprint(model)
    rows = []
    # loaded before the bar opens: the first load may build the suites stage, whose render bars
    # would nest in this one
    first = _load_splits(suites[0], cfg, loader) if suites else None
    iterator = suites
    if progress:
        from ..progress import tqdm
        iterator = tqdm(suites, desc="evaluating", unit="suite", leave=False)
    for i, name in enumerate(iterator):
        start = time.time()
        splits = first if i == 0 else _load_splits(name, cfg, loader)
        payload = {"encoder": fingerprint, "suite": name, "kind": kinds[name],
                   "data": {s: [images_hash(su.images), _labels_hash(su)] for s, su in splits.items()
                            if su is not None},
                   "eval": cfg.section("eval"), "seed": cfg.run.seed, "bf16": bf16_enabled(cfg)}
        # one bar: a feature bar nested in the suite bar leaves cursor codes in notebook text
        jobs = [("probe", lambda: probe_suite(model, name, kinds[name], splits, cfg, progress=False))]
        single_label = np.asarray(splits["train"].labels).ndim == 1
        if knn and kinds[name] != "dense" and single_label:
            jobs.append(("knn", lambda: knn_suite(model, name, splits, cfg, progress=False)))
        for job, run in jobs:
            if use_cache:
                path = cached("evaluation", {**payload, "job": job},
                              lambda out, run=run: _write_row(out, run()), verbose=False,
                              run_facts=lambda: run_facts(cfg))
                row = json.loads((path / "result.json").read_text())
            else:
                row = run()
            rows.append(row)
        if progress and hasattr(iterator, "set_postfix_str"):
            iterator.set_postfix_str(f"{name} {time.time() - start:.1f}s")
    return pd.DataFrame(rows, columns=COLUMNS)


def _write_row(out: Path, row: dict) -> dict:
    (out / "result.json").write_text(json.dumps(row, indent=2, default=float))
    return {"score": row["score"]}


def evaluate_encoders(encoders, cfg, suites=None, **kwargs) -> pd.DataFrame:
    """Evaluate several encoders: `encoders` is a list of (row name, model or directory) or a
    dict; returns the long table with an `encoder` column first."""
    items = list(encoders.items()) if isinstance(encoders, dict) else list(encoders)
    tables = []
    for row_name, model in items:
        table = evaluate_encoder(model, cfg, suites, **kwargs)
        table.insert(0, "encoder", row_name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["encoder", *COLUMNS])


def wide_table(long: pd.DataFrame, kinds=("objects", "fine_grained", "dense"), mean_of="fine_grained",
               mean_name="fine-grained mean") -> pd.DataFrame:
    """Rows = encoders, columns = suites of the given kinds (in order) plus the mean over the
    `mean_of` kind inserted after its suites (the Table 6 / Table 9 layout)."""
    long = long[long["kind"].isin(kinds)]
    order = [s for k in kinds for s in long.loc[long["kind"] == k, "suite"].drop_duplicates()]
    wide = long.pivot_table(index="encoder", columns="suite", values="score", sort=False)
    wide = wide.reindex(columns=order)
    if mean_of in kinds:
        mean_cols = long.loc[long["kind"] == mean_of, "suite"].drop_duplicates().tolist()
        if mean_cols:
            pos = max(order.index(c) for c in mean_cols) + 1
            wide.insert(pos, mean_name, wide[mean_cols].mean(axis=1))
    encoders = long["encoder"].drop_duplicates().tolist()
    return wide.reindex(encoders).reset_index().rename_axis(columns=None)
