"""A weighted k-nearest-neighbour probe on frozen features (the DINO / InstDisc protocol).

Features are l2-normalised; each test image's k most cosine-similar training images vote
for their class with weight exp(similarity / T), T = 0.07; k in {10, 20, 100, 200}, each
capped by the number of training images. k is chosen on a validation split (20 % of train,
stratified, when none is given); the final memory bank is train + val.

    from synclr_lib.evaluate.knn import knn_probe
    result = knn_probe(X_train, y_train, X_test, y_test)
    result.score, result.hparam, result.extra["test_by_k"]

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from . import metrics
from .logistic import ProbeResult, probe_splits


@torch.no_grad()
def knn_predict(bank, bank_labels, queries, ks=(10, 20, 100, 200), temperature: float = 0.07,
                n_classes: int | None = None, chunk: int = 1024) -> dict[int, np.ndarray]:
    """Predicted labels of `queries` for each k (capped by the bank size): {k: labels [Nq]}."""
    bank = F.normalize(torch.as_tensor(np.asarray(bank, dtype=np.float32)).flatten(1), dim=1)
    queries = F.normalize(torch.as_tensor(np.asarray(queries, dtype=np.float32)).flatten(1), dim=1)
    labels = torch.as_tensor(np.asarray(bank_labels, dtype=np.int64))
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    ks = sorted({min(int(k), len(bank)) for k in ks})
    k_max = ks[-1]
    preds = {k: [] for k in ks}
    for s in range(0, len(queries), chunk):
        sims = queries[s:s + chunk] @ bank.T  # cosine similarities [q, N]
        top_sim, top_idx = sims.topk(k_max, dim=1)  # sorted, most similar first
        weights = (top_sim / temperature).exp()
        votes = F.one_hot(labels[top_idx], n_classes).float() * weights.unsqueeze(-1)  # [q, k, C]
        cum = votes.cumsum(1)  # the vote of the first k neighbours for every k at once
        for k in ks:
            preds[k].append(cum[:, k - 1].argmax(1))
    return {k: torch.cat(v).numpy() for k, v in preds.items()}


def knn_probe(X_train, y_train, X_test, y_test, metric: str = "top1", X_val=None, y_val=None,
              ks=(10, 20, 100, 200), temperature: float = 0.07, *, val_fraction: float = 0.2,
              seed: int = 0) -> ProbeResult:
    """Choose k on val, then classify test with train + val as the memory bank."""
    start = time.time()
    if metric not in ("top1", "mean_per_class"):
        raise ValueError(f"knn_probe supports metrics top1 and mean_per_class, got {metric!r}")
    X_fit, y_fit, X_val, y_val, X_test, y_test = probe_splits(
        X_train, y_train, X_val, y_val, X_test, y_test, metric, val_fraction, seed)
    n_classes = int(max(y_fit.max(), y_val.max(), y_test.max())) + 1
    val_pred = knn_predict(X_fit, y_fit, X_val, ks, temperature, n_classes)
    val_scores = {k: metrics.score(metric, y_val, p) for k, p in val_pred.items()}
    best_k = max(val_scores, key=lambda k: (val_scores[k], -k))  # ties: the smaller k
    bank, bank_y = np.concatenate([X_fit, X_val]), np.concatenate([y_fit, y_val])
    test_pred = knn_predict(bank, bank_y, X_test, ks, temperature, n_classes)
    # the chosen k is re-capped by the larger bank only if it was capped by the smaller one
    k_test = {min(int(k), len(X_fit)): min(int(k), len(bank)) for k in ks}
    test_by_k = {k_test[k]: metrics.score(metric, y_test, test_pred[k_test[k]]) for k in val_scores}
    curve = pd.DataFrame({"k": list(val_scores), f"val_{metric}": list(val_scores.values())})
    return ProbeResult(score=test_by_k[k_test[best_k]], metric=metric, hparam=f"k={k_test[best_k]}",
                       val_curve=curve, n_train=len(bank), n_test=len(X_test),
                       seconds=time.time() - start,
                       extra={"k": k_test[best_k], "temperature": temperature, "test_by_k": test_by_k})
