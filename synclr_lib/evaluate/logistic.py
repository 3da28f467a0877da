"""The paper's fine-grained protocol (Sec. 4): a logistic-regression probe on frozen features.

Features are standardised; a multinomial L-BFGS logistic regression (scikit-learn) is fitted
for log-spaced inverse l2 strengths C in [1e-6, 1e5] (the paper: 45 values; fewer per profile
via `EvalConfig.probe_c_values`); C is chosen on a validation split (20 % of train, stratified
and seeded, when none is given); the model is refitted on train+val and scored on test.
Multi-label targets (`metric="map11"`, the VOC2007 analogue) use one binary logistic
regression per class (one-vs-rest), all columns fitted in one L-BFGS run of their summed
(independent) objectives, which has the same optimum as scikit-learn's per-column fits.

Speed: the C path runs from strong to weak regularisation, each fit warm-started from the
previous solution (and the final refit from the chosen one), which cuts L-BFGS iterations
several-fold (benchmarks/bench_eval.py).

    from synclr_lib.evaluate import logistic_probe
    result = logistic_probe(X_train, y_train, X_test, y_test, metric="mean_per_class")
    result.score, result.C, result.val_curve

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import metrics


@dataclass
class ProbeResult:
    """What a probe measured: the test score (percent) and how it was chosen."""
    score: float  # test metric in percent (0-100)
    metric: str  # top1 | mean_per_class | map11 | miou
    C: float = float("nan")  # chosen inverse l2 strength (logistic probe)
    hparam: str = ""  # the chosen hyper-parameter in words, e.g. "C=0.1", "lr=0.3", "k=20"
    val_curve: pd.DataFrame = field(default_factory=pd.DataFrame)  # hyper-parameter -> val score
    n_train: int = 0  # rows used to fit the final model (train + val)
    n_test: int = 0  # rows scored
    seconds: float = 0.0  # wall time of the probe
    extra: dict = field(default_factory=dict)  # probe-specific details (e.g. every k of kNN)

    def __repr__(self) -> str:
        return (f"ProbeResult({self.metric}={self.score:.2f}, {self.hparam or 'C=' + format(self.C, '.3g')}, "
                f"n_train={self.n_train}, n_test={self.n_test}, {self.seconds:.1f}s)")


def c_grid(n_c: int, c_min: float = 1e-6, c_max: float = 1e5) -> np.ndarray:
    """`n_c` log-spaced inverse l2 strengths in [c_min, c_max] (the paper: 45 in [1e-6, 1e5])."""
    if n_c < 1:
        raise ValueError(f"n_c must be >= 1, got {n_c}")
    return np.logspace(np.log10(c_min), np.log10(c_max), n_c) if n_c > 1 else np.array([1.0])


def holdout_split(y, fraction: float = 0.2, seed: int = 0):
    """Indices (fit, val) holding out `fraction` of the rows, stratified by class when every
    class has at least two rows (multi-label targets: a plain seeded split)."""
    y = np.asarray(y)
    idx = np.arange(len(y))
    stratify = None
    if y.ndim == 1:
        _, counts = np.unique(y, return_counts=True)
        n_val = int(np.ceil(fraction * len(y)))
        if counts.min() >= 2 and n_val >= len(counts) and len(y) - n_val >= len(counts):
            stratify = y
    fit_idx, val_idx = train_test_split(idx, test_size=fraction, random_state=seed, stratify=stratify)
    return np.sort(fit_idx), np.sort(val_idx)


def probe_splits(X_train, y_train, X_val, y_val, X_test, y_test, metric: str, val_fraction: float = 0.2,
                 seed: int = 0):
    """Checked (X_fit, y_fit, X_val, y_val, X_test, y_test) of a probe, shared by every probe:
    the given validation split, or `val_fraction` of train held out (stratified, seeded).
    Bad input (mismatched counts, NaN features, one class in a training split, feature shapes
    that differ between splits) raises one ValueError naming the problem."""
    X_train, y_train = metrics.check_split(X_train, y_train, "train")
    X_test, y_test = metrics.check_split(X_test, y_test, "test")
    metrics.check_train_labels(y_train, metric)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither (then 20 % of train is held out)")
    if X_val is None:
        fit_idx, val_idx = holdout_split(y_train, val_fraction, seed)
        X_fit, y_fit, X_val, y_val = X_train[fit_idx], y_train[fit_idx], X_train[val_idx], y_train[val_idx]
    else:
        X_val, y_val = metrics.check_split(X_val, y_val, "val")
        X_fit, y_fit = X_train, y_train
    for name, X in (("val", X_val), ("test", X_test)):
        if X.shape[1:] != X_train.shape[1:]:
            raise ValueError(f"X_{name} has feature shape {X.shape[1:]} but X_train has {X_train.shape[1:]}")
    metrics.check_train_labels(y_fit, metric)  # the held-out part may have taken a rare class
    return X_fit, y_fit, X_val, y_val, X_test, y_test


class _OneVsRest:
    """One-vs-rest binary logistic regressions for multi-label targets, fitted in ONE L-BFGS run.

    The objective is the sum over label columns of scikit-learn's binary objective for
    `LogisticRegression(solver="lbfgs", C=C)` (mean log-loss + ||w_c||^2 / (2 C N), intercept
    not penalised, same `gtol` / `ftol` / `maxls`): the columns share no parameter, so its
    minimum is every column's own minimum, reached with one optimisation loop instead of one
    per column (multilabel at mini: 20 columns, ~20x less per-iteration overhead).
    tests/evaluate/test_logistic.py checks it against scikit-learn's per-column fits.
    """

    def __init__(self, n_labels: int, max_iter: int, tol: float, warm_start: bool = True):
        self.n_labels, self.max_iter, self.tol, self.warm_start = n_labels, max_iter, tol, warm_start
        self.C = 1.0
        self.coef_ = None  # [n_labels, D], as scikit-learn's per-column coef_ stacked
        self.intercept_ = None  # [n_labels]

    def set_C(self, C: float):
        self.C = float(C)
        return self

    def fit(self, X, Y):
        X = np.asarray(X, dtype=np.float64)
        signs = 2.0 * np.asarray(Y, dtype=np.float64) - 1.0  # {0, 1} -> {-1, +1}
        n, d = X.shape
        k = signs.shape[1]
        l2 = 1.0 / (self.C * n)

        def objective(theta):
            W, b = theta[:d * k].reshape(d, k), theta[d * k:]
            margin = -signs * (X @ W + b)  # log(1 + exp(margin)) is each log-loss term
            loss = np.logaddexp(0.0, margin).sum() / n + 0.5 * l2 * np.sum(W * W)
            dZ = -signs * expit(margin) / n
            return loss, np.concatenate([(X.T @ dZ + l2 * W).ravel(), dZ.sum(0)])

        if self.warm_start and self.coef_ is not None and self.coef_.shape == (k, d):
            theta0 = np.concatenate([self.coef_.T.ravel(), self.intercept_])
        else:
            theta0 = np.zeros(d * k + k)
        opt = minimize(objective, theta0, jac=True, method="L-BFGS-B",
                       options={"maxiter": self.max_iter, "maxls": 50, "gtol": self.tol,
                                "ftol": 64 * np.finfo(float).eps})
        self.coef_ = opt.x[:d * k].reshape(d, k).T.copy()
        self.intercept_ = opt.x[d * k:].copy()
        self.n_iter_ = int(opt.nit)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_

    def state(self):
        return (self.coef_.copy(), self.intercept_.copy())

    def load(self, state):
        self.coef_, self.intercept_ = state[0].copy(), state[1].copy()


def _new_model(metric: str, n_labels: int, max_iter: int, tol: float, warm_start: bool = True):
    if metric == "map11":
        return _OneVsRest(n_labels, max_iter, tol, warm_start)
    return LogisticRegression(solver="lbfgs", max_iter=max_iter, tol=tol, warm_start=warm_start)


def _set_C(model, C):
    if isinstance(model, _OneVsRest):
        return model.set_C(C)
    model.set_params(C=C)
    return model


def _predict_and_score(model, X, y, metric: str) -> float:
    if metric == "map11":
        return metrics.map11(y, model.decision_function(X))
    return metrics.score(metric, y, model.predict(X))


def _state(model):
    if isinstance(model, _OneVsRest):
        return model.state()
    return (model.coef_.copy(), model.intercept_.copy(), model.classes_.copy())


def _load(model, state) -> None:
    """Set `model`'s solution to a saved one (the starting point of a warm-started fit)."""
    if isinstance(model, _OneVsRest):
        model.load(state)
        return
    coef, intercept, classes = state
    model.coef_, model.intercept_, model.classes_ = coef.copy(), intercept.copy(), classes


def logistic_probe(X_train, y_train, X_test, y_test, metric: str = "top1", X_val=None, y_val=None,
                   n_c: int = 12, max_iter: int = 1000, *, c_min: float = 1e-6, c_max: float = 1e5,
                   val_fraction: float = 0.2, seed: int = 0, tol: float = 1e-4,
                   refit: bool = True, warm_start: bool = True) -> ProbeResult:
    """Fit the paper's fine-grained logistic probe; returns a `ProbeResult` (`.score`, `.C`,
    `.val_curve`). Labels are integers [N], or 0/1 [N, C] with `metric="map11"`.

    Bad input (mismatched feature/label counts, a single class in the training split, NaN or
    infinite features, an unknown metric) raises one ValueError naming the problem.
    `warm_start=False` fits every C from zero (slower, same optimum; for the benchmark).
    """
    start = time.time()
    if metric not in metrics.METRICS:
        raise ValueError(f"unknown metric {metric!r}; valid metrics: {', '.join(metrics.METRICS)}")
    X_fit, y_fit, X_val, y_val, X_test, y_test = probe_splits(
        X_train, y_train, X_val, y_val, X_test, y_test, metric, val_fraction, seed)
    n_labels = y_fit.shape[1] if metric == "map11" else 0

    X_fit, X_val = X_fit.reshape(len(X_fit), -1), X_val.reshape(len(X_val), -1)
    scaler = StandardScaler().fit(X_fit)
    Xf, Xv = scaler.transform(X_fit), scaler.transform(X_val)

    grid = c_grid(n_c, c_min, c_max)
    model = _new_model(metric, n_labels, max_iter, tol, warm_start)
    val_scores, states = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for C in grid:  # strong -> weak regularisation, each fit warm-started from the last
            _set_C(model, C).fit(Xf, y_fit)
            val_scores.append(_predict_and_score(model, Xv, y_val, metric))
            states.append(_state(model))
        best = int(np.argmax(val_scores))  # first maximum: the strongest regularisation among ties
        C = float(grid[best])
        if refit:  # refit on train + val with the chosen C, warm-started from its solution
            X_all = np.concatenate([X_fit, X_val])
            y_all = np.concatenate([y_fit, y_val])
            scaler = StandardScaler().fit(X_all)
            final = _set_C(_new_model(metric, n_labels, max_iter, tol, warm_start), C)
            if warm_start and (metric == "map11" or set(np.unique(y_all)) == set(states[best][2])):
                _load(final, states[best])
            final.fit(scaler.transform(X_all), y_all)
            n_fit = len(X_all)
        else:
            final = _set_C(model, C)
            _load(final, states[best])
            n_fit = len(X_fit)
        test = _predict_and_score(final, scaler.transform(X_test.reshape(len(X_test), -1)), y_test, metric)
    curve = pd.DataFrame({"C": grid, f"val_{metric}": val_scores})
    return ProbeResult(score=test, metric=metric, C=C, hparam=f"C={C:.3g}", val_curve=curve,
                       n_train=n_fit, n_test=len(X_test), seconds=time.time() - start)
