"""The evaluation metrics of the paper (Sec. 4), all returned in percent (0-100), and the input
checks every probe runs first.

- `top1`: plain accuracy (SUN397, DTD, Food-101, Cars, ImageNet).
- `mean_per_class`: mean over classes of per-class accuracy (Aircraft, Caltech-101,
  Flowers, Pets): a rare class counts as much as a frequent one.
- `map11`: VOC2007's 11-point interpolated average precision, averaged over classes
  (the multi-label task): for each recall level t in {0, 0.1, ..., 1} take the best
  precision reached at a recall >= t, and average the 11 values.
- `miou`: mean over classes of intersection / union (the dense probe, ADE20k).

    from synclr_lib.evaluate.metrics import score
    score("mean_per_class", y_true, y_pred)            # labels [N] -> percent
    score("map11", y_true_01 [N, C], scores [N, C])     # multi-label -> percent

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import numpy as np

METRICS = ("top1", "mean_per_class", "map11")


def top1(y_true, y_pred) -> float:
    """Accuracy in percent."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(100.0 * np.mean(y_true == y_pred))


def mean_per_class(y_true, y_pred) -> float:
    """Mean over the classes present in `y_true` of the per-class accuracy (recall), percent."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    return float(100.0 * np.mean(recalls))


def average_precision_11point(y_true01, scores) -> float:
    """VOC2007 11-point interpolated AP of one class (fraction in [0, 1]); nan if no positive."""
    y_true01 = np.asarray(y_true01).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    n_pos = int(y_true01.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    hits = y_true01[order]
    tp = np.cumsum(hits)
    recall = tp / n_pos
    precision = tp / np.arange(1, len(hits) + 1)
    points = []
    for t in np.linspace(0.0, 1.0, 11):
        reached = precision[recall >= t - 1e-12]
        points.append(reached.max() if reached.size else 0.0)
    return float(np.mean(points))


def map11(y_true01, scores) -> float:
    """Mean over classes (with at least one positive) of the 11-point AP, percent."""
    y_true01, scores = np.asarray(y_true01), np.asarray(scores)
    if y_true01.ndim != 2 or y_true01.shape != scores.shape:
        raise ValueError(f"map11 needs y_true [N, C] and scores [N, C] of the same shape, got "
                         f"{y_true01.shape} and {scores.shape}")
    aps = [average_precision_11point(y_true01[:, c], scores[:, c]) for c in range(y_true01.shape[1])]
    aps = [a for a in aps if not np.isnan(a)]
    if not aps:
        raise ValueError("map11: no class has a positive example in y_true")
    return float(100.0 * np.mean(aps))


def confusion(y_true, y_pred, n_classes: int) -> np.ndarray:
    """[n_classes, n_classes] counts, rows = truth; entries outside [0, n_classes) are ignored."""
    y_true = np.asarray(y_true).ravel().astype(np.int64)
    y_pred = np.asarray(y_pred).ravel().astype(np.int64)
    keep = (y_true >= 0) & (y_true < n_classes) & (y_pred >= 0) & (y_pred < n_classes)
    idx = y_true[keep] * n_classes + y_pred[keep]
    return np.bincount(idx, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def miou(y_true, y_pred, n_classes: int | None = None) -> float:
    """Mean intersection-over-union over classes that occur in the truth or the prediction,
    percent. Labels are integer maps of any shape; negative truth labels are ignored."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"miou: truth {y_true.shape} and prediction {y_pred.shape} differ in shape")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    valid = y_true >= 0
    conf = confusion(y_true[valid], y_pred[valid], n_classes)
    inter = np.diag(conf).astype(np.float64)
    union = conf.sum(0) + conf.sum(1) - np.diag(conf)
    present = union > 0
    if not present.any():
        raise ValueError("miou: no labelled pixel")
    return float(100.0 * np.mean(inter[present] / union[present]))


def score(metric: str, y_true, y_pred_or_scores) -> float:
    """Dispatch by name: `top1` / `mean_per_class` take predicted labels, `map11` class scores."""
    if metric == "top1":
        return top1(y_true, y_pred_or_scores)
    if metric == "mean_per_class":
        return mean_per_class(y_true, y_pred_or_scores)
    if metric == "map11":
        return map11(y_true, y_pred_or_scores)
    raise ValueError(f"unknown metric {metric!r}; valid metrics: {', '.join(METRICS)}")


# ------------------------------------------------------------------------------------------
# Input checks shared by every probe: one clear ValueError per kind of bad input.
# ------------------------------------------------------------------------------------------
def check_features(X, name: str = "X") -> np.ndarray:
    """A finite float matrix [N, D] (or [N, ...]); raises ValueError otherwise."""
    X = np.asarray(X)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty feature array [N, D], got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number):
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    if not np.isfinite(X).all():
        bad = int((~np.isfinite(X)).reshape(len(X), -1).any(1).sum())
        raise ValueError(f"{name} contains NaN or infinite values in {bad} of {len(X)} rows "
                         f"(a diverged encoder or a broken feature cache?)")
    return X


def check_split(X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of one split: finite features and as many labels as rows."""
    X = check_features(X, f"X_{name}")
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"X_{name} has {len(X)} rows but y_{name} has {len(y)} labels; "
                         f"features and labels must come from the same images")
    return X, y


def check_train_labels(y, metric: str) -> None:
    """A classifier needs at least two classes in its training split (every column, multi-label)."""
    y = np.asarray(y)
    if metric == "map11":
        if y.ndim != 2:
            raise ValueError(f"metric 'map11' needs multi-label targets [N, C] of 0/1, got shape {y.shape}")
        constant = [c for c in range(y.shape[1]) if len(np.unique(y[:, c])) < 2]
        if constant:
            raise ValueError(f"the training split has a single class (all 0 or all 1) for label "
                             f"column(s) {constant}: a one-vs-rest classifier cannot be fitted")
    else:
        if y.ndim != 1:
            raise ValueError(f"metric {metric!r} needs integer labels [N], got shape {y.shape} "
                             f"(multi-label targets use metric='map11')")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"the training split has a single class ({classes.tolist()}): "
                             f"a classifier needs at least two")
