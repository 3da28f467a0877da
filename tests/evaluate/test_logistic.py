"""The logistic probe (the paper's fine-grained protocol) against a plain scikit-learn reference."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from synclr_lib.evaluate import logistic_probe
from synclr_lib.evaluate.logistic import c_grid, holdout_split


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def reference_probe(X_train, y_train, X_test, y_test, Cs):
    """Hand-written protocol with nothing but scikit-learn: 80/20 stratified split, standardise,
    a cold-started fit per C, best C on val, refit on all of train, score test."""
    X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=1,
                                                  stratify=y_train)
    scaler = StandardScaler().fit(X_fit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        val = [LogisticRegression(C=C, max_iter=1000).fit(scaler.transform(X_fit), y_fit)
               .score(scaler.transform(X_val), y_val) for C in Cs]
        best = Cs[int(np.argmax(val))]
        scaler = StandardScaler().fit(X_train)
        model = LogisticRegression(C=best, max_iter=1000).fit(scaler.transform(X_train), y_train)
    return 100 * model.score(scaler.transform(X_test), y_test)


def test_digits_raw_pixels_match_plain_sklearn(digits):
    X_train, X_test, y_train, y_test = digits
    result = logistic_probe(X_train, y_train, X_test, y_test, n_c=12)
    reference = reference_probe(X_train, y_train, X_test, y_test, c_grid(12))
    assert abs(result.score - reference) <= 1.5, (result, reference)
    assert result.score > 90
    assert result.C in c_grid(12)
    assert list(result.val_curve.columns) == ["C", "val_top1"] and len(result.val_curve) == 12
    assert result.n_train == len(X_train) and result.n_test == len(X_test)


def test_given_val_split_is_used_and_mean_per_class(digits):
    X_train, X_test, y_train, y_test = digits
    X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.25, random_state=0,
                                                  stratify=y_train)
    result = logistic_probe(X_fit, y_fit, X_test, y_test, metric="mean_per_class",
                            X_val=X_val, y_val=y_val, n_c=5)
    assert result.n_train == len(X_train)  # refit on train + val
    assert result.score > 90 and "val_mean_per_class" in result.val_curve


def test_multilabel_map11(digits):
    X_train, X_test, y_train, y_test = digits
    to_multi = lambda y: np.stack([y % 2 == 0, y > 4, np.isin(y, [0, 1, 2])], 1).astype(int)
    result = logistic_probe(X_train, to_multi(y_train), X_test, to_multi(y_test), metric="map11", n_c=4)
    assert 80 < result.score <= 100
    assert result.metric == "map11"


def test_holdout_is_stratified_and_seeded():
    y = np.repeat(np.arange(4), 10)
    fit_a, val_a = holdout_split(y, 0.2, seed=3)
    fit_b, val_b = holdout_split(y, 0.2, seed=3)
    assert (val_a == val_b).all() and len(val_a) == 8
    assert np.bincount(y[val_a]).tolist() == [2, 2, 2, 2]
    assert set(fit_a).isdisjoint(val_a)


@pytest.mark.parametrize("metric", ["top1", "map11"])
def test_bad_input_gives_one_clear_error(metric):
    rng = np.random.default_rng(0)
    X, Xt = rng.normal(size=(20, 4)), rng.normal(size=(6, 4))
    y = np.tile([0, 1], 10) if metric == "top1" else np.stack([np.tile([0, 1], 10)] * 2, 1)
    yt = y[:6]
    with pytest.raises(ValueError, match="X_train has 20 rows but y_train has 19"):
        logistic_probe(X, y[:19], Xt, yt, metric=metric)
    with pytest.raises(ValueError, match="single class"):
        logistic_probe(X, np.zeros_like(y), Xt, yt, metric=metric)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        logistic_probe(X_nan, y, Xt, yt, metric=metric)
    with pytest.raises(ValueError, match="NaN"):
        logistic_probe(X, y, Xt * np.inf, yt, metric=metric)


def test_joint_one_vs_rest_matches_sklearn_per_column(digits):
    """The multi-label probe fits all columns in one L-BFGS run; its optimum is scikit-learn's."""
    from synclr_lib.evaluate.logistic import _OneVsRest

    X_train, _, y_train, _ = digits
    X = StandardScaler().fit_transform(X_train[:500])
    Y = np.stack([y_train[:500] % 2 == 0, y_train[:500] > 4], 1).astype(int)
    joint = _OneVsRest(2, max_iter=5000, tol=1e-8).set_C(0.1).fit(X, Y)
    for c in range(2):
        ref = LogisticRegression(C=0.1, max_iter=5000, tol=1e-8).fit(X, Y[:, c])
        np.testing.assert_allclose(joint.coef_[c], ref.coef_[0], atol=1e-4)
        np.testing.assert_allclose(joint.intercept_[c], ref.intercept_[0], atol=1e-4)
